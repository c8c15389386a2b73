"""The facts each account's evaluation read, kept on the days they change (``csops rules replay`` re-evaluates
them): ``fact_history`` holds per account and day the facts that changed, ``fact_state`` the newest values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from store.connection import Database, in_lists


class FactChange(NamedTuple):
    """The raw facts (by fact name) that took these values on ``day``; a fact that went away is null."""

    account_id: str
    day: str
    changes: str  # JSON object


def _json(facts: dict[str, Any]) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)


class FactHistoryTables(Database):
    """The ``fact_history`` and ``fact_state`` tables."""

    def record_facts(self, facts: dict[str, dict[str, Any]], day: str) -> int:
        """Store the raw facts of these accounts evaluated on ``day``: one ``fact_history`` row per account whose
        facts differ from its newest (only the facts that differ), ``fact_state`` replaced for those. Returns how
        many accounts changed. A second run the same day folds into that day's row. Reads the stored rows of these
        accounts only: a sync calls it a chunk at a time, and its memory stays that of a chunk."""
        state: dict[str, Any] = {}
        today: dict[str, str] = {}
        for chunk, marks in in_lists(list(facts)):
            state.update((a, json.loads(f)) for a, f in self._query(
                f"SELECT account_id, facts FROM fact_state WHERE account_id IN ({marks})", chunk))
            today.update(self._query(f"SELECT account_id, changes FROM fact_history WHERE day = ? AND account_id IN "
                                     f"({marks})", (day, *chunk)))
        rows, states = [], []
        for account_id, values in facts.items():
            values = json.loads(_json(values))  # as JSON reads them back: what the next comparison sees
            old = state.get(account_id, {})
            delta = {k: v for k, v in values.items() if old.get(k, _ABSENT) != v}
            delta.update({k: None for k in old if k not in values})
            if not delta:
                continue
            if account_id in today:
                delta = {**json.loads(today[account_id]), **delta}
            rows.append((account_id, day, _json(delta)))
            states.append((account_id, _json(values)))
        self._executemany("INSERT INTO fact_history (account_id, day, changes) VALUES (?, ?, ?) ON CONFLICT "
                          "(account_id, day) DO UPDATE SET changes = excluded.changes", rows)
        self._executemany("INSERT INTO fact_state (account_id, facts) VALUES (?, ?) ON CONFLICT (account_id) "
                          "DO UPDATE SET facts = excluded.facts", states)
        return len(rows)

    def fact_history_span(self) -> tuple[str | None, str | None]:
        """The first and last day the fact history holds (None, None when it is empty)."""
        rows = self._query("SELECT MIN(day), MAX(day) FROM fact_history")
        first, last = rows[0] if rows else (None, None)
        return first, last

    def fact_history(self, until: str | None = None) -> Iterator[FactChange]:
        """Every fact change up to ``until`` (inclusive), ordered by account and day."""
        sql = "SELECT account_id, day, changes FROM fact_history"
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._stream(FactChange, sql + " ORDER BY account_id, day", params)

    def fact_history_by_account(self, until: str, first: str | None = None, below: str | None = None
                                ) -> Iterator[tuple[str, list[str], list[dict[str, Any]]]]:
        """Per account (in id order), the days up to ``until`` its facts changed and the changes, oldest first:
        what :meth:`fact_history` gives, a year of daily changes read in seconds (the changes of an account are
        decoded as one JSON array, not one object at a time). ``first``/``below``: only the account ids from
        ``first`` on and below ``below`` (one share of :meth:`fact_account_bounds`)."""
        sql = "SELECT account_id, day, changes FROM fact_history WHERE day <= ?"
        params: list[Any] = [until]
        if first is not None:
            sql += " AND account_id >= ?"
            params.append(first)
        if below is not None:
            sql += " AND account_id < ?"
            params.append(below)
        current: str | None = None
        days: list[str] = []
        texts: list[str] = []
        for account_id, day, changes in self._tuples(sql + " ORDER BY account_id, day", params):
            if account_id != current:
                if current is not None:
                    yield current, days, json.loads("[" + ",".join(texts) + "]")
                current, days, texts = account_id, [], []
            days.append(day)
            texts.append(changes)
        if current is not None:
            yield current, days, json.loads("[" + ",".join(texts) + "]")

    def fact_account_bounds(self, parts: int) -> tuple[int, list[str]]:
        """How many accounts have facts kept, and the account ids that cut them (in id order) into ``parts``
        shares of nearly equal size: share k runs from bound k-1 (the first id for k = 0) to below bound k (to the
        last id for the last share). Fewer bounds when there are fewer accounts than parts."""
        ids = [a for (a,) in self._tuples("SELECT account_id FROM fact_state ORDER BY account_id")]
        parts = max(1, min(parts, len(ids)))
        return len(ids), [ids[len(ids) * k // parts] for k in range(1, parts)]

_ABSENT = object()
