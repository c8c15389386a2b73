"""The days on which an account's evaluation can change, so that ``csops rules replay`` evaluates only those.

Between two days the evaluation (status, phase, band, components, tier, alerts) depends on the day only through
the numbers that grow by one a day: ``days_since_X`` (from the date fact X), ``days_overdue`` (from the current
phase's due date), ``days_in_status`` and ``days_in_phase`` (from the day the account entered them), and on the
scores recorded N days before (``health_score_change_<N>d``). When every condition compares such a number only
with a constant (``days_since_last_login >= 14``, ``(days_in_status ?? 0) > 30``), the number matters only by
which side of each constant it is on. The same holds for a number fact that conditions only compare with
constants (``urgent_open > 0``), directly or through a fact computed from number facts (``active_ratio``, from
``active_users / licensed_users``, compared with 0.2, 0.3, 0.5 and 0.8). So the evaluation can change only

- on a day a fact changes, unless every fact that changed is a date read through ``days_since_X`` alone or a
  number read through such comparisons, each on the same side of every constant it is compared with as before (a
  last login a day later, daily; a usage figure that grows but stays between the same constants), or a fact no
  rule reads;
- on a day one of the growing numbers reaches a constant or passes it (its anchor + the constant, and the day
  after);
- on the start day, and N days after each recorded point (``health_score_change_<N>d``).

:func:`analyse` finds the constants, or says why the rules do not allow it (a growing number in arithmetic, or a
condition reading ``today``/``now``): then the replay evaluates every day. :class:`Schedule` walks an account's
fact changes once for every rule set replayed with it. A test holds this path to the plain day-by-day path.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any

from rules.engine import Evaluation, FactValueError, PastPoint, local_day
from rules.expr import Condition, _children, ast
from rules.ruleset import RuleSet

GROWING = ("days_overdue", "days_in_status", "days_in_phase")
_COMPARISONS = ("ArithmeticComparisonExpression", "ComparisonExpression")


@dataclass
class Derived:
    """A number fact computed from number facts (``expr``) that conditions only compare with constants."""

    name: str
    condition: Condition
    inputs: tuple[str, ...]
    cuts: tuple[float, ...]


@dataclass
class DaySensitivity:
    """What one rule set's conditions read of the day and of its facts: for each growing number, the values at
    which a comparison of it with a constant can turn (:func:`_points`); the date facts read through
    ``days_since_X`` alone (``anchor_only``); the number facts read only through comparisons with constants
    (``numbers``, with those constants) and the derived facts built on them; every other fact a rule reads
    (``exact``: any change of it counts)."""

    thresholds: dict[str, set[int]] = field(default_factory=dict)  # growing number → its points (see _points)
    anchor_only: set[str] = field(default_factory=set)
    numbers: dict[str, set[float]] = field(default_factory=dict)
    derived: list[Derived] = field(default_factory=list)
    exact: set[str] = field(default_factory=set)
    tz: tzinfo | None = None
    start_fact: str | None = None
    windows: list[int] = field(default_factory=list)
    status_days: tuple[int, int] = (0, 0)

    def next_day(self, ev: Evaluation, on: date, start: date | None, past: Sequence[PastPoint], today: date
                 ) -> date | None:
        """The first day after ``today`` on which the evaluation made on ``on`` can change through its own
        numbers (days overdue, in status, in phase; the start day ``start``; the score windows), no fact changing
        and no ``days_since_X`` passing a constant (:class:`Schedule` follows those). None: never."""
        found = [d for d in self._candidates(ev, on, start, past, today) if d > today]
        return min(found, default=None)

    def _candidates(self, ev: Evaluation, on: date, start: date | None, past: Sequence[PastPoint], today: date
                    ) -> Iterator[date]:
        overdue = self.thresholds.get("days_overdue", set()) | {d + 1 for d in self.status_days}  # overdue > d
        for r in ev.products:
            if r.days_overdue is not None:
                yield from _flips(on - timedelta(days=r.days_overdue), overdue, today)
        for key in ("days_in_status", "days_in_phase"):
            v = ev.history.get(key)
            if key in self.thresholds and v is not None:
                yield from _flips(on - timedelta(days=int(v)), self.thresholds[key], today)
        if start is not None:
            yield start
        for n in self.windows:
            for p in past:
                yield p.day + timedelta(days=n)


_IGNORED, _ANCHOR, _NUMBER, _EXACT = range(4)


class Schedule:
    """The days an account's facts can change an evaluation, under one or more rule sets at once (the replay's
    current and proposed rules: a day that matters to either is evaluated under both, which changes nothing for
    the other). :meth:`days` walks an account's fact changes once, a fact at a time, and gives the days they can
    change an evaluation."""

    def __init__(self, sensitivities: Sequence[DaySensitivity], tz: tzinfo) -> None:
        self.tz = tz
        kinds: dict[str, int] = {}
        number_cuts: dict[str, set[float]] = {}
        since_points: dict[str, set[int]] = {}
        for s in sensitivities:
            for name in s.exact:
                kinds[name] = _EXACT
            for name in s.anchor_only:
                kinds[name] = max(kinds.get(name, _ANCHOR), _ANCHOR)
            for name, cuts in s.numbers.items():
                kinds[name] = max(kinds.get(name, _NUMBER), _NUMBER)
                number_cuts.setdefault(name, set()).update(cuts)
            for key, points in s.thresholds.items():
                if key.startswith("days_since_"):
                    since_points.setdefault(key[len("days_since_"):], set()).update(points)
        self.kinds = kinds
        self.cuts = {name: tuple(sorted(c)) for name, c in number_cuts.items()}
        same: dict[tuple[str, str], Derived] = {}  # a fact both sets compute alike: once, with both sets' constants
        for d in (d for s in sensitivities for d in s.derived):
            was = same.get((d.name, d.condition.text))
            same[(d.name, d.condition.text)] = d if was is None else \
                Derived(d.name, d.condition, d.inputs, tuple(sorted({*was.cuts, *d.cuts})))
        self.derived = list(same.values())
        self.via: dict[str, list[Derived]] = {}
        for d in self.derived:
            for name in d.inputs:
                self.via.setdefault(name, []).append(d)
        # days since X matters by which side of each point it is on: the index of x among them names that side
        self.points = {name: tuple(sorted(points)) for name, points in since_points.items()}
        self.wanted = {name for name, kind in kinds.items() if kind != _IGNORED} | set(self.points) | set(self.via)

    def anchors(self, facts: Mapping[str, Any]) -> dict[str, int | None]:
        """The day (ordinal) of each date fact a ``days_since_X`` constant is set for; None: null or no date."""
        return {name: self.day_of(facts.get(name)) for name in self.points}

    def day_of(self, value: Any) -> int | None:
        """A raw date fact's local day as an ordinal (None: null, or text that is no date)."""
        if value is None:
            return None
        if value.__class__ is str:
            try:  # the ISO forms the store keeps; anything else as the engine reads it
                d = dt.datetime.fromisoformat(value)
                return (d.astimezone(self.tz) if d.tzinfo else d).toordinal()
            except ValueError:
                pass
        try:
            found = local_day(value, self.tz)
        except FactValueError:
            return None
        return None if found is None else found.toordinal()

    def days_of(self, values: Sequence[Any]) -> list[int | None]:
        """:meth:`day_of` of each value, the ISO texts the store keeps read here (a year of daily logins)."""
        out: list[int | None] = []
        tz, read = self.tz, dt.datetime.fromisoformat
        for value in values:
            if value.__class__ is str:
                try:
                    d = read(value)
                except ValueError:
                    out.append(self.day_of(value))
                    continue
                out.append((d.astimezone(tz) if d.tzinfo else d).toordinal())
            else:
                out.append(self.day_of(value))
        return out

    def days(self, facts: Mapping[str, Any], changes: Sequence[tuple[Any, Mapping[str, Any]]], days: Sequence[int],
             i: int, start: int, last: int) -> list[int]:
        """The days (ordinals, ascending, from ``start`` to ``last``) on which an account's facts can change an
        evaluation: ``start``; each day of ``changes[i:]`` (on the days ``days[i:]``) whose change can; each day a
        ``days_since_X`` changes side of a constant. ``facts``: the account's facts on ``start`` (the changes
        before ``i``).

        Worked out a fact at a time, each fact's values in order, each compared with the one before it: a change
        day counts when one of its facts moves to another side of a constant (read as it was that day, a date's
        ``days_since_X`` as on the change day), an exactly-read fact changes, or a date becomes null or stops
        being null; a derived fact's side is worked out only on a change day nothing else makes count. The tests
        hold this to the same rules applied a change day at a time."""
        j = bisect_right(days, last, i)
        ts = days[i:j]
        seqs = self._sequences(facts, changes, i, j)
        moved = [False] * (j - i)
        forced = {start}
        touched: dict[int, list[Derived]] = {}  # change → the derived facts whose inputs changed in it
        for name in self.points:  # each days_since_X: its sides of the constants, also with X never changing
            self._anchor(name, self.day_of(facts.get(name)), seqs.get(name, []), ts, start, last, moved, forced)
        for name, seq in seqs.items():
            kind = self.kinds.get(name, _IGNORED)
            if kind == _IGNORED or name in self.points:
                continue
            if kind == _NUMBER:
                self._number(name, seq, moved, touched)
            elif kind == _ANCHOR:  # a date no days_since_X constant is set for: only null or not
                for k, was, new in seq:
                    moved[k] = moved[k] or (was is None) != (new is None)
            else:
                for k, _, _ in seq:
                    moved[k] = True
        if touched:
            self._derived_days(facts, seqs, touched, moved)
        forced.update(t for t, m in zip(ts, moved, strict=True) if m)
        return sorted(forced)

    def _sequences(self, facts: Mapping[str, Any], changes: Sequence[tuple[Any, Mapping[str, Any]]], i: int,
                   j: int) -> dict[str, list[tuple[int, Any, Any]]]:
        """Per fact a rule reads (or a derived fact is worked out from), its changes ``changes[i:j]`` that give it
        another value: (index of the change from ``i``, value before, value after), in one pass over them."""
        wanted = self.wanted
        current = {name: facts.get(name) for name in wanted}
        out: dict[str, list[tuple[int, Any, Any]]] = {}
        for k in range(j - i):
            for name, new in changes[i + k][1].items():
                if name in wanted:
                    was = current[name]
                    current[name] = new
                    if was != new:
                        if name in out:
                            out[name].append((k, was, new))
                        else:
                            out[name] = [(k, was, new)]
        return out

    def _anchor(self, name: str, a: int | None, seq: list[tuple[int, Any, Any]], ts: Sequence[int], start: int,
                last: int, moved: list[bool], forced: set[int]) -> None:
        """A date fact with ``days_since_X`` constants: the changes that move it to another side of one, and the
        days it reaches or passes one while it stands still (from its day ``a`` on ``start``)."""
        points = self.points[name]
        only = self.kinds[name] == _ANCHOR  # read through days_since_X alone (otherwise any change counts)
        since, low, high = start, points[0] if points else 0, points[-1] if points else -1
        for (k, was, new), b in zip(seq, self.days_of([new for _, _, new in seq]), strict=True):
            today = ts[k]
            if a is not None and since < a + high and a + low <= today:  # else no point in between to reach
                _crossings(points, a, since, today, forced)
            if not moved[k]:
                moved[k] = not only or a is None or b is None or (was is None) != (new is None) or (
                    a != b and bisect_right(points, today - a) != bisect_right(points, today - b))
            a, since = b, today
        _crossings(points, a, since, last, forced)

    def _number(self, name: str, seq: list[tuple[int, Any, Any]], moved: list[bool],
                touched: dict[int, list[Derived]]) -> None:
        """A number fact compared only with constants: the changes that move it to another side of one."""
        cuts = self.cuts.get(name, ())
        via = self.via.get(name)
        for k, was, new in seq:
            if via:
                touched.setdefault(k, []).extend(via)
            if not moved[k]:
                try:
                    moved[k] = _region(_number(was), cuts) != _region(_number(new), cuts)
                except ValueError:  # a value the engine reads from text: not followed here
                    moved[k] = True

    def _derived_days(self, facts: Mapping[str, Any], seqs: Mapping[str, list[tuple[int, Any, Any]]],
                      touched: dict[int, list[Derived]], moved: list[bool]) -> None:
        """The changes (not already counted) that move a derived fact to another side of one of its constants. A
        derived fact's side is remembered with the values it was worked out from: the side after one change is
        the side before the next."""
        inputs = {name for d in self.derived for name in d.inputs}
        state = {name: facts.get(name) for name in inputs}
        known: dict[int, tuple[tuple[Any, ...], Any]] = {}  # id(derived) → (its input values, its side)

        def side(d: Derived) -> Any:
            values = tuple([state[name] for name in d.inputs])
            found = known.get(id(d))
            if found is None or found[0] != values:
                found = values, _region(d.condition(dict(zip(d.inputs, map(_number, values), strict=True))), d.cuts)
                known[id(d)] = found
            return found[1]

        updates: dict[int, list[tuple[str, Any]]] = {}  # change → the inputs it gives another value
        for name in inputs:
            for k, _, new in seqs.get(name, ()):
                updates.setdefault(k, []).append((name, new))
        for k in sorted(updates):
            check = k in touched and not moved[k]
            try:
                before = [side(d) for d in touched[k]] if check else []
                state.update(updates[k])
                moved[k] = moved[k] or (check and [side(d) for d in touched[k]] != before)
            except ValueError:  # a value the engine reads from text: not followed here
                state.update(updates[k])
                moved[k] = True


