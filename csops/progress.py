"""Progress bars and colour for a person at a terminal, through rich; nothing of it anywhere else.

On a TTY (and with text logs) each stage gets a bar: with a total where the
API says one (Salesforce's ``totalSize``, the accounts to evaluate, the
records to write), a count and a rate where it does not (Zendesk's export).
Log records are printed above the bars, never through them. Under cron, in a
pipe or with ``--log-format json`` there are no bars and no escape codes.
Colour follows the NO_COLOR convention (https://no-color.org) and
``--no-color``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from rich.console import Console
from rich.file_proxy import FileProxy
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

SEVERITY_STYLES = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLES = {"churn_risk": "bold red", "stalled": "yellow", "on_track": "green", "completed": "green",
                 "not_started": "dim", "no_phases": "magenta"}


def colour_wanted(no_color: bool, stream: Any = None) -> bool:
    """Colour only on a terminal, and never with --no-color or a non-empty NO_COLOR."""
    stream = stream or sys.stdout
    return not no_color and not os.environ.get("NO_COLOR") and bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, style: str | None, enabled: bool) -> str:
    """``text`` with ANSI styling from rich when enabled (a table pads the plain text first, then paints)."""
    if not enabled or not style:
        return text
    console = Console(force_terminal=True, color_system="standard", no_color=False, highlight=False)
    with console.capture() as cap:
        console.print(Text(text, style=style), end="")
    return cap.get()


class CountColumn(ProgressColumn):
    """``1,234 / 2,000`` with a total, ``1,234 (250/s)`` without one."""

    def render(self, task: Task) -> Text:
        done = int(task.completed)
        if task.total is not None:
            return Text(f"{done:,} / {int(task.total):,}")
        speed = task.finished_speed or task.speed
        return Text(f"{done:,}" + (f" ({speed:,.0f}/s)" if speed else ""))


class SyncProgress:
    """The ``progress(what, n, total=None)`` callback the pulls, the evaluation and the writes report to."""

    def __init__(self, enabled: bool, no_color: bool = False) -> None:
        self.console = Console(stderr=True, no_color=no_color or bool(os.environ.get("NO_COLOR")))
        self.enabled = enabled and self.console.is_terminal
        self.tasks: dict[str, Any] = {}
        self._handlers: list[tuple[logging.StreamHandler[Any], Any]] = []
        self.bar: Progress | None = None

    def _start(self) -> Progress:
        bar = Progress(SpinnerColumn(), TextColumn("{task.description:<14}"), BarColumn(), CountColumn(),
                       TimeElapsedColumn(), console=self.console, redirect_stdout=False, redirect_stderr=False)
        bar.start()
        # Log records go through rich, which prints them above the live bars.
        for handler in logging.getLogger("csops").handlers:
            if isinstance(handler, logging.StreamHandler):
                self._handlers.append((handler, handler.stream))
                handler.setStream(FileProxy(self.console, handler.stream))
        return bar

    def __call__(self, what: str, n: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = self._start()
        if what not in self.tasks:
            self.tasks[what] = self.bar.add_task(what, total=total)
        elif total is not None:
            self.bar.update(self.tasks[what], total=total)
        self.bar.advance(self.tasks[what], n)

    def done(self) -> None:
        if self.bar is None:
            return
        for task in self.bar.tasks:  # a stage without a total ends as a full bar with its count
            if task.total is None:
                self.bar.update(task.id, total=task.completed)
        self.bar.stop()
        self.bar = None
        for handler, stream in self._handlers:
            handler.flush()
            handler.setStream(stream)
        self._handlers.clear()
