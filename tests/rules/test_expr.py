"""The fast closures give rule-engine's own answers (property test), and conditions compile once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.expr import Scope

TYPES = {"n": "number", "m": "number", "d": "date", "e": "datetime", "b": "bool", "s": "string"}
SCOPE = Scope(TYPES, dt.date(2026, 11, 23), dt.UTC)

EXPRESSIONS = [
    "n > 3", "n >= m", "n == m", "n != 2", "not b", "b and n < 5", "b or s == 'x'", "(n ?? 0) * 2 + 1 > 3",
    "n / m > 0.5", "-n < 0", "d == null", "d != null and d > d'2026-01-01'", "($today - d).days >= 30",
    "$today - d > t'P30D'", "s =~ 'ab.*'", "s in ['a', 'b']", "n > 1 ? b : not b", "n % 3 == 1",
    "(n ?? m ?? 0) >= 10", "e < $now", "n // 2 == m", "n ** 2 > 100", "'a' in s", "(e ?? $today) >= d'2026-11-01'",
]

dates = st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1)).map(
    lambda d: dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)))
facts = st.fixed_dictionaries({
    "n": st.one_of(st.none(), st.integers(-50, 50).map(float), st.floats(-100, 100, allow_nan=False)),
    "m": st.one_of(st.none(), st.integers(-5, 5).map(float)),
    "d": dates,
    "e": dates,
    "b": st.one_of(st.none(), st.booleans()),
    "s": st.one_of(st.none(), st.sampled_from(["a", "b", "abc", "x", ""])),
})


def norm(v: Any) -> Any:
    return round(v, 9) if isinstance(v, float) else v


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(facts)
def test_closures_match_rule_engine(thing: dict[str, Any]) -> None:
    for text in EXPRESSIONS:
        cond = SCOPE.compile(text, want=None)
        assert norm(cond(thing)) == norm(cond.slow(thing)), (text, thing)


def test_symbols_are_collected() -> None:
    assert SCOPE.compile("(n ?? m) > 1 and $today > d").symbols == {"n", "m", "d"}


def test_common_expressions_never_take_the_slow_path() -> None:
    from rules.expr import slow_paths

    for text in EXPRESSIONS:
        if "=~" in text:
            continue  # regex matching is left to rule-engine
        assert slow_paths(SCOPE.compile(text, want=None).fn) == [], text


def test_example_rules_compile_to_fast_closures() -> None:
    from pathlib import Path

    from rules.expr import slow_paths
    from rules.ruleset import load_and_compile

    rs = load_and_compile([Path(__file__).resolve().parents[2] / "rules" / "onboarding.yaml"], dt.date(2026, 11, 23))
    conds = [f.condition for f in rs.facts.values() if f.condition]
    conds += [p.done for ps in rs.products.values() for p in ps] + [a.when for a in rs.alerts]
    conds += [s.when for c in rs.components for s in (c.ladder or [])] + [t.when for t in rs.tiers]
    assert all(slow_paths(c.fn) == [] for c in conds if c is not None)


ATOMS = ["n > 3", "n >= m", "m < 2", "n != 2", "n == m", "d == null", "d != null", "d > d'2026-01-01'",
         "e <= $now", "s == 'a'", "s >= 'b'", "b", "not b", "b == false", "(n ?? 0) >= 1", "n / m > 0.5",
         "($today - d).days >= 30", "s =~ 'ab.*'", "s in ['a', 'b']", "n", "s", "e"]


def joined(depth: int) -> st.SearchStrategy[str]:
    atom = st.sampled_from(ATOMS)
    if depth == 0:
        return atom
    inner = joined(depth - 1)
    return st.one_of(atom, st.builds("{} and {}".format, inner, inner), st.builds("{} or {}".format, inner, inner),
                     st.builds("({}) and ({})".format, inner, inner), st.builds("not ({})".format, inner))


@settings(max_examples=400, deadline=None)
@given(text=joined(3), thing=facts)
def test_holds_is_whether_rule_engine_says_true(text: str, thing: dict[str, Any]) -> None:
    """Condition.holds (split over ``and``, one closure for ``fact OP constant``) is rule-engine's ``is True``,
    with an unknown value (a null, a division by zero) never holding, and no exception."""
    from hypothesis import assume

    from rules.expr import ExprError

    try:
        cond = SCOPE.compile(text, want=None)
    except ExprError:
        assume(False)
        return
    assert cond.holds(thing) is (cond.slow(thing) is True), (text, thing)
    assert cond.holds(thing) is (cond(thing) is True), (text, thing)