def _crossings(points: Sequence[int], a: int | None, since: int, until: int, out: set[int]) -> None:
    """The days after ``since`` up to ``until`` on which the days since ``a`` reach a point."""
    if a is None:
        return
    k = bisect_right(points, since - a)
    while k < len(points) and a + points[k] <= until:
        out.add(a + points[k])
        k += 1


def _number(value: Any) -> float | None:
    """A raw number fact as the engine types it, for the values it types without text; ValueError otherwise."""
    if value is None:
        return None
    if (value.__class__ is float or value.__class__ is int) and math.isfinite(value):
        return float(value)
    raise ValueError(value)


def _typed(d: Derived, facts: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _number(facts.get(name)) for name in d.inputs}


def _region(value: Any, cuts: Sequence[float]) -> tuple[int, int] | None:
    """Which side of each constant ``value`` is on (equal to one counts apart); None for null."""
    if value is None:
        return None
    return bisect_left(cuts, value), bisect_right(cuts, value)


_MIRROR = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}


def _points(op: str, c: float) -> set[int]:
    """The whole numbers x at which ``x OP c`` can turn, from x - 1 to x: ``x > 14`` and ``x <= 14`` at 15,
    ``x >= 14`` and ``x < 14`` at 14, ``x == 14`` at 14 and 15 (a growing number is a whole number of days)."""
    if op in ("gt", "le"):
        return {math.floor(c) + 1}
    if op in ("ge", "lt"):
        return {math.ceil(c)}
    if op in ("eq", "ne"):
        return {int(c), int(c) + 1} if float(c).is_integer() else set()
    return {math.floor(c), math.floor(c) + 1, math.ceil(c)}  # an operator not named above: every candidate


