"""base.terminal.printable: what a terminal would act on is shown, not run."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from base.terminal import REPLACEMENT, printable


@given(st.text())
def test_nothing_a_terminal_acts_on_is_left(text: str) -> None:
    out = printable(text, one_line=True)
    assert not any(unicodedata.category(c) == "Cc" or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                   for c in out)
    assert len(out) == len(text)  # one character for one: columns and positions stay where they were


def test_ordinary_text_is_kept() -> None:
    text = "株式会社テスト (ｶﾌﾞｼｷｶﾞｲｼｬ) — Ünïcode 😀 tab\there\nnext line"
    assert printable(text) == text
    assert printable(text, one_line=True) == text.replace("\t", " ").replace("\n", " ")
    assert printable("\x1b]0;title\x07x\x9b2J") == f"{REPLACEMENT}]0;title{REPLACEMENT}x{REPLACEMENT}2J"
