"""Read the report's inputs from the store (through Store methods: no SQL here)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from report.model import Account, AlertPeriod, NpsAnswer, Period, Point, ReportInput
from report.settings import ReportConfig
from rules.ruleset import RuleSet
from rules.yamlsrc import suggest
from sync.store import Store


class ReportError(Exception):
    """The report cannot be made as asked (exit 78 for bad options or data, like a config error)."""


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def target_days(rules: RuleSet) -> dict[str, int]:
    """Per product: ``onboarding.target_days`` from the rule file, else the last phase's due_day."""
    return {product: rules.target_days.get(product, phases[-1].due_day if phases else 0)
            for product, phases in rules.products.items()}


def load_accounts(store: Store, rules: RuleSet, cfg: ReportConfig, until: date) -> list[Account]:
    accounts: dict[str, Account] = {}
    for account_id, product, result, fields in store.evaluated_accounts():
        res = json.loads(result)
        facts = res.get("facts") or {}
        sf = json.loads(fields) if fields else {}
        churned = bool(facts.get(cfg.churned_fact)) if cfg.churned_fact else False
        accounts[account_id] = Account(
            id=account_id, product=product, start=_day(facts.get(rules.start_fact or "")),
            completed_on=_day(facts.get(rules.completed_fact)) if rules.completed_fact else None,
            churned=churned, tier=res.get("tier"), owner=_owner(sf, cfg.owner_field), name=sf.get("Name"))
    for account_id, day, product, status, phase, score, band, tier in store.history(until.isoformat()):
        acc = accounts.get(account_id)
        if acc is None:  # in history, no longer evaluated (deleted in Salesforce): keep what history knows
            acc = accounts[account_id] = Account(account_id, product, None)
        acc.points.append(Point(date.fromisoformat(day), status, phase, score, band, tier, product))
    return list(accounts.values())


def _owner(fields: dict[str, Any], name: str) -> str | None:
    value = fields[name] if name in fields else next(
        (v for k, v in fields.items() if k.lower() == name.lower()), None)
    return None if value in (None, "") else str(value)


def default_period(store: Store, today: date) -> Period:
    """The last 26 weeks up to the newest history day (or today when there is no history)."""
    newest = max((p[0] for p in store.latest_history().values()), default=None)
    end = date.fromisoformat(newest) if newest else today
    return Period(end - timedelta(days=182), end)


def resolve_period(store: Store, today: date, start: date | None, end: date | None) -> Period:
    """--from/--to with their defaults: 26 weeks up to the newest history day (or up to --to)."""
    period = default_period(store, today)
    if end is not None:
        period = Period(end - (period.end - period.start), end)
    if start is not None:
        period.start = start
    if period.start > period.end:
        raise ReportError(f"--from {period.start} is after --to {period.end}")
    return period


def load_input(store: Store, rules: RuleSet, cfg: ReportConfig, period: Period, by: str | None,
               product: str | None = None) -> ReportInput:
    accounts = load_accounts(store, rules, cfg, period.end)
    if product is not None:
        if product not in rules.products:
            raise ReportError(f"--product: unknown product '{product}'{suggest(product, rules.products)}")
        accounts = [a for a in accounts if a.product == product]
    ids = {a.id for a in accounts}
    alert_periods = [AlertPeriod(a, i, date.fromisoformat(f[:10]), _day(r))
                     for a, i, f, r in store.alert_periods() if a in ids]
    answers = [NpsAnswer(a, date.fromisoformat(d), int(s), survey) for survey, a, d, s in store.nps_responses()
               if product is None or a in ids]
    return ReportInput(
        accounts=accounts, period=period, target_days=target_days(rules), target_rates=dict(cfg.targets),
        alerts=alert_periods, nps=answers, by=by, recovery_days=cfg.recovery_days,
        status_labels=dict(rules.status_labels),
        phase_names={ph.id: ph.name for phases in rules.products.values() for ph in phases},
        alert_titles={a.id: a.title for a in rules.alerts})
