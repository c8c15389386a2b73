"""Evaluate one account: facts in, onboarding status, health, tier, alerts and writeback out.

Pure: no I/O, no clock (today is an argument), no global state.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from base.errors import InputError
from rules.ruleset import COMPUTED, WRITEBACK_SOURCES, RuleSet, score_change_name


class FactValueError(InputError, ValueError):
    """A fact value that cannot be read as its declared type."""

    def __init__(self, fact: str, value: Any, kind: str) -> None:
        super().__init__(f"fact '{fact}': {value!r} is not a valid {kind}")
        self.fact = fact
        self.value = value
        self.kind = kind


@dataclass(slots=True)
class PhaseResult:
    id: str
    name: str
    due_day: int
    due_date: str | None
    done: bool


@dataclass(slots=True)
class ComponentResult:
    id: str
    name: str
    weight: float
    score: float | None
    missing: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Health:
    score: float | None
    max: float
    band: str | None
    missing: list[str]
    components: list[ComponentResult] = field(default_factory=list)


#: The order "worst" means across an account's products: churn risk first, a product without phases last.
WORST_FIRST = ("churn_risk", "stalled", "on_track", "not_started", "completed", "no_phases")


@dataclass(slots=True)
class ProductResult:
    """One product's onboarding at an account: its phases, status and deadline."""

    product: str | None
    status: str
    phase: str | None = None
    phase_name: str | None = None
    days_overdue: int | None = None
    target_date: str | None = None  # start + the product's target days: the report's deadline
    phases: list[PhaseResult] = field(default_factory=list)
    problem: str | None = None

    def brief(self) -> dict[str, Any]:
        return {"product": self.product, "status": self.status, "phase": self.phase, "phase_name": self.phase_name,
                "days_overdue": self.days_overdue, "target_date": self.target_date}


def worst(results: list[ProductResult]) -> ProductResult:
    """The product whose onboarding is worst (README "Several products"): the status first in WORST_FIRST, then
    the most days overdue, then the first listed."""
    if len(results) == 1:
        return results[0]
    return min(results, key=lambda r: (WORST_FIRST.index(r.status), -(r.days_overdue or 0)))


def split_products(value: Any) -> list[str]:
    """The products of a product fact: a list, or values joined by ';' (a Salesforce multi-select), each once."""
    if value is None:
        return []
    if isinstance(value, str) and ";" not in value:  # the usual case: one product
        return [value.strip()] if value.strip() else []
    parts = value if isinstance(value, list | tuple) else str(value).split(";")
    return list(dict.fromkeys(p for p in (str(x).strip() for x in parts) if p))


class PastPoint(NamedTuple):
    """The account's state from ``day`` on, as earlier runs recorded it (the store's account history)."""

    day: dt.date
    status: str | None
    phase: str | None
    score: float | None


def _run_start(past: Sequence[PastPoint], value: Any, key: Callable[[PastPoint], Any]) -> int | None:
    """Index of the first point of the trailing run of points whose ``key`` is ``value`` (None: the newest differs)."""
    i = len(past)
    while i > 0 and key(past[i - 1]) == value:
        i -= 1
    return None if i == len(past) else i


def history_facts(past: Sequence[PastPoint], today: dt.date, status: str, phase: str | None) -> dict[str, Any]:
    """``days_in_status``, ``days_in_phase`` and ``previous_status`` from the points before today (README "Facts
    from history"): days since the account entered its status (0 when it enters it today), the same for its phase
    (null without a phase), and the status it had before; all null without history."""
    if not past:
        return {"days_in_status": None, "days_in_phase": None, "previous_status": None}
    i = _run_start(past, status, lambda p: p.status)
    j = _run_start(past, phase, lambda p: p.phase)
    previous = past[-1].status if i is None else (past[i - 1].status if i > 0 else None)
    return {"days_in_status": 0.0 if i is None else float((today - past[i].day).days),
            "days_in_phase": None if phase is None else 0.0 if j is None else float((today - past[j].day).days),
            "previous_status": previous}