def _flips(anchor: date, points: Iterable[int], today: date) -> Iterator[date]:
    """The days after ``today`` on which ``day - anchor`` reaches a point."""
    for p in points:
        d = anchor + timedelta(days=p)
        if d > today:
            yield d


def _conditions(rules: RuleSet) -> Iterator[Condition]:
    """Every condition but the facts' own expressions (:func:`_derived` reads those)."""
    found: list[Condition | None] = [ph.done for phases in rules.products.values() for ph in phases]
    found += [st.when for c in rules.components for st in (c.ladder or [])]
    found += [t.when for t in rules.tiers] + [a.when for a in rules.alerts]
    return (c for c in found if c is not None)


def analyse(rules: RuleSet, churned_fact: str | None = None) -> tuple[DaySensitivity | None, str]:
    """The rule set's day sensitivity, or None and why the replay must evaluate every day. ``churned_fact``: a
    fact the replay reads itself (the report's churn)."""
    dates = {f.name for f in rules.facts.values() if f.type in ("date", "datetime") and f.condition is None}
    numbers = {f.name for f in rules.facts.values() if f.type == "number"}
    growing = {*GROWING, *(f"days_since_{d}" for d in dates)}
    derived = [f.name for f in rules.facts.values() if f.type in ("date", "datetime") and f.condition is not None]
    if derived:
        return None, f"the date fact '{derived[0]}' is an expression"
    reads = _Reads(growing | numbers, growing, dates)
    reads.direct.update(n for n in (rules.start_fact, rules.product_fact, churned_fact) if n)
    for c in rules.components:
        if c.linear_fact in growing:
            return None, f"component '{c.id}' scales {c.linear_fact} linearly"
        if c.linear_fact:
            reads.direct.add(c.linear_fact)
        for name in c.inputs:  # whether an input is null counts (the component may be left out)
            if name in numbers:
                reads.cuts.setdefault(name, set())
            else:
                reads.direct.add(name)
    for cond in _conditions(rules):
        if refused := reads.walk(cond.rule.statement.expression):
            return None, f"the condition '{cond.text}' {refused}"
    out = DaySensitivity(tz=rules.tz, start_fact=rules.start_fact, windows=list(rules.score_windows),
                         status_days=(rules.stalled_after_days, rules.churn_risk_after_days),
                         derived=_derived(rules, numbers, reads), thresholds=reads.points)
    raw = {f.name for f in rules.facts.values() if f.condition is None}
    out.anchor_only = dates - reads.direct
    out.numbers = {k: v for k, v in reads.cuts.items() if k in raw and k in numbers and k not in reads.direct}
    out.exact = reads.direct & raw
    return out, ""


