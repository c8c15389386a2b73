"""What a run leaves behind: each evaluation, status transitions with dates, and the alert lifecycle."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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


def record_evaluations(store: Store, run_id: int, rules: RuleSet, evaluations: list[tuple[Evaluation, dict[str, Any]]],
                       today: date, churned_fact: str | None = None) -> tuple[AlertChanges, Counter[str]]:
    """Store every evaluation, close and open status periods, track alerts (first/last seen, resolved) and write
    the dated history (``churned_fact``: the fact saying an account churned, ``report.churned_fact``)."""
    day = today.isoformat()
    changes = AlertChanges()
    transitions: Counter[str] = Counter()
    titles = {a.id: (a.severity, a.title) for a in rules.alerts}
    open_alerts = store.open_alerts()
    current_status = store.current_statuses()
    eval_rows: list[EvaluationRow] = []
    seen_alerts: set[AlertKey] = set()
    new_alert_rows: list[AlertRow] = []
    touched_alerts: list[AlertKey] = []
    closing: list[str] = []
    opening: list[StatusPeriodStart] = []
    for ev, facts in evaluations:
        result = ev.full()
        result["facts"] = {k: _jsonable(v) for k, v in facts.items()}
        eval_rows.append(EvaluationRow(ev.id, run_id, ev.evaluated_on, ev.product, ev.status, ev.phase,
                                       ev.health.score, json.dumps(result, ensure_ascii=False, default=str)))
        previous = current_status.get(ev.id)
        if previous != ev.status:
            if previous is not None:
                closing.append(ev.id)
                transitions[f"{previous}->{ev.status}"] += 1
            opening.append(StatusPeriodStart(ev.id, ev.status, day))
        for alert_id in ev.alerts:
            key = AlertKey(ev.id, alert_id)
            seen_alerts.add(key)
            if key in open_alerts:
                touched_alerts.append(key)
            else:
                sev, title = titles.get(alert_id, ("warning", alert_id))
                new_alert_rows.append(AlertRow(ev.id, alert_id, sev, title, day, day, run_id))
                changes.new.append(key)
    resolved = [k for k in open_alerts if k not in seen_alerts]
    changes.resolved = resolved
    changes.active = len(seen_alerts)
    latest = store.latest_history()
    history = history_points(latest, ((ev, bool(churned_fact and facts.get(churned_fact) is True))
                                      for ev, facts in evaluations), day)
    history += deleted_points(latest, store.live_account_ids() | {ev.id for ev, _ in evaluations}, day)
    products = product_points(store.latest_product_history(), (ev for ev, _ in evaluations), day)
    with store.transaction():
        store.write_history(history)
        store.write_product_history(products)
        store.upsert_evaluations(eval_rows)
        store.replace_evaluation_products([ev.id for ev, _ in evaluations],
                                          [ProductEvaluationRow(ev.id, *state) for ev, _ in evaluations
                                           for state in product_states(ev)])
        store.close_status_periods(day, closing)
        store.open_status_periods(opening)
        store.touch_alerts(day, touched_alerts)
        store.add_alerts(new_alert_rows)
        store.resolve_alerts(day, resolved)
    return changes, transitions


def preview_alerts(store: Store, evaluations: list[tuple[Evaluation, dict[str, Any]]]) -> AlertChanges:
    """What :func:`record_evaluations` would report, without writing (for --dry-run)."""
    open_alerts = store.open_alerts()
    active = {AlertKey(ev.id, a) for ev, _ in evaluations for a in ev.alerts}
    return AlertChanges(new=sorted(active - open_alerts), resolved=sorted(open_alerts - active), active=len(active))
