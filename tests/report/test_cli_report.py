"""``csops report`` and ``csops nps import`` through the CLI, on a store the real sync filled at several dates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from report.nps_csv import id18
from tests.conftest import Workspace
from tests.report.helpers import grow_history


@pytest.fixture
def synced(ws: Workspace) -> Workspace:
    grow_history(ws)
    return ws


def test_report_json_matches_the_history_the_sync_wrote(synced: Workspace) -> None:
    ws = synced
    result = ws.cli("report", "--format", "json", "--from", "2026-06-01", "--to", "2026-11-23")
    assert result.exit_code == 0, result.output
    rep = json.loads(result.stdout)
    assert rep["period"] == {"from": "2026-06-01", "to": "2026-11-23"}
    assert rep["accounts"] == len(ws.sandbox.data.accounts)
    starts = [a["Contract_Start_Date__c"] for a in ws.sandbox.data.accounts.values()]
    received = sum(1 for s in starts if s and "2026-06-01" <= s <= "2026-11-23")
    assert sum(c["received"] for c in rep["completion"]["cohorts"]) == received == rep["funnel"][0]["received"]
    # the last week's status counts are the statuses of the last run
    last = rep["status_weekly"][-1]
    evaluated = ws.store_rows("SELECT status, COUNT(*) FROM evaluations GROUP BY status")
    assert {k: v for k, v in last.items() if k != "week"} == dict(evaluated)
    stalled_ever = ws.store_rows("SELECT COUNT(DISTINCT h.account_id) FROM account_history h JOIN evaluations e "
                                 "ON e.account_id = h.account_id WHERE h.status = 'stalled' AND "
                                 "json_extract(e.result, '$.facts.contract_start') "
                                 "BETWEEN '2026-06-01' AND '2026-11-23T99'")
    assert rep["funnel"][0]["stalled"] == stalled_ever[0][0] > 0
    # --by owner: the Account owner, pulled with the account even though no rule reads it
    by_owner = json.loads(ws.cli("report", "--format", "json", "--by", "owner", "--from", "2026-06-01").stdout)
    owners = {a["OwnerId"] for a in ws.sandbox.data.accounts.values()
              if a["Contract_Start_Date__c"] and "2026-06-01" <= a["Contract_Start_Date__c"] <= "2026-11-23"}
    assert {f["segment"] for f in by_owner["funnel"]} == owners and len(owners) > 1
    # accounts progressed through their phases: completions seen by history, times per phase
    assert rep["completion"]["date_sources"]["history"] > 0
    assert rep["time_to_complete"] and rep["time_in_phase"]


def test_report_table_uses_the_rule_files_labels_and_fits_a_terminal(synced: Workspace) -> None:
    from report.render import width

    result = synced.cli("report", "--by", "product")
    assert result.exit_code == 0, result.output
    assert "オンボ滞留" in result.stdout and "解約見込" in result.stdout and "勤怠管理" in result.stdout
    assert max(width(line) for line in result.stdout.splitlines()) <= 120


def test_report_csv_is_one_number_per_row(synced: Workspace) -> None:
    result = synced.cli("report", "--format", "csv", "--by", "tier")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(rows[0]) == {"section", "segment", "key", "metric", "value"}
    assert {"completion", "funnel", "status_weekly", "alerts_weekly"} <= {r["section"] for r in rows}
    assert all(float(r["value"]) == float(r["value"]) for r in rows)


def test_report_html_is_written_to_a_file(synced: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    result = synced.cli("report", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "cdn" not in text.lower().split("<script>")[0] and 'src="http' not in text
    assert text.count('class="chart"') == 8 and "<h1>csops レポート" in text
    assert "NPS per survey and over the period" in text
    assert synced.cli("report", "--format", "html").exit_code == 2  # needs --out


def test_report_option_errors(synced: Workspace) -> None:
    bad = synced.cli("report", "--product", "勤怠")
    assert bad.exit_code == 78 and "unknown product '勤怠'" in bad.stderr and "勤怠管理" in bad.stderr
    assert synced.cli("report", "--from", "2027-01-01", "--to", "2026-01-01").exit_code == 2
    assert synced.cli("report", "--by", "colour").exit_code == 2


def test_report_config_is_checked(ws: Workspace) -> None:
    with ws.config.open("a", encoding="utf-8") as f:
        f.write("report:\n  targets: {勤怠: 0.9, 経費精算: 90}\n")
    result = ws.cli("report")
    assert result.exit_code == 78
    assert "report.targets: unknown product '勤怠'" in result.stderr
    assert "report.targets.経費精算: expected a share between 0 and 1" in result.stderr


def test_id18_matches_salesforce() -> None:
    # one checksum character per 5-character chunk, from the positions of its capital letters
    assert id18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
