"""The rule file: facts, onboarding phases per product, alerts, health, tiers, writeback.

Loading checks everything a CS Ops author can get wrong (unknown keys, names,
types, conditions) and reports each with ``file:line:col``, the rule at fault
and a suggestion, so mistakes surface at check time rather than at 3 a.m.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from base.errors import SourceError, SourceErrors
from base.redact import url_secrets
from base.schema import (
    FAILED,
    At,
    Choice,
    Flag,
    Invalid,
    ListOf,
    Nested,
    Number,
    Option,
    Pattern,
    Reader,
    Section,
    Text,
    keys,
)
from base.suggest import suggest
from base.yamlsrc import Document, PathKey, load_file
from rules.expr import Condition, ExprError, Scope
from store.tickets import TICKET_AGGREGATES

if TYPE_CHECKING:
    from rules.engine import Evaluation, ProductResult

FACT_TYPES = ("date", "datetime", "number", "bool", "string")
#: The ticket aggregates a fact may name, and their types: the store computes them (store.tickets).
AGGREGATES = {a.name: a.type for a in TICKET_AGGREGATES}
STATUSES = ("not_started", "on_track", "stalled", "churn_risk", "completed", "no_phases")
SEVERITIES = ("info", "warning", "critical")
LANGUAGES = ("ja", "en")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
# Names computed by the engine, with the stage from which conditions may use them.
COMPUTED = {"status": ("string", 2), "phase": ("string", 2), "days_overdue": ("number", 2),
            "days_in_status": ("number", 2), "days_in_phase": ("number", 2), "previous_status": ("string", 2),
            "health_score": ("number", 3), "health_band": ("string", 3), "tier": ("string", 4)}
#: Names the engine computes from the account's history (README "Facts from history"): null without history.
HISTORY_NAMES = ("days_in_status", "days_in_phase", "previous_status")
#: The family ``health_score_change_<N>d``: the score now minus the score N days before (1 ≤ N ≤ 730), from the
#: tiers on (like health_score). A rule file uses the windows it names.
SCORE_CHANGE = re.compile(r"\bhealth_score_change_(\d{1,3})d\b")
MAX_WINDOW = 730


def score_change_name(days: int) -> str:
    return f"health_score_change_{days}d"
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
    source: str | None = None  # a SQL source's name (README "Facts from your database")
    column: str | None = None  # its column holding this fact (default: the fact's name)

    @property
    def source_column(self) -> str:
        return self.column or self.name


#: The incremental query's parameter: the last successful pull of the source, less its look-back.
SINCE = re.compile(r"(?<![:\w]):since\b")
ON_FAILURE = ("stop", "last_known")


@dataclass
class Source:
    """A SQL fact source: a query csops runs read-only against the team's database or warehouse on each sync.

    ``url`` is kept as written: its ``${VAR}`` parts are read from the environment only when connecting, so a
    rule file (committed with the team's rules) never holds a credential."""

    name: str
    url: str
    query: str
    key: str
    match: str | None = None  # a fact whose value the key column holds; None: the Salesforce Account Id
    timeout_seconds: float = 60.0
    lookback_seconds: int = 3600
    on_failure: str = "stop"

    @property
    def incremental(self) -> bool:
        return bool(SINCE.search(self.query))


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
    action: str | None = None  # what to do next, for the people the alert reaches


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
    colour: str | None = None  # "#rrggbb": the report's colour for it (default: red for the worst to green)


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
    #: writeback.clear_when_out_of_scope: empty the fields csops last wrote on an account that left the accounts
    #: the sync evaluates, where Salesforce still holds csops's value (sync.scope)
    clear_when_out_of_scope: bool | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    compiled_for: dt.date | None = None
    docs: dict[str, Document] = field(default_factory=dict, repr=False)
    language: str | None = None  # ja or en: the words of messages to people (notify)

    @property
    def message_language(self) -> str:
        """``language``, else ja when the status labels or alert titles are written in Japanese, else en."""
        if self.language:
            return self.language
        texts = [*self.status_labels.values(), *(a.title for a in self.alerts)]
        return "ja" if any(_JAPANESE.search(t) for t in texts) else "en"

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

    def error_at(self, path: PathKey, message: str) -> SourceError:
        """A problem located at ``path`` in whichever rule file holds it (or its nearest located part)."""
        for f, d in self.docs.items():
            if path in d.positions:
                return SourceError(message, f, *d.positions[path])
        for f, d in self.docs.items():
            near_line, near_col = d.pos(path)
            if near_line is not None:
                return SourceError(message, f, near_line, near_col)
        return SourceError(message, self.files[0] if self.files else None)

    def source_facts(self, source: str) -> list[Fact]:
        """The facts read from one SQL source."""
        return [f for f in self.facts.values() if f.source == source]

    def symbol_types(self, stage: int) -> dict[str, str]:
        types: dict[str, str] = {}
        for f in self.facts.values():
            types[f.name] = f.type
            if f.type in ("date", "datetime"):
                types[f"days_since_{f.name}"] = "number"
        for name, (kind, since) in COMPUTED.items():
            if since <= stage:
                types[name] = kind
        if stage >= 3:
            types.update({score_change_name(n): "number" for n in self.score_windows})
        return types

    @property
    def score_windows(self) -> list[int]:
        """The N of every ``health_score_change_<N>d`` the tiers and alerts name (in range), smallest first."""
        texts = [t.when_text for t in self.tiers] + [a.when_text for a in self.alerts]
        return sorted({int(m.group(1)) for text in texts if text for m in SCORE_CHANGE.finditer(text)
                       if 1 <= int(m.group(1)) <= MAX_WINDOW})

    @property
    def uses_history(self) -> bool:
        """Whether any condition may read a fact from history (then the sync hands the engine the account's past)."""
        texts = [t.when_text for t in self.tiers] + [a.when_text for a in self.alerts]
        texts += [st.when_text for c in self.components for st in (c.ladder or [])]
        texts += [ph.done_text for phases in self.products.values() for ph in phases]
        return bool(self.score_windows) or any(
            text and re.search(rf"\b({'|'.join(HISTORY_NAMES)})\b", text) for text in texts)

    def later_names(self, stage: int) -> dict[str, str]:
        return {name: f"it is computed after the {STAGE_NAMES[stage]}, so it can be used only in the "
                      f"{', '.join(STAGE_NAMES[s] for s in range(since, 5))}"
                for name, (_, since) in COMPUTED.items() if since > stage}


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
        reader = Reader(doc)
        _parse_doc(rs, doc, reader)
        problems.extend(reader.problems)
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


# -- reading: one function per section of a rule file, on base.schema's options ----------------------------

_SF_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _name(what: str, required: bool = False) -> Pattern:
    """A name conditions use (a fact, a phase, an alert…)."""
    return Pattern(regex=_NAME, required=required,
                   message="{path}: " + what + " '{value}' must be lower-case letters, digits and _ (it is used "
                           "inside conditions)")


@dataclass
class TimeZone(Text):
    """An IANA time zone name (or UTC)."""

    def validate(self, value: Any, at: At) -> Any:
        name = super().validate(value, at)
        try:
            if name != "UTC":
                zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"timezone: unknown time zone '{name}' (for example Asia/Tokyo or UTC)") from None
        return name


