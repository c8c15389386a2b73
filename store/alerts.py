"""Alert periods: raised (first seen), seen again, resolved."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from store.accounts import NOT_LIVE
from store.connection import in_lists
from store.owners import OwnerTable, owner_id


class AlertKey(NamedTuple):
    account_id: str
    alert_id: str


class AlertRow(NamedTuple):
    """A new alert period: an alert raised on an account, open until a sync no longer sees it."""

    account_id: str
    alert_id: str
    severity: str
    title: str
    first_seen: str
    last_seen: str
    run_first_seen: int | None


class AlertOccurrence(NamedTuple):
    """One period of an alert on an account (the outbox names an occurrence by its ``first_seen``)."""

    account_id: str
    alert_id: str
    first_seen: str
    resolved_at: str | None


class ActiveAlert(NamedTuple):
    """An open alert as ``csops alerts`` lists it (its fields are the JSON output's keys)."""

    account_id: str
    account: str | None  # the account's name
    alert: str
    severity: str
    title: str
    first_seen: str
    last_seen: str
    owner: str | None = None  # the account owner's name (User.Name as the last sync fetched it), else the Id


class AlertTable(OwnerTable):
    """The ``alerts`` table."""

    def open_alerts(self, of: Sequence[str] | None = None, not_live: bool = False) -> set[AlertKey]:
        """Every alert not resolved; ``of``: only of these accounts (a sync reads a chunk's at a time);
        ``not_live``: only of the accounts the store does not hold as live (deleted, or no longer stored)."""
        sql = "SELECT account_id, alert_id FROM alerts WHERE resolved_at IS NULL"
        if not_live:
            sql += f" AND {NOT_LIVE.format(table='alerts')}"
        if of is None:
            return set(self._rows(AlertKey, sql))
        out: set[AlertKey] = set()
        for chunk, marks in in_lists(of):
            out.update(self._rows(AlertKey, f"{sql} AND account_id IN ({marks})", chunk))
        return out

    def count_open_alerts(self, live: bool = False) -> int:
        """How many alerts are not resolved; ``live``: only of the accounts the store holds as live."""
        sql = "SELECT COUNT(*) FROM alerts WHERE resolved_at IS NULL"
        if live:
            sql += " AND account_id IN (SELECT id FROM accounts WHERE deleted = 0)"
        return int(self._scalar(sql) or 0)

    def add_alerts(self, rows: Iterable[AlertRow]) -> None:
        self._executemany("INSERT INTO alerts (account_id, alert_id, severity, title, first_seen, last_seen, "
                          "run_first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def touch_alerts(self, day: str, keys: Iterable[tuple[str, str]]) -> None:
        """The open alert of each (account id, alert id) was seen again on ``day``."""
        self._executemany("UPDATE alerts SET last_seen = ? WHERE account_id = ? AND alert_id = ? "
                          "AND resolved_at IS NULL AND last_seen <> ?", [(day, a, i, day) for a, i in keys])

    def resolve_alerts(self, day: str, keys: Iterable[tuple[str, str]]) -> None:
        """Close the open period of each (account id, alert id) on ``day``."""
        self._executemany("UPDATE alerts SET resolved_at = ? WHERE account_id = ? AND alert_id = ? "
                          "AND resolved_at IS NULL", [(day, a, i) for a, i in keys])

    def active_alerts(self, only_new: bool = False, owner_field: str = "OwnerId") -> list[ActiveAlert]:
        """Open alerts, most severe first, with the account's name and owner (``owner_field``: the field holding
        the owner's Id); ``only_new``: raised by the last sync."""
        sql = ("SELECT a.account_id, acc.fields, a.alert_id, a.severity, a.title, a.first_seen, a.last_seen "
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
        names = self.owner_names()
        out = []
        for account_id, fields, alert_id, severity, title, first_seen, last_seen in self._query(sql, params):
            values = json.loads(fields) if fields else {}
            owner = owner_id(values, owner_field)
            out.append(ActiveAlert(account_id, values.get("Name"), alert_id, severity, title, first_seen, last_seen,
                                   names.get(owner or "", owner)))
        return out

    def alert_periods(self) -> list[AlertOccurrence]:
        """Every alert period, oldest first."""
        return self._rows(AlertOccurrence, "SELECT account_id, alert_id, first_seen, resolved_at FROM alerts "
                          "ORDER BY first_seen")
