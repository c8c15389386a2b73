"""csops application shell: config, logging and the ``csops`` and ``kb`` CLIs."""

__version__ = "0.1.0"
