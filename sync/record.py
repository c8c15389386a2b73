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

#: ``notify(new, resolved, evaluations)``: enqueue what these alert changes cause (sync.run, notify.enqueue).
Notify = Callable[[list[AlertKey], list[AlertKey], list[Evaluation]], int]


@dataclass
class AlertChanges:
    """The alerts a run raised and resolved, and how many are open after it. A sync lists the first
    :attr:`LISTED` of each (its run report keeps those) and counts the rest; a dry run's preview lists them all."""

    new: list[AlertKey] = field(default_factory=list)
    resolved: list[AlertKey] = field(default_factory=list)
    active: int = 0
    unlisted_new: int = 0
    unlisted_resolved: int = 0

    LISTED = 500

    @property
    def new_count(self) -> int:
        return len(self.new) + self.unlisted_new

    @property
    def resolved_count(self) -> int:
        return len(self.resolved) + self.unlisted_resolved

    def add(self, new: list[AlertKey], resolved: list[AlertKey]) -> None:
        """Count these changes, listing them while fewer than :attr:`LISTED` are."""
        room = max(0, self.LISTED - len(self.new))
        self.new.extend(new[:room])
        self.unlisted_new += len(new[room:])
        room = max(0, self.LISTED - len(self.resolved))
        self.resolved.extend(resolved[:room])
        self.unlisted_resolved += len(resolved[room:])


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

    Each chunk is one transaction, and so is :meth:`finish`; ``notify(new, resolved, evaluations)`` (the outbox,
    with the evaluations of the accounts concerned that this run made) is called inside the transaction that
    records those alert changes. Around it all, one transaction makes it all or nothing (the
    one-call :func:`record_evaluations`). ``churned_fact``: the fact saying an account churned
    (``report.churned_fact``). ``skipping``: the run evaluates only the accounts whose inputs changed
    (sync.unchanged), so a live account it did not evaluate keeps its evaluation and its open alerts, and each
    evaluation stores the hash of its inputs.

    What the recorder compares with (each account's stored result hash, open status period, open alerts and newest
    history points) is read a chunk's accounts at a time, and an evaluated account's alerts that it no longer raises
    are resolved with its chunk, so it keeps nothing per account when ``skipping``: the evaluated accounts are live
    ones (sync.facts.account_facts), and :meth:`finish` resolves the alerts of the accounts that are not live and
    closes their history. Otherwise (:func:`record_evaluations`, whose evaluations need not be of stored accounts) it
    keeps the Ids it evaluated: every other account's alerts are resolved, and their history is not closed."""

    CHUNK = 1000

    def __init__(self, store: Store, run_id: int, rules: RuleSet, today: date, churned_fact: str | None = None,
                 notify: Notify | None = None, skipping: bool = False) -> None:
        self.store, self.run_id, self.churned_fact, self.notify = store, run_id, churned_fact, notify
        self.skipping = skipping
        self.inputs_only: list[tuple[str | None, str]] = []  # (inputs hash, account): the result as stored
        self.queued = 0
        self.day = today.isoformat()
        self.changes = AlertChanges()
        self.transitions: Counter[str] = Counter()
        self.titles = {a.id: (a.severity, a.title) for a in rules.alerts}
        self.rewritten = 0
        self.raised = 0  # alerts raised by the evaluations recorded (each (account, alert) once)
        self.evaluated: set[str] | None = None if skipping else set()
        self.chunk: list[tuple[Evaluation, dict[str, Any], str | None]] = []
        self.raw: dict[str, dict[str, Any]] = {}

    def add(self, ev: Evaluation, facts: dict[str, Any], raw: dict[str, Any] | None = None,
            inputs_hash: str | None = None) -> None:
        """Record ``ev`` (with the chunk it falls in); ``raw``: the raw facts it read, kept in the fact history for
        ``csops rules replay`` in the same transaction; ``inputs_hash``: what it was made from (sync.unchanged)."""
        self.chunk.append((ev, facts, inputs_hash))
        if self.evaluated is not None:
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
        touched_alerts, new_alert_rows, resolved = self._alerts([ev for ev, _, _ in chunk], ids)
        new_keys = [AlertKey(r.account_id, r.alert_id) for r in new_alert_rows]
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
            store.resolve_alerts(self.day, resolved)
            if self.notify is not None and (new_keys or resolved):
                self.queued += self.notify(new_keys, resolved, [ev for ev, _, _ in chunk])
        self.changes.add(new_keys, resolved)

    def _alerts(self, evaluations: list[Evaluation], ids: list[str]
                ) -> tuple[list[AlertKey], list[AlertRow], list[AlertKey]]:
        """The chunk's alerts: those raised again (open), those raised anew (rows to add), and the open ones its
        accounts no longer raise (to resolve: each of these accounts was evaluated)."""
        open_alerts = self.store.open_alerts(of=ids)
        touched: list[AlertKey] = []
        new_rows: list[AlertRow] = []
        raised: set[AlertKey] = set()
        for ev in evaluations:
            for alert_id in ev.alerts:
                key = AlertKey(ev.id, alert_id)
                raised.add(key)
                if key in open_alerts:
                    touched.append(key)
                else:
                    sev, title = self.titles.get(alert_id, ("warning", alert_id))
                    new_rows.append(AlertRow(ev.id, alert_id, sev, title, self.day, self.day, self.run_id))
        self.raised += len(raised)
        return touched, new_rows, sorted(open_alerts - raised)

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
        """Store the last chunk, resolve the alerts of the accounts not evaluated (when ``skipping``, only of those
        not live: a live one kept its evaluation), and close the history of accounts gone."""
        self._flush()
        store = self.store
        if self.evaluated is None:
            resolved = sorted(store.open_alerts(not_live=True))
            # open now: what this run raised (every evaluated account is live) and what the accounts it did not
            # evaluate keep
            self.changes.active = store.count_open_alerts(live=True)
        else:
            evaluated = self.evaluated
            resolved = sorted(k for k in store.open_alerts() if k.account_id not in evaluated)
            self.changes.active = self.raised
        self.changes.add([], resolved)
        gone = deleted_points(store.latest_history(not_live=True), self.evaluated or set(), self.day)
        with store.transaction():
            store.write_history(gone)
            store.resolve_alerts(self.day, resolved)
            if self.notify is not None and resolved:
                self.queued += self.notify([], resolved, [])
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
