"""Exit codes and what each means, for both CLIs. Which exception ends a command with which code is said by
the exception itself: its class derives from one of base.errors' outcome classes."""

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
