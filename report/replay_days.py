"""The days on which an account's evaluation can change, so that ``csops rules replay`` evaluates only those.

Between two days the evaluation (status, phase, band, components, tier, alerts) depends on the day only through
the numbers that grow by one a day: ``days_since_X`` (from the date fact X), ``days_overdue`` (from the current
phase's due date), ``days_in_status`` and ``days_in_phase`` (from the day the account entered them), and on the
scores recorded N days before (``health_score_change_<N>d``). When every condition compares such a number only
with a constant (``days_since_last_login >= 14``, ``(days_in_status ?? 0) > 30``), the number matters only by
which side of each constant it is on, and the evaluation can change only

- on a day a fact changes, unless the only facts that changed are dates read through ``days_since_X`` alone and
  each stays on the same side of every constant it is compared with (a last login a day later, daily);
- on a day one of those numbers reaches a constant or passes it (its anchor + the constant, and the day after);
- on the start day, and N days after each recorded point (``health_score_change_<N>d``).

:func:`analyse` finds the constants, or says why the rules do not allow it (a number in arithmetic, or a
condition reading ``today``/``now``): then the replay evaluates every day. A test holds both paths to the same
results.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any

from rules.engine import Evaluation, FactValueError, PastPoint, local_day
from rules.expr import Condition, _children, ast
from rules.ruleset import RuleSet

GROWING = ("days_overdue", "days_in_status", "days_in_phase")
_COMPARISONS = ("ArithmeticComparisonExpression", "ComparisonExpression")


@dataclass
class DaySensitivity:
    """What a rule set's conditions read of the day: the constants each growing number is compared with, and the
    date facts read through ``days_since_X`` alone (a change of such a date alone may leave the evaluation as it
    was)."""

    thresholds: dict[str, set[float]] = field(default_factory=dict)
    anchor_only: set[str] = field(default_factory=set)
    tz: tzinfo | None = None
    start_fact: str | None = None
    windows: list[int] = field(default_factory=list)
    status_days: tuple[int, int] = (0, 0)
    _days: dict[Any, date | None] = field(default_factory=dict)

    def anchor(self, value: Any) -> date | None:
        """A raw date fact's day (cached per text); FactValueError for text that is no date."""
        found = self._days.get(value, _UNSET)
        if found is _UNSET:
            assert self.tz is not None
            found = local_day(value, self.tz)
            if len(self._days) < 50_000:
                self._days[value] = found
        return found  # type: ignore[return-value]

    def unchanged_by(self, old: Mapping[str, Any], changed: Mapping[str, Any], day: date) -> bool:
        """Whether these fact changes on ``day`` leave the evaluation as it was: only dates read through
        ``days_since_X`` alone, each on the same side of every constant as before."""
        for name, new in changed.items():
            was = old.get(name)
            if was == new:
                continue
            if name not in self.anchor_only or (was is None) != (new is None):
                return False
            try:
                a, b = self.anchor(was), self.anchor(new)
            except FactValueError:
                return False
            if a is None or b is None:
                return False
            cuts = self.thresholds.get(f"days_since_{name}", set())
            if _side((day - a).days, cuts) != _side((day - b).days, cuts):
                return False
        return True

    def _day_of(self, value: Any) -> date | None:
        try:
            return self.anchor(value)
        except FactValueError:
            return None

    def next_day(self, ev: Evaluation, on: date, facts: Mapping[str, Any], past: Sequence[PastPoint],
                 today: date) -> date | None:
        """The first day after ``today`` on which the evaluation made on ``on`` can change with no fact
        changing (None: never)."""
        found = [d for d in self._candidates(ev, on, facts, past, today) if d > today]
        return min(found, default=None)

    def _candidates(self, ev: Evaluation, on: date, facts: Mapping[str, Any], past: Sequence[PastPoint],
                    today: date) -> Iterator[date]:
        for key, cuts in self.thresholds.items():
            if key.startswith("days_since_") and (anchor := self._day_of(facts.get(key[len("days_since_"):]))):
                yield from _flips(anchor, cuts, today)
        overdue = self.thresholds.get("days_overdue", set()) | set(self.status_days)
        for r in ev.products:
            if r.days_overdue is not None:
                yield from _flips(on - timedelta(days=r.days_overdue), overdue, today)
        for key in ("days_in_status", "days_in_phase"):
            v = ev.history.get(key)
            if key in self.thresholds and v is not None:
                yield from _flips(on - timedelta(days=int(v)), self.thresholds[key], today)
        if self.start_fact and (start := self._day_of(facts.get(self.start_fact))):
            yield start
        for n in self.windows:
            for p in past:
                yield p.day + timedelta(days=n)


