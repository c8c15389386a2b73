"""The notification outbox: alert changes queued in the sync's transaction, delivered after it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from store.connection import Database, in_lists, now_iso


class OutboxRow(NamedTuple):
    """One alert change queued for one channel (``kind``: new or resolved), with its payload decoded."""

    id: int
    channel: str
    kind: str
    account_id: str
    alert_id: str
    occurrence: str  # the first day the alert was seen: which period of it this is about
    payload: dict[str, Any]
    created_at: str
    attempts: int
    last_error: str | None
    run_id: int | None = None  # the run that queued it


class Announcement(NamedTuple):
    """The alert period a resolution ends, and the channels its announcement was queued for."""

    occurrence: str
    channels: list[str]


class OutboxTable(Database):
    """The ``notify_outbox`` table."""

    def alert_announcements(self, keys: Iterable[tuple[str, str]], day: str
                            ) -> dict[tuple[str, str], Announcement]:
        """Per (account, alert) ending on ``day``: the occurrence that ends (its first_seen) and the channels
        its announcement was queued for (the outbox's ``new`` rows, kept after delivery for this).

        The occurrence is the newest alert period still open or resolved on ``day``: the one a
        sync resolving it today (or a dry run about to) closes. An alert no channel announced
        (raised before notify was set up, or routed nowhere) maps to an empty list.
        """
        wanted = set(keys)
        accounts = sorted({a for a, _ in wanted})
        occurrences: dict[tuple[str, str], str] = {}
        channels: dict[tuple[str, str, str], list[str]] = {}
        for chunk, marks in in_lists(accounts):
            for a, i, first in self._query(
                    f"SELECT account_id, alert_id, MAX(first_seen) FROM alerts WHERE account_id IN ({marks}) "
                    "AND (resolved_at IS NULL OR resolved_at = ?) GROUP BY account_id, alert_id", (*chunk, day)):
                if (a, i) in wanted:
                    occurrences[(a, i)] = first
            for a, i, occurrence, channel in self._query(
                    f"SELECT account_id, alert_id, occurrence, channel FROM notify_outbox WHERE account_id IN "
                    f"({marks}) AND kind = 'new' ORDER BY id", chunk):
                channels.setdefault((a, i, occurrence), []).append(channel)
        return {k: Announcement(first, channels.get((*k, first), [])) for k, first in occurrences.items()}

    def enqueue_notifications(self, rows: Iterable[tuple[str, str, str, str, str, dict[str, Any]]],
                              run_id: int | None) -> int:
        """Add (channel, kind, account, alert, occurrence, payload) rows; one already there is kept as it is."""
        now = now_iso()
        return self._executemany(
            "INSERT INTO notify_outbox (channel, kind, account_id, alert_id, occurrence, payload, run_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, kind, account_id, alert_id, occurrence) DO NOTHING",
            [(c, k, a, i, o, json.dumps(p, ensure_ascii=False), run_id, now) for c, k, a, i, o, p in rows])

    def last_run_notice(self) -> str | None:
        """The state the last message about csops's own runs announced (its ``alert_id``), if any."""
        found = self._scalar("SELECT alert_id FROM notify_outbox WHERE kind = 'run' ORDER BY id DESC LIMIT 1")
        return None if found is None else str(found)

    def pending_notifications(self, channel: str | None = None) -> list[OutboxRow]:
        """Undelivered outbox rows (of one channel, or all), oldest first."""
        sql = ("SELECT id, channel, kind, account_id, alert_id, occurrence, payload, created_at, attempts, "
               "last_error, run_id FROM notify_outbox WHERE delivered_at IS NULL")
        params: tuple[Any, ...] = ()
        if channel is not None:
            sql += " AND channel = ?"
            params = (channel,)
        return [OutboxRow(i, c, kind, account, alert, occurrence, json.loads(payload), created, attempts, error, run)
                for i, c, kind, account, alert, occurrence, payload, created, attempts, error, run
                in self._query(sql + " ORDER BY id", params)]

    def mark_delivered(self, ids: Iterable[int]) -> None:
        now = now_iso()
        with self.transaction():
            self._executemany("UPDATE notify_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                             "WHERE id = ? AND delivered_at IS NULL", [(now, i) for i in ids])

    def mark_failed(self, ids: Iterable[int], error: str) -> None:
        with self.transaction():
            self._executemany("UPDATE notify_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                             [(error[:500], i) for i in ids])

    def last_delivery(self, channel: str) -> str | None:
        """When anything was last delivered to ``channel`` (UTC ISO), or None."""
        value = self._scalar("SELECT MAX(delivered_at) FROM notify_outbox WHERE channel = ?", (channel,))
        return None if value is None else str(value)
