"""The last evaluation of each account, and of each of its products' onboardings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from store.connection import Database, in_lists


class EvaluationRow(NamedTuple):
    """An account's evaluation as stored: the account's (worst product's) status and phase, and the whole result."""

    account_id: str
    run_id: int | None
    evaluated_on: str
    product: str | None
    status: str | None
    phase: str | None
    health_score: float | None
    result: str  # JSON: the evaluation with the facts it read
    result_hash: str | None = None  # of ``result``: a run rewrites only the rows whose result changed
    inputs_hash: str | None = None  # of what the evaluation read (sync.unchanged): a run skips an account whose
    # inputs hash to it again; None: evaluate it next time whatever its inputs


class ProductEvaluationRow(NamedTuple):
    """One product onboarding of an account as its last evaluation left it ('' is an account without a product)."""

    account_id: str
    product: str
    status: str
    phase: str | None


class StoredEvaluation(NamedTuple):
    result: dict[str, Any]
    evaluated_on: str


class EvaluatedAccount(NamedTuple):
    """What the report reads of an evaluated account: its last result and its Salesforce fields, both JSON."""

    account_id: str
    product: str | None
    result: str
    fields: str | None  # None when the account row is gone


class FunnelCount(NamedTuple):
    product: str  # '(none)' for accounts without a product
    status: str
    onboardings: int


class EvaluationTable(Database):
    """The ``evaluations`` and ``evaluation_products`` tables."""

    def upsert_evaluations(self, rows: Iterable[EvaluationRow]) -> None:
        """Keep the last evaluation per account (``run_id``: the run that last changed it)."""
        self._executemany(
            "INSERT INTO evaluations (account_id, run_id, evaluated_on, product, status, phase, health_score, result, "
            "result_hash, inputs_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET "
            "run_id = excluded.run_id, evaluated_on = excluded.evaluated_on, product = excluded.product, "
            "status = excluded.status, phase = excluded.phase, health_score = excluded.health_score, "
            "result = excluded.result, result_hash = excluded.result_hash, inputs_hash = excluded.inputs_hash", rows)

    def evaluation_hashes(self, of: Sequence[str] | None = None) -> dict[str, str | None]:
        """Per evaluated account, the hash of its stored result (None for one stored before hashes were kept);
        ``of``: only of these accounts."""
        sql = "SELECT account_id, result_hash FROM evaluations"
        if of is None:
            return dict(self._query(sql))
        out: dict[str, str | None] = {}
        for chunk, marks in in_lists(of):
            out.update(self._query(f"{sql} WHERE account_id IN ({marks})", chunk))
        return out

    def inputs_hashes(self) -> dict[str, str]:
        """Per evaluated live account, the hash of the inputs its stored evaluation was made from (accounts without
        one are left out: they are evaluated whatever their inputs)."""
        return dict(self._query("SELECT e.account_id, e.inputs_hash FROM evaluations e JOIN accounts a ON "
                                "a.id = e.account_id WHERE a.deleted = 0 AND e.inputs_hash IS NOT NULL"))

    def set_inputs_hashes(self, rows: Iterable[tuple[str | None, str]]) -> None:
        """(inputs hash, account id): for evaluations whose result is as stored but whose inputs changed."""
        self._executemany("UPDATE evaluations SET inputs_hash = ? WHERE account_id = ?", rows)

    def replace_evaluation_products(self, account_ids: Iterable[str], rows: Iterable[ProductEvaluationRow]) -> None:
        """The last evaluation's onboarding per product of these accounts: ``rows`` replace what they had."""
        with self.transaction():
            self._executemany("DELETE FROM evaluation_products WHERE account_id = ?", [(a,) for a in account_ids])
            self._executemany("INSERT INTO evaluation_products (account_id, product, status, phase) "
                              "VALUES (?, ?, ?, ?)", rows)

    def evaluation(self, account_id: str) -> StoredEvaluation | None:
        """The last stored evaluation of an account and the date it was made for."""
        for result, evaluated_on in self._query("SELECT result, evaluated_on FROM evaluations WHERE account_id = ?",
                                                (account_id,)):
            return StoredEvaluation(json.loads(result), evaluated_on)
        return None

    def last_statuses(self) -> dict[str, str]:
        """Onboarding status per live account as the last recorded evaluation left it (the guard's baseline)."""
        rows = self._query("SELECT e.account_id, e.status FROM evaluations e JOIN accounts a ON a.id = e.account_id "
                          "WHERE a.deleted = 0")
        return dict(rows)

    def count_evaluations(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM evaluations") or 0)

    def evaluated_accounts(self) -> Iterator[EvaluatedAccount]:
        """Every evaluated account, by id."""
        yield from self._stream(
            EvaluatedAccount, "SELECT e.account_id, e.product, e.result, a.fields FROM evaluations e "
            "LEFT JOIN accounts a ON a.id = e.account_id ORDER BY e.account_id")

    def status_funnel(self) -> list[FunnelCount]:
        """Onboardings per product and status over the last evaluation of each live account: an account with two
        products counts once under each, with that product's status."""
        return [FunnelCount(product, status, int(n)) for product, status, n in self._query(
            "SELECT CASE WHEN product = '' THEN '(none)' ELSE product END, status, COUNT(*) "
            "FROM evaluation_products WHERE account_id IN (SELECT id FROM accounts WHERE deleted = 0) "
            "GROUP BY CASE WHEN product = '' THEN '(none)' ELSE product END, status ORDER BY 1, 2")]
