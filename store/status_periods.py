"""Status periods: since when each account has had its onboarding status."""

from __future__ import annotations

from collections.abc import Iterable

from store.connection import Database


class StatusPeriodTable(Database):
    """The ``status_history`` table."""

    def current_statuses(self) -> dict[str, str]:
        """Per account, the status of its open status period."""
        return {r[0]: r[1] for r in self._query("SELECT account_id, status FROM status_history WHERE until IS NULL")}

    def open_status_periods(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Start a status period per (account id, status, since); one already there (a rerun the same day) is
        opened again."""
        self._executemany("INSERT INTO status_history (account_id, status, since) VALUES (?, ?, ?) "
                          "ON CONFLICT (account_id, since, status) DO UPDATE SET until = NULL", rows)

    def close_status_periods(self, rows: Iterable[tuple[str, str]]) -> None:
        """End the open status period of each (day, account id) on that day."""
        self._executemany("UPDATE status_history SET until = ? WHERE account_id = ? AND until IS NULL", rows)
