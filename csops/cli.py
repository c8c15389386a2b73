"""The ``csops`` command, composed from the command modules."""

from __future__ import annotations

from csops import cmd_doctor, cmd_pull, cmd_rules, cmd_sandbox, cmd_sync  # noqa: F401  (register commands)
from csops.shell import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli.main(prog_name="csops")
