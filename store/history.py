"""Dated history for the report: one point per account per day, one per product onboarding per day."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from store.accounts import NOT_LIVE
from store.connection import Database, in_lists


class HistoryPoint(NamedTuple):
    """An account's state from ``day`` on (until its next point)."""

    account_id: str
    day: str
    product: str | None
    status: str | None
    phase: str | None
    health_score: float | None
    health_band: str | None
    tier: str | None
    gone: str | None  # 'churned' or 'deleted' from the day the account left, else None
    components: str | None = None  # JSON {component id: score 0-1 or null}; None on points older than schema 18


class ProductPoint(NamedTuple):
    """One product onboarding's status and phase from ``day`` on ('' is an account without a product)."""

    account_id: str
    product: str
    day: str
    status: str | None
    phase: str | None


class HistoryTables(Database):
    """The ``account_history`` and ``product_history`` tables."""

    def latest_history(self, not_live: bool = False, of: Sequence[str] | None = None) -> dict[str, HistoryPoint]:
        """Per account, its newest history point; ``not_live``: only of the accounts the store does not hold as
        live (deleted, or no longer stored); ``of``: only of these accounts (a sync reads a chunk's at a time)."""
        where = f" WHERE {NOT_LIVE.format(table='account_history')}" if not_live else ""
        sql = ("SELECT h.account_id, h.day, h.product, h.status, h.phase, h.health_score, h.health_band, h.tier, "
               "h.gone, h.components FROM account_history h JOIN (SELECT account_id, MAX(day) AS day FROM "
               "account_history{where} GROUP BY account_id) m ON m.account_id = h.account_id AND m.day = h.day")
        slices = [((), where)] if of is None else [
            (c, f"{where} {'AND' if where else 'WHERE'} account_id IN ({m})") for c, m in in_lists(of)]
        out: dict[str, HistoryPoint] = {}
        for chunk, clause in slices:
            out.update((p.account_id, p) for p in self._rows(HistoryPoint, sql.format(where=clause), chunk))
        return out

    def health_before(self, ids: Iterable[str], day: str) -> dict[str, float]:
        """Per account, its health score at its newest history point before ``day`` (none: left out)."""
        out: dict[str, float] = {}
        for chunk, marks in in_lists(sorted(set(ids))):
            for account_id, score in self._query(
                    "SELECT account_id, health_score FROM account_history WHERE account_id IN "
                    f"({marks}) AND day < ? ORDER BY account_id, day", (*chunk, day)):
                if score is None:
                    out.pop(account_id, None)
                else:
                    out[account_id] = float(score)
        return out

    def write_history(self, rows: Iterable[HistoryPoint]) -> None:
        """Upsert points: at most one per account per day."""
        self._executemany(
            "INSERT INTO account_history (account_id, day, product, status, phase, health_score, health_band, tier, "
            "gone, components) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, day) DO UPDATE SET "
            "product = excluded.product, status = excluded.status, phase = excluded.phase, "
            "health_score = excluded.health_score, health_band = excluded.health_band, tier = excluded.tier, "
            "gone = excluded.gone, components = excluded.components",
            rows)

    def history(self, until: str | None = None) -> Iterator[HistoryPoint]:
        """Every history point up to ``until`` (a day, inclusive), ordered by account and day."""
        sql = ("SELECT account_id, day, product, status, phase, health_score, health_band, tier, gone, components "
               "FROM account_history")
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._stream(HistoryPoint, sql + " ORDER BY account_id, day", params)

    def latest_product_history(self, of: Sequence[str] | None = None) -> dict[tuple[str, str], ProductPoint]:
        """Per (account, product), its newest onboarding point; ``of``: only of these accounts."""
        sql = ("SELECT h.account_id, h.product, h.day, h.status, h.phase FROM product_history h "
               "JOIN (SELECT account_id, product, MAX(day) AS day FROM product_history{where} GROUP BY account_id, "
               "product) m ON m.account_id = h.account_id AND m.product = h.product AND m.day = h.day")
        slices = [((), "")] if of is None else [(c, f" WHERE account_id IN ({m})") for c, m in in_lists(of)]
        out: dict[tuple[str, str], ProductPoint] = {}
        for chunk, where in slices:
            out.update(((p.account_id, p.product), p) for p in self._rows(ProductPoint, sql.format(where=where), chunk))
        return out

    def write_product_history(self, rows: Iterable[ProductPoint]) -> None:
        """Upsert points: at most one per product onboarding per day."""
        self._executemany(
            "INSERT INTO product_history (account_id, product, day, status, phase) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id, product, day) DO UPDATE SET status = excluded.status, phase = excluded.phase",
            rows)

    def product_history(self, until: str | None = None) -> Iterator[ProductPoint]:
        """Every onboarding point up to ``until`` (inclusive), ordered by account, product and day."""
        sql = "SELECT account_id, product, day, status, phase FROM product_history"
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._stream(ProductPoint, sql + " ORDER BY account_id, product, day", params)