def _language(rs: RuleSet, value: Any, at: At) -> None:
    if (language := at.check(Choice(choices=LANGUAGES, message="language: '{value}' is not one of {choices}"
                                                              "{suggestion}"), value)) is not FAILED:
        if rs.language is not None and rs.language != language:
            at.err(f"language: '{language}' here, '{rs.language}' in another rule file")
        rs.language = str(language)


def _timezone(rs: RuleSet, value: Any, at: At) -> None:
    if (tzname := at.check(TimeZone(), value)) is not FAILED:
        rs.timezone = tzname


_FACT_NAME = _name("fact name")
_FACT = Section({
    "type": Choice(choices=FACT_TYPES, required=True,
                   message="{path}: '{value}' is not a fact type{suggestion}; use one of {choices}"),
    "field": Pattern(regex=_SF_FIELD, message="{path}: '{value}' is not a Salesforce field name"),
    "aggregate": Choice(choices=AGGREGATES, message="{path}: unknown ticket aggregate '{value}'{suggestion}; one of "
                                                    "{choices}"),
    "source": _name("source name"), "column": Text(what="a column name"),
    **keys("expr", "label")})


def _facts(rs: RuleSet, value: Any, at: At) -> None:
    if not isinstance(value, dict):
        at.err("facts: expected a mapping of fact names")
        return
    for name, spec in value.items():
        _fact(rs, name, spec, at / name)


