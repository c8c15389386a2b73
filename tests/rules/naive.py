"""A deliberately naive evaluator of the README's "Semantics" section, written from the README alone.

It shares nothing with ``rules/``: it reads the rule file as plain YAML data, converts fact values itself,
evaluates every condition with rule-engine's own (slow) evaluator — the README says conditions are
rule-engine expressions — and follows the README's sentences one by one, in the most literal way. The
differential test (``test_differential.py``) holds the engine to its answers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import rule_engine

RE_TYPES = {"date": rule_engine.DataType.DATETIME, "datetime": rule_engine.DataType.DATETIME,
            "number": rule_engine.DataType.FLOAT, "bool": rule_engine.DataType.BOOLEAN,
            "string": rule_engine.DataType.STRING}
# README: "Health ladders and tiers may also use status, phase and days_overdue; tiers and alerts health_score
# and health_band; alerts tier."
COMPUTED_TYPES = {"status": "string", "phase": "string", "days_overdue": "number", "health_score": "number",
                  "health_band": "string", "tier": "string"}
COMPUTED = ("status", "phase", "days_overdue")
# README "Several products": the worst status first.
WORST_FIRST = ("churn_risk", "stalled", "on_track", "not_started", "completed", "no_phases")


@dataclass
class Naive:
    status: str
    phase: str | None
    days_overdue: int | None
    score: float | None
    band: str | None
    missing: list[str]
    tier: str | None
    alerts: list[str]
    products: list[dict[str, Any]] = field(default_factory=list)
    exact_score: float | None = None  # before rounding


class NaiveRules:
    def __init__(self, rules: dict[str, Any], today: dt.date) -> None:
        self.rules = rules
        self.today = today
        self.tz = zoneinfo.ZoneInfo(rules.get("timezone", "UTC"))
        self.facts = {name: (spec if isinstance(spec, dict) else {"type": spec})
                      for name, spec in (rules.get("facts") or {}).items()}
        types = {name: spec["type"] for name, spec in self.facts.items()}
        for name, spec in self.facts.items():
            if spec["type"] in ("date", "datetime"):
                types[f"days_since_{name}"] = "number"
        types.update(COMPUTED_TYPES)
        self.types = types
        midnight = dt.datetime(today.year, today.month, today.day, tzinfo=self.tz)
        self.context = rule_engine.Context(
            type_resolver=rule_engine.type_resolver_from_dict({k: RE_TYPES[v] for k, v in types.items()}),
            default_timezone=self.tz)
        self.context.builtins = rule_engine.builtins.Builtins.from_defaults(
            {"today": midnight, "now": midnight}, timezone=self.tz)

    # -- values -----------------------------------------------------------------
    def day_of(self, value: dt.datetime) -> dt.date:
        """README: days are dates in the rule file's time zone."""
        return value.astimezone(self.tz).date()

    def read(self, kind: str, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if kind == "number":
            return float(raw)
        if kind == "bool":
            return bool(raw)
        if kind == "string":  # README: a list reads as its values joined by ';', as a multi-select shows them
            return ";".join(str(x) for x in raw) if isinstance(raw, list) else str(raw)
        text = str(raw)
        if len(text) == 10:  # a plain date: that day, at midnight in the rule file's time zone
            d = dt.date.fromisoformat(text)
            return dt.datetime(d.year, d.month, d.day, tzinfo=self.tz)
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        if kind == "date":  # a date fact given with a time: the day it is in the rule file's time zone
            d = self.day_of(moment)
            return dt.datetime(d.year, d.month, d.day, tzinfo=self.tz)
        return moment

    def true(self, text: str | None, values: dict[str, Any]) -> bool:
        """README: a condition that touches a null value (other than with == / != or ??) counts as false."""
        if text is None:
            return True
        try:
            return rule_engine.Rule(text, context=self.context).evaluate(values) is True
        except Exception:  # a null compared, a division by zero: not true
            return False

    def value(self, text: str, values: dict[str, Any]) -> Any:
        try:
            out = rule_engine.Rule(text, context=self.context).evaluate(values)
        except Exception:
            return None
        return float(out) if hasattr(out, "as_tuple") else out

    def fact_values(self, raw: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {k: None for k in self.types}
        for name, spec in self.facts.items():
            if "expr" in spec:
                values[name] = self.value(spec["expr"], values)
            else:
                values[name] = self.read(spec["type"], raw.get(name))
        for name, spec in self.facts.items():
            if spec["type"] in ("date", "datetime"):
                v = values[name]
                values[f"days_since_{name}"] = None if v is None else float((self.today - self.day_of(v)).days)
        return values

    # -- onboarding -------------------------------------------------------------
    def products_of(self, value: Any) -> list[str]:
        """README: the product fact may be a list, or several values joined by ';' (a multi-select field)."""
        ob = self.rules.get("onboarding") or {}
        if not ob.get("product"):
            named = list(ob.get("products") or {})
            return named if len(named) == 1 else []
        if value is None:
            return []
        parts = value if isinstance(value, list) else str(value).split(";")
        out: list[str] = []
        for p in parts:
            p = str(p).strip()
            if p and p not in out:
                out.append(p)
        return out

    def onboarding(self, product: str | None, values: dict[str, Any]) -> dict[str, Any]:
        ob = self.rules.get("onboarding") or {}
        phases = (ob.get("products") or {}).get(product) if product is not None else None
        result: dict[str, Any] = {"product": product, "phase": None, "days_overdue": None}
        if not phases:
            return {**result, "status": "no_phases"}
        start = values.get(ob.get("start"))
        if start is None or self.today < self.day_of(start):
            return {**result, "status": "not_started"}
        current = next((p for p in phases if not self.true(p["done"], values)), None)
        if current is None:
            return {**result, "status": "completed"}
        due = self.day_of(start) + dt.timedelta(days=current["due_day"])
        overdue = (self.today - due).days
        status = "on_track"
        if overdue > ob.get("stalled_after_days", 0):
            status = "stalled"
        if overdue > ob.get("churn_risk_after_days", 30):
            status = "churn_risk"
        return {**result, "status": status, "phase": current["id"], "days_overdue": overdue}

    def worst(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        """README: the worst status; between two products in the same status, the one more days overdue; then
        the first listed."""
        best = results[0]
        for r in results[1:]:
            rank, best_rank = WORST_FIRST.index(r["status"]), WORST_FIRST.index(best["status"])
            if rank < best_rank or (rank == best_rank and (r["days_overdue"] or 0) > (best["days_overdue"] or 0)):
                best = r
        return best

    # -- health, tiers, alerts --------------------------------------------------
    def component_inputs(self, comp: dict[str, Any]) -> list[str]:
        if "inputs" in comp:
            return list(comp["inputs"]) if isinstance(comp["inputs"], list) else [comp["inputs"]]
        if "linear" in comp:
            return [comp["linear"]["fact"]]
        names: set[str] = set()
        for step in comp["ladder"]:
            if "when" in step:
                names |= {n for n in self.types if _mentions(step["when"], n)}
        return sorted(names)

    def health(self, values: dict[str, Any]) -> tuple[float | None, float | None, str | None, list[str]]:
        h = self.rules.get("health") or {}
        comps = h.get("components") or []
        scored: list[tuple[float, float]] = []
        missing: list[str] = []
        for comp in comps:
            # README: a computed value always counts as present; left out when every input is a null fact,
            # or when a linear scale's fact is null.
            inputs = self.component_inputs(comp)
            every_input_null = bool(inputs) and all(n not in COMPUTED and values.get(n) is None for n in inputs)
            if "linear" in comp:
                lin = comp["linear"]
                x = values.get(lin["fact"])
                if x is None or every_input_null:
                    missing.append(comp["id"])
                    continue
                score = (x - lin["from"]) / (lin["to"] - lin["from"])
                score = min(1.0, max(0.0, score))
            else:
                if every_input_null:
                    missing.append(comp["id"])
                    continue
                score = 0.0
                for step in comp["ladder"]:
                    if self.true(step.get("when"), values):
                        score = step["score"]
                        break
            scored.append((comp["weight"], score))
        if not comps or not scored:
            return None, None, None, missing
        exact = h.get("max", 100) * sum(w * s for w, s in scored) / sum(w for w, _ in scored)
        score = round(exact, 1)
        reached = [b for b in h.get("bands") or [] if score >= b.get("min", 0)]
        band = max(reached, key=lambda b: b.get("min", 0))["name"] if reached else None
        return score, exact, band, missing

    def evaluate(self, raw: dict[str, Any]) -> Naive:
        values = self.fact_values(raw)
        ob = self.rules.get("onboarding") or {}
        products = self.products_of(values.get(ob.get("product")) if ob.get("product") else None)
        results = [self.onboarding(p, values) for p in products] or [self.onboarding(None, values)]
        account = self.worst(results)
        values.update(status=account["status"], phase=account["phase"],
                      days_overdue=None if account["days_overdue"] is None else float(account["days_overdue"]))
        score, exact, band, missing = self.health(values)
        values.update(health_score=score, health_band=band)
        tier = next((t["name"] for t in self.rules.get("tiers") or [] if self.true(t.get("when"), values)), None)
        values["tier"] = tier
        alerts = [a["id"] for a in self.rules.get("alerts") or []
                  if (a.get("statuses") is None or account["status"] in a["statuses"]) and self.true(a["when"], values)]
        return Naive(account["status"], account["phase"], account["days_overdue"], score, band, missing, tier,
                     alerts, results, exact)


def _mentions(text: str, name: str) -> bool:
    import re

    outside_quotes = re.sub(r"'[^']*'|\"[^\"]*\"", "''", text)
    return re.search(rf"(?<![\w$]){re.escape(name)}(?!\w)", outside_quotes) is not None
