"""The tables of csops orgs --unlinked, alerts, status and report line up names from Zendesk and Salesforce in
any script (base.terminal.table; widths from rich's cell table, not from csops: tests/base/test_terminal.py)."""

from __future__ import annotations

import json

import pytest

from tests.base.test_terminal import NAMES, ends_of, starts
from tests.conftest import TODAY, Workspace


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