def _derived(rules: RuleSet, numbers: set[str], reads: _Reads) -> list[Derived]:
    """The number facts computed from number facts alone that conditions only compare with constants; the facts
    other expressions read are read directly."""
    out: list[Derived] = []
    for f in reversed(list(rules.facts.values())):  # a fact's expression reads only the facts above it
        if f.condition is None:
            continue
        inputs = tuple(sorted(f.condition.symbols))
        if f.type == "number" and f.name not in reads.direct and all(
                n in numbers and rules.facts[n].condition is None for n in inputs):
            out.append(Derived(f.name, f.condition, inputs, tuple(sorted(reads.cuts.get(f.name, set())))))
            for name in inputs:
                reads.cuts.setdefault(name, set())
        elif f.name in reads.direct or f.name in reads.cuts:
            reads.direct.update(f.condition.symbols)
    return out


@dataclass
class _Reads:
    """How conditions read names: the constants each number fact is compared with (``cuts``), the points of each
    growing number (``points``), and every name read otherwise (``direct``)."""

    banded: set[str]  # the names a comparison with a constant is followed for
    growing: set[str]
    dates: set[str]
    cuts: dict[str, set[float]] = field(default_factory=dict)
    points: dict[str, set[int]] = field(default_factory=dict)
    direct: set[str] = field(default_factory=set)

    def walk(self, node: Any) -> str | None:
        """Record what ``node`` reads; say why not when it reads a growing number other than compared with a
        constant."""
        kind = type(node).__name__
        if kind == "SymbolExpression" and not node.scope:
            if node.name in self.growing:
                return f"uses {node.name} other than compared with a number"
            self.direct.add(node.name)
            return None
        if kind in _COMPARISONS and self._comparison(node):
            return None
        for child in _children(node):
            if refused := self.walk(child):
                return refused
        return None

    def _comparison(self, node: Any) -> bool:
        """Record a comparison of a number with a constant or null, or a date with null (True: taken)."""
        for mine, other in ((node.left, node.right), (node.right, node.left)):
            name = _banded_operand(mine, self.banded)
            other_kind = type(other).__name__
            if name is None:
                continue
            if other_kind == "FloatExpression" and name in self.growing:
                op = node.type if mine is node.left else _MIRROR.get(node.type, "")
                self.points.setdefault(name, set()).update(_points(op, float(other.value)))
                return True
            if other_kind == "FloatExpression":
                self.cuts.setdefault(name, set()).add(float(other.value))
                return True
            if other_kind == "NullExpression" and node.type in ("eq", "ne"):
                if name not in self.growing:
                    self.cuts.setdefault(name, set())
                return True
        return node.type in ("eq", "ne") and _null_check(node, self.dates)


def _banded_operand(node: Any, banded: set[str]) -> str | None:
    """The number a comparison operand is: the symbol, or the symbol ``?? constant``."""
    if type(node).__name__ == "CoalesceExpression" and type(node.right).__name__ == "FloatExpression":
        node = node.left
    if isinstance(node, ast.SymbolExpression) and not node.scope and node.name in banded:
        return str(node.name)
    return None


def _null_check(node: Any, dates: set[str]) -> bool:
    """``X == null`` / ``X != null`` on a date fact: its value matters only by being there."""
    for mine, other in ((node.left, node.right), (node.right, node.left)):
        if (isinstance(mine, ast.SymbolExpression) and not mine.scope and mine.name in dates
                and type(other).__name__ == "NullExpression"):
            return True
    return False
