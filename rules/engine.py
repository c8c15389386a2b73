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


def _health_plan(c: Any, types: Mapping[str, str]) -> _HealthPlan:
    ladder = [(None if st.when is None else st.when.holds, st.score) for st in c.ladder or []]
    reads = set(c.inputs) | {c.linear_fact} - {None} | {n for st in c.ladder or [] if st.when for n in st.when.symbols}
    remembered = all(types.get(n) != "datetime" for n in reads)  # an instant's hour differs between zones
    return _HealthPlan(c, [n for n in c.inputs if n not in COMPUTED], c.always_scored, ladder,
                       tuple(sorted(reads)) if remembered else None, {}, {})


def _component(plan: _HealthPlan, facts: Mapping[str, Any]) -> tuple[ComponentResult, int | None]:
    """The component's result, remembered per the values it reads, and a number naming that result among the
    component's (None: not remembered)."""
    if plan.reads is None:
        return _score_component(plan, facts), None
    key = tuple([facts.get(name) for name in plan.reads])
    try:
        found = plan.memo.get(key)
    except TypeError:  # a value that cannot be a key (a list handed in without Engine.facts)
        return _score_component(plan, facts), None
    if found is not None:
        return found
    part = _score_component(plan, facts)
    named = plan.results.get((part.score, tuple(part.missing)))
    if named is None:
        if len(plan.results) >= _CACHE_SIZE:
            return part, None
        named = plan.results[(part.score, tuple(part.missing))] = (part, len(plan.results))
    if len(plan.memo) < _CACHE_SIZE:
        plan.memo[key] = named
    return named


def _score_component(plan: _HealthPlan, facts: Mapping[str, Any]) -> ComponentResult:
    c = plan.component
    missing = [name for name in plan.fact_inputs if facts.get(name) is None]
    # Left out only when it cannot be scored at all: a linear scale without its value, or every input a
    # null fact (a computed value always counts as present). Otherwise a null inside a condition is
    # false (unless ``??``), as everywhere else, and a ladder falls through to its later steps.
    unscorable = c.linear_fact is not None and facts.get(c.linear_fact) is None
    if unscorable or (not plan.always and len(missing) == len(c.inputs)):
        return ComponentResult(c.id, c.name, c.weight, None, missing)
    score = 0.0
    if c.ladder is not None:
        for holds, step_score in plan.ladder:
            if holds is None or holds(facts):
                score = step_score
                break
    else:
        value = float(facts[c.linear_fact or ""])
        span = c.linear_to - c.linear_from
        score = min(1.0, max(0.0, (value - c.linear_from) / span))
    return ComponentResult(c.id, c.name, c.weight, score)


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


@dataclass(slots=True)
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
#: The facts from history of an account without history (read only: merged into the facts the rules read).
_NO_HISTORY: Mapping[str, Any] = {"days_in_status": None, "days_in_phase": None, "previous_status": None}
_INFINITE = (math.inf, -math.inf)
#: Distinct values remembered per run, per cache (dates and numbers written as text repeat across accounts).
_CACHE_SIZE = 50_000


_PhasePlan = tuple[list[PhaseResult], Any, dt.date | None]


def _phase_plan(phases: Sequence[Any], start: dt.date, dones: tuple[bool, ...]) -> _PhasePlan:
    """A product's phases with their due dates and whether each is done, its current phase (the first not done;
    None: completed) and that phase's due date: what its onboarding is on any day, but for the days overdue."""
    listed, current = [], None
    for p, done in zip(phases, dones, strict=True):
        listed.append(PhaseResult(p.id, p.name, p.due_day, (start + dt.timedelta(days=p.due_day)).isoformat(), done))
        if not done and current is None:
            current = p
    return listed, current, None if current is None else start + dt.timedelta(days=current.due_day)


class _HealthPlan(NamedTuple):
    """A health component as the engine scores it, with what its score depends on."""

    component: Any  # rules.ruleset.Component
    fact_inputs: list[str]  # its inputs that are facts (a computed value always counts as present)
    always: bool
    ladder: list[tuple[Callable[[Mapping[str, Any]], bool] | None, float]]
    reads: tuple[str, ...] | None  # every name its score depends on; None: not remembered (reads a datetime)
    memo: dict[tuple[Any, ...], tuple[ComponentResult, int | None]]
    results: dict[tuple[float | None, tuple[str, ...]], tuple[ComponentResult, int | None]]


