"""The last evaluation of each account, and of each of its products' onboardings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from store.connection import Database


class EvaluationTable(Database):
    """The ``evaluations`` and ``evaluation_products`` tables."""

    def upsert_evaluations(self, rows: Iterable[Sequence[Any]]) -> None:
        """Keep the last evaluation per account: (account_id, run_id, evaluated_on, product, status, phase,
        health_score, result JSON)."""
        self._executemany(
            "INSERT INTO evaluations (account_id, run_id, evaluated_on, product, status, phase, health_score, result) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET run_id = excluded.run_id, "
            "evaluated_on = excluded.evaluated_on, product = excluded.product, status = excluded.status, "
            "phase = excluded.phase, health_score = excluded.health_score, result = excluded.result", rows)

    def replace_evaluation_products(self, account_ids: Iterable[str], rows: Iterable[Sequence[Any]]) -> None:
        """The last evaluation's onboarding per product of these accounts: (account_id, product, status, phase)
        rows replace what the accounts had ('' is an account without a product)."""
        with self.transaction():
            self._executemany("DELETE FROM evaluation_products WHERE account_id = ?", [(a,) for a in account_ids])
            self._executemany("INSERT INTO evaluation_products (account_id, product, status, phase) "
                              "VALUES (?, ?, ?, ?)", rows)

    def evaluation(self, account_id: str) -> tuple[dict[str, Any], str] | None:
        """The last stored evaluation of an account and the date it was made for."""
        row = self._query("SELECT result, evaluated_on FROM evaluations WHERE account_id = ?", (account_id,))
        return (json.loads(row[0][0]), row[0][1]) if row else None

    def last_statuses(self) -> dict[str, str]:
        """Onboarding status per live account as the last recorded evaluation left it (the guard's baseline)."""
        rows = self._query("SELECT e.account_id, e.status FROM evaluations e JOIN accounts a ON a.id = e.account_id "
                          "WHERE a.deleted = 0")
        return {r[0]: r[1] for r in rows}

    def count_evaluations(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM evaluations") or 0)

    def evaluated_accounts(self) -> Iterator[tuple[str, str | None, str, str | None]]:
        """(account id, product, the last evaluation's result JSON, the account's fields JSON) per account."""
        yield from self._tuples(
            "SELECT e.account_id, e.product, e.result, a.fields FROM evaluations e "
            "LEFT JOIN accounts a ON a.id = e.account_id ORDER BY e.account_id")

    def status_funnel(self) -> list[tuple[str, str, int]]:
        """(product or '(none)', status, onboardings) over the last evaluation of each live account: an account
        with two products counts once under each, with that product's status."""
        return [(r[0], r[1], int(r[2])) for r in self._query(
            "SELECT CASE WHEN product = '' THEN '(none)' ELSE product END, status, COUNT(*) "
            "FROM evaluation_products WHERE account_id IN (SELECT id FROM accounts WHERE deleted = 0) "
            "GROUP BY CASE WHEN product = '' THEN '(none)' ELSE product END, status ORDER BY 1, 2")]
