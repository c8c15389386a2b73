"""base.regex: the one engine for patterns users write (rule files' =~, kb.yaml's user rules) is RE2.

Held to Python's ``re`` (ASCII classes, as RE2's and Go's are) on generated patterns without the constructs
only backtracking engines have, and on Japanese text; those constructs are refused with RE2's reason.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from base.errors import InputError
from base.regex import UnsupportedPattern, user_regex

LETTERS = "ab勤怠 -1"
ATOM = st.one_of(st.sampled_from([*LETTERS, ".", r"\d", r"\w", r"\s", "[a勤]", "[^b ]", r"\b"]))
PIECE = st.builds(lambda a, q: a + q if a != r"\b" else a, ATOM, st.sampled_from(["", "*", "+", "?", "{1,2}"]))
PATTERN = st.lists(PIECE, min_size=1, max_size=4).map("".join) | st.lists(
    st.lists(PIECE, min_size=1, max_size=2).map("".join), min_size=2, max_size=3).map(lambda p: "(" + "|".join(p) + ")")


TEXT = st.text(st.sampled_from(LETTERS + "B勤務"), max_size=20)


@given(PATTERN, TEXT, st.booleans())
def test_matches_what_python_matches(pattern: str, text: str, ignorecase: bool) -> None:
    flags = re.ASCII | (re.IGNORECASE if ignorecase else 0)
    theirs = [(m.span(), m.group(0)) for m in re.finditer(pattern, text, flags)]
    # An empty match anywhere (not only on empty text: '(\b| )' on '1 ') is where re retries the same position for
    # a longer match and RE2 does not: the next test holds those.
    assume(all(end > start for (start, end), _ in theirs))
    ours = [(m.span(), m.group(0)) for m in user_regex(pattern, ignorecase).finditer(text)]
    assert ours == theirs, (pattern, text)


@given(PATTERN, TEXT)
def test_no_match_is_given_twice(pattern: str, text: str) -> None:
    spans = [m.span() for m in user_regex(pattern).finditer(text)]
    assert len(spans) == len(set(spans)) and spans == sorted(spans)
    assert [m.span() for m in user_regex(r"\b").finditer("ab cd")] == [(0, 0), (2, 2), (3, 3), (5, 5)]


def test_japanese_is_matched_as_written() -> None:
    assert user_regex("(勤怠|経費)管理").search("新しい経費管理の設定").group(0) == "経費管理"
    assert user_regex("ＡＢＣ", ignorecase=True).search("ａｂｃ社") is not None  # full-width letters fold too


@pytest.mark.parametrize("pattern", [r"(a)\1", r"foo(?=bar)", r"(?<!x)y", r"(?P<n>a)(?P=n)"])
def test_backtracking_only_constructs_are_refused_with_the_reason(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern) as caught:
        user_regex(pattern)
    assert isinstance(caught.value, InputError)  # a user's input error: exit 78 at the CLI
    assert repr(pattern) in str(caught.value) and "backreferences and lookarounds are not allowed" in str(caught.value)
    assert caught.value.reason


def test_a_pattern_python_would_take_minutes_on_is_an_ordinary_match() -> None:
    """(a+)+$ against a run of a's and a b backtracks exponentially in re; RE2 answers it like any other."""
    assert user_regex("(a+)+$").search("a" * 5000 + "b") is None
    assert user_regex("(a+)+$").search("a" * 5000) is not None
