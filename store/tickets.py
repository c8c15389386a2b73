"""Zendesk tickets: upserted from the cursor export, their text for kb gaps, their aggregates per account."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from store.connection import Database


class TicketRow(NamedTuple):
    """A ticket as the cursor export gives it, ready to store (its text already cleaned: store.ticket_text)."""

    id: int
    organization_id: int | None
    status: str
    priority: str | None
    type: str | None
    subject: str | None
    tags: str  # JSON list
    satisfaction: str | None
    created_at: str | None
    updated_at: str | None
    deleted: int  # 1 for a ticket the export says is deleted
    description: str | None


class TicketText(NamedTuple):
    """What kb gaps reads of a live ticket."""

    id: int
    created_at: str
    subject: str | None
    description: str | None


class TicketAggregates(NamedTuple):
    """What one account's organizations' live tickets add up to: the facts a rule may name as ``aggregate``."""

    tickets_open: int = 0
    tickets_last_7d: int = 0
    tickets_last_30d: int = 0
    urgent_open: int = 0
    last_ticket_at: str | None = None
    csat_bad_30d: int = 0


class TicketTable(Database):
    """The ``tickets`` table (with ``organizations`` for the aggregates per account)."""

    def upsert_tickets(self, rows: Iterable[TicketRow]) -> None:
        """Insert or update tickets. A deleted ticket arrives with few fields: what we knew is kept.
        A NULL subject or description on a live ticket (text storage turned off) clears the stored text."""
        self._executemany(
            "INSERT INTO tickets (id, organization_id, status, priority, type, subject, tags, satisfaction, "
            "created_at, updated_at, deleted, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET "
            "organization_id = COALESCE(excluded.organization_id, tickets.organization_id), "
            "status = excluded.status, "
            "priority = CASE WHEN excluded.deleted = 1 THEN tickets.priority ELSE excluded.priority END, "
            "type = CASE WHEN excluded.deleted = 1 THEN tickets.type ELSE excluded.type END, "
            "subject = CASE WHEN excluded.deleted = 1 THEN tickets.subject ELSE excluded.subject END, "
            "tags = CASE WHEN excluded.deleted = 1 THEN tickets.tags ELSE excluded.tags END, "
            "satisfaction = CASE WHEN excluded.deleted = 1 THEN tickets.satisfaction ELSE excluded.satisfaction END, "
            "created_at = COALESCE(excluded.created_at, tickets.created_at), updated_at = excluded.updated_at, "
            "deleted = excluded.deleted, "
            "description = CASE WHEN excluded.deleted = 1 THEN tickets.description ELSE excluded.description END",
            rows)

    def ticket_texts(self, since: str) -> Iterator[TicketText]:
        """Every live ticket created at or after ``since`` that has a subject or a description, by id."""
        yield from self._stream(
            TicketText,
            "SELECT id, created_at, subject, description FROM tickets WHERE deleted = 0 AND created_at >= ? "
            "AND (subject IS NOT NULL OR description IS NOT NULL) ORDER BY id", (since,))

    def ticket_text(self, ticket_id: int) -> TicketText | None:
        """One live ticket's text, or None."""
        found = self._rows(TicketText, "SELECT id, created_at, subject, description FROM tickets WHERE id = ? AND "
                           "deleted = 0", (ticket_id,))
        return found[0] if found else None

    def ticket_aggregates(self, open_statuses: Sequence[str], since_7d: str, since_30d: str
                          ) -> dict[str, TicketAggregates]:
        """Per linked Salesforce Account Id, the aggregates of its organizations' live tickets (one grouped
        query); an account with no ticket is not in the result (its aggregates are ``TicketAggregates()``)."""
        marks = ", ".join("?" for _ in open_statuses)
        rows = self._query(
            f"""
            SELECT o.account_id,
                   COUNT(CASE WHEN t.status IN ({marks}) THEN 1 END),
                   COUNT(CASE WHEN t.created_at >= ? THEN 1 END),
                   COUNT(CASE WHEN t.created_at >= ? THEN 1 END),
                   COUNT(CASE WHEN t.priority = 'urgent' AND t.status IN ({marks}) THEN 1 END),
                   MAX(t.created_at),
                   COUNT(CASE WHEN t.satisfaction = 'bad' AND t.updated_at >= ? THEN 1 END)
            FROM tickets t JOIN organizations o ON o.id = t.organization_id
            WHERE t.deleted = 0 AND o.account_id IS NOT NULL
            GROUP BY o.account_id
            """,
            (*open_statuses, since_7d, since_30d, *open_statuses, since_30d))
        return {account_id: TicketAggregates(*counts) for account_id, *counts in rows}