def _fact(rs: RuleSet, name: Any, spec: Any, at: At) -> None:
    if at.check(_FACT_NAME, name) is FAILED:
        return
    if name in rs.facts:
        at.err(f"fact '{name}' is defined twice")
        return
    if name in COMPUTED or name.startswith("days_since_"):
        at.err(f"fact '{name}' clashes with a name the engine computes")
        return
    fact = _FACT.read({"type": spec} if isinstance(spec, str) else spec, at)
    sources = [k for k in ("field", "aggregate", "expr", "source") if k in (spec if isinstance(spec, dict) else {})]
    if len(sources) > 1:
        at.err(f"facts.{name}: give one of field, aggregate, expr or source, not {' and '.join(sources)}")
    if "column" in fact and "source" not in fact:
        at.err(f"facts.{name}: column names a column of a SQL source; give source: too")
    if "type" in fact:
        rs.facts[name] = Fact(name, fact["type"], field=fact.get("field"), aggregate=fact.get("aggregate"),
                              expr=fact.get("expr"), label=fact.get("label"), source=fact.get("source"),
                              column=fact.get("column"))


_SOURCE = Section({
    "url": Text(required=True, what="a database URL (SQLAlchemy's: postgresql://, duckdb:///, sqlite:///…)"),
    "query": Text(required=True, what="the SQL query"),
    "key": Text(required=True, what="the column holding each row's account key"),
    "match": _name("fact name"),
    "timeout_seconds": Number(above=0, range_message="{path}: must be above 0"),
    "lookback_seconds": Number(integer=True, minimum=0, range_message="{path}: must be 0 or more"),
    "on_failure": Choice(choices=ON_FAILURE)})
_ENV_ONLY = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def _sources(rs: RuleSet, value: Any, at: At) -> None:
    if not isinstance(value, dict):
        at.err("sources: expected a mapping of source names")
        return
    for name, spec in value.items():
        here = at / name
        if here.check(_name("source name"), name) is FAILED:
            continue
        if name in rs.sources:
            here.err(f"source '{name}' is defined twice")
            continue
        got = _SOURCE.read(spec, here)
        if not {"url", "query", "key"} <= got.keys():
            continue
        if _literal_password(got["url"]):
            (here / "url").err(f"sources.{name}.url: a password is written in the rule file; give it from the "
                               "environment as ${VAR} (for example postgresql://reader:${USAGE_DB_PASSWORD}@host/db, "
                               "or the whole URL as ${USAGE_DB_URL})")
            continue
        rs.sources[name] = Source(name, got["url"], got["query"].strip().rstrip(";").strip(), got["key"],
                                  got.get("match"), float(got.get("timeout_seconds", 60)),
                                  int(got.get("lookback_seconds", 3600)), got.get("on_failure", "stop"))


def _literal_password(url: str) -> bool:
    """A password in the URL that is not all ``${VAR}``: a credential committed with the rules."""
    return any(not _ENV_ONLY.fullmatch(secret) for secret in url_secrets(url))


_ONBOARDING = Section({
    **keys("start", "products", required=("start", "products")), **keys("product", "completed_on", "target_days"),
    "stalled_after_days": Number(integer=True), "churn_risk_after_days": Number(integer=True),
    "status_labels": Nested(section=Section(keys(*STATUSES)))})