def score_change(past: Sequence[PastPoint], today: dt.date, score: float | None, days: int) -> float | None:
    """The score now minus the score ``days`` before (the newest point on or before that day); null when either
    is unknown."""
    then = today - dt.timedelta(days=days)
    before = None
    for p in past:
        if p.day > then:
            break
        before = p
    if score is None or before is None or before.score is None:
        return None
    return round(score - before.score, 1)


@dataclass
class Evaluation:
    """An account's evaluation; status, phase and days overdue are its worst product's (all of them: products)."""

    id: str
    product: str | None
    status: str
    phase: str | None
    phase_name: str | None
    days_overdue: int | None
    alerts: list[str]
    health: Health
    tier: str | None
    writeback: dict[str, Any]
    evaluated_on: str
    phases: list[PhaseResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    products: list[ProductResult] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)  # the facts from history the rules could read

    @property
    def health_score(self) -> float | None:
        return self.health.score

    @property
    def health_band(self) -> str | None:
        return self.health.band

    def summary(self) -> dict[str, Any]:
        """The ``rules eval --json`` shape."""
        return {"id": self.id, "product": self.product, "status": self.status, "phase": self.phase,
                "phase_name": self.phase_name, "days_overdue": self.days_overdue, "alerts": self.alerts,
                "health": {"score": self.health.score, "max": self.health.max, "band": self.health.band,
                           "missing": self.health.missing},
                "tier": self.tier, "writeback": self.writeback, "products": [r.brief() for r in self.products]}

    def full(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives, built by hand: a sync stores one per account, and asdict's generic
        deep copy cost more than the evaluation itself."""
        return {"id": self.id, "product": self.product, "status": self.status, "phase": self.phase,
                "phase_name": self.phase_name, "days_overdue": self.days_overdue, "alerts": list(self.alerts),
                "health": _health_dict(self.health), "tier": self.tier, "writeback": dict(self.writeback),
                "evaluated_on": self.evaluated_on, "phases": [_phase_dict(p) for p in self.phases],
                "problems": list(self.problems), "products": [_product_dict(r) for r in self.products],
                "history": dict(self.history)}


def _phase_dict(p: PhaseResult) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "due_day": p.due_day, "due_date": p.due_date, "done": p.done}


def _health_dict(h: Health) -> dict[str, Any]:
    return {"score": h.score, "max": h.max, "band": h.band, "missing": list(h.missing),
            "components": [{"id": c.id, "name": c.name, "weight": c.weight, "score": c.score,
                            "missing": list(c.missing)} for c in h.components]}


def _product_dict(r: ProductResult) -> dict[str, Any]:
    return {"product": r.product, "status": r.status, "phase": r.phase, "phase_name": r.phase_name,
            "days_overdue": r.days_overdue, "target_date": r.target_date,
            "phases": [_phase_dict(p) for p in r.phases], "problem": r.problem}


_TRUE = {"true", "1", "yes", "y", "t", "はい"}
_FALSE = {"false", "0", "no", "n", "f", "いいえ"}


_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def as_written_in_excel(kind: str, text: str) -> str:
    """Excel's ways of writing a value, in ISO form: ``2026/11/8 9:05`` and ``3,600,000``."""
    text = text.strip()
    if kind == "number" and _GROUPED.match(text):
        return text.replace(",", "")
    m = _SLASHED.match(text) if kind in ("date", "datetime") else None
    if m is None:
        return text
    y, mo, d, h, mi, s = m.groups()
    day = f"{y}-{int(mo):02d}-{int(d):02d}"
    if h is None or kind == "date":
        return day
    return f"{day} {int(h):02d}:{mi}:{s or '00'}"


def convert(name: str, kind: str, value: Any, tz: dt.tzinfo) -> Any:
    """A raw value (Salesforce JSON, CSV text, JSON) as the fact's type; empty means null."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, str):
        value = as_written_in_excel(kind, value)
    try:
        return _AS_KIND[kind](value, tz)
    except (ValueError, TypeError, OverflowError, KeyError):
        raise FactValueError(name, value, kind) from None


def _as_number(value: Any, tz: dt.tzinfo) -> float:
    if isinstance(value, bool):
        raise ValueError
    out = float(value)
    if math.isnan(out) or math.isinf(out):
        raise ValueError
    return out


def _as_bool(value: Any, tz: dt.tzinfo) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def _as_string(value: Any, tz: dt.tzinfo) -> str:
    if isinstance(value, list | tuple):  # a JSON list, as a multi-select field holds it
        return ";".join(str(v) for v in value)
    return str(value)


def _as_date(value: Any, tz: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        d = value.astimezone(tz).date() if value.tzinfo else value.date()
    elif isinstance(value, dt.date):
        d = value
    else:
        text = str(value).strip()
        d = _parse_datetime(text).astimezone(tz).date() if "T" in text else dt.date.fromisoformat(text[:10])
        if "T" not in text and len(text) != 10:
            raise ValueError
    return dt.datetime(d.year, d.month, d.day, tzinfo=tz)


def _as_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    text = str(value).strip()
    if "T" not in text and " " not in text:
        d = dt.date.fromisoformat(text)
        return dt.datetime(d.year, d.month, d.day, tzinfo=tz)
    return _parse_datetime(text, tz)


#: A fact's raw value as its type, per type (each raises ValueError or TypeError for a value that is not one).
_AS_KIND: dict[str, Callable[[Any, dt.tzinfo], Any]] = {
    "number": _as_number, "bool": _as_bool, "string": _as_string, "date": _as_date, "datetime": _as_datetime}


def local_day(value: Any, tz: dt.tzinfo) -> dt.date | None:
    """The calendar day a date or datetime fact falls on in the rules' time zone (None for null).

    The one reading of a day: the engine's start, deadlines and ``days_since_*``, and the report's cohorts and
    completion dates, so both agree that 2026-09-30T15:30Z is 2026-10-01 in Asia/Tokyo. Takes a typed fact
    value or the ISO text the store keeps; raises :class:`FactValueError` for text that is no date.
    """
    if isinstance(value, str):
        if not value.strip():
            return None
        value = convert("day", "datetime", value, tz)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(tz).date()
    if value is None or isinstance(value, dt.date):
        return value
    raise FactValueError("day", value, "date")


def _parse_datetime(text: str, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    t = text.replace(" ", "T", 1)
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    if len(t) >= 5 and t[-5] in "+-" and t[-4:].isdigit():
        t = t[:-2] + ":" + t[-2:]
    out = dt.datetime.fromisoformat(t)
    return out if out.tzinfo else out.replace(tzinfo=tz)


_MISSING = object()
_INFINITE = (math.inf, -math.inf)
#: Distinct values remembered per run, per cache (dates and numbers written as text repeat across accounts).
_CACHE_SIZE = 50_000


class Engine:
    """A compiled rule set bound to one evaluation date."""

    def __init__(self, rules: RuleSet) -> None:
        if rules.compiled_for is None:
            raise ValueError("compile the rules first (rules.ruleset.compile_rules)")
        self.rules = rules
        self.today: dt.date = rules.compiled_for
        self.tz = rules.tz
        self._dated = [f.name for f in rules.facts.values() if f.type in ("date", "datetime")]
        self._derived = [f for f in rules.facts.values() if f.condition is not None]
        self._base = [f for f in rules.facts.values() if f.condition is None]
        self._base_kinds = [(f.name, f.type) for f in self._base]
        self._dated_keys = [(name, f"days_since_{name}") for name in self._dated]
        self._texts: dict[tuple[str, str], Any] = {}
        self._since: dict[Any, Any] = {}
        self._due: dict[tuple[dt.date, int], list[str]] = {}
        self._targets = {product: rules.target_days_for(product) for product in rules.products}
        self._components = [(c, [n for n in c.inputs if n not in COMPUTED], c.always_scored)
                            for c in rules.components]
        self._windows = rules.score_windows

    def move_to(self, day: dt.date) -> None:
        """Evaluate as of ``day`` from now on with the same compiled conditions (right when none of them reads
        ``today`` or ``now``, which are fixed at compile time): ``csops rules replay`` walks the days this way."""
        if day != self.today:
            self.today = day
            self._since.clear()

    def facts(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Typed facts (plus ``days_since_*`` and derived facts) from raw values keyed by fact name.

        Text values are read once per run: accounts share their dates and picklist values, so a value already
        read (or refused) is taken from a cache kept for this engine's run (:meth:`_read`)."""
        out: dict[str, Any] = {}
        read = self._read
        for name, kind in self._base_kinds:
            value = raw.get(name)
            out[name] = None if value is None else read(name, kind, value)
        for f in self._derived:
            assert f.condition is not None
            out[f.name] = f.condition(out)
        since = self._since
        for name, key in self._dated_keys:
            v = out.get(name)
            if v is None:
                out[key] = None
                continue
            days = since.get(v, _MISSING)
            if days is _MISSING:
                day = local_day(v, self.tz)
                days = None if day is None else float((self.today - day).days)
                if len(since) < _CACHE_SIZE:
                    since[v] = days
            out[key] = days
        return out

    def _read(self, name: str, kind: str, value: Any) -> Any:
        """``convert`` for one value, with text remembered per fact type (a refusal too, raised again)."""
        if type(value) is not str or kind == "string":
            if kind == "number" and type(value) in (int, float) and value == value and value not in _INFINITE:
                return float(value)
            return convert(name, kind, value, self.tz)
        key = (kind, value)
        found = self._texts.get(key, _MISSING)
        if found is _MISSING:
            try:
                found = convert(name, kind, value, self.tz)
            except FactValueError as exc:
                found = exc
            if len(self._texts) < _CACHE_SIZE:
                self._texts[key] = found
        if isinstance(found, FactValueError):
            raise FactValueError(name, found.value, found.kind)
        return found

    def evaluate(self, account_id: str, facts: dict[str, Any], past: Sequence[PastPoint] = ()) -> Evaluation:
        """Each product's onboarding; then health, tier and alerts from the worst product's status.

        ``past``: the account's points before today, oldest first, for the facts from history (null without)."""
        rs = self.rules
        start = local_day(facts.get(rs.start_fact) if rs.start_fact else None, self.tz)
        products = self._products(facts)
        results = [self._onboarding(p, start, facts) for p in products]
        account = worst(results)
        overdue = account.days_overdue
        history = history_facts(past, self.today, account.status, account.phase)
        facts = {**facts, "status": account.status, "phase": account.phase,
                 "days_overdue": None if overdue is None else float(overdue), **history}
        health = self._health(facts)
        facts["health_score"] = health.score
        facts["health_band"] = health.band
        for days in self._windows:
            name = score_change_name(days)
            facts[name] = history[name] = score_change(past, self.today, health.score, days)
        tier = None
        for t in rs.tiers:
            if t.when is None or t.when(facts) is True:
                tier = t.name
                break
        facts["tier"] = tier
        alerts = [a.id for a in rs.alerts if (a.statuses is None or account.status in a.statuses)
                  and a.when is not None and a.when(facts) is True]
        ev = Evaluation(id=account_id, product=";".join(p for p in products if p) or None, status=account.status,
                        phase=account.phase, phase_name=account.phase_name, days_overdue=overdue, alerts=alerts,
                        health=health, tier=tier, writeback={}, evaluated_on=self.today.isoformat(),
                        phases=account.phases, problems=[r.problem for r in results if r.problem],
                        products=results, history=history if past or self._windows else {})
        ev.writeback = self.writeback(ev)
        return ev

    def _products(self, facts: Mapping[str, Any]) -> list[str | None]:
        """The account's products ([None] when it has none); without a product fact, the one product there is."""
        rs = self.rules
        if rs.product_fact is None:
            return list(rs.products) if len(rs.products) == 1 else [None]
        return list(split_products(facts.get(rs.product_fact))) or [None]

    def _onboarding(self, product: str | None, start: dt.date | None, facts: Mapping[str, Any]) -> ProductResult:
        """One product's onboarding (README "Semantics"): no_phases, not_started, completed or how overdue."""
        rs = self.rules
        phases = rs.products.get(product) if product is not None else None
        if not phases:
            return ProductResult(product, "no_phases", problem=f"no onboarding phases for product {product!r}"
                                 if product is not None else f"the product fact '{rs.product_fact}' is empty")
        target = self._targets.get(product or "")
        result = ProductResult(product, "not_started", target_date=None if start is None or target is None else
                               (start + dt.timedelta(days=target)).isoformat())
        if start is None or self.today < start:
            result.phases = [PhaseResult(p.id, p.name, p.due_day, None if start is None else
                                         (start + dt.timedelta(days=p.due_day)).isoformat(), False) for p in phases]
            return result
        current = None
        due = self._due_dates(start, phases)
        for p, due_date in zip(phases, due, strict=True):
            assert p.done is not None
            done = p.done(facts) is True
            result.phases.append(PhaseResult(p.id, p.name, p.due_day, due_date, done))
            if not done and current is None:
                current = p
        if current is None:
            result.status = "completed"
            return result
        result.phase, result.phase_name = current.id, current.name
        result.days_overdue = overdue = (self.today - (start + dt.timedelta(days=current.due_day))).days
        if overdue > rs.churn_risk_after_days:
            result.status = "churn_risk"
        elif overdue > rs.stalled_after_days:
            result.status = "stalled"
        else:
            result.status = "on_track"
        return result

    def _due_dates(self, start: dt.date, phases: list[Any]) -> list[str]:
        """Each phase's deadline as ISO text, worked out once per start day and product."""
        key = (start, id(phases))
        found = self._due.get(key)
        if found is None:
            found = [(start + dt.timedelta(days=p.due_day)).isoformat() for p in phases]
            if len(self._due) < _CACHE_SIZE:
                self._due[key] = found
        return found

    def _health(self, facts: Mapping[str, Any]) -> Health:
        rs = self.rules
        parts: list[ComponentResult] = []
        for c, fact_inputs, always in self._components:
            missing = [name for name in fact_inputs if facts.get(name) is None]
            # Left out only when it cannot be scored at all: a linear scale without its value, or every input a
            # null fact (a computed value always counts as present). Otherwise a null inside a condition is
            # false (unless ``??``), as everywhere else, and a ladder falls through to its later steps.
            unscorable = c.linear_fact is not None and facts.get(c.linear_fact) is None
            if unscorable or (not always and len(missing) == len(c.inputs)):
                parts.append(ComponentResult(c.id, c.name, c.weight, None, missing))
                continue
            score = 0.0
            if c.ladder is not None:
                for st in c.ladder:
                    if st.when is None or st.when(facts) is True:
                        score = st.score
                        break
            else:
                value = float(facts[c.linear_fact or ""])
                span = c.linear_to - c.linear_from
                score = min(1.0, max(0.0, (value - c.linear_from) / span))
            parts.append(ComponentResult(c.id, c.name, c.weight, score))
        present = [p for p in parts if p.score is not None]
        total = sum(p.weight for p in present)
        if not rs.components:
            return Health(None, rs.health_max, None, [], parts)
        if not present or total <= 0:
            return Health(None, rs.health_max, None, [p.id for p in parts], parts)
        # A missing component's weight is shared among the others in proportion (Catalyst's rule).
        score = round(rs.health_max * sum(p.weight * (p.score or 0.0) for p in present) / total, 1)
        band = next((b.name for b in rs.bands if score >= b.min), None)
        return Health(score, rs.health_max, band, [p.id for p in parts if p.score is None], parts)

    def writeback(self, ev: Evaluation) -> dict[str, Any]:
        """Each writeback field's value (rules.ruleset.WRITEBACK_SOURCES); a per-product field takes that
        product's value, null for an account without the product."""
        rs = self.rules
        by_product = {r.product: r for r in ev.products} if rs.writeback_products else {}
        out: dict[str, Any] = {}
        for fieldname, name in rs.writeback.items():
            product = rs.writeback_products.get(fieldname)
            of = ev if product is None else by_product.get(product)
            out[fieldname] = None if of is None else WRITEBACK_SOURCES[name].value(of, rs)
        return out
