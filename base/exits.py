"""Exit codes, what each means, and which exception ends a run with which one: the one mapping the process exit
and the run record both use (a sync's row in ``runs`` says the code the process exited with).

Exception types are named as ``"module:Class"`` and matched against an exception's class hierarchy by name, so
the table costs no import (``kb check`` starts through it without loading the connectors, the rules engine or
the store). A test checks that every name resolves to an exception class defined where it says.
"""

from __future__ import annotations

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
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM

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
    EXIT_INTERRUPTED: "interrupted (Ctrl-C): the run let go of its lock and is recorded as interrupted",
    EXIT_TERMINATED: "stopped by SIGTERM (cron's and systemd's stop signal): the same clean end as Ctrl-C",
}

#: Domain exceptions and their exit codes, first match wins (a subclass before its base).
EXIT_CODES: list[tuple[str, int]] = [
    ("csops.config:ConfigError", EXIT_CONFIG),
    ("connectors.salesforce:FieldError", EXIT_CONFIG),
    ("rules.yamlsrc:SourceError", EXIT_CONFIG),
    ("connectors.slack:WebhookURLError", EXIT_CONFIG),
    ("connectors.slack:SlackError", EXIT_UNAVAILABLE),
    ("sync.guard:MassChangeHeld", EXIT_MASS_CHANGE),
    ("sync.run:ClockWentBack", EXIT_CONFIG),
    ("store.dialect:LockHeld", EXIT_TEMPFAIL),
    ("connectors.http:InsecureURL", EXIT_CONFIG),
    ("connectors.zendesk_auth:ApiTokenRetired", EXIT_CONFIG),
    ("connectors.zendesk_auth:TokenFileError", EXIT_IOERR),
    ("connectors.http:OffOrigin", EXIT_UNAVAILABLE),
    ("connectors.http:BudgetExhausted", EXIT_TEMPFAIL),
    ("connectors.http:AuthenticationFailed", EXIT_UNAVAILABLE),
    ("connectors.http:ServiceUnavailable", EXIT_UNAVAILABLE),
    ("connectors.http:RequestRejected", EXIT_UNAVAILABLE),
    ("store.dialect:StoreConfigError", EXIT_CONFIG),
    ("store.dialect:StoreUnavailable", EXIT_UNAVAILABLE),
    ("store.dialect:StoreError", EXIT_IOERR),
    ("kb.paths:UnsafePath", EXIT_CONFIG),
    ("kb.paths:BuildRefused", EXIT_USAGE),
    ("kb.gaps:GapsError", EXIT_CONFIG),
    ("kb.changed:ChangedError", EXIT_USAGE),
    ("kb.baseline:BaselineError", EXIT_CONFIG),
    ("report.load:ReportError", EXIT_CONFIG),
    ("report.nps_csv:NpsImportError", EXIT_CONFIG),
    ("base.files:WouldOverwrite", EXIT_CONFIG),
    ("base.files:WriteError", EXIT_IOERR),
]



#: The run status recorded for an exit code that is not ok, partial or failed.
RUN_STATUS: dict[int, str] = {EXIT_MASS_CHANGE: "held", EXIT_TEMPFAIL: "stopped", EXIT_INTERRUPTED: "interrupted",
                               EXIT_TERMINATED: "interrupted"}


class Terminated(BaseException):
    """SIGTERM arrived. Like KeyboardInterrupt it is no ``Exception``, so nothing on the way catches it: the run
    unwinds, releases its lock, records itself as interrupted and exits 143."""


def _names(kind: type) -> set[str]:
    """``module:Class`` of a class and of every class it derives from (the module that defines each one,
    which is what the table must name: ``store`` re-exports classes that ``store.dialect`` defines)."""
    return {f"{k.__module__}:{k.__qualname__}" for k in kind.__mro__}


def exit_code_for(exc: BaseException) -> int | None:
    names = _names(type(exc))
    for name, code in EXIT_CODES:
        if name in names:
            return code
    return None



def outcome(exc: BaseException | None, partial: bool = False) -> tuple[int, str]:
    """(exit code, run status) for a run that ended with ``exc`` (None: it finished; ``partial``: with records
    or notifications rejected)."""
    if exc is None:
        return (EXIT_PARTIAL, "partial") if partial else (EXIT_OK, "ok")
    if isinstance(exc, KeyboardInterrupt):
        code: int | None = EXIT_INTERRUPTED
    elif isinstance(exc, Terminated):
        code = EXIT_TERMINATED
    elif isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else EXIT_SOFTWARE
    else:
        code = exit_code_for(exc)
        if code is None and isinstance(getattr(exc, "exit_code", None), int):  # click's exceptions carry theirs
            code = exc.exit_code  # type: ignore[attr-defined]
    code = EXIT_SOFTWARE if code is None else code
    return code, RUN_STATUS.get(code, "failed")
