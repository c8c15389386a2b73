"""Zendesk organizations and the Salesforce Account each one names (or why it names none)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

from store.connection import Database


class OrganizationRow(NamedTuple):
    """A Zendesk organization and the Salesforce Account it links to; ``link_problem`` says why it links to none."""

    id: int
    name: str | None
    account_id: str | None
    link_problem: str | None
    updated_at: str | None


class UnlinkedOrganization(NamedTuple):
    id: int
    name: str | None
    problem: str


class AccountName(NamedTuple):
    """A Salesforce account by its Id and the name stored with it."""

    id: str
    name: str | None


class OrganizationTable(Database):
    """The ``organizations`` table."""

    def upsert_organizations(self, rows: Iterable[OrganizationRow]) -> None:
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

    def unlinked_organizations(self) -> list[UnlinkedOrganization]:
        """Every organization that names no valid Salesforce Account Id, by id."""
        return self._rows(UnlinkedOrganization, "SELECT id, name, link_problem FROM organizations "
                          "WHERE link_problem IS NOT NULL ORDER BY id")

    def accounts_without_organization(self) -> list[AccountName]:
        """Live accounts that no organization links to, by id."""
        rows = self._query("SELECT a.id, a.fields FROM accounts a WHERE a.deleted = 0 AND NOT EXISTS "
                          "(SELECT 1 FROM organizations o WHERE o.account_id = a.id) ORDER BY a.id")
        return [AccountName(account_id, json.loads(fields).get("Name")) for account_id, fields in rows]
