"""Tables line up by the columns a terminal gives each character, not by how many characters a cell has.

Names come from Zendesk and Salesforce, mostly Japanese: a kanji takes two columns, a half-width ｶﾀｶﾅ one, a
combining accent none. The widths here come from rich's cell table (``rich.cells.cell_len``), not from csops: a
column lines up when every row's cell starts at the same terminal column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from base.terminal import table, width
from tests.conftest import TODAY, Workspace

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


@pytest.fixture
def wide(ws: Workspace) -> Workspace:
    """A synced workspace whose accounts and organizations carry wide, narrow and zero-width characters."""
    sb = ws.sandbox
    for (account_id, account), name in zip(list(sb.data.accounts.items()), NAMES, strict=False):
        account["Name"] = name
        for org in sb.data.organizations.values():
            if org["external_id"] == account_id:
                org["name"] = name
    unlinked = [o for o in sb.data.organizations.values() if o["external_id"] not in sb.data.accounts]
    for org, name in zip(unlinked, NAMES, strict=False):
        org["name"] = name
    ws.run("sync", "--today", TODAY.isoformat(), check=True)
    return ws


def test_orgs_alerts_status_and_report_line_up_wide_names(wide: Workspace) -> None:
    rows = json.loads(wide.cli("orgs", "--unlinked", "--json").stdout)
    assert any(r["name"] in NAMES for r in rows)
    lines = wide.cli("orgs", "--unlinked").stdout.splitlines()[1:]
    cells = [[r["kind"], r["id"], *([r["name"]] if r["name"] else []), r["reason"]] for r in rows]
    found = [starts(line, c) for line, c in zip(lines[1:], cells, strict=True)]
    assert len({(s[0], s[1], s[-1]) for s in found}) == 1, "\n".join(lines)

    alerts = wide.json("alerts")
    lines = wide.cli("alerts").stdout.splitlines()[1:]
    assert any(a["account"] in NAMES for a in alerts)
    found = [starts(line, [a["severity"], a["account_id"], a["account"], a["alert"]])
             for line, a in zip(lines, alerts, strict=True)]
    assert len({tuple(s) for s in found}) == 1, "\n".join(lines)

    funnel = wide.cli("status").stdout.split("\n\n")[-1].strip().splitlines()
    header = funnel[0].split()
    assert "オンボ滞留" in header and any(line.startswith("勤怠管理") for line in funnel)
    for line in funnel[1:]:
        assert starts(line, line.split()) == starts(funnel[0], header), "\n".join(funnel)

    report = wide.cli("report", "--by", "product").stdout
    for block in report.split("\n\n"):  # numbers right-aligned: each ends where its header ends
        rows = [line for line in block.splitlines() if line.split(" ")[0] in ("segment", "勤怠管理", "経費精算")]
        ends = [ends_of(line) for line in rows]
        assert all(e[1:] == ends[0][1:len(e)] for e in ends), block
    assert "オンボ滞留" in report and "勤怠管理" in report
