"""base.terminal: what a terminal would act on is shown, not run (printable); tables line up by the columns a
terminal gives each character, not by how many characters a cell has (width, table).

Names come from Zendesk and Salesforce, mostly Japanese: a kanji takes two columns, a half-width ｶﾀｶﾅ one, a
combining accent none. The widths here come from rich's cell table (``rich.cells.cell_len``), not from csops: a
column lines up when every row's cell starts at the same terminal column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from base.terminal import REPLACEMENT, printable, table, width


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


NAMES = ["ｶﾌﾞｼｼｷｶﾞｲｼｬ ﾃｽﾄ", "ＡＢＣ商事", "Cafe\u0301 Cre\u0300me", "😀 スマイル株式会社", "한글 Corp", "x"]
ALPHABET = st.sampled_from(list("aZ9 -ｶﾞｼ漢字かなカナＡＢ한😀é\u0301\u200b\u3000—"))
CELL = st.text(ALPHABET, min_size=1, max_size=8).filter(lambda t: t == t.strip() and t.strip("\u3000") == t)


def starts(line: str, cells: Sequence[str]) -> list[int]:
    """The terminal column where each cell begins in ``line`` (cells found in order)."""
    out, pos = [], 0
    for cell in cells:
        pos = line.index(cell, pos)
        out.append(cell_len(line[:pos]))
        pos += len(cell)
    return out


def ends_of(line: str) -> list[int]:
    """The terminal column where each cell ends (cells are apart by two spaces or more)."""
    cells = re.split(r"  +", line)
    return [a + cell_len(c) for a, c in zip(starts(line, cells), cells, strict=True)]


@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6))
def test_every_row_starts_each_column_at_the_same_terminal_column(rows: list[list[str]]) -> None:
    lines = table(rows).split("\n")
    assert len({tuple(starts(line, row)) for line, row in zip(lines, rows, strict=True)}) == 1
    right = table(rows, right={1, 2}).split("\n")
    assert len({cell_len(line) for line in right}) == 1  # right-aligned to the last column: lines end together


@pytest.mark.parametrize("text", [*NAMES, "勤怠管理", "ｶﾀｶﾅ", "\u3000", "e\u0301", "a\u200bb", "\ufffd", "—·Ü"])
def test_width_is_what_a_terminal_shows(text: str) -> None:
    assert width(text) == cell_len(text)


def test_clip_cuts_by_terminal_columns() -> None:
    from base.terminal import clip, width

    assert clip("短い", 10) == "短い"
    assert clip("株式会社ホクトラボ", 10) == "株式会社…" and width(clip("株式会社ホクトラボ", 10)) <= 10
    assert clip("abcdefghij", 5) == "abcd…"
