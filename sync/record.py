"""What a run leaves behind: each evaluation, status transitions with dates, and the alert lifecycle."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from rules.engine import Evaluation
from rules.ruleset import RuleSet
from store import Store
from store.alerts import AlertKey, AlertRow
from store.evaluations import EvaluationRow, ProductEvaluationRow
from store.status_periods import StatusPeriodStart
from sync.history import deleted_points, history_points, product_points, product_states


@dataclass
class AlertChanges:
    new: list[AlertKey] = field(default_factory=list)
    resolved: list[AlertKey] = field(default_factory=list)
    active: int = 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class Brief(NamedTuple):
    """What a run keeps of each account's evaluation once it is recorded: what notifications route on, what the
    mass-change guard and a dry run's alert preview read, and whose owner's name to fetch. The full evaluation is
    not kept (memory stays flat as accounts grow)."""

    id: str
    product: str | None
    status: str
    tier: str | None
    alerts: tuple[str, ...]
    owner: str | None  # the account owner's Id (report.owner_field), whose name the sync fetches
    # what a message about the account says (notify.enqueue)
    phase_name: str | None = None
    days_overdue: int | None = None
    health_score: float | None = None
    health_band: str | None = None

    @classmethod
    def of(cls, ev: Evaluation, owner: str | None = None) -> Brief:
        return cls(ev.id, ev.product, ev.status, ev.tier, tuple(ev.alerts), owner, ev.phase_name, ev.days_overdue,
                   ev.health.score, ev.health.band)


class Recorder:
    """Stores evaluations as they come, a chunk at a time: each evaluation, the status periods it closes and opens,
    the alert lifecycle (first/last seen; resolved once every account was seen) and the dated history.

    Each chunk is one transaction, and so is :meth:`finish`; ``notify(new, resolved)`` (the outbox) is called inside
    the transaction that records those alert changes. Around it all, one transaction makes it all or nothing (the
    one-call :func:`record_evaluations`). ``churned_fact``: the fact saying an account churned
    (``report.churned_fact``). ``skipping``: the run evaluates only the accounts whose inputs changed
    (sync.unchanged), so a live account it did not evaluate keeps its evaluation and its open alerts, and each
    evaluation stores the hash of its inputs.

    What the recorder compares with (each account's stored result hash, open status period and newest history
    points) is read a chunk's accounts at a time, so it keeps per account only the Ids it evaluated and the alert
    keys they raised, which :meth:`finish` needs to resolve the others and close the history of accounts gone."""

    CHUNK = 1000

    def __init__(self, store: Store, run_id: int, rules: RuleSet, today: date, churned_fact: str | None = None,
                 notify: Callable[[list[AlertKey], list[AlertKey]], int] | None = None, skipping: bool = False
                 ) -> None:
        self.store, self.run_id, self.churned_fact, self.notify = store, run_id, churned_fact, notify
        self.skipping = skipping
        self.inputs_only: list[tuple[str | None, str]] = []  # (inputs hash, account): the result as stored
        self.queued = 0
        self.day = today.isoformat()
        self.changes = AlertChanges()
        self.transitions: Counter[str] = Counter()
        self.titles = {a.id: (a.severity, a.title) for a in rules.alerts}
        self.open_alerts = store.open_alerts()
        self.rewritten = 0
        self.seen_alerts: set[AlertKey] = set()
        self.evaluated: set[str] = set()
        self.chunk: list[tuple[Evaluation, dict[str, Any], str | None]] = []
        self.raw: dict[str, dict[str, Any]] = {}

    def add(self, ev: Evaluation, facts: dict[str, Any], raw: dict[str, Any] | None = None,
            inputs_hash: str | None = None) -> None:
        """Record ``ev`` (with the chunk it falls in); ``raw``: the raw facts it read, kept in the fact history for
        ``csops rules replay`` in the same transaction; ``inputs_hash``: what it was made from (sync.unchanged)."""
        self.chunk.append((ev, facts, inputs_hash))
        self.evaluated.add(ev.id)
        if raw is not None:
            self.raw[ev.id] = raw
        if len(self.chunk) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        chunk, self.chunk = self.chunk, []
        raw, self.raw = self.raw, {}
        if not chunk:
            return
        ids = [ev.id for ev, _, _ in chunk]
        stored = self.store.evaluation_hashes(of=ids)
        current_status = self.store.current_statuses(of=ids)
        eval_rows: list[EvaluationRow] = []
        new_alert_rows: list[AlertRow] = []
        new_keys: list[AlertKey] = []
        touched_alerts: list[AlertKey] = []
        closing: list[str] = []
        opening: list[StatusPeriodStart] = []
        for ev, facts, inputs_hash in chunk:
            row = self._row(ev, facts, inputs_hash, stored.get(ev.id))
            if row is not None:
                eval_rows.append(row)
            previous = current_status.get(ev.id)
            if previous != ev.status:
                if previous is not None:
                    closing.append(ev.id)
                    self.transitions[f"{previous}->{ev.status}"] += 1
                opening.append(StatusPeriodStart(ev.id, ev.status, self.day))
            for alert_id in ev.alerts:
                key = AlertKey(ev.id, alert_id)
                self.seen_alerts.add(key)
                if key in self.open_alerts:
                    touched_alerts.append(key)
                else:
                    sev, title = self.titles.get(alert_id, ("warning", alert_id))
                    new_alert_rows.append(AlertRow(ev.id, alert_id, sev, title, self.day, self.day, self.run_id))
                    new_keys.append(key)
        churned = self.churned_fact
        history = history_points(self.store.latest_history(of=ids), ((ev, bool(churned and facts.get(churned) is True))
                                               for ev, facts, _ in chunk), self.day)
        products = product_points(self.store.latest_product_history(of=ids), (ev for ev, _, _ in chunk), self.day)
        inputs_only, self.inputs_only = self.inputs_only, []
        store = self.store
        with store.transaction():
            if raw:
                store.record_facts(raw, self.day)
            store.write_history(history)
            store.write_product_history(products)
            store.upsert_evaluations(eval_rows)
            store.set_inputs_hashes(inputs_only)
            changed = {r.account_id for r in eval_rows}  # a product's state is part of the result
            store.replace_evaluation_products(changed, [ProductEvaluationRow(ev.id, *state) for ev, _, _ in chunk
                                                        if ev.id in changed for state in product_states(ev)])
            store.close_status_periods(self.day, closing)
            store.open_status_periods(opening)
            store.touch_alerts(self.day, touched_alerts)
            store.add_alerts(new_alert_rows)
            if self.notify is not None and new_keys:
                self.queued += self.notify(new_keys, [])
        self.changes.new.extend(new_keys)

    def _row(self, ev: Evaluation, facts: dict[str, Any], inputs_hash: str | None, stored: str | None
             ) -> EvaluationRow | None:
        """The evaluation's row, or None when the store already holds this very result (the same day's rerun, an
        account nothing changed for): the no-op path writes nothing but, when skipping, the new inputs hash."""
        result = ev.full()
        result["facts"] = {k: _jsonable(v) for k, v in facts.items()}
        text = json.dumps(result, ensure_ascii=False, default=str)
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        if stored == digest:
            if self.skipping:
                self.inputs_only.append((inputs_hash, ev.id))
            return None
        self.rewritten += 1
        return EvaluationRow(ev.id, self.run_id, ev.evaluated_on, ev.product, ev.status, ev.phase, ev.health.score,
                             text, digest, inputs_hash)

    def finish(self) -> tuple[AlertChanges, Counter[str]]:
        """Store the last chunk, resolve the alerts no account raised, and close the history of accounts gone."""
        self._flush()
        live = self.store.live_account_ids()
        kept = {k for k in self.open_alerts if k.account_id in live and k.account_id not in self.evaluated
                } if self.skipping else set()
        resolved = [k for k in self.open_alerts if k not in self.seen_alerts and k not in kept]
        self.changes.resolved = resolved
        self.changes.active = len(self.seen_alerts) + len(kept)
        gone = deleted_points(self.store.latest_history(not_live=True), live | self.evaluated, self.day)
        with self.store.transaction():
            self.store.write_history(gone)
            self.store.resolve_alerts(self.day, resolved)
            if self.notify is not None and resolved:
                self.queued += self.notify([], resolved)
        return self.changes, self.transitions


def record_evaluations(store: Store, run_id: int, rules: RuleSet,
                       evaluations: Iterable[tuple[Evaluation, dict[str, Any]]], today: date,
                       churned_fact: str | None = None) -> tuple[AlertChanges, Counter[str]]:
    """Store every evaluation at once (:class:`Recorder` in one transaction)."""
    with store.transaction():
        recorder = Recorder(store, run_id, rules, today, churned_fact)
        for ev, facts in evaluations:
            recorder.add(ev, facts)
        return recorder.finish()


def preview_alerts(store: Store, evaluations: Iterable[Brief]) -> AlertChanges:
    """What :func:`record_evaluations` would report, without writing (for --dry-run)."""
    open_alerts = store.open_alerts()
    active = {AlertKey(ev.id, a) for ev in evaluations for a in ev.alerts}
    return AlertChanges(new=sorted(active - open_alerts), resolved=sorted(open_alerts - active), active=len(active))
