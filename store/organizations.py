"""Zendesk organizations and the Salesforce Account each one names (or why it names none)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from store.connection import Database, in_lists


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
    """The ``organizations`` table, and the marks it leaves for the ticket aggregates kept per account."""

    def mark_ticket_accounts(self, organization_ids: Iterable[int]) -> None:
        """Mark the accounts these organizations link to now: their kept ticket aggregates are to be computed
        again (TicketTable.kept_ticket_aggregates). Called, in the same transaction, for the organizations a ticket
        leaves or joins (store.tickets) and before and after an organization changes or goes."""
        for chunk, marks in in_lists(sorted(set(organization_ids))):
            self._mark(marks, chunk)

    def _mark(self, organizations: str, params: Sequence[Any]) -> None:
        """Mark the accounts of the organizations ``organizations`` (an SQL list or subquery) selects."""
        self._execute("INSERT INTO ticket_aggregate_marks (account_id) SELECT DISTINCT account_id FROM organizations "
                      f"WHERE account_id IS NOT NULL AND id IN ({organizations}) ON CONFLICT (account_id) DO NOTHING",
                      params)

    def upsert_organizations(self, rows: Iterable[OrganizationRow]) -> None:
        """Insert or update organizations; the accounts each linked to before and links to now are marked for
        their ticket aggregates."""
        rows = list(rows)
        with self.transaction():
            self.mark_ticket_accounts(r[0] for r in rows)
            self._upsert_organizations(rows)
            self.mark_ticket_accounts(r[0] for r in rows)

    def _upsert_organizations(self, rows: list[OrganizationRow]) -> None:
        self._executemany("INSERT INTO organizations (id, name, account_id, link_problem, updated_at) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                         "account_id = excluded.account_id, link_problem = excluded.link_problem, "
                         "updated_at = excluded.updated_at", rows)

    def delete_organizations(self, ids: Iterable[int] | None = None) -> None:
        """Forget these organizations (all of them with ``ids=None``); the accounts they linked to are marked for
        their ticket aggregates."""
        with self.transaction():
            if ids is None:
                self._execute("INSERT INTO ticket_aggregate_marks (account_id) SELECT DISTINCT account_id FROM "
                              "organizations WHERE account_id IS NOT NULL ON CONFLICT (account_id) DO NOTHING")
                self._execute("DELETE FROM organizations")
            else:
                ids = list(ids)
                self.mark_ticket_accounts(ids)
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
