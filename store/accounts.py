"""Salesforce accounts as pulled: their fields as JSON, live or deleted."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from store.connection import Database


class AccountTable(Database):
    """The ``accounts`` table."""

    def upsert_accounts(self, rows: Iterable[Sequence[Any]]) -> int:
        """Upsert (id, fields JSON, system_modstamp, deleted) rows as Salesforce returned them. A row that is
        already as given is left alone: the incremental pull's look-back re-reads accounts, and on PostgreSQL
        every update leaves a dead row version behind until vacuum. Returns the rows inserted or changed."""
        return self._executemany(
            "INSERT INTO accounts (id, fields, system_modstamp, deleted) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET fields = excluded.fields, system_modstamp = "
            "excluded.system_modstamp, deleted = excluded.deleted "
            "WHERE accounts.fields <> excluded.fields OR accounts.deleted <> excluded.deleted "
            "OR COALESCE(accounts.system_modstamp, '') <> COALESCE(excluded.system_modstamp, '')", rows)

    def live_account_ids(self) -> set[str]:
        """Ids of the accounts not marked deleted."""
        return {r[0] for r in self._query("SELECT id FROM accounts WHERE deleted = 0")}

    def mark_accounts_deleted(self, ids: Iterable[str]) -> None:
        """Mark accounts deleted (a full pull no longer sees them); their history stays."""
        self._executemany("UPDATE accounts SET deleted = 1 WHERE id = ?", [(i,) for i in ids])

    def live_accounts(self) -> Iterator[tuple[str, str]]:
        """(id, fields JSON) of every live account, ordered by id."""
        yield from self._tuples("SELECT id, fields FROM accounts WHERE deleted = 0 ORDER BY id")

    def known_accounts(self) -> set[str]:
        return {r[0] for r in self._query("SELECT id FROM accounts")}

    def account_fields(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored Salesforce fields of these accounts (name, owner, ...)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._query(f"SELECT id, fields FROM accounts WHERE id IN ({marks})", chunk):
                out[row[0]] = json.loads(row[1])
        return out

    def merge_account_fields(self, updates: dict[str, dict[str, Any]]) -> None:
        """Overwrite some fields of stored accounts (formula fields re-read), keeping the others."""
        stored = self.account_fields(updates)
        rows = []
        for account_id, fields in stored.items():
            fields.update(updates[account_id])
            rows.append((json.dumps(fields, ensure_ascii=False), account_id))
        self._executemany("UPDATE accounts SET fields = ? WHERE id = ?", rows)

    def count_live_accounts(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM accounts WHERE deleted = 0") or 0)

    def find_accounts(self, term: str, limit: int = 10) -> list[tuple[str, str | None]]:
        """(id, name) of live accounts whose Id is ``term`` (18 characters) or whose name contains it (any case)."""
        row = self._query("SELECT id, fields FROM accounts WHERE id = ? AND deleted = 0", (term,))
        if row:
            return [(row[0][0], json.loads(row[0][1]).get("Name"))]
        needle = term.casefold()
        out: list[tuple[str, str | None]] = []
        for account_id, fields in self.live_accounts():
            name = json.loads(fields).get("Name")
            if isinstance(name, str) and needle in name.casefold():
                out.append((account_id, name))
                if len(out) >= limit:
                    break
        return out