_UNSET = object()


def _side(v: int, cuts: set[float]) -> tuple[int, ...]:
    return tuple((v > c) - (v < c) for c in sorted(cuts))


def _flips(anchor: date, cuts: set[float], today: date) -> Iterator[date]:
    """The days after ``today`` on which ``day - anchor`` changes side of a constant: c and c+1 for a whole c
    (equal, then above), ⌈c⌉ otherwise."""
    for c in cuts:
        steps = (int(c), int(c) + 1) if float(c).is_integer() else (math.ceil(c),)
        for s in steps:
            d = anchor + timedelta(days=s)
            if d > today:
                yield d


def _conditions(rules: RuleSet) -> Iterator[Condition]:
    found: list[Condition | None] = [f.condition for f in rules.facts.values()]
    found += [ph.done for phases in rules.products.values() for ph in phases]
    found += [st.when for c in rules.components for st in (c.ladder or [])]
    found += [t.when for t in rules.tiers] + [a.when for a in rules.alerts]
    return (c for c in found if c is not None)


def analyse(rules: RuleSet) -> tuple[DaySensitivity | None, str]:
    """The rule set's day sensitivity, or None and why the replay must evaluate every day."""
    dates = {f.name for f in rules.facts.values() if f.type in ("date", "datetime") and f.condition is None}
    growing = {*GROWING, *(f"days_since_{d}" for d in dates)}
    out = DaySensitivity(tz=rules.tz, start_fact=rules.start_fact, windows=list(rules.score_windows),
                         status_days=(rules.stalled_after_days, rules.churn_risk_after_days))
    read_directly: set[str] = set()
    derived = [f.name for f in rules.facts.values() if f.type in ("date", "datetime") and f.condition is not None]
    if derived:
        return None, f"the date fact '{derived[0]}' is an expression"
    for c in rules.components:
        if c.linear_fact in growing:
            return None, f"component '{c.id}' scales {c.linear_fact} linearly"
    for cond in _conditions(rules):
        refused = _walk(cond.rule.statement.expression, growing, dates, out.thresholds, read_directly)
        if refused:
            return None, f"the condition '{cond.text}' {refused}"
    out.anchor_only = dates - read_directly - {rules.start_fact or ""}
    return out, ""


def _walk(node: Any, growing: set[str], dates: set[str], cuts: dict[str, set[float]], direct: set[str]
          ) -> str | None:
    """Record the constants each growing number is compared with (into ``cuts``) and the date facts read other
    than through ``days_since_X`` (into ``direct``); say why not when a growing number is used otherwise."""
    kind = type(node).__name__
    if kind == "SymbolExpression" and not node.scope:
        if node.name in growing:
            return f"uses {node.name} other than compared with a number"
        if node.name in dates:
            direct.add(node.name)
        return None
    if kind in _COMPARISONS:
        for mine, other in ((node.left, node.right), (node.right, node.left)):
            name = _growing_operand(mine, growing)
            if name is None:
                continue
            if type(other).__name__ == "FloatExpression":
                cuts.setdefault(name, set()).add(float(other.value))
                return None
            if type(other).__name__ == "NullExpression" and node.type in ("eq", "ne"):
                return None
        if node.type in ("eq", "ne") and _null_check(node, dates):
            return None
    for child in _children(node):
        if refused := _walk(child, growing, dates, cuts, direct):
            return refused
    return None


def _growing_operand(node: Any, growing: set[str]) -> str | None:
    """The growing number a comparison operand is: the symbol, or the symbol ``?? constant``."""
    if type(node).__name__ == "CoalesceExpression" and type(node.right).__name__ == "FloatExpression":
        node = node.left
    if isinstance(node, ast.SymbolExpression) and not node.scope and node.name in growing:
        return str(node.name)
    return None


def _null_check(node: Any, dates: set[str]) -> bool:
    """``X == null`` / ``X != null`` on a date fact: its value matters only by being there."""
    for mine, other in ((node.left, node.right), (node.right, node.left)):
        if (isinstance(mine, ast.SymbolExpression) and not mine.scope and mine.name in dates
                and type(other).__name__ == "NullExpression"):
            return True
    return False
