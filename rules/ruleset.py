"""The rule file: facts, onboarding phases per product, alerts, health, tiers, writeback.

Loading checks everything a CS Ops author can get wrong (unknown keys, names,
types, conditions) and reports each with ``file:line:col``, the rule at fault
and a suggestion, so mistakes surface at check time rather than at 3 a.m.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceError, SourceErrors
from base.suggest import suggest
from base.yamlsrc import Document, PathKey, dotted, load_file
from rules.expr import Condition, ExprError, Scope

FACT_TYPES = ("date", "datetime", "number", "bool", "string")
AGGREGATES = {"tickets_open": "number", "tickets_last_7d": "number", "tickets_last_30d": "number",
              "urgent_open": "number", "last_ticket_at": "datetime", "csat_bad_30d": "number"}
STATUSES = ("not_started", "on_track", "stalled", "churn_risk", "completed", "no_phases")
SEVERITIES = ("info", "warning", "critical")
WRITEBACK_SOURCES = ("status", "status_label", "phase", "phase_name", "days_overdue", "health_score",
                     "health_band", "tier", "alerts", "evaluated_on")
#: Writeback values that exist per product (``{value: status_label, product: 経費精算}``); the rest are the account's.
PER_PRODUCT_SOURCES = ("status", "status_label", "phase", "phase_name", "days_overdue")
# Names computed by the engine, with the stage from which conditions may use them.
COMPUTED = {"status": ("string", 2), "phase": ("string", 2), "days_overdue": ("number", 2),
            "health_score": ("number", 3), "health_band": ("string", 3), "tier": ("string", 4)}
STAGE_NAMES = {1: "facts and onboarding phases", 2: "health components", 3: "tiers", 4: "alerts"}
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class RuleError(SourceErrors):
    """One or more mistakes in rule files (exit 78)."""


@dataclass
class Fact:
    name: str
    type: str
    field: str | None = None
    aggregate: str | None = None
    expr: str | None = None
    label: str | None = None
    condition: Condition | None = None


@dataclass
class Phase:
    id: str
    name: str
    due_day: int
    done_text: str
    done: Condition | None = None


@dataclass
class Alert:
    id: str
    title: str
    severity: str
    when_text: str
    statuses: list[str] | None = None
    when: Condition | None = None


@dataclass
class Step:
    score: float
    when_text: str | None = None
    when: Condition | None = None


@dataclass
class Component:
    id: str
    name: str
    weight: float
    ladder: list[Step] | None = None
    linear_fact: str | None = None
    linear_from: float = 0.0
    linear_to: float = 1.0
    inputs: list[str] = field(default_factory=list)

    @property
    def always_scored(self) -> bool:
        """Reads no fact, or a value the engine computes (``status``, ``phase``, ``days_overdue``): such a
        component always has something to score, so it is never left out."""
        return self.linear_fact is None and (not self.inputs or any(name in COMPUTED for name in self.inputs))


@dataclass
class Band:
    name: str
    min: float


@dataclass
class Tier:
    name: str
    when_text: str | None = None
    when: Condition | None = None


@dataclass
class RuleSet:
    files: list[str] = field(default_factory=list)
    timezone: str = "UTC"
    facts: dict[str, Fact] = field(default_factory=dict)
    start_fact: str | None = None
    product_fact: str | None = None
    completed_fact: str | None = None
    target_days: dict[str, int] = field(default_factory=dict)
    stalled_after_days: int = 0
    churn_risk_after_days: int = 30
    status_labels: dict[str, str] = field(default_factory=dict)
    products: dict[str, list[Phase]] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    health_max: float = 100.0
    components: list[Component] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    tiers: list[Tier] = field(default_factory=list)
    writeback: dict[str, str] = field(default_factory=dict)
    writeback_products: dict[str, str] = field(default_factory=dict)  # field: the product it is written for
    compiled_for: dt.date | None = None
    docs: dict[str, Document] = field(default_factory=dict, repr=False)

    @property
    def tz(self) -> dt.tzinfo:
        return dt.UTC if self.timezone == "UTC" else zoneinfo.ZoneInfo(self.timezone)

    def target_days_for(self, product: str) -> int | None:
        """Days from the start within which a product's onboarding should complete: ``onboarding.target_days``,
        else its last phase's ``due_day``; None for a product without phases (対象外)."""
        phases = self.products.get(product)
        if not phases:
            return None
        return self.target_days.get(product, phases[-1].due_day)

    def salesforce_fields(self) -> list[str]:
        return [f.field for f in self.facts.values() if f.field]

    def symbol_types(self, stage: int) -> dict[str, str]:
        types: dict[str, str] = {}
        for f in self.facts.values():
            types[f.name] = f.type
            if f.type in ("date", "datetime"):
                types[f"days_since_{f.name}"] = "number"
        for name, (kind, since) in COMPUTED.items():
            if since <= stage:
                types[name] = kind
        return types

    def later_names(self, stage: int) -> dict[str, str]:
        return {name: f"it is computed after the {STAGE_NAMES[stage]}, so it can be used only in the "
                      f"{', '.join(STAGE_NAMES[s] for s in range(since, 5))}"
                for name, (_, since) in COMPUTED.items() if since > stage}


