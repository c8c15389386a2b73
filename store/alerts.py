"""Alert periods: raised (first seen), seen again, resolved."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from store.connection import Database


class AlertTable(Database):
    """The ``alerts`` table."""

    def open_alerts(self) -> set[tuple[str, str]]:
        """(account id, alert id) of every alert not resolved."""
        return {(r[0], r[1]) for r in self._query("SELECT account_id, alert_id FROM alerts WHERE resolved_at IS NULL")}

    def add_alerts(self, rows: Iterable[Sequence[Any]]) -> None:
        """New alert periods: (account_id, alert_id, severity, title, first_seen, last_seen, run_first_seen)."""
        self._executemany("INSERT INTO alerts (account_id, alert_id, severity, title, first_seen, last_seen, "
                          "run_first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def touch_alerts(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(day, account id, alert id): the open alert was seen again on that day."""
        self._executemany("UPDATE alerts SET last_seen = ? WHERE account_id = ? AND alert_id = ? "
                          "AND resolved_at IS NULL", rows)

    def resolve_alerts(self, day: str, keys: Iterable[tuple[str, str]]) -> None:
        """Close the open period of each (account id, alert id) on ``day``."""
        self._executemany("UPDATE alerts SET resolved_at = ? WHERE account_id = ? AND alert_id = ? "
                          "AND resolved_at IS NULL", [(day, a, i) for a, i in keys])

    def active_alerts(self, only_new: bool = False) -> list[dict[str, Any]]:
        """Open alerts, most severe first, with the account's name; ``only_new``: raised by the last sync."""
        sql = ("SELECT a.account_id, a.alert_id, a.severity, a.title, a.first_seen, a.last_seen, acc.fields "
               "FROM alerts a LEFT JOIN accounts acc ON acc.id = a.account_id WHERE a.resolved_at IS NULL")
        params: tuple[Any, ...] = ()
        if only_new:
            # Raised since the sync before the last one that finished: alerts first recorded by a run
            # that was killed in between are new too, and shown once that later run finishes.
            sql += (" AND a.run_first_seen <= (SELECT MAX(id) FROM runs WHERE command = 'sync' "
                    "AND status IN ('ok', 'partial')) AND a.run_first_seen > COALESCE((SELECT MAX(id) FROM runs "
                    "WHERE command = 'sync' AND status IN ('ok', 'partial') AND id < (SELECT MAX(id) FROM runs "
                    "WHERE command = 'sync' AND status IN ('ok', 'partial'))), 0)")
        sql += (" ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.first_seen, "
                "a.account_id, a.alert_id")
        return [{"account_id": r[0], "account": json.loads(r[6]).get("Name") if r[6] else None,
                 "alert": r[1], "severity": r[2], "title": r[3], "first_seen": r[4],
                 "last_seen": r[5]} for r in self._query(sql, params)]

    def alert_periods(self) -> list[tuple[str, str, str, str | None]]:
        """(account id, alert id, first seen, resolved on or None) for every alert period."""
        return [tuple(r) for r in self._query(
            "SELECT account_id, alert_id, first_seen, resolved_at FROM alerts ORDER BY first_seen")]
