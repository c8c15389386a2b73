"""One exception tree: every exception csops raises derives from :class:`Failure` (SIGTERM's :class:`Terminated`
aside), and the outcome class it derives from carries the exit code and the run status.

The CLI boundary and a sync's run record both ask :func:`outcome`, so what ``runs`` records and what the process
exits with cannot disagree (they once did: a misspelled field was recorded 69 and exited 78, a crash recorded 1
and exited 70). A domain error picks its outcome by deriving from it, first among its bases when it also derives
from a domain base: ``class FieldError(InputError, RequestRejected)`` is a rejected request that exits 78.

Located errors (:class:`SourceError`: ``file:line:col: message``) are input errors. Nothing here imports anything
but base.exits, so ``kb`` starts through it without loading the sync side.
"""

from __future__ import annotations

from typing import ClassVar

from base.exits import (
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_IOERR,
    EXIT_MASS_CHANGE,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_SOFTWARE,
    EXIT_TEMPFAIL,
    EXIT_TERMINATED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)


class Failure(Exception):
    """The root. Raised (or derived from) as is, it is something csops did not foresee reaching the user: a bug
    (exit 70, the message says to run with -vv). Exceptions the code catches itself derive from it too."""

    exit_code: ClassVar[int] = EXIT_SOFTWARE
    run_status: ClassVar[str] = "failed"


class InputError(Failure):
    """Configuration, rules or input data that cannot be used as given (78)."""

    exit_code = EXIT_CONFIG


class UsageError(Failure):
    """A command asked for something it cannot do as asked (2, as click's own usage errors)."""

    exit_code = EXIT_USAGE


class Unavailable(Failure):
    """A remote service or the PostgreSQL store is unreachable after retries, or refused the credentials (69)."""

    exit_code = EXIT_UNAVAILABLE


class StorageFailure(Failure):
    """The state store or a file csops writes cannot be opened or written (74)."""

    exit_code = EXIT_IOERR


class TryLater(Failure):
    """Another run holds the lock or the API budget is spent: nothing is wrong, the run stops (75)."""

    exit_code = EXIT_TEMPFAIL
    run_status = "stopped"


class Held(Failure):
    """The run would change too many accounts at once and wrote nothing (4)."""

    exit_code = EXIT_MASS_CHANGE
    run_status = "held"


class Partial(Failure):
    """The work finished, but some records or messages were rejected (3)."""

    exit_code = EXIT_PARTIAL
    run_status = "partial"


class SourceError(InputError):
    """A mistake in a user-written file, located as ``file:line:col``."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 col: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SourceErrors(SourceError):
    """Several mistakes found in one pass, reported together in file order (the files in the order they were
    read, each by line and column); located by the first."""

    def __init__(self, problems: list[SourceError]) -> None:
        files = list(dict.fromkeys(p.file for p in problems))
        self.problems = sorted(problems, key=lambda p: (files.index(p.file), p.line or 0, p.col or 0))
        first = self.problems[0]
        super().__init__(first.message, first.file, first.line, first.col)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class Terminated(SystemExit):
    """SIGTERM arrived. Like KeyboardInterrupt it is no ``Exception``, so nothing on the way catches it: the run
    unwinds, releases its lock, records itself as interrupted and exits 143.

    A SystemExit, because that is what psycopg (like KeyboardInterrupt) answers by cancelling the statement it is
    waiting on: as a bare BaseException it left the statement running on the server and the connection unusable,
    so the run could not record its end and its lock's release waited on the statement's transaction. Uncaught, it
    still exits 143."""

    exit_code: ClassVar[int] = EXIT_TERMINATED
    run_status: ClassVar[str] = "interrupted"

    def __init__(self) -> None:
        super().__init__(EXIT_TERMINATED)


def exit_code_for(exc: BaseException) -> int:
    """The exit code a command ending with ``exc`` exits with: its outcome class's, 130 for Ctrl-C, click's own
    for click's exceptions, and 70 for anything else (a bug)."""
    if isinstance(exc, Failure | Terminated):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else EXIT_SOFTWARE
    code = getattr(exc, "exit_code", None)  # click's exceptions carry theirs
    return code if isinstance(code, int) else EXIT_SOFTWARE


def foreseen(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure csops knows how to word for the user (anything else is shown as a bug)."""
    return exit_code_for(exc) != EXIT_SOFTWARE


_STATUS_BY_CODE = {c.exit_code: c.run_status for c in (Held, Partial, TryLater, Terminated)}
_STATUS_BY_CODE.update({EXIT_OK: "ok", EXIT_INTERRUPTED: "interrupted"})


def outcome(exc: BaseException | None, partial: bool = False) -> tuple[int, str]:
    """(exit code, run status) for a run that ended with ``exc`` (None: it finished; ``partial``: with records
    or notifications rejected)."""
    if exc is None:
        return (Partial.exit_code, Partial.run_status) if partial else (EXIT_OK, "ok")
    if isinstance(exc, Failure | Terminated):
        return exc.exit_code, exc.run_status
    code = exit_code_for(exc)
    return code, _STATUS_BY_CODE.get(code, "failed")
