"""The run record: one row per sync or pull, its status, exit code and report."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from store.connection import Database, now_iso


class RunRow(NamedTuple):
    id: int
    command: str
    started_at: str
    finished_at: str | None
    status: str  # running, ok, partial, failed, held, stopped, interrupted, killed
    exit_code: int | None
    report: dict[str, Any]  # the stored report, decoded ({} when none)


class ClockMarks(NamedTuple):
    last_day: str | None  # the day the last recorded run evaluated for
    last_start: str | None  # when the newest run started (UTC ISO)


class RunTable(Database):
    """The ``runs`` table."""

    def start_run(self, command: str, rules_hash: str | None = None, rules_day: str | None = None) -> int:
        """Record a run's start. Call it holding the run lock: any run still 'running' then was killed.
        ``rules_hash``: the rule files' hash the run evaluates with, on ``rules_day`` (the report marks the days
        it changed)."""
        with self.transaction():
            self._execute("UPDATE runs SET status = 'killed', finished_at = ? WHERE status = 'running'",
                         (now_iso(),))
            cur = self._execute("INSERT INTO runs (command, started_at, status, rules_hash, rules_day) VALUES "
                                "(?, ?, 'running', ?, ?) RETURNING id", (command, now_iso(), rules_hash, rules_day))
            return int(cur.fetchone()[0])

    def rules_hashes(self) -> list[tuple[str, str]]:
        """(day, rule files' hash) of every run that recorded one, oldest first."""
        return [(str(d), str(h)) for d, h in self._query(
            "SELECT rules_day, rules_hash FROM runs WHERE rules_hash IS NOT NULL AND rules_day IS NOT NULL "
            "ORDER BY id")]

    def finish_run(self, run_id: int, status: str, exit_code: int, report: dict[str, Any]) -> None:
        with self.transaction():
            self._execute("UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, report = ? WHERE id = ?",
                         (now_iso(), status, exit_code, json.dumps(report, ensure_ascii=False), run_id))

    def recent_runs(self, limit: int) -> list[RunRow]:
        """The last ``limit`` runs, newest first."""
        rows = self._query("SELECT id, command, started_at, finished_at, status, exit_code, report FROM runs "
                           "ORDER BY id DESC LIMIT ?", (limit,))
        return [RunRow._make((*row, json.loads(report) if report else {})) for *row, report in rows]

    def find_run(self, run_id: int) -> RunRow | None:
        rows = self._query("SELECT id, command, started_at, finished_at, status, exit_code, report FROM runs "
                           "WHERE id = ?", (run_id,))
        return next((RunRow._make((*row, json.loads(report) if report else {})) for *row, report in rows), None)

    def sync_marks(self) -> tuple[str | None, str | None]:
        """When the last successful sync finished (ok or partial), and when the first sync started (UTC ISO)."""
        last = self._scalar("SELECT MAX(finished_at) FROM runs WHERE command = 'sync' AND status IN ('ok', "
                            "'partial')")
        first = self._scalar("SELECT MIN(started_at) FROM runs WHERE command = 'sync'")
        return (None if last is None else str(last)), (None if first is None else str(first))

    def clock_marks(self) -> ClockMarks:
        """The day the last recorded run evaluated for, and the start of the newest run (UTC), if any."""
        day = self._scalar("SELECT MAX(evaluated_on) FROM evaluations")
        started = self._scalar("SELECT MAX(started_at) FROM runs")
        return ClockMarks(str(day) if day else None, str(started) if started else None)
