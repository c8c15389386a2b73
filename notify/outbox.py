"""The outbox: one row per (channel, alert change), kept in the store (its SQL stays there).

A row is a :class:`Notice` to a channel: an alert raised (``new``) or cleared
(``resolved``) on an account, with what the account looked like when it was
queued. Delivered rows are kept: their ``new`` rows say which channels
announced an alert, so its resolution goes back to exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from store.outbox import OutboxRow

NEW, RESOLVED = "new", "resolved"
#: A message about csops's own runs (notify.ops): ``alert_id`` holds the state it announces.
RUN = "run"


def occurrence_key(account_id: str, alert_id: str, occurrence: str) -> str:
    """One occurrence of an alert on an account: ``account:alert:first day seen``."""
    return f"{account_id}:{alert_id}:{occurrence}"


@dataclass(frozen=True)
class Notice:
    """One alert change waiting for (or delivered to) one channel."""

    id: int
    channel: str
    kind: str
    account_id: str
    alert_id: str
    occurrence: str
    payload: dict[str, Any]
    created_at: str | None = None
    attempts: int = 0
    last_error: str | None = None
    run_id: int | None = None  # the run that queued it: a Task created for it is that run's write (write log)

    @property
    def key(self) -> str:
        return occurrence_key(self.account_id, self.alert_id, self.occurrence)

    @property
    def severity(self) -> str | None:
        return self.payload.get("severity")

    @property
    def title(self) -> str:
        return str(self.payload.get("title") or self.alert_id)

    @property
    def account_name(self) -> str:
        return str(self.payload.get("account") or self.account_id)

    @property
    def owner(self) -> str | None:
        return self.payload.get("owner") or None


class OutboxStore(Protocol):
    """What the outbox needs of the store."""

    def pending_notifications(self, channel: str | None = None) -> list[OutboxRow]: ...
    def mark_delivered(self, ids: Iterable[int]) -> None: ...
    def mark_failed(self, ids: Iterable[int], error: str) -> None: ...
    def last_delivery(self, channel: str) -> str | None: ...


class Outbox:
    """The store's notify_outbox as notices."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    def pending(self, channel: str | None = None) -> list[Notice]:
        """Undelivered notices, oldest first (of one channel, or all)."""
        return [Notice(**row._asdict()) for row in self.store.pending_notifications(channel)]

    def delivered(self, notices: Iterable[Notice]) -> None:
        self.store.mark_delivered([n.id for n in notices])

    def failed(self, notices: Iterable[Notice], why: str) -> None:
        self.store.mark_failed([n.id for n in notices], why)

    def last_delivery(self, channel: str) -> datetime | None:
        """When anything was last delivered to ``channel`` (aware, UTC), or None."""
        last = self.store.last_delivery(channel)
        return None if last is None else datetime.fromisoformat(last.replace("Z", "+00:00"))
