"""Read the report's inputs from the store (through Store methods: no SQL here)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta, tzinfo
from typing import Any

from base.errors import InputError
from base.suggest import suggest
from report.model import Account, AlertPeriod, Current, NpsAnswer, Onboarding, Period, Point, ReportInput
from report.settings import ReportConfig
from rules.engine import FactValueError, local_day
from rules.ruleset import RuleSet
from store import Store
from store.owners import owner_id


class ReportError(InputError):
    """The report cannot be made as asked (exit 78 for bad options or data, like a config error)."""


def _day(value: Any, tz: tzinfo) -> date | None:
    """A fact's day in the rules' time zone, through the engine's own reading (None when it is no date)."""
    try:
        return local_day(value, tz)
    except FactValueError:
        return None


def target_days(rules: RuleSet) -> dict[str, int]:
    """Per product with phases: days from the start to complete its onboarding (:meth:`RuleSet.target_days_for`)."""
    return {product: days for product in rules.products if (days := rules.target_days_for(product)) is not None}


def load_accounts(store: Store, rules: RuleSet, cfg: ReportConfig, until: date) -> list[Account]:
    """Every account the sync evaluated (or history knows), with its history and its onboarding per product."""
    accounts: dict[str, Account] = {}
    tz = rules.tz
    names = store.owner_names()
    parts = _components_reader()
    for evaluated in store.evaluated_accounts():
        res = json.loads(evaluated.result)
        facts = res.get("facts") or {}
        sf = json.loads(evaluated.fields) if evaluated.fields else {}
        churned = bool(facts.get(cfg.churned_fact)) if cfg.churned_fact else False
        accounts[evaluated.account_id] = Account(
            id=evaluated.account_id, product=evaluated.product, start=_day(facts.get(rules.start_fact or ""), tz),
            completed_on=_day(facts.get(rules.completed_fact), tz) if rules.completed_fact else None,
            churned=churned, tier=res.get("tier"), owner=(owner := owner_id(sf, cfg.owner_field)), name=sf.get("Name"),
            owner_name=names.get(owner or ""), current=_current(res))
    for h in store.history(until.isoformat()):
        acc = accounts.get(h.account_id)
        if acc is None:  # in history, no longer evaluated: keep what history knows
            acc = accounts[h.account_id] = Account(h.account_id, h.product, None)
        point = Point(date.fromisoformat(h.day), h.status, h.phase, h.health_score, h.health_band, h.tier, h.product,
                      h.gone, parts(h.components))
        acc.points.append(point)
        if not h.gone:
            acc.churned_on = None
        elif acc.churned_on is None:
            acc.churned_on = point.day
    for p in store.product_history(until.isoformat()):
        acc = accounts.get(p.account_id)
        if acc is None:
            continue
        if not acc.onboardings or acc.onboardings[-1].product != p.product:
            acc.onboardings.append(Onboarding(p.product))
        acc.onboardings[-1].points.append(Point(date.fromisoformat(p.day), p.status, p.phase,
                                                product=p.product or None))
    return list(accounts.values())


def _components_reader() -> Callable[[str | None], dict[str, float | None] | None]:
    """A point's components JSON as a mapping, each distinct text read once (accounts share their scores)."""
    seen: dict[str, dict[str, float | None] | None] = {}

    def read(text: str | None) -> dict[str, float | None] | None:
        if text is None:
            return None
        found = seen.get(text)
        if found is None:
            try:
                value = json.loads(text)
            except ValueError:
                value = None
            found = seen[text] = value if isinstance(value, dict) else None
        return found
    return read


def _current(res: dict[str, Any]) -> Current | None:
    """The newest evaluation's view of the account (None for a result the store kept from an older csops)."""
    try:
        health = res.get("health") or {}
        overdue = res.get("days_overdue")
        return Current(date.fromisoformat(str(res["evaluated_on"])[:10]), str(res["status"]), res.get("product"),
                       res.get("phase_name"), None if overdue is None else int(overdue), health.get("score"),
                       health.get("band"))
    except (KeyError, TypeError, ValueError):
        return None


def rule_changes(store: Store) -> list[date]:
    """The days a run's rule files' hash differed from the run before it (the first hash recorded is no change)."""
    out: list[date] = []
    before: str | None = None
    for day, digest in store.rules_hashes():
        if before is not None and digest != before:
            changed = date.fromisoformat(day)
            if changed not in out:
                out.append(changed)
        before = digest
    return sorted(out)


def default_period(store: Store, today: date) -> Period:
    """The last 26 weeks up to the newest history day (or today when there is no history)."""
    newest = max((p.day for p in store.latest_history().values()), default=None)
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
        accounts = [a for a in accounts if any(ob.product == product for ob in a.onboardings)]
        for a in accounts:  # an account with several products: only this one's onboarding
            a.onboardings = [ob for ob in a.onboardings if ob.product == product]
    ids = {a.id for a in accounts}
    alert_periods = [AlertPeriod(o.account_id, o.alert_id, date.fromisoformat(o.first_seen[:10]),
                                 date.fromisoformat(o.resolved_at[:10]) if o.resolved_at else None)
                     for o in store.alert_periods() if o.account_id in ids]
    answers = [NpsAnswer(r.account_id, date.fromisoformat(r.answered_on), int(r.score), r.survey)
               for r in store.nps_responses() if product is None or r.account_id in ids]
    return ReportInput(
        accounts=accounts, period=period, target_days=target_days(rules), target_rates=dict(cfg.targets),
        alerts=alert_periods, nps=answers, by=by, recovery_days=cfg.recovery_days,
        status_labels=dict(rules.status_labels),
        phase_names={ph.id: ph.name for phases in rules.products.values() for ph in phases},
        alert_titles={a.id: a.title for a in rules.alerts}, account_url=cfg.account_url,
        completed_fact=rules.completed_fact, band_names=[b.name for b in rules.bands],
        components={c.id: c.name for c in rules.components}, rule_changes=rule_changes(store),
        band_colours={b.name: b.colour for b in rules.bands if b.colour})
