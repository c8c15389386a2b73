"""``kb gaps``: which articles to write next, from the tickets (topics, coverage, drafts).

The package's modules import scikit-learn; this one stays light so the CLI can name the error without loading it.
"""

from base.errors import InputError


class GapsError(InputError):
    """``kb gaps`` cannot run on what it was given (no ticket text in the period, an unknown topic)."""
