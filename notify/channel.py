"""The channel interface: what every kind of channel does, and what it is given to do it.

A kind is a dataclass subclass of :class:`Channel` in a module of its own,
registered in :mod:`notify.kinds`. It declares its options (the keys of its
mapping in the rule file besides ``type``, each a base.schema option saying what
it accepts, so a mistake is reported at its line) and is built from the values
kept by :meth:`Channel.parse`; it delivers a channel's pending notices in :meth:`Channel.deliver`; it says what
``csops doctor`` can check without sending anything in :meth:`Channel.doctor`;
:meth:`Channel.send_test` sends the test message of ``csops notify --test``; and
:meth:`Channel.sandbox_env` points it at the sandbox (``csops sandbox serve``).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from base.errors import Failure, InputError
from notify.outbox import Notice, Outbox

log = logging.getLogger("csops.notify")

if TYPE_CHECKING:
    from base.schema import At, Option
    from connectors.http import RetryPolicy
    from connectors.salesforce import SalesforceClient
    from store.writelog import WriteEntry


@dataclass(frozen=True)
class Finding:
    """One thing ``csops doctor`` says about a channel."""

    ok: bool
    message: str
    fix: str = ""


@dataclass
class ChannelResult:
    """What one delivery to one channel did. A kind with figures of its own subclasses it."""

    channel: str
    type: str
    delivered: int = 0
    pending: int = 0
    held: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def figures(self) -> str:
        """The kind's own figures, as the delivery line shows them before ``N delivered`` (``3 Tasks created, ``)."""
        return ""

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.channel, "type": self.type, "delivered": self.delivered,
                               "pending": self.pending}
        out.update(self.counts())
        for key in ("held", "error"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.notes:
            out["notes"] = self.notes
        return out

    def counts(self) -> dict[str, int]:
        """The kind's own figures for JSON (``created``, ``completed``)."""
        return {}


@dataclass
class Delivery:
    """What a channel delivers with: the outbox, the day in the rules' time zone, the environment that holds
    the secrets, the HTTP retry policy, and the run's Salesforce connection (made on first use)."""

    outbox: Outbox
    today: date
    now_local: datetime
    env: Mapping[str, str]
    policy: RetryPolicy | None = None
    salesforce: Callable[[], SalesforceClient] | None = None
    instance_url: str | None = None
    owners: Callable[[], dict[str, str]] | None = None  # owner Id → name (the store's owners table)
    #: Records in the write log what a channel wrote to Salesforce (Tasks created and completed).
    log_writes: Callable[[list[WriteEntry]], object] | None = None

    def logged(self, entries: list[WriteEntry]) -> None:
        if self.log_writes is not None and entries:
            self.log_writes(entries)

    def owner_names(self, ids: set[str]) -> dict[str, str]:
        """The account owners' names for a message, as the last sync fetched them into the store (``owners``);
        an owner not known yet is left out, and the message shows the Id."""
        if self.owners is None or not ids:
            return {}
        try:
            return {i: n for i, n in self.owners().items() if i in ids}
        except Failure as exc:
            log.warning("notify: the owners' names could not be read (%s); messages go without them", exc)
            return {}

    def account_link(self, account_id: str) -> str | None:
        """The account's page in Salesforce Lightning, when the instance is known."""
        if not self.instance_url:
            return None
        return f"{self.instance_url.rstrip('/')}/lightning/r/Account/{account_id}/view"


@dataclass
class Channel(ABC):
    """One channel of the rule files' ``notify.channels``."""

    #: The ``type:`` that selects the kind in a rule file.
    type: ClassVar[str]
    #: The keys of the channel's mapping besides ``type``, each with what it accepts (base.schema options: a
    #: refused value is reported at its key, with the file and line).
    options: ClassVar[Mapping[str, Option]] = {}
    #: Account fields (besides ``Name``) the kind reads from the store when a notice is queued.
    account_fields: ClassVar[tuple[str, ...]] = ()
    #: Whether ``run:`` routes may send here: messages about csops's own runs (notify.ops), not accounts.
    takes_run_messages: ClassVar[bool] = False

    name: str

    @classmethod
    def parse(cls, name: str, values: dict[str, Any], at: At) -> Channel:
        """The channel from the values its options kept (one refused or absent is left out, so the field's
        default stands); ``at`` (the channel's mapping) reports what only the kind can judge."""
        return cls(name, **values)

    @property
    def tells_resolved(self) -> bool:
        """Whether an alert that clears is sent here (only ever where it was announced)."""
        return True

    def new_result(self) -> ChannelResult:
        return ChannelResult(self.name, self.type)

    @property
    def closed_status(self) -> str | None:
        """The Status a record this channel created in Salesforce is set to when a rollback undoes its run
        (closed, never deleted); None for a kind that creates no record."""
        return None

    @abstractmethod
    def deliver(self, notices: list[Notice], out: Delivery, result: ChannelResult) -> None:
        """Deliver these pending notices, marking in ``out.outbox`` each one delivered or failed. A
        ConnectorError raised here fails every notice (they stay pending for the next run)."""

    def doctor(self, env: Mapping[str, str]) -> list[Finding]:
        """What can be checked without sending anything."""
        return []

    def send_test(self, out: Delivery) -> None:
        """Send a test message (``csops notify --test``); a kind that takes none says so."""
        raise InputError(f"--test: '{self.name}' is a {self.type} channel, which takes no test message")

    def sandbox_env(self, emulator: Emulator, env: Mapping[str, str]) -> dict[str, str]:
        """The environment variables that point this channel at a local emulator (``csops sandbox serve`` writes
        them to its env file); ``env`` is the environment now, whose value the emulator may take over."""
        return {}


_REASON = "notify "


def write_reason(channel: str, why: str) -> str:
    """The reason of a write log row a channel wrote: ``notify CHANNEL: why``."""
    return f"{_REASON}{channel}: {why}"


def channel_of(reason: str | None) -> str | None:
    """The channel that wrote a write log row (see :func:`write_reason`), or None."""
    if not reason or not reason.startswith(_REASON):
        return None
    return reason[len(_REASON):].split(":", 1)[0]


class Emulator(Protocol):
    """What a local stand-in for the services (the sandbox) makes for a channel to deliver to."""

    def slack_webhook(self, channel: str, current: str | None) -> str:
        """An incoming webhook URL for ``channel``: ``current`` when it is one of the emulator's own (kept
        across a restart on the same port), else a new one."""