def _onboarding(rs: RuleSet, value: Any, at: At) -> None:
    if rs.start_fact is not None:
        at.err("onboarding is defined in more than one rule file")
    ob = _ONBOARDING.read(value, at)
    rs.start_fact, rs.product_fact, rs.completed_fact = ob.get("start"), ob.get("product"), ob.get("completed_on")
    products = ob.get("products")
    named = Section({str(p): Number(integer=True) for p in products} if isinstance(products, dict) else {})
    rs.target_days.update({str(p): days for p, days in named.read(ob.get("target_days") or {},
                                                                   at / "target_days").items()})
    for key in ("stalled_after_days", "churn_risk_after_days"):
        if key in ob:
            setattr(rs, key, ob[key])
    rs.status_labels.update({status: str(label) for status, label in (ob.get("status_labels") or {}).items()})
    _products(rs, products, at / "products")
    if rs.churn_risk_after_days < rs.stalled_after_days:
        (at / "churn_risk_after_days").err("onboarding.churn_risk_after_days must not be less than "
                                           "stalled_after_days")


def _products(rs: RuleSet, products: Any, at: At) -> None:
    if not isinstance(products, dict) or not products:
        at.err("onboarding.products: expected products, each with its phases")
        return
    for product, phases in products.items():
        if not isinstance(phases, list) or not phases:
            (at / product).err(f"onboarding.products.{product}: expected a list of phases")
            continue
        rs.products[str(product)] = _phases(str(product), phases, at / product)


_PHASE = Section({"id": _name("phase id", required=True), "due_day": Number(integer=True, required=True),
                  **keys("done", required=("done",)), **keys("name")})


def _phases(product: str, phases: list[Any], at: At) -> list[Phase]:
    out: list[Phase] = []
    seen: set[str] = set()
    last_due = -1
    for i, raw in enumerate(phases):
        phase = _PHASE.read(raw, at / i)
        pid, due = phase.get("id"), phase.get("due_day")
        if pid and pid in seen:
            (at / i / "id").err(f"phase id '{pid}' appears twice in product '{product}'")
        seen.add(pid or "")
        if due is not None and due < last_due:
            (at / i / "due_day").err(f"phase '{pid}': due_day {due} is before the previous phase's ({last_due}); "
                                     "phases are listed in order")
        last_due = last_due if due is None else due
        if pid and due is not None and "done" in phase:
            out.append(Phase(pid, str(phase.get("name") or pid), due, str(phase["done"])))
    return out


_ALERT = Section({
    "id": _name("alert id", required=True), **keys("title", "when", "action", required=("title", "when")),
    "severity": Choice(choices=SEVERITIES, default="warning",
                       message="{label}: severity '{value}' is not one of {choices}{suggestion}"),
    "statuses": ListOf(item=Choice(choices=STATUSES,
                                   message="{label}: unknown status '{value}'{suggestion}; one of {choices}"))},
    label=lambda raw: f"alert '{raw.get('id')}'")


def _alerts(rs: RuleSet, value: Any, at: At) -> None:
    if not isinstance(value, list):
        at.err("alerts: expected a list of alerts")
        return
    for i, raw in enumerate(value):
        alert = _ALERT.read(raw, at / i)
        aid = alert.get("id")
        if aid and any(a.id == aid for a in rs.alerts):
            (at / i / "id").err(f"alert id '{aid}' is defined twice")
        if aid and "when" in alert:
            statuses = alert.get("statuses")
            action = alert.get("action")
            rs.alerts.append(Alert(aid, str(alert.get("title", aid)), str(alert.get("severity", "warning")),
                                   str(alert["when"]), [str(s) for s in statuses] if statuses is not None else None,
                                   action=None if action is None else str(action)))