# -- loading ----------------------------------------------------------------

class Checker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[SourceError] = []

    def err(self, path: PathKey, message: str) -> None:
        self.problems.append(self.doc.error(path, message))

    def mapping(self, value: Any, path: PathKey, known: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.err(path, f"{dotted(path) or 'the file'}: expected a mapping, got {type(value).__name__}")
            return {}
        known = list(known)
        for key in value:
            if key not in known:
                self.err((*path, key), f"unknown key '{key}' in {dotted(path) or 'the rule file'}"
                                       f"{suggest(str(key), known)}")
        for key in required:
            if key not in value:
                self.err(path, f"{dotted(path)}: '{key}' is required")
        return value

    def text(self, value: Any, path: PathKey, what: str = "text") -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            self.err(path, f"{dotted(path)}: expected {what}")
            return None
        return str(value)

    def number(self, value: Any, path: PathKey, integer: bool = False) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            self.err(path, f"{dotted(path)}: expected {'a whole number' if integer else 'a number'}, got {value!r}")
            return None
        return float(value)

    def name(self, value: Any, path: PathKey, what: str) -> str | None:
        if not isinstance(value, str) or not _NAME.match(value):
            self.err(path, f"{dotted(path)}: {what} '{value}' must be lower-case letters, digits and _ "
                           "(it is used inside conditions)")
            return None
        return value


def load_rules(paths: Iterable[str | Path]) -> RuleSet:
    """Parse and validate rule files (merged: facts, alerts and writeback add up; the rest once)."""
    rs, problems = read_rules(paths)
    if problems:
        raise RuleError(problems + expression_problems(rs, problems))
    return rs


def read_rules(paths: Iterable[str | Path]) -> tuple[RuleSet, list[SourceError]]:
    """The rule set as far as it could be read, and the problems found in its structure (a file that is no YAML
    raises at once). For a caller that reads another section of the same files (notify) and reports its
    problems with these, in one run."""
    rs = RuleSet()
    problems: list[SourceError] = []
    docs = []
    for p in paths:
        try:
            docs.append(load_file(p))
        except SourceError as exc:
            problems.append(exc)
    if problems:
        raise RuleError(problems)
    for doc in docs:
        rs.files.append(doc.file)
        rs.docs[doc.file] = doc
        ck = Checker(doc)
        _parse_doc(rs, doc, ck)
        problems.extend(ck.problems)
    return rs, problems


def expression_problems(rs: RuleSet, known: list[SourceError]) -> list[SourceError]:
    """The conditions' own problems in a rule set that has structure problems, so one check shows all of them.

    What could be parsed is compiled; a rule set too broken to compile adds nothing (its structure problems
    already say why).
    """
    try:
        compile_rules(rs, dt.datetime.now(rs.tz).date())
    except RuleError as exc:
        seen = {str(p) for p in known}
        return [p for p in exc.problems if str(p) not in seen]
    except Exception:  # a half-built rule set: its structure problems stand on their own
        return []
    return []


# ``notify`` is read by the notify package (notify.config), which reports its problems with these.
_TOP = ("timezone", "facts", "onboarding", "alerts", "health", "tiers", "writeback", "notify")


def _parse_doc(rs: RuleSet, doc: Document, ck: Checker) -> None:
    data = ck.mapping(doc.data, (), _TOP)
    if "timezone" in data:
        tzname = ck.text(data["timezone"], ("timezone",))
        if tzname:
            try:
                zoneinfo.ZoneInfo(tzname) if tzname != "UTC" else None
                rs.timezone = tzname
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                ck.err(("timezone",), f"timezone: unknown time zone '{tzname}' (for example Asia/Tokyo or UTC)")
    for name, spec in (data.get("facts") or {}).items() if isinstance(data.get("facts"), dict) else []:
        path: PathKey = ("facts", name)
        if ck.name(name, path, "fact name") is None:
            continue
        if name in rs.facts:
            ck.err(path, f"fact '{name}' is defined twice")
            continue
        if name in COMPUTED or name.startswith("days_since_"):
            ck.err(path, f"fact '{name}' clashes with a name the engine computes")
            continue
        if isinstance(spec, str):
            spec = {"type": spec}
        spec = ck.mapping(spec, path, ("type", "field", "aggregate", "expr", "label"), ("type",))
        kind = spec.get("type")
        if kind not in FACT_TYPES:
            if "type" in spec:
                ck.err((*path, "type"), f"facts.{name}.type: '{kind}' is not a fact type"
                                        f"{suggest(str(kind), FACT_TYPES)}; use one of {', '.join(FACT_TYPES)}")
            continue
        sources = [k for k in ("field", "aggregate", "expr") if k in spec]
        if len(sources) > 1:
            ck.err(path, f"facts.{name}: give one of field, aggregate or expr, not {' and '.join(sources)}")
        agg = spec.get("aggregate")
        if agg is not None and agg not in AGGREGATES:
            ck.err((*path, "aggregate"), f"facts.{name}.aggregate: unknown ticket aggregate '{agg}'"
                                         f"{suggest(str(agg), AGGREGATES)}; one of {', '.join(AGGREGATES)}")
        field_name = spec.get("field")
        if field_name is not None and not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", str(field_name)):
            ck.err((*path, "field"), f"facts.{name}.field: '{field_name}' is not a Salesforce field name")
        rs.facts[name] = Fact(name, kind, field=str(field_name) if field_name else None, aggregate=agg,
                              expr=spec.get("expr"), label=spec.get("label"))
    if "facts" in data and not isinstance(data.get("facts"), dict):
        ck.err(("facts",), "facts: expected a mapping of fact names")

    if "onboarding" in data:
        if rs.start_fact is not None:
            ck.err(("onboarding",), "onboarding is defined in more than one rule file")
        ob = ck.mapping(data["onboarding"], ("onboarding",),
                        ("start", "product", "stalled_after_days", "churn_risk_after_days", "status_labels",
                         "products", "completed_on", "target_days"), ("start", "products"))
        rs.start_fact = ob.get("start")
        rs.product_fact = ob.get("product")
        rs.completed_fact = ob.get("completed_on")
        named = [str(p) for p in ob["products"]] if isinstance(ob.get("products"), dict) else []
        for product, days in ck.mapping(ob.get("target_days") or {}, ("onboarding", "target_days"), named).items():
            v = ck.number(days, ("onboarding", "target_days", product), integer=True)
            if v is not None:
                rs.target_days[str(product)] = int(v)
        for key in ("stalled_after_days", "churn_risk_after_days"):
            if key in ob:
                v = ck.number(ob[key], ("onboarding", key), integer=True)
                if v is not None:
                    setattr(rs, key, int(v))
        labels = ob.get("status_labels") or {}
        for status, label in ck.mapping(labels, ("onboarding", "status_labels"), STATUSES).items():
            rs.status_labels[status] = str(label)
        products = ob.get("products") or {}
        if not isinstance(products, dict) or not products:
            ck.err(("onboarding", "products"), "onboarding.products: expected products, each with its phases")
            products = {}
        for product, phases in products.items():
            ppath: PathKey = ("onboarding", "products", product)
            if not isinstance(phases, list) or not phases:
                ck.err(ppath, f"onboarding.products.{product}: expected a list of phases")
                continue
            out: list[Phase] = []
            seen: set[str] = set()
            last_due = -1
            for i, ph in enumerate(phases):
                php: PathKey = (*ppath, i)
                ph = ck.mapping(ph, php, ("id", "name", "due_day", "done"), ("id", "due_day", "done"))
                pid = ck.name(ph.get("id"), (*php, "id"), "phase id") if "id" in ph else None
                if pid and pid in seen:
                    ck.err((*php, "id"), f"phase id '{pid}' appears twice in product '{product}'")
                seen.add(pid or "")
                due = ck.number(ph.get("due_day"), (*php, "due_day"), integer=True) if "due_day" in ph else None
                if due is not None and due < last_due:
                    ck.err((*php, "due_day"), f"phase '{pid}': due_day {int(due)} is before the previous "
                                              f"phase's ({last_due}); phases are listed in order")
                if due is not None:
                    last_due = int(due)
                if pid and due is not None and "done" in ph:
                    out.append(Phase(pid, str(ph.get("name") or pid), int(due), str(ph["done"])))
            rs.products[str(product)] = out
        if rs.churn_risk_after_days < rs.stalled_after_days:
            ck.err(("onboarding", "churn_risk_after_days"),
                   "onboarding.churn_risk_after_days must not be less than stalled_after_days")

    for i, al in enumerate(data.get("alerts") or []):
        ap: PathKey = ("alerts", i)
        al = ck.mapping(al, ap, ("id", "title", "severity", "when", "statuses"), ("id", "title", "when"))
        aid = ck.name(al.get("id"), (*ap, "id"), "alert id") if "id" in al else None
        if aid and any(a.id == aid for a in rs.alerts):
            ck.err((*ap, "id"), f"alert id '{aid}' is defined twice")
        sev = al.get("severity", "warning")
        if sev not in SEVERITIES:
            ck.err((*ap, "severity"), f"alert '{aid}': severity '{sev}' is not one of {', '.join(SEVERITIES)}"
                                      f"{suggest(str(sev), SEVERITIES)}")
        statuses = al.get("statuses")
        if statuses is not None:
            if not isinstance(statuses, list):
                statuses = [statuses]
            for j, s in enumerate(statuses):
                if s not in STATUSES:
                    ck.err((*ap, "statuses", j), f"alert '{aid}': unknown status '{s}'{suggest(str(s), STATUSES)}; "
                                                 f"one of {', '.join(STATUSES)}")
        if aid and "when" in al:
            rs.alerts.append(Alert(aid, str(al.get("title", aid)), str(sev), str(al["when"]),
                                   [str(s) for s in statuses] if statuses is not None else None))
    if "alerts" in data and not isinstance(data.get("alerts"), list):
        ck.err(("alerts",), "alerts: expected a list of alerts")

    if "health" in data:
        if rs.components:
            ck.err(("health",), "health is defined in more than one rule file")
        _parse_health(rs, data["health"], ck)

    if "tiers" in data:
        tiers = data["tiers"]
        if not isinstance(tiers, list):
            ck.err(("tiers",), "tiers: expected a list of {name, when}")
            tiers = []
        for i, t in enumerate(tiers):
            t = ck.mapping(t, ("tiers", i), ("name", "when"), ("name",))
            if "name" in t:
                rs.tiers.append(Tier(str(t["name"]), str(t["when"]) if "when" in t else None))

    wb = data.get("writeback")
    if wb is not None:
        for fname, source in ck.mapping(wb, ("writeback",), list(wb) if isinstance(wb, dict) else []).items():
            if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", str(fname)):
                ck.err(("writeback", fname), f"writeback: '{fname}' is not a Salesforce field name")
            if isinstance(source, dict):
                source = _per_product_writeback(rs, str(fname), source, ck)
                if source is None:
                    continue
            if source not in WRITEBACK_SOURCES:
                ck.err(("writeback", fname), f"writeback.{fname}: unknown value '{source}'"
                                             f"{suggest(str(source), WRITEBACK_SOURCES)}; one of "
                                             f"{', '.join(WRITEBACK_SOURCES)}")
            elif fname in rs.writeback:
                ck.err(("writeback", fname), f"writeback.{fname} is set twice")
            else:
                rs.writeback[str(fname)] = str(source)


def _per_product_writeback(rs: RuleSet, fname: str, spec: dict[str, Any], ck: Checker) -> str | None:
    """``Field: {value: status_label, product: 経費精算}``: that product's value (its product is checked when
    compiled, once every file's products are known); the value, or None after reporting a mistake."""
    path: PathKey = ("writeback", fname)
    spec = ck.mapping(spec, path, ("value", "product"), ("value", "product"))
    source, product = spec.get("value"), spec.get("product")
    if source is None or product is None:
        return None
    if source not in PER_PRODUCT_SOURCES:
        ck.err((*path, "value"), f"writeback.{fname}.value: '{source}' is not a value per product"
                                 f"{suggest(str(source), PER_PRODUCT_SOURCES)}; one of "
                                 f"{', '.join(PER_PRODUCT_SOURCES)} (the others are the account's)")
        return None
    rs.writeback_products[fname] = str(product)
    return str(source)


def _parse_health(rs: RuleSet, value: Any, ck: Checker) -> None:
    h = ck.mapping(value, ("health",), ("max", "components", "bands"), ("components",))
    if "max" in h:
        m = ck.number(h["max"], ("health", "max"))
        if m is not None and m > 0:
            rs.health_max = m
        elif m is not None:
            ck.err(("health", "max"), "health.max must be greater than 0")
    comps = h.get("components") or []
    if not isinstance(comps, list):
        ck.err(("health", "components"), "health.components: expected a list")
        comps = []
    for i, c in enumerate(comps):
        cp: PathKey = ("health", "components", i)
        c = ck.mapping(c, cp, ("id", "name", "weight", "ladder", "linear", "inputs"), ("id", "weight"))
        cid = ck.name(c.get("id"), (*cp, "id"), "component id") if "id" in c else None
        weight = ck.number(c.get("weight"), (*cp, "weight")) if "weight" in c else None
        if weight is not None and weight <= 0:
            ck.err((*cp, "weight"), f"component '{cid}': weight must be greater than 0")
        if ("ladder" in c) == ("linear" in c):
            ck.err(cp, f"component '{cid}': give exactly one of 'ladder' or 'linear'")
            continue
        comp = Component(cid or "?", str(c.get("name") or cid), weight or 1.0)
        if "ladder" in c:
            steps = c["ladder"]
            if not isinstance(steps, list) or not steps:
                ck.err((*cp, "ladder"), f"component '{cid}': ladder needs a list of {{when, score}} steps")
                continue
            comp.ladder = []
            for j, st in enumerate(steps):
                sp: PathKey = (*cp, "ladder", j)
                st = ck.mapping(st, sp, ("when", "score"), ("score",))
                score = ck.number(st.get("score"), (*sp, "score")) if "score" in st else None
                if score is not None and not 0 <= score <= 1:
                    ck.err((*sp, "score"), f"component '{cid}': score {score:g} must be between 0 and 1")
                if "when" not in st and j != len(steps) - 1:
                    ck.err(sp, f"component '{cid}': only the last step may omit 'when' (it is the otherwise case)")
                comp.ladder.append(Step(score or 0.0, str(st["when"]) if "when" in st else None))
        else:
            lp: PathKey = (*cp, "linear")
            lin = ck.mapping(c["linear"], lp, ("fact", "from", "to"), ("fact", "from", "to"))
            comp.linear_fact = lin.get("fact")
            lo = ck.number(lin.get("from"), (*lp, "from")) if "from" in lin else None
            hi = ck.number(lin.get("to"), (*lp, "to")) if "to" in lin else None
            if lo is not None and hi is not None and lo == hi:
                ck.err(lp, f"component '{cid}': linear 'from' and 'to' must differ")
            comp.linear_from, comp.linear_to = lo or 0.0, hi if hi is not None else 1.0
        if "inputs" in c:
            comp.inputs = [str(x) for x in (c["inputs"] if isinstance(c["inputs"], list) else [c["inputs"]])]
        rs.components.append(comp)
    bands = h.get("bands") or []
    for i, b in enumerate(bands if isinstance(bands, list) else []):
        b = ck.mapping(b, ("health", "bands", i), ("name", "min"), ("name",))
        mn = ck.number(b.get("min", 0), ("health", "bands", i, "min")) if "min" in b else 0.0
        if "name" in b:
            rs.bands.append(Band(str(b["name"]), mn or 0.0))
    rs.bands.sort(key=lambda b: b.min, reverse=True)


def compile_rules(rs: RuleSet, today: dt.date) -> RuleSet:
    """Compile every condition for ``today``; all problems are reported together with file:line:col."""
    problems: list[SourceError] = []
    docs = rs.docs
    tz = rs.tz
    scopes = {stage: Scope(rs.symbol_types(stage), today, tz) for stage in (1, 2, 3, 4)}

    def locate(path: PathKey) -> tuple[str | None, int | None, int | None]:
        for f, d in docs.items():
            if path in d.positions:
                line, col = d.positions[path]
                return f, line, col
        for f, d in docs.items():
            near_line, near_col = d.pos(path)
            if near_line is not None:
                return f, near_line, near_col
        return (rs.files[0] if rs.files else None), None, None

    def comp(text: str, stage: int, path: PathKey, what: str, want: str | None = "bool") -> Condition | None:
        try:
            return scopes[stage].compile(text, want, rs.later_names(stage))
        except ExprError as exc:
            f, line, col = locate(path)
            where = f" (column {exc.col} of the expression)" if exc.col else ""
            problems.append(SourceError(f"{what}: {exc.message}{where}", f, line, col))
            return None

    # Facts given by an expression see the facts listed before them.
    for fact in rs.facts.values():
        if fact.expr:
            fact.condition = comp(fact.expr, 1, ("facts", fact.name, "expr"), f"fact '{fact.name}'", fact.type)
    for name, path in ((rs.start_fact, ("onboarding", "start")), (rs.product_fact, ("onboarding", "product")),
                       (rs.completed_fact, ("onboarding", "completed_on"))):
        if name is not None and name not in rs.facts:
            f, line, col = locate(path)
            problems.append(SourceError(f"onboarding: unknown fact '{name}'{suggest(str(name), rs.facts)}",
                                        f, line, col))
    if rs.start_fact in rs.facts and rs.facts[rs.start_fact].type not in ("date", "datetime"):
        f, line, col = locate(("onboarding", "start"))
        problems.append(SourceError(f"onboarding.start: fact '{rs.start_fact}' is a {rs.facts[rs.start_fact].type}; "
                                    "the start must be a date", f, line, col))
    if rs.completed_fact in rs.facts and rs.facts[rs.completed_fact].type not in ("date", "datetime"):
        f, line, col = locate(("onboarding", "completed_on"))
        problems.append(SourceError(f"onboarding.completed_on: fact '{rs.completed_fact}' is a "
                                    f"{rs.facts[rs.completed_fact].type}; the completion must be a date", f, line, col))
    for product, phases in rs.products.items():
        for i, ph in enumerate(phases):
            ph.done = comp(ph.done_text, 1, ("onboarding", "products", product, i, "done"),
                           f"phase '{ph.id}' of product '{product}'")
    for ci, c in enumerate(rs.components):
        if c.ladder is not None:
            syms: set[str] = set()
            for j, st in enumerate(c.ladder):
                if st.when_text is not None:
                    st.when = comp(st.when_text, 2, ("health", "components", ci, "ladder", j, "when"),
                                   f"health component '{c.id}'")
                    if st.when:
                        syms |= st.when.symbols
            if not c.inputs:
                c.inputs = sorted(syms)
        elif c.linear_fact is not None:
            types = rs.symbol_types(2)
            if c.linear_fact in COMPUTED:
                f, line, col = locate(("health", "components", ci, "linear", "fact"))
                problems.append(SourceError(f"health component '{c.id}': a linear scale reads a fact, and "
                                            f"'{c.linear_fact}' is computed by the engine (null when no phase is "
                                            f"current): use a ladder, e.g. {{when: \"{c.linear_fact} > 30\", "
                                            "score: 0}", f, line, col))
            elif c.linear_fact not in types:
                f, line, col = locate(("health", "components", ci, "linear", "fact"))
                problems.append(SourceError(f"health component '{c.id}': unknown fact '{c.linear_fact}'"
                                            f"{suggest(c.linear_fact, types)}", f, line, col))
            elif types[c.linear_fact] != "number":
                f, line, col = locate(("health", "components", ci, "linear", "fact"))
                problems.append(SourceError(f"health component '{c.id}': linear needs a number fact; "
                                            f"'{c.linear_fact}' is a {types[c.linear_fact]}", f, line, col))
            c.inputs = c.inputs or [c.linear_fact]
        for k, name in enumerate(c.inputs):
            if name not in rs.symbol_types(2):
                f, line, col = locate(("health", "components", ci, "inputs", k))
                problems.append(SourceError(f"health component '{c.id}': unknown input '{name}'"
                                            f"{suggest(name, rs.symbol_types(2))}", f, line, col))
    for fname, product in rs.writeback_products.items():
        if product not in rs.products:
            f, line, col = locate(("writeback", fname, "product"))
            problems.append(SourceError(f"writeback.{fname}.product: unknown product '{product}'"
                                        f"{suggest(product, rs.products)}", f, line, col))
    for i, t in enumerate(rs.tiers):
        if t.when_text is not None:
            t.when = comp(t.when_text, 3, ("tiers", i, "when"), f"tier '{t.name}'")
    for i, a in enumerate(rs.alerts):
        a.when = comp(a.when_text, 4, ("alerts", i, "when"), f"alert '{a.id}'")
    if problems:
        raise RuleError(problems)
    rs.compiled_for = today
    return rs


def load_and_compile(paths: Iterable[str | Path], today: dt.date) -> RuleSet:
    paths = list(paths)
    rs = load_rules(paths)
    return compile_rules(rs, today)
