"""What a sync does about notifications: the outbox rows its alert changes cause, written with them.

A sync records each notification in the outbox in the same transaction as the
alert change that causes it, and delivery (:mod:`notify.deliver`) comes after:
a run killed in between delivers next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from notify.config import NotifySpec
from notify.outbox import NEW, RESOLVED
from rules.ruleset import RuleSet

if TYPE_CHECKING:
    from store.outbox import Announcement

#: Per (account, alert): the occurrence that ends and the channels its announcement was queued for.
Announcements = dict[tuple[str, str], "Announcement"]


class Planned(NamedTuple):
    """An outbox row to write: one alert change for one channel."""

    channel: str
    kind: str
    account_id: str
    alert_id: str
    occurrence: str
    payload: dict[str, Any]


class Evaluated(Protocol):
    """What routes read of an account's evaluation (rules.engine.Evaluation, or the sync's brief of one)."""

    @property
    def id(self) -> str: ...
    @property
    def product(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def phase_name(self) -> str | None: ...
    @property
    def days_overdue(self) -> int | None: ...
    @property
    def health_score(self) -> float | None: ...
    @property
    def health_band(self) -> str | None: ...


class AlertChanges(Protocol):
    """The (account, alert) pairs a sync raised and cleared."""

    @property
    def new(self) -> Sequence[tuple[str, str]]: ...
    @property
    def resolved(self) -> Sequence[tuple[str, str]]: ...


class EnqueueStore(Protocol):
    """What enqueueing needs of the store."""

    def account_fields(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def health_before(self, ids: Iterable[str], day: str) -> dict[str, float]: ...
    def alert_announcements(self, keys: Iterable[tuple[str, str]], day: str) -> Announcements: ...
    def enqueue_notifications(self, rows: Iterable[tuple[str, str, str, str, str, dict[str, Any]]],
                              run_id: int | None) -> int: ...


def plan_notifications(spec: NotifySpec, rules: RuleSet, changes: AlertChanges,
                       evaluations: Iterable[Evaluated], accounts: dict[str, dict[str, Any]],
                       announced: Announcements, today: date, health_before: dict[str, float] | None = None
                       ) -> list[Planned]:
    """The outbox rows for new and resolved alerts.

    A new alert goes where the routes send it now (the account's product, tier and
    status today). A resolved one goes only where its announcement went (``announced``:
    the store's ``alert_announcements``), whatever the account's state when it clears: a
    Task created for a stalled tier-A account is completed after the account escalated
    or moved to tier B, and a channel that never announced an alert never lists it as
    resolved. A channel that is not told of resolutions (Slack without ``resolved: true``)
    is not told either way.
    """
    by_id = {ev.id: ev for ev in evaluations}
    meta = {a.id: (a.severity, a.title, a.action) for a in rules.alerts}
    rows: list[Planned] = []
    for kind, keys in ((NEW, changes.new), (RESOLVED, changes.resolved)):
        for account_id, alert_id in keys:
            ev = by_id.get(account_id)
            severity, title, action = meta.get(alert_id, ("warning", alert_id, None))
            fields = accounts.get(account_id, {})
            payload = {"account": fields.get("Name"), "owner": fields.get("OwnerId"), "severity": severity,
                       "title": title, "action": action, "language": rules.message_language,
                       **_account_state(rules, ev, (health_before or {}).get(account_id))}
            if kind == NEW:
                occurrence = today.isoformat()
                channels = spec.channels_for(alert_id, severity, payload["product"], payload["tier"],
                                             payload["status"])
            else:
                occurrence, names = announced.get((account_id, alert_id), ("", []))
                channels = [spec.channels[n] for n in dict.fromkeys(names) if n in spec.channels]
                channels = [c for c in channels if c.tells_resolved]
            rows += [Planned(channel.name, kind, account_id, alert_id, occurrence, payload) for channel in channels]
    return rows


def _account_state(rules: RuleSet, ev: Evaluated | None, health_before: float | None) -> dict[str, Any]:
    """What a message says about the account: product, status and its label, phase, days overdue, tier, health
    and its change since the last history point before today."""
    if ev is None:
        return {"product": None, "status": None, "tier": None}
    score = ev.health_score
    return {"product": ev.product, "status": ev.status, "status_label": rules.status_labels.get(ev.status, ev.status),
            "phase": ev.phase_name, "days_overdue": ev.days_overdue, "tier": ev.tier, "health": score,
            "health_band": ev.health_band, "health_max": rules.health_max,
            "health_change": None if score is None or health_before is None else round(score - health_before, 1)}


def plan(store: EnqueueStore, spec: NotifySpec, rules: RuleSet, changes: AlertChanges,
         evaluations: Iterable[Evaluated], today: date) -> list[Planned]:
    """The rows these alert changes cause: what :func:`enqueue` writes, and what ``sync --dry-run`` prints."""
    if not spec.enabled or not (changes.new or changes.resolved):
        return []
    accounts = store.account_fields(a for a, _ in [*changes.new, *changes.resolved])
    announced = store.alert_announcements(changes.resolved, today.isoformat())
    before = store.health_before(accounts, today.isoformat())
    return plan_notifications(spec, rules, changes, evaluations, accounts, announced, today, before)


def enqueue(store: EnqueueStore, spec: NotifySpec, rules: RuleSet, changes: AlertChanges,
            evaluations: Iterable[Evaluated], today: date, run_id: int | None) -> int:
    """Record the notifications these alert changes cause; call inside the transaction that records them."""
    rows = plan(store, spec, rules, changes, evaluations, today)
    return store.enqueue_notifications(rows, run_id) if rows else 0
