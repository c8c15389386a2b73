"""Dated history for the report: one point per account per day, one per product onboarding per day."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from store.connection import Database


class HistoryTables(Database):
    """The ``account_history`` and ``product_history`` tables."""

    def latest_history(self) -> dict[str, tuple[Any, ...]]:
        """Per account, its newest history point as (day, product, status, phase, score, band, tier, gone)."""
        rows = self._query(
            "SELECT h.account_id, h.day, h.product, h.status, h.phase, h.health_score, h.health_band, h.tier, "
            "h.gone FROM account_history h JOIN (SELECT account_id, MAX(day) AS day FROM account_history "
            "GROUP BY account_id) m ON m.account_id = h.account_id AND m.day = h.day")
        return {r[0]: tuple(r[1:]) for r in rows}

    def write_history(self, rows: Iterable[Sequence[Any]]) -> None:
        """Upsert (account_id, day, product, status, phase, score, band, tier, gone): one point per account per
        day; ``gone`` is 'churned' or 'deleted' from the day the account left, else NULL."""
        self._executemany(
            "INSERT INTO account_history (account_id, day, product, status, phase, health_score, health_band, tier, "
            "gone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, day) DO UPDATE SET "
            "product = excluded.product, status = excluded.status, phase = excluded.phase, "
            "health_score = excluded.health_score, health_band = excluded.health_band, tier = excluded.tier, "
            "gone = excluded.gone",
            rows)

    def history(self, until: str | None = None) -> Iterator[tuple[Any, ...]]:
        """Every history point up to ``until`` (a day, inclusive), ordered by account and day: (account_id, day,
        product, status, phase, score, band, tier, gone)."""
        sql = ("SELECT account_id, day, product, status, phase, health_score, health_band, tier, gone "
               "FROM account_history")
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._tuples(sql + " ORDER BY account_id, day", params)

    def latest_product_history(self) -> dict[tuple[str, str], tuple[Any, ...]]:
        """Per (account, product), its newest onboarding point as (day, status, phase)."""
        rows = self._query(
            "SELECT h.account_id, h.product, h.day, h.status, h.phase FROM product_history h "
            "JOIN (SELECT account_id, product, MAX(day) AS day FROM product_history GROUP BY account_id, product) m "
            "ON m.account_id = h.account_id AND m.product = h.product AND m.day = h.day")
        return {(r[0], r[1]): tuple(r[2:]) for r in rows}

    def write_product_history(self, rows: Iterable[Sequence[Any]]) -> None:
        """Upsert (account_id, product, day, status, phase): one point per product onboarding per day ('' is an
        account without a product)."""
        self._executemany(
            "INSERT INTO product_history (account_id, product, day, status, phase) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id, product, day) DO UPDATE SET status = excluded.status, phase = excluded.phase",
            rows)

    def product_history(self, until: str | None = None) -> Iterator[tuple[Any, ...]]:
        """Every onboarding point up to ``until`` (inclusive): (account_id, product, day, status, phase), ordered
        by account, product and day."""
        sql = "SELECT account_id, product, day, status, phase FROM product_history"
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._tuples(sql + " ORDER BY account_id, product, day", params)
