"""Exit codes and the error boundary shared by both CLIs (``csops`` and ``kb``).

This module imports nothing heavy: ``kb check`` starts through it, and a writer's
editor runs ``kb check`` on every save. The exception types are named as
``"module:Class"`` and matched against an exception's class hierarchy by name, so
the table costs no import (the connectors, the rules engine and the store are not
loaded to map an error that ``kb`` can never raise). A test checks that every name
resolves to an exception class.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from base.terminal import printable
from connectors.redact import redact

log = logging.getLogger("csops")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_MASS_CHANGE = 4
EXIT_UNAVAILABLE = 69
EXIT_SOFTWARE = 70
EXIT_IOERR = 74
EXIT_TEMPFAIL = 75
EXIT_CONFIG = 78

#: What each exit code means, for both CLIs (``csops`` and ``kb``); the README's table is checked against it.
#: Findings (a lint result) and failures never share a code, as in Vale (1 findings, 2 errors); above 63 the
#: codes follow sysexits.h, as cron wrappers and systemd expect.
EXIT_MEANINGS: dict[int, str] = {
    EXIT_OK: "ok",
    EXIT_FINDINGS: "findings: `kb check` found error-level problems in the articles (nothing crashed)",
    EXIT_USAGE: "usage error (unknown command or option, bad option value)",
    EXIT_PARTIAL: ("finished, but some records or notifications were rejected (listed; the next run retries "
                   "them)"),
    EXIT_MASS_CHANGE: "mass change held: the sync would change too many accounts at once; nothing written "
                      "(review, then `--allow-mass-change`)",
    EXIT_UNAVAILABLE: "a remote service or the PostgreSQL store is unavailable after retries, or refused the "
                      "credentials",
    EXIT_SOFTWARE: "unexpected error: a bug in csops (run with `-vv` for the traceback)",
    EXIT_IOERR: "the state store or a file csops writes cannot be opened or written (the message names it; "
                "nothing half-written is left)",
    EXIT_TEMPFAIL: "another run holds the lock, or the API budget is used up: try later (all state is kept)",
    EXIT_CONFIG: "configuration, rule or input data invalid",
}

#: Domain exceptions and their exit codes, first match wins (a subclass before its base).
EXIT_CODES: list[tuple[str, int]] = [
    ("csops.config:ConfigError", EXIT_CONFIG),
    ("connectors.salesforce:FieldError", EXIT_CONFIG),
    ("rules.yamlsrc:SourceError", EXIT_CONFIG),
    ("connectors.slack:WebhookURLError", EXIT_CONFIG),
    ("connectors.slack:SlackError", EXIT_UNAVAILABLE),
    ("sync.guard:MassChangeHeld", EXIT_MASS_CHANGE),
    ("sync.dialect:LockHeld", EXIT_TEMPFAIL),
    ("connectors.http:InsecureURL", EXIT_CONFIG),
    ("connectors.zendesk_auth:ApiTokenRetired", EXIT_CONFIG),
    ("connectors.zendesk_auth:TokenFileError", EXIT_IOERR),
    ("connectors.http:OffOrigin", EXIT_UNAVAILABLE),
    ("connectors.http:BudgetExhausted", EXIT_TEMPFAIL),
    ("connectors.http:AuthenticationFailed", EXIT_UNAVAILABLE),
    ("connectors.http:ServiceUnavailable", EXIT_UNAVAILABLE),
    ("connectors.http:RequestRejected", EXIT_UNAVAILABLE),
    ("sync.dialect:StoreConfigError", EXIT_CONFIG),
    ("sync.dialect:StoreUnavailable", EXIT_UNAVAILABLE),
    ("sync.dialect:StoreError", EXIT_IOERR),
    ("kb.paths:UnsafePath", EXIT_CONFIG),
    ("kb.paths:BuildRefused", EXIT_USAGE),
    ("kb.gaps:GapsError", EXIT_CONFIG),
    ("report.load:ReportError", EXIT_CONFIG),
    ("report.nps_csv:NpsImportError", EXIT_CONFIG),
    ("base.files:WouldOverwrite", EXIT_CONFIG),
    ("base.files:WriteError", EXIT_IOERR),
]


class CsopsError(click.ClickException):
    """A message for the user and the exit code that goes with it."""

    def __init__(self, message: str, exit_code: int = EXIT_SOFTWARE) -> None:
        super().__init__(printable(redact(message)))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance


def _names(kind: type) -> set[str]:
    """``module:Class`` of a class and of every class it derives from (the module that defines each one,
    which is what the table must name: ``sync.store`` re-exports classes that ``sync.dialect`` defines)."""
    return {f"{k.__module__}:{k.__qualname__}" for k in kind.__mro__}


def exit_code_for(exc: BaseException) -> int | None:
    names = _names(type(exc))
    for name, code in EXIT_CODES:
        if name in names:
            return code
    return None


def exit_code_epilog() -> str:
    """The exit-code table as --help text (both CLIs print the same one)."""
    lines = [f"  {code:>2}  {meaning.replace('`', '')}" for code, meaning in EXIT_MEANINGS.items()]
    return "\b\nExit codes:\n" + "\n".join(lines)


class BoundaryGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise SystemExit(130) from None
        except BrokenPipeError:
            # `csops … | head -1`: the reader has what it wanted. End quietly, and keep Python from complaining
            # again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(EXIT_OK) from None
        except Exception as exc:
            code = exit_code_for(exc)
            if code is None:
                log.debug("unexpected error", exc_info=True)
                hint = "" if log.isEnabledFor(logging.DEBUG) else " (run with -vv for the traceback)"
                raise CsopsError(f"unexpected error: {type(exc).__name__}: {exc}{hint}", EXIT_SOFTWARE) from None
            raise CsopsError(str(exc), code) from None