_BAND = Section({"name": Option(required=True), "min": Number(default=0.0),
                 "colour": Pattern(regex=re.compile(r"#[0-9a-fA-F]{6}"),
                                   message='{path}: \'{value}\' is not a colour: write it as "#2ca02c"')})
_HEALTH = Section({
    "max": Number(above=0, range_message="health.max must be greater than 0"),
    "components": ListOf(single=False, required=True), "bands": ListOf(single=False, item=Nested(section=_BAND))})
_COMPONENT = Section({
    "id": _name("component id", required=True), **keys("name", "ladder", "linear"),
    "weight": Number(above=0, required=True, range_message="{label}: weight must be greater than 0"),
    "inputs": ListOf()}, label=lambda raw: f"component '{raw.get('id')}'")


def _health(rs: RuleSet, value: Any, at: At) -> None:
    if rs.components:
        at.err("health is defined in more than one rule file")
    health = _HEALTH.read(value, at)
    rs.health_max = health.get("max", rs.health_max)
    for i, raw in enumerate(health.get("components") or []):
        component = _component(raw, at / "components" / i)
        if component is not None:
            rs.components.append(component)
    rs.bands += [Band(str(b["name"]), b["min"], b.get("colour")) for b in health.get("bands") or [] if "name" in b]
    rs.bands.sort(key=lambda b: b.min, reverse=True)


def _component(raw: Any, at: At) -> Component | None:
    c = _COMPONENT.read(raw, at)
    label = f"component '{c.get('id')}'"
    if ("ladder" in c) == ("linear" in c):
        at.err(f"{label}: give exactly one of 'ladder' or 'linear'")
        return None
    component = Component(c.get("id") or "?", str(c.get("name") or c.get("id")), c.get("weight") or 1.0)
    if "ladder" in c:
        component.ladder = _ladder(c["ladder"], (at / "ladder").labelled(label))
        if component.ladder is None:
            return None
    else:
        _linear(component, c["linear"], (at / "linear").labelled(label))
    component.inputs = [str(x) for x in c.get("inputs") or []]
    return component


_STEP = Section({"when": Option(), "score": Number(required=True, minimum=0, maximum=1,
                                                   range_message="{label}: score {value:g} must be between 0 and 1")})


def _ladder(steps: Any, at: At) -> list[Step] | None:
    if not isinstance(steps, list) or not steps:
        at.err(f"{at.label}: ladder needs a list of {{when, score}} steps")
        return None
    ladder = []
    for j, raw in enumerate(steps):
        step = _STEP.read(raw, at / j)
        if "when" not in step and j != len(steps) - 1:
            (at / j).err(f"{at.label}: only the last step may omit 'when' (it is the otherwise case)")
        ladder.append(Step(step.get("score") or 0.0, str(step["when"]) if "when" in step else None))
    return ladder


_LINEAR = Section({"fact": Option(required=True), "from": Number(required=True), "to": Number(required=True)})


def _linear(component: Component, value: Any, at: At) -> None:
    linear = _LINEAR.read(value, at)
    component.linear_fact = linear.get("fact")
    lo, hi = linear.get("from"), linear.get("to")
    if lo is not None and hi is not None and lo == hi:
        at.err(f"{at.label}: linear 'from' and 'to' must differ")
    component.linear_from, component.linear_to = lo or 0.0, hi if hi is not None else 1.0


_TIERS = ListOf(single=False, message="tiers: expected a list of {{name, when}}",
                item=Nested(section=Section({"name": Option(required=True), "when": Option()})))


def _tiers(rs: RuleSet, value: Any, at: At) -> None:
    tiers = at.check(_TIERS, value)
    rs.tiers += [Tier(str(t["name"]), str(t["when"]) if "when" in t else None)
                 for t in (tiers if tiers is not FAILED else []) if "name" in t]


