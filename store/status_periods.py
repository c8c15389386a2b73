"""Status periods: since when each account has had its onboarding status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from store.connection import Database, in_lists


class StatusPeriodStart(NamedTuple):
    """An account entering a status on a day (its period stays open until another status closes it)."""

    account_id: str
    status: str
    since: str


class StatusPeriodTable(Database):
    """The ``status_history`` table."""

    def current_statuses(self, of: Sequence[str] | None = None) -> dict[str, str]:
        """Per account, the status of its open status period; ``of``: only of these accounts."""
        sql = "SELECT account_id, status FROM status_history WHERE until IS NULL"
        if of is None:
            return dict(self._query(sql))
        out: dict[str, str] = {}
        for chunk, marks in in_lists(of):
            out.update(self._query(f"{sql} AND account_id IN ({marks})", chunk))
        return out

    def open_status_periods(self, rows: Iterable[StatusPeriodStart]) -> None:
        """Start these periods; one already there (a rerun the same day) is opened again."""
        self._executemany("INSERT INTO status_history (account_id, status, since) VALUES (?, ?, ?) "
                          "ON CONFLICT (account_id, since, status) DO UPDATE SET until = NULL", rows)

    def close_status_periods(self, day: str, account_ids: Iterable[str]) -> None:
        """End the open status period of each of these accounts on ``day``."""
        self._executemany("UPDATE status_history SET until = ? WHERE account_id = ? AND until IS NULL",
                          [(day, a) for a in account_ids])
