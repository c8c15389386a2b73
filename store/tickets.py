"""Zendesk tickets: upserted from the cursor export, their text for kb gaps, their aggregates per account."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from store.connection import Database


class TicketTable(Database):
    """The ``tickets`` table (with ``organizations`` for the aggregates per account)."""

    def upsert_tickets(self, rows: Iterable[Sequence[Any]]) -> None:
        """Upsert (id, organization_id, status, priority, type, subject, tags, satisfaction, created_at,
        updated_at, deleted, description). A deleted ticket arrives with few fields: what we knew is kept.
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

    def ticket_texts(self, since: str) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(id, created_at, subject, description) of every live ticket created at or after ``since``."""
        yield from self._tuples(
            "SELECT id, created_at, subject, description FROM tickets WHERE deleted = 0 AND created_at >= ? "
            "AND (subject IS NOT NULL OR description IS NOT NULL) ORDER BY id", (since,))

    def ticket_text(self, ticket_id: int) -> tuple[int, str, str | None, str | None] | None:
        """(id, created_at, subject, description) of one live ticket, or None."""
        for row in self._tuples("SELECT id, created_at, subject, description FROM tickets WHERE id = ? AND "
                                "deleted = 0", (ticket_id,)):
            return row
        return None

    def ticket_aggregates(self, open_statuses: Sequence[str], since_7d: str, since_30d: str
                          ) -> dict[str, dict[str, Any]]:
        """Per linked Salesforce Account Id, aggregates of its organizations' live tickets (one grouped query):
        tickets_open, tickets_last_7d, tickets_last_30d, urgent_open, last_ticket_at, csat_bad_30d."""
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
        names = ("tickets_open", "tickets_last_7d", "tickets_last_30d", "urgent_open", "last_ticket_at",
                 "csat_bad_30d")
        return {r[0]: dict(zip(names, r[1:], strict=True)) for r in rows}