@dataclass(frozen=True)
class WritebackSource:
    """A value the engine computes that a ``writeback`` field may take: what kind of Salesforce field holds it,
    how it is read from an evaluation, and every value it can take under a rule set (None: any number or date)."""

    kind: str  # text, number, date, or multi (ids joined with ';', for a multi-select picklist)
    value: Callable[[Any, RuleSet], Any]  # (an Evaluation, or a ProductResult if per_product) → the value
    values: Callable[[RuleSet], list[str]] | None = None
    per_product: bool = False  # also one product's value: ``{value: status_label, product: 経費精算}``


def _days_overdue(r: Evaluation | ProductResult, rs: RuleSet) -> float | None:
    return None if r.days_overdue is None else float(r.days_overdue)


def _phase_ids(rs: RuleSet) -> list[str]:
    return sorted({p.id for phases in rs.products.values() for p in phases})


def _phase_names(rs: RuleSet) -> list[str]:
    return sorted({p.name for phases in rs.products.values() for p in phases})


#: The writeback sources, written once: the rule file's parser takes their names (per product or not), the engine
#: computes each field's value with ``value`` (rules.engine.Engine.writeback), and doctor and sync check the
#: Salesforce field against ``kind`` and ``values`` (sync.fields).
WRITEBACK_SOURCES: dict[str, WritebackSource] = {
    "status": WritebackSource("text", lambda r, rs: r.status, lambda rs: list(STATUSES), per_product=True),
    "status_label": WritebackSource("text", lambda r, rs: rs.status_labels.get(r.status, r.status),
                                    lambda rs: [rs.status_labels.get(s, s) for s in STATUSES], per_product=True),
    "phase": WritebackSource("text", lambda r, rs: r.phase, _phase_ids, per_product=True),
    "phase_name": WritebackSource("text", lambda r, rs: r.phase_name, _phase_names, per_product=True),
    "days_overdue": WritebackSource("number", _days_overdue, per_product=True),
    "health_score": WritebackSource("number", lambda ev, rs: ev.health.score),
    "health_band": WritebackSource("text", lambda ev, rs: ev.health.band, lambda rs: [b.name for b in rs.bands]),
    "tier": WritebackSource("text", lambda ev, rs: ev.tier, lambda rs: [t.name for t in rs.tiers]),
    "alerts": WritebackSource("multi", lambda ev, rs: ";".join(ev.alerts) if ev.alerts else None,
                              lambda rs: [a.id for a in rs.alerts]),
    "evaluated_on": WritebackSource("date", lambda ev, rs: ev.evaluated_on),
}
PER_PRODUCT_SOURCES = tuple(name for name, source in WRITEBACK_SOURCES.items() if source.per_product)

_WRITEBACK_SOURCE = Choice(choices=WRITEBACK_SOURCES,
                           message="{path}: unknown value '{value}'{suggestion}; one of {choices}")
_PER_PRODUCT = Section({
    "value": Choice(choices=PER_PRODUCT_SOURCES, required=True,
                    message="{path}: '{value}' is not a value per product{suggestion}; one of {choices} (the others "
                            "are the account's)"),
    "product": Option(required=True)})


class _WritebackSettings(Section):
    """The writeback section's settings, told from its fields by their value: true or false, never a value name."""

    def unknown(self, key: Any, at: At) -> str:
        return (f"writeback: unknown setting '{key}'{suggest(str(key), map(str, self.options))} (a field takes a "
                "value name, e.g. status_label)")


_WRITEBACK_SETTINGS = _WritebackSettings({"clear_when_out_of_scope": Flag()})


def _writeback(rs: RuleSet, value: Any, at: At) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        Section({}).read(value, at)  # says it is no mapping
        return
    settings = {k: v for k, v in value.items() if isinstance(v, bool) or k in _WRITEBACK_SETTINGS.options}
    for key, flag in _WRITEBACK_SETTINGS.read(settings, at).items():
        if rs.clear_when_out_of_scope is not None:
            (at / key).err(f"writeback.{key} is set twice")
        rs.clear_when_out_of_scope = flag
    for fname, source in value.items():
        if fname not in settings:
            _writeback_field(rs, str(fname), source, at / fname)


