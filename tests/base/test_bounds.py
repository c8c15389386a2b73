"""base.bounds against a naive recursive measure of the same JSON."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from base.bounds import json_too_deep

LEAVES = st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:\n', max_size=6)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(alphabet='[]{}"\\x', max_size=3), inner, max_size=3), max_leaves=40)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(VALUES, st.integers(min_value=0, max_value=8), st.booleans())
def test_the_flat_scan_agrees_with_recursion(value: Any, limit: int, indent: bool) -> None:
    text = json.dumps(value, indent=1 if indent else None, ensure_ascii=False)
    assert (json_too_deep(text, limit) is None) == (depth(value) <= limit)


def test_the_position_is_the_first_opener_past_the_limit() -> None:
    assert json_too_deep('[\n  {"a": [[1]]}\n]', 3) == (2, 10)
    assert json_too_deep("[" * 100_000 + "]" * 100_000) == (1, 65)
