"""rules.why: the parts of a condition that made it false, for ``csops rules explain`` (pure; no store, no CLI).

split_and is held to rule-engine's own parser: a condition's top-level ``and`` chain has as many parts as
split_and finds, and each part parses alone. The descriptions are the README's ("for one not done the part of
its condition that failed, e.g. ``active_ratio 0.37 < 0.5``").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import rule_engine
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.expr import Scope
from rules.why import split_and, why_false

TEXT = st.text(st.sampled_from(list("ab and or()\"'\\ 勤")), max_size=10)
STRING = st.builds(lambda t, q: q + t.replace("\\", "\\\\").replace(q, "\\" + q) + q, TEXT, st.sampled_from("'\""))
ATOM = st.one_of(
    st.builds("{} == {}".format, st.sampled_from(["name", "android", "brand", "and_x"]), STRING),
    st.builds("{} > {}".format, st.sampled_from(["x", "(x ?? 0)", "andy"]), st.integers(0, 9).map(str)),
    st.builds("({} or {})".format, st.sampled_from(["x > 1", "name == 'and'"]), st.sampled_from(["y < 2", "z"])),
)


def top_level_and(node: Any) -> list[Any]:
    if isinstance(node, rule_engine.ast.LogicExpression) and node.type == "and":
        return top_level_and(node.left) + top_level_and(node.right)
    return [node]


@settings(deadline=None)  # rule-engine's parser is slow to build on a loaded machine; speed is not the point
@given(st.lists(ATOM, min_size=1, max_size=5))
def test_split_and_finds_the_parts_rule_engine_parses(atoms: list[str]) -> None:
    text = " and ".join(atoms)
    parts = split_and(text)
    assert len(parts) == len(top_level_and(rule_engine.Rule(text).statement.expression)), (text, parts)
    for part in parts:
        rule_engine.Rule(part)  # each part is a whole condition: no quote or bracket cut in two


def test_an_escaped_quote_does_not_end_the_string() -> None:
    assert split_and(r"name == 'it\'s and more' and x > 1") == [r"name == 'it\'s and more'", "x > 1"]
    assert split_and(r'note == "a \\" and x > 1') == [r'note == "a \\"', "x > 1"]


def show(name: str, value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def scope() -> Scope:
    return Scope({"go_live_on": "date", "active_ratio": "number", "plan": "string"}, dt.date(2026, 11, 23), dt.UTC)


def test_the_failing_part_is_named_with_its_value() -> None:
    facts = {"go_live_on": dt.datetime(2026, 10, 1, tzinfo=dt.UTC), "active_ratio": 0.3667, "plan": "basic"}
    assert why_false("go_live_on != null and (active_ratio ?? 0) >= 0.5", scope(), facts, show) == \
        ["active_ratio 0.37 < 0.5"]
    assert why_false("go_live_on == null and plan == 'pro'", scope(), facts, show) == \
        ["go_live_on is 2026-10-01 00:00:00+00:00, not null", "plan basic ≠ 'pro'"]


def test_a_null_fact_is_said_to_be_null() -> None:
    facts = {"go_live_on": None, "active_ratio": None, "plan": None}
    assert why_false("go_live_on != null", scope(), facts, show) == ["go_live_on is null"]
    assert why_false("active_ratio >= 0.5", scope(), facts, show) == ["active_ratio is null, so active_ratio >= 0.5 "
                                                                      "is false"]
    assert why_false("(active_ratio ?? 0) >= 0.5", scope(), facts, show) == ["active_ratio null (so 0) < 0.5"]