def _writeback_field(rs: RuleSet, fname: str, source: Any, at: At) -> None:
    """``Field: source``, or ``Field: {value: status_label, product: 経費精算}`` for one product's value (its
    product is checked when compiled, once every file's products are known)."""
    if not _SF_FIELD.fullmatch(fname):
        at.err(f"writeback: '{fname}' is not a Salesforce field name")
    if isinstance(source, dict):
        spec = _PER_PRODUCT.read(source, at)
        if "value" not in spec or "product" not in spec:
            return
        rs.writeback_products[fname] = str(spec["product"])
        source = spec["value"]
    elif at.check(_WRITEBACK_SOURCE, source) is FAILED:
        return
    if fname in rs.writeback:
        at.err(f"writeback.{fname} is set twice")
    else:
        rs.writeback[fname] = str(source)


#: Each section of a rule file and the function that reads it. ``notify`` is read by the notify package
#: (notify.config), which reports its problems with these.
_SECTIONS: dict[str, Callable[[RuleSet, Any, At], None]] = {
    "timezone": _timezone, "language": _language, "facts": _facts, "onboarding": _onboarding, "alerts": _alerts,
    "health": _health, "tiers": _tiers, "writeback": _writeback, "sources": _sources}
_TOP = Section(keys(*_SECTIONS, "notify"), name="the rule file")


def _parse_doc(rs: RuleSet, doc: Document, reader: Reader) -> None:
    at = reader.at()
    data = _TOP.read(doc.data, at)
    for key, read in _SECTIONS.items():
        if key in data:
            read(rs, data[key], at / key)


def compile_rules(rs: RuleSet, today: dt.date) -> RuleSet:
    """Compile every condition for ``today``; all problems are reported together with file:line:col."""
    compiler = _Compiler(rs, today)
    for step in (_check_sources, _compile_facts, _check_onboarding_facts, _compile_phases, _compile_components,
                 _check_writeback_products, _compile_tiers_and_alerts):
        step(rs, compiler)
    if compiler.problems:
        raise RuleError(compiler.problems)
    rs.compiled_for = today
    return rs


class _Compiler:
    """The conditions of a rule set compiled at their stage, each problem located in the rule file it is in."""

    def __init__(self, rs: RuleSet, today: dt.date) -> None:
        self.rs = rs
        self.scopes = {stage: Scope(rs.symbol_types(stage), today, rs.tz) for stage in (1, 2, 3, 4)}
        self.problems: list[SourceError] = []

    def problem(self, path: PathKey, message: str) -> None:
        self.problems.append(self.rs.error_at(path, message))

    def condition(self, text: str, stage: int, path: PathKey, what: str, want: str | None = "bool"
                  ) -> Condition | None:
        try:
            return self.scopes[stage].compile(text, want, self.rs.later_names(stage))
        except ExprError as exc:
            for one in exc.all():
                where = f" (column {one.col} of the expression)" if one.col else ""
                self.problem(path, f"{what}: {one.message}{where}")
            return None


def _check_sources(rs: RuleSet, c: _Compiler) -> None:
    """Every fact's source is declared; a source's ``match`` is a fact read from elsewhere."""
    for fact in rs.facts.values():
        if fact.source is not None and fact.source not in rs.sources:
            c.problem(("facts", fact.name, "source"), f"facts.{fact.name}: unknown source '{fact.source}'"
                                                      f"{suggest(fact.source, rs.sources)}")
    for src in rs.sources.values():
        match = rs.facts.get(src.match or "")
        if src.match is not None and match is None:
            c.problem(("sources", src.name, "match"), f"sources.{src.name}.match: unknown fact '{src.match}'"
                                                      f"{suggest(src.match, rs.facts)}")
        elif match is not None and (match.source or match.expr):
            c.problem(("sources", src.name, "match"), f"sources.{src.name}.match: fact '{src.match}' must come from "
                                                      "Salesforce or a ticket aggregate, not from a source or an "
                                                      "expression")


