"""History made the way production makes it: syncs at a sequence of --today dates, accounts progressing."""

from __future__ import annotations

from datetime import date

from sandbox.timeline import progress_to
from tests.conftest import Workspace

MONTHLY = ("2026-06-01", "2026-07-06", "2026-08-10", "2026-09-14", "2026-10-19", "2026-11-23")


def grow_history(ws: Workspace, days: tuple[str, ...] = MONTHLY) -> None:
    for day in days:
        progress_to(ws.sandbox, date.fromisoformat(day))
        # a month between runs moves more accounts than a daily cron run would: past the mass-change guard
        result = ws.cli("sync", "--today", day, "--allow-mass-change")
        assert result.exit_code == 0, result.output
