"""The run record: one row per sync or pull, its status, exit code and report."""

from __future__ import annotations

import json
from typing import Any

from store.connection import Database, now_iso


class RunTable(Database):
    """The ``runs`` table."""

    def start_run(self, command: str) -> int:
        """Record a run's start. Call it holding the run lock: any run still 'running' then was killed."""
        with self.transaction():
            self._execute("UPDATE runs SET status = 'killed', finished_at = ? WHERE status = 'running'",
                         (now_iso(),))
            cur = self._execute("INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running') "
                                "RETURNING id", (command, now_iso()))
            return int(cur.fetchone()[0])

    def finish_run(self, run_id: int, status: str, exit_code: int, report: dict[str, Any]) -> None:
        with self.transaction():
            self._execute("UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, report = ? WHERE id = ?",
                         (now_iso(), status, exit_code, json.dumps(report, ensure_ascii=False), run_id))

    def recent_runs(self, limit: int) -> list[dict[str, Any]]:
        """The last ``limit`` runs, newest first: id, command, started_at, finished_at, status, exit_code and
        the stored report (decoded; {} when none)."""
        rows = self._query("SELECT id, command, started_at, finished_at, status, exit_code, report FROM runs "
                           "ORDER BY id DESC LIMIT ?", (limit,))
        keys = ("id", "command", "started_at", "finished_at", "status", "exit_code")
        return [{**dict(zip(keys, r[:6], strict=True)), "report": json.loads(r[6]) if r[6] else {}} for r in rows]

    def clock_marks(self) -> tuple[str | None, str | None]:
        """The day the last recorded run evaluated for, and the start of the newest run (UTC), if any."""
        day = self._scalar("SELECT MAX(evaluated_on) FROM evaluations")
        started = self._scalar("SELECT MAX(started_at) FROM runs")
        return (str(day) if day else None), (str(started) if started else None)