def _compile_facts(rs: RuleSet, c: _Compiler) -> None:
    """Facts given by an expression see the facts listed before them."""
    for fact in rs.facts.values():
        if fact.expr:
            fact.condition = c.condition(fact.expr, 1, ("facts", fact.name, "expr"), f"fact '{fact.name}'",
                                         fact.type)


def _check_onboarding_facts(rs: RuleSet, c: _Compiler) -> None:
    for name, key in ((rs.start_fact, "start"), (rs.product_fact, "product"), (rs.completed_fact, "completed_on")):
        if name is not None and name not in rs.facts:
            c.problem(("onboarding", key), f"onboarding: unknown fact '{name}'{suggest(str(name), rs.facts)}")
    for name, key, what in ((rs.start_fact, "start", "start"), (rs.completed_fact, "completed_on", "completion")):
        if name in rs.facts and rs.facts[name].type not in ("date", "datetime"):
            c.problem(("onboarding", key), f"onboarding.{key}: fact '{name}' is a {rs.facts[name].type}; the {what} "
                                           "must be a date")


def _compile_phases(rs: RuleSet, c: _Compiler) -> None:
    for product, phases in rs.products.items():
        for i, ph in enumerate(phases):
            ph.done = c.condition(ph.done_text, 1, ("onboarding", "products", product, i, "done"),
                                  f"phase '{ph.id}' of product '{product}'")


def _compile_components(rs: RuleSet, c: _Compiler) -> None:
    types = rs.symbol_types(2)
    for ci, comp in enumerate(rs.components):
        path: PathKey = ("health", "components", ci)
        if comp.ladder is not None:
            used: set[str] = set()
            for j, step in enumerate(comp.ladder):
                if step.when_text is not None:
                    step.when = c.condition(step.when_text, 2, (*path, "ladder", j, "when"),
                                            f"health component '{comp.id}'")
                    used |= step.when.symbols if step.when else set()
            comp.inputs = comp.inputs or sorted(used)
        elif comp.linear_fact is not None:
            _check_linear_fact(comp, types, (*path, "linear", "fact"), c)
            comp.inputs = comp.inputs or [comp.linear_fact]
        for k, name in enumerate(comp.inputs):
            if name not in types:
                c.problem((*path, "inputs", k), f"health component '{comp.id}': unknown input '{name}'"
                                                f"{suggest(name, types)}")


def _check_linear_fact(comp: Component, types: dict[str, str], path: PathKey, c: _Compiler) -> None:
    fact = comp.linear_fact or ""
    if fact in COMPUTED:
        c.problem(path, f"health component '{comp.id}': a linear scale reads a fact, and '{fact}' is computed by the "
                        f"engine (null when no phase is current): use a ladder, e.g. {{when: \"{fact} > 30\", "
                        "score: 0}")
    elif fact not in types:
        c.problem(path, f"health component '{comp.id}': unknown fact '{fact}'{suggest(fact, types)}")
    elif types[fact] != "number":
        c.problem(path, f"health component '{comp.id}': linear needs a number fact; '{fact}' is a {types[fact]}")


def _check_writeback_products(rs: RuleSet, c: _Compiler) -> None:
    for fname, product in rs.writeback_products.items():
        if product not in rs.products:
            c.problem(("writeback", fname, "product"), f"writeback.{fname}.product: unknown product '{product}'"
                                                       f"{suggest(product, rs.products)}")


def _compile_tiers_and_alerts(rs: RuleSet, c: _Compiler) -> None:
    for i, tier in enumerate(rs.tiers):
        if tier.when_text is not None:
            tier.when = c.condition(tier.when_text, 3, ("tiers", i, "when"), f"tier '{tier.name}'")
    for i, alert in enumerate(rs.alerts):
        alert.when = c.condition(alert.when_text, 4, ("alerts", i, "when"), f"alert '{alert.id}'")


def load_and_compile(paths: Iterable[str | Path], today: dt.date) -> RuleSet:
    paths = list(paths)
    rs = load_rules(paths)
    return compile_rules(rs, today)
