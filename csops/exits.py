"""The error boundary shared by both CLIs (``csops`` and ``kb``): an exception's exit code is its outcome class's
(base.errors), which the run record uses too.

This module imports nothing heavy: ``kb check`` starts through it, and a writer's
editor runs ``kb check`` on every save. SIGTERM (cron's and systemd's stop signal)
ends a command the way Ctrl-C does: an exception unwinds it, so locks are released
and a sync records how it ended, then the process exits 143 (130 for Ctrl-C).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from base.errors import Terminated, exit_code_for, foreseen
from base.exits import (  # noqa: F401  (re-exported: the table lives in base.exits, below every layer)
    EXIT_CONFIG,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_IOERR,
    EXIT_MASS_CHANGE,
    EXIT_MEANINGS,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_SOFTWARE,
    EXIT_TEMPFAIL,
    EXIT_TERMINATED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)
from base.redact import redact
from base.terminal import printable

log = logging.getLogger("csops")

class CsopsError(click.ClickException):
    """A message for the user and the exit code that goes with it."""

    def __init__(self, message: str, exit_code: int = EXIT_SOFTWARE) -> None:
        super().__init__(printable(redact(message)))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance


def exit_code_epilog() -> str:
    """The exit-code table as --help text (both CLIs print the same one)."""
    lines = [f"  {code:>2}  {meaning.replace('`', '')}" for code, meaning in EXIT_MEANINGS.items()]
    return "\b\nExit codes:\n" + "\n".join(lines)


def _terminate(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the unwinding is not cut short by a second one
    raise Terminated()


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` in the main thread; the previous handler after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class BoundaryGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            with sigterm_unwinds():
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise SystemExit(EXIT_INTERRUPTED) from None
        except Terminated:
            click.echo("Terminated (SIGTERM).", err=True)
            raise SystemExit(EXIT_TERMINATED) from None
        except BrokenPipeError:
            # `csops … | head -1`: the reader has what it wanted. End quietly, and keep Python from complaining
            # again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(EXIT_OK) from None
        except Exception as exc:
            if not foreseen(exc):
                log.debug("unexpected error", exc_info=True)
                hint = "" if log.isEnabledFor(logging.DEBUG) else " (run with -vv for the traceback)"
                raise CsopsError(f"unexpected error: {type(exc).__name__}: {exc}{hint}", EXIT_SOFTWARE) from None
            raise CsopsError(str(exc), exit_code_for(exc)) from None
