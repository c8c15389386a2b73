"""Zendesk organizations and the Salesforce Account each one names (or why it names none)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from store.connection import Database


class OrganizationTable(Database):
    """The ``organizations`` table."""

    def upsert_organizations(self, rows: Iterable[Sequence[Any]]) -> None:
        """(id, name, account_id, link_problem, updated_at) rows."""
        self._executemany("INSERT INTO organizations (id, name, account_id, link_problem, updated_at) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                         "account_id = excluded.account_id, link_problem = excluded.link_problem, "
                         "updated_at = excluded.updated_at", rows)

    def delete_organizations(self, ids: Iterable[int] | None = None) -> None:
        """Forget these organizations (all of them with ``ids=None``)."""
        if ids is None:
            self._execute("DELETE FROM organizations")
        else:
            self._executemany("DELETE FROM organizations WHERE id = ?", [(i,) for i in ids])

    def unlinked_organizations(self) -> list[tuple[int, str | None, str]]:
        """(id, name, why) of every organization that names no valid Salesforce Account Id."""
        return [(r[0], r[1], r[2]) for r in self._query(
            "SELECT id, name, link_problem FROM organizations WHERE link_problem IS NOT NULL ORDER BY id")]

    def accounts_without_organization(self) -> list[tuple[str, str | None]]:
        """(account id, name) of live accounts that no organization links to."""
        rows = self._query("SELECT a.id, a.fields FROM accounts a WHERE a.deleted = 0 AND NOT EXISTS "
                          "(SELECT 1 FROM organizations o WHERE o.account_id = a.id) ORDER BY a.id")
        return [(r[0], json.loads(r[1]).get("Name")) for r in rows]