class Engine:
    """A compiled rule set bound to one evaluation date.

    Results are remembered within a run where they depend on few values: a product's onboarding on its start day
    and which phases are done, a health component on the values it reads, the health on its components' results.
    Accounts with the same values share those result objects, so an evaluation's parts are never modified."""

    def __init__(self, rules: RuleSet) -> None:
        if rules.compiled_for is None:
            raise ValueError("compile the rules first (rules.ruleset.compile_rules)")
        self.rules = rules
        self.today: dt.date = rules.compiled_for
        self._today_text = self.today.isoformat()
        self.tz = rules.tz
        self._dated = [f.name for f in rules.facts.values() if f.type in ("date", "datetime")]
        self._derived = [(f.name, f.condition) for f in rules.facts.values() if f.condition is not None]
        self._texts: dict[str, dict[str, Any]] = {kind: {} for kind in _AS_KIND}
        self._readers = [(f.name, f.type, f.type == "number", self._texts[f.type])
                         for f in rules.facts.values() if f.condition is None]
        self._dated_keys = [(name, f"days_since_{name}") for name in self._dated]
        self._ordinal = self.today.toordinal()
        self._local_days: dict[Any, int | None] = {}  # a date value's local day (ordinal): the same on every day
        self._days: dict[Any, dt.date | None] = {}
        self._targets = {product: rules.target_days_for(product) for product in rules.products}
        self._done = {product: [p.done.holds for p in phases if p.done is not None]
                      for product, phases in rules.products.items()}
        self._onboarded: dict[tuple[Any, ...], ProductResult] = {}
        self._phase_plans: dict[tuple[Any, ...], _PhasePlan] = {}  # the same on every day (move_to keeps it)
        self._plans = [_health_plan(c, rules.symbol_types(2)) for c in rules.components]
        self._healths: dict[tuple[int, ...], Health] = {}
        self._tiers = [(t.name, None if t.when is None else t.when.holds) for t in rules.tiers]
        self._alerts = [(a.id, None if a.statuses is None else frozenset(a.statuses), a.when.holds)
                        for a in rules.alerts if a.when is not None]
        self._windows = rules.score_windows
        self._writers = [(fieldname, WRITEBACK_SOURCES[name].value, rules.writeback_products.get(fieldname))
                         for fieldname, name in rules.writeback.items()]

    def move_to(self, day: dt.date) -> None:
        """Evaluate as of ``day`` from now on with the same compiled conditions (right when none of them reads
        ``today`` or ``now``, which are fixed at compile time): ``csops rules replay`` walks the days this way.

        Only the onboarding results depend on the day (days overdue); the other caches are keyed by what they
        read (a date's local day, a component's input values, the components' results; a product's phase list per
        start day and phases done) and stay."""
        if day != self.today:
            self.today = day
            self._ordinal = day.toordinal()
            self._today_text = day.isoformat()
            self._onboarded.clear()

    def facts(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Typed facts (plus ``days_since_*`` and derived facts) from raw values keyed by fact name.

        Text values are read once per run: accounts share their dates and picklist values, so a value already
        read (or refused) is taken from a cache kept for this engine's run (:meth:`_read`)."""
        out: dict[str, Any] = {}
        for name, kind, number, texts in self._readers:
            value = raw.get(name)
            if value is None:
                out[name] = None
            elif number and (value.__class__ is float or value.__class__ is int) and value == value and \
                    value not in _INFINITE:
                out[name] = float(value)
            elif value.__class__ is str and (found := texts.get(value, _MISSING)) is not _MISSING and \
                    not isinstance(found, FactValueError):
                out[name] = found
            else:
                out[name] = self._read(name, kind, value)
        for name, condition in self._derived:
            assert condition is not None
            out[name] = condition(out)
        local_days = self._local_days
        for name, key in self._dated_keys:
            v = out[name]
            if v is None:
                out[key] = None
                continue
            ordinal: Any = local_days.get(v, _MISSING)
            if ordinal is _MISSING:
                day = local_day(v, self.tz)
                ordinal = None if day is None else day.toordinal()
                if len(local_days) < _CACHE_SIZE:
                    local_days[v] = ordinal
            out[key] = None if ordinal is None else float(self._ordinal - ordinal)
        return out

    def _read(self, name: str, kind: str, value: Any) -> Any:
        """``convert`` for one value, with text remembered per fact type (a refusal too, raised again)."""
        if type(value) is not str:
            if kind == "number" and type(value) in (int, float) and value == value and value not in _INFINITE:
                return float(value)
            return convert(name, kind, value, self.tz)
        texts = self._texts[kind]
        found = texts.get(value, _MISSING)
        if found is _MISSING:
            try:
                found = convert(name, kind, value, self.tz)
            except FactValueError as exc:
                found = exc
            if len(texts) < _CACHE_SIZE:
                texts[value] = found
        if isinstance(found, FactValueError):
            raise FactValueError(name, found.value, found.kind)
        return found

    def _day(self, value: Any) -> dt.date | None:
        """:func:`local_day`, remembered per value (the same instant falls on the same day)."""
        day = self._days.get(value, _MISSING) if value.__class__ is not str else _MISSING
        if day is _MISSING:
            day = local_day(value, self.tz)
            if len(self._days) < _CACHE_SIZE and value.__class__ is not str:
                self._days[value] = day
        return day  # type: ignore[return-value]

    def evaluate(self, account_id: str, facts: dict[str, Any], past: Sequence[PastPoint] = (),
                 writeback: bool = True) -> Evaluation:
        """Each product's onboarding; then health, tier and alerts from the worst product's status.

        ``past``: the account's points before today, oldest first, for the facts from history (null without).
        ``writeback=False``: the writeback fields are left empty (``rules replay`` writes nothing)."""
        rs = self.rules
        start = self._day(facts.get(rs.start_fact)) if rs.start_fact else None
        products = self._products(facts)
        results = [self._onboarding(p, start, facts) for p in products]
        account = worst(results)
        overdue = account.days_overdue
        keep_history = bool(past or self._windows)
        history = history_facts(past, self.today, account.status, account.phase) if keep_history else {}
        facts = {**facts, "status": account.status, "phase": account.phase,
                 "days_overdue": None if overdue is None else float(overdue),
                 **(history if keep_history else _NO_HISTORY)}
        health = self._health(facts)
        facts["health_score"] = health.score
        facts["health_band"] = health.band
        for days in self._windows:
            name = score_change_name(days)
            facts[name] = history[name] = score_change(past, self.today, health.score, days)
        tier = None
        for name, holds in self._tiers:
            if holds is None or holds(facts):
                tier = name
                break
        facts["tier"] = tier
        status = account.status
        alerts = [alert for alert, statuses, holds in self._alerts
                  if (statuses is None or status in statuses) and holds(facts)]
        ev = Evaluation(id=account_id, product=(products[0] if len(products) == 1 else
                                                ";".join(p for p in products if p)) or None, status=status,
                        phase=account.phase, phase_name=account.phase_name, days_overdue=overdue, alerts=alerts,
                        health=health, tier=tier, writeback={}, evaluated_on=self._today_text,
                        phases=account.phases, problems=[r.problem for r in results if r.problem],
                        products=results, history=history)
        if writeback:
            ev.writeback = self.writeback(ev)
        return ev

    def _products(self, facts: Mapping[str, Any]) -> list[str | None]:
        """The account's products ([None] when it has none); without a product fact, the one product there is."""
        rs = self.rules
        if rs.product_fact is None:
            return list(rs.products) if len(rs.products) == 1 else [None]
        return list(split_products(facts.get(rs.product_fact))) or [None]

    def _onboarding(self, product: str | None, start: dt.date | None, facts: Mapping[str, Any]) -> ProductResult:
        """One product's onboarding (README "Semantics"), remembered per start day and phases done: it depends
        on nothing else."""
        done = self._done.get(product) if product is not None else None
        key = (product, start, None if done is None or start is None or self.today < start else
               tuple([holds(facts) for holds in done]))
        found = self._onboarded.get(key)
        if found is None:
            found = self._product_result(product, start, key[2])
            if len(self._onboarded) < _CACHE_SIZE:
                self._onboarded[key] = found
        return found

    def _product_result(self, product: str | None, start: dt.date | None, dones: tuple[bool, ...] | None
                        ) -> ProductResult:
        rs = self.rules
        phases = rs.products.get(product) if product is not None else None
        if not phases:
            return ProductResult(product, "no_phases", problem=f"no onboarding phases for product {product!r}"
                                 if product is not None else f"the product fact '{rs.product_fact}' is empty")
        target = self._targets.get(product or "")
        result = ProductResult(product, "not_started", target_date=None if start is None or target is None else
                               (start + dt.timedelta(days=target)).isoformat())
        if start is None or dones is None:
            result.phases = [PhaseResult(p.id, p.name, p.due_day, None if start is None else
                                         (start + dt.timedelta(days=p.due_day)).isoformat(), False) for p in phases]
            return result
        key = (product, start, dones)
        plan = self._phase_plans.get(key)
        if plan is None:
            plan = _phase_plan(phases, start, dones)
            if len(self._phase_plans) < _CACHE_SIZE:
                self._phase_plans[key] = plan
        result.phases, current, due = plan
        if current is None or due is None:
            result.status = "completed"
            return result
        result.phase, result.phase_name = current.id, current.name
        result.days_overdue = overdue = (self.today - due).days
        if overdue > rs.churn_risk_after_days:
            result.status = "churn_risk"
        elif overdue > rs.stalled_after_days:
            result.status = "stalled"
        else:
            result.status = "on_track"
        return result

    def _health(self, facts: Mapping[str, Any]) -> Health:
        """The health score from each component's result; a component's result is remembered per the values it
        reads, and the health per the components' results."""
        parts: list[ComponentResult] = []
        tokens: list[int] | None = []
        for plan in self._plans:
            part, token = _component(plan, facts)
            parts.append(part)
            if token is None:
                tokens = None
            elif tokens is not None:
                tokens.append(token)
        if tokens is None:
            return self._total(parts)
        key = tuple(tokens)
        health = self._healths.get(key)
        if health is None:
            health = self._total(parts)
            if len(self._healths) < _CACHE_SIZE:
                self._healths[key] = health
        return health

    def _total(self, parts: list[ComponentResult]) -> Health:
        rs = self.rules
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
        for fieldname, value, product in self._writers:
            of = ev if product is None else by_product.get(product)
            out[fieldname] = None if of is None else value(of, rs)
        return out
