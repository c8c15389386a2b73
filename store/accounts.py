"""Salesforce accounts as pulled: their fields as JSON, live or deleted."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from store.connection import Database, in_lists
from store.organizations import AccountName

#: A condition on a table's ``account_id``: the store does not hold that account as live (deleted, or no longer
#: stored). NOT EXISTS, not ``NOT IN (SELECT id ...)``: PostgreSQL runs a NOT IN over a subquery it expects not
#: to fit in work_mem as a scan of the subquery's rows for every row (at 100,000 accounts and 52,000 open alerts a
#: query ran for over six minutes, planned on statistics not yet updated after a first sync); NOT EXISTS is an
#: anti-join, hashed in batches whatever the sizes.
NOT_LIVE = "NOT EXISTS (SELECT 1 FROM accounts live WHERE live.id = {table}.account_id AND live.deleted = 0)"


class AccountRow(NamedTuple):
    """An account as Salesforce returned it, ready to store."""

    id: str
    fields: str  # JSON object: field name -> value
    system_modstamp: str | None
    deleted: int  # 1 once a full pull no longer sees it


class StoredAccount(NamedTuple):
    """A live account and its fields as JSON."""

    id: str
    fields: str


class AccountTable(Database):
    """The ``accounts`` table."""

    def upsert_accounts(self, rows: Iterable[AccountRow]) -> int:
        """Store accounts as Salesforce returned them. A row whose fields and deleted flag are already as given is
        left alone, its ``system_modstamp`` too (the stamp of its last stored change): the incremental pull re-reads
        the accounts csops wrote (its writes move their stamp) and those its look-back covers, and on PostgreSQL
        every update leaves a dead row version behind until vacuum. Such rows are not even sent: the stored rows are
        read first and compared (an upsert whose WHERE refuses still locks the row on PostgreSQL, a write: at
        20,000 unchanged rows 1.8 s against 0.9 s read and compared, under load). Returns the rows inserted or
        changed."""
        last = {r[0]: r for r in rows}  # an Id given twice: the last one, as the upserts in turn would leave it
        with self.transaction():
            stored = self._stored_accounts(list(last))
            return self._upsert_accounts([r for i, r in last.items() if stored.get(i) != (r[1], r[3])])

    def _stored_accounts(self, ids: list[str]) -> dict[str, tuple[str, int]]:
        """(fields, deleted) of those of ``ids`` the store holds. On PostgreSQL the ids go as one array (a pull's
        page, 2,000, in one statement): 100,000 ids took 0.44 CPU s in IN lists of 500, 0.26 s as arrays."""
        out: dict[str, tuple[str, int]] = {}
        if self.engine == "postgresql":
            out.update((i, (f, int(d))) for i, f, d in self._query(
                "SELECT id, fields, deleted FROM accounts WHERE id = ANY(?)", (ids,)))
            return out
        for chunk, marks in in_lists(ids):
            out.update((i, (f, int(d))) for i, f, d in self._query(
                f"SELECT id, fields, deleted FROM accounts WHERE id IN ({marks})", chunk))
        return out

    def _upsert_accounts(self, rows: list[AccountRow]) -> int:
        return self._executemany(
            "INSERT INTO accounts (id, fields, system_modstamp, deleted) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET fields = excluded.fields, system_modstamp = "
            "excluded.system_modstamp, deleted = excluded.deleted "
            "WHERE accounts.fields <> excluded.fields OR accounts.deleted <> excluded.deleted", rows)

    def live_account_ids(self) -> set[str]:
        """Ids of the accounts not marked deleted."""
        return {account_id for (account_id,) in self._query("SELECT id FROM accounts WHERE deleted = 0")}

    def mark_accounts_deleted(self, ids: Iterable[str]) -> None:
        """Mark accounts deleted (a full pull no longer sees them); their history stays."""
        self._executemany("UPDATE accounts SET deleted = 1 WHERE id = ?", [(i,) for i in ids])

    def live_among(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` the store holds as live accounts."""
        out: set[str] = set()
        for chunk, marks in in_lists(list(dict.fromkeys(ids))):
            out.update(i for (i,) in self._query(f"SELECT id FROM accounts WHERE deleted = 0 AND id IN ({marks})",
                                                 chunk))
        return out

    def live_accounts(self) -> Iterator[StoredAccount]:
        """Every live account, ordered by id."""
        yield from self._stream(StoredAccount, "SELECT id, fields FROM accounts WHERE deleted = 0 ORDER BY id")

    def known_accounts(self) -> set[str]:
        """Ids of every account the store has seen, deleted ones too."""
        return {account_id for (account_id,) in self._query("SELECT id FROM accounts")}

    def account_fields(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored Salesforce fields of these accounts (name, owner, ...)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk, marks in in_lists(list(dict.fromkeys(ids))):
            for account in self._rows(StoredAccount, f"SELECT id, fields FROM accounts WHERE id IN ({marks})", chunk):
                out[account.id] = json.loads(account.fields)
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

    def find_accounts(self, term: str, limit: int = 10) -> list[AccountName]:
        """Live accounts whose Id is ``term`` (18 characters) or whose name contains it (any case)."""
        exact = self._rows(StoredAccount, "SELECT id, fields FROM accounts WHERE id = ? AND deleted = 0", (term,))
        if exact:
            return [AccountName(exact[0].id, json.loads(exact[0].fields).get("Name"))]
        needle = term.casefold()
        out: list[AccountName] = []
        for account in self.live_accounts():
            name = json.loads(account.fields).get("Name")
            if isinstance(name, str) and needle in name.casefold():
                out.append(AccountName(account.id, name))
                if len(out) >= limit:
                    break
        return out
