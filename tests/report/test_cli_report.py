"""``csops report`` and ``csops nps import`` through the CLI, on a store the real sync filled at several dates."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version

from report.html import BUNDLE_TRACES
from report.nps_csv import id18
from sandbox.salesforce_tasks import USER_NAMES
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
    started = [a for a in ws.sandbox.data.accounts.values()
               if a["Contract_Start_Date__c"] and "2026-06-01" <= a["Contract_Start_Date__c"] <= "2026-11-23"]
    # one onboarding per product of each account; a product without phases (Analytics) is out of every rate,
    # counted apart
    products = [p for a in started for p in a["Product__c"].split(";")]
    received = sum(1 for p in products if p != "Analytics")
    assert sum(c["received"] for c in rep["completion"]["cohorts"]) == received == rep["funnel"][0]["received"]
    assert rep["completion"]["not_applicable"] == [{"segment": "all", "accounts": len(products) - received}]
    assert len(products) > received > len(started) - products.count("Analytics")  # some have two products
    # the last week's status counts are the statuses of the last run
    last = rep["status_weekly"][-1]
    evaluated = ws.store_rows("SELECT status, COUNT(*) FROM evaluations GROUP BY status")
    assert {k: v for k, v in last.items() if k != "week"} == dict(evaluated)
    stalled_ever = ws.store_rows("SELECT COUNT(*) FROM (SELECT DISTINCT h.account_id, h.product FROM "
                                 "product_history h JOIN evaluations e ON e.account_id = h.account_id "
                                 "WHERE h.status = 'stalled' AND json_extract(e.result, '$.facts.contract_start') "
                                 "BETWEEN '2026-06-01' AND '2026-11-23T99')")
    assert rep["funnel"][0]["stalled"] == stalled_ever[0][0] > 0
    # --by owner: the Account owner, pulled with the account even though no rule reads it, shown by the User.Name
    # the sync fetched for it
    by_owner = json.loads(ws.cli("report", "--format", "json", "--by", "owner", "--from", "2026-06-01").stdout)
    owners = {a["OwnerId"] for a in ws.sandbox.data.accounts.values()
              if a["Contract_Start_Date__c"] and "2026-06-01" <= a["Contract_Start_Date__c"] <= "2026-11-23"}
    assert {f["segment"] for f in by_owner["funnel"]} == {USER_NAMES[o] for o in owners} and len(owners) > 1
    # accounts progressed through their phases: completions seen by history, times per phase
    assert rep["completion"]["date_sources"]["history"] > 0
    assert rep["time_to_complete"] and rep["time_in_phase"]


def test_report_table_uses_the_rule_files_labels_and_fits_a_terminal(synced: Workspace) -> None:
    from base.terminal import width

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
    assert text.count('data-chart="') == 9 and "<h1>csops レポート" in text
    # no NPS answer yet: that panel is no empty chart but says what feeds it
    assert text.count('class="chart empty"') == 1
    assert 'data-chart="nps"><p class="no-data">データなし' in text and "csops nps import" in text
    assert "NPS per survey and over the period" in text
    assert synced.cli("report", "--format", "html").exit_code == 2  # needs --out


def test_report_html_embeds_the_plotly_bundle_its_charts_need(synced: Workspace, tmp_path: Path) -> None:
    """The page embeds plotly.js's cartesian bundle, of the version plotly.py writes figures for (an upgrade of
    plotly fails here until report/vendor holds its bundle), and every chart uses a trace type the bundle holds."""
    out = tmp_path / "report.html"
    assert synced.cli("report", "--format", "html", "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert f"plotly.js (cartesian - minified) v{get_plotlyjs_version()}\n" in text
    assert text.count("Copyright 2012-") == 1  # plotly.js once, not the wheel's full bundle beside it
    assert len(text.encode()) < 2_000_000
    types = set()
    for m in re.finditer(r'Plotly\.newPlot\(\s*"chart-[^"]+",\s*', text):
        traces, _ = json.JSONDecoder().raw_decode(text, m.end())
        types |= {t["type"] for t in traces}
    assert {"bar", "box", "scatter"} <= types <= BUNDLE_TRACES


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


def test_report_by_product_rates_only_products_with_phases_and_has_a_due_view(synced: Workspace) -> None:
    from collections import Counter
    from datetime import date, timedelta

    rep = json.loads(synced.cli("report", "--format", "json", "--by", "product", "--from", "2026-06-01",
                                "--to", "2026-11-23").stdout)
    comp = rep["completion"]
    assert {c["segment"] for c in comp["cohorts"]} == {"勤怠管理", "経費精算"}  # no 0% Analytics rows
    assert {f["segment"] for f in rep["funnel"]} == {"勤怠管理", "経費精算"}
    assert [r["segment"] for r in comp["not_applicable"]] == ["Analytics"]
    # the due view: every onboarding whose deadline (start + target days) falls in the period, per due month,
    # recounted from the sandbox's own data
    targets = {"勤怠管理": 90, "経費精算": 60}
    want: Counter[tuple[str, str]] = Counter()
    for a in synced.sandbox.data.accounts.values():
        for product in a["Product__c"].split(";"):
            if product in targets and a["Contract_Start_Date__c"]:
                due = date.fromisoformat(a["Contract_Start_Date__c"]) + timedelta(days=targets[product])
                if date(2026, 6, 1) <= due <= date(2026, 11, 23):
                    want[(product, due.isoformat()[:7])] += 1
    assert {(c["segment"], c["due_month"]): c["due"] for c in comp["due"]} == want and want
    for row in comp["due"]:
        decided = row["on_time"] + row["failed"]
        assert row["due"] == decided + row["in_window"] + row["date_unknown"]
        assert row["rate"] == (round(row["on_time"] / decided, 4) if decided else None)
    text = synced.cli("report", "--by", "product", "--from", "2026-06-01").stdout
    assert "Onboarding due in the period" in text and "not counted (product without phases, 対象外): Analytics" in text
    rows = list(csv.DictReader(io.StringIO(synced.cli("report", "--format", "csv", "--by", "product").stdout)))
    assert {r["section"] for r in rows} >= {"completion", "completion_due", "not_applicable"}
    assert not any(r["segment"] == "Analytics" for r in rows if r["section"] in ("completion", "completion_due"))


CHURN_RULES = """
  account_type:      {type: string, field: Type, label: 取引先 種別}
  churned:           {type: bool, expr: "account_type == 'Former Customer'", label: 解約済み}
"""


def test_churned_and_deleted_accounts_leave_the_counts_from_that_day(ws: Workspace, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sandbox.data import sf_datetime
    from sandbox.timeline import progress_to
    from tests.conftest import RULES
    from tests.report.helpers import MONTHLY

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text(encoding="utf-8").replace("\nonboarding:", CHURN_RULES + "\nonboarding:", 1),
                     encoding="utf-8")
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(rules))
                         + "report:\n  churned_fact: churned\n", encoding="utf-8")
    accounts = ws.sandbox.data.accounts
    # X started in the period, has not gone live by the churn day, and its 90 days run past the period's end
    x = next(i for i, a in sorted(accounts.items()) if a["Product__c"] == "勤怠管理"
             and "2026-08-26" <= a["Contract_Start_Date__c"] <= "2026-10-18"
             and (a["Go_Live_Date__c"] or "9999") > "2026-10-19")
    y = next(i for i, a in sorted(accounts.items()) if i != x and a["Product__c"] == "経費精算")
    for day in MONTHLY:
        progress_to(ws.sandbox, date.fromisoformat(day))
        stamp = sf_datetime(datetime.now(UTC))
        if day == "2026-10-19":
            accounts[x].update({"Type": "Former Customer", "SystemModstamp": stamp})
        if day == "2026-11-23":
            accounts[y].update({"IsDeleted": True, "SystemModstamp": stamp})
        result = ws.cli("sync", "--today", day, "--allow-mass-change")
        assert result.exit_code == 0, result.output
    gone = ws.store_rows("SELECT account_id, MIN(day), gone FROM account_history WHERE gone IS NOT NULL "
                         "GROUP BY account_id, gone")
    assert sorted(gone) == sorted([(x, "2026-10-19", "churned"), (y, "2026-11-23", "deleted")])
    rep = json.loads(ws.cli("report", "--format", "json", "--from", "2026-06-01", "--to", "2026-11-23").stdout)
    live = ws.store_rows("SELECT COUNT(*) FROM accounts WHERE deleted = 0")[0][0]
    last = rep["status_weekly"][-1]
    assert sum(v for k, v in last.items() if k != "week") == live - 1 == len(accounts) - 2  # X churned, Y gone
    before = next(w for w in rep["status_weekly"] if w["week"] == "2026-10-12")
    assert sum(v for k, v in before.items() if k != "week") == len(accounts)
    cohort = next(c for c in rep["completion"]["cohorts"] if c["cohort"] == accounts[x]["Contract_Start_Date__c"][:7])
    assert cohort["churned"] == 1  # X: its deadline is after --to, yet it is lost, not in window


def test_a_history_shorter_than_the_target_says_so_and_names_completed_on(ws: Workspace, tmp_path: Path) -> None:
    """First-run honesty: two syncs a month apart cannot date completions from before the first; the report says
    so and names completed_on, and says nothing once the rule file maps it."""
    grow_history(ws, ("2026-10-19", "2026-11-23"))
    table = " ".join(ws.cli("report").stdout.split())  # the note is wrapped to the terminal's 120 columns
    assert "note: history starts 2026-10-19, 35 days before the period's end" in table
    assert "completed_on" in table and "90 target days" in table
    rep = json.loads(ws.cli("report", "--format", "json").stdout)
    assert rep["completion"]["short_history"]["history_days"] == 35
    out = tmp_path / "r.html"
    assert ws.cli("report", "--format", "html", "--out", str(out)).exit_code == 0
    assert "Map the completed_on fact" in out.read_text(encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    from tests.conftest import RULES
    rules.write_text(RULES.read_text(encoding="utf-8").replace("  # completed_on: go_live_on",
                                                               "  completed_on: go_live_on"), encoding="utf-8")
    import re
    ws.config.write_text(re.sub(r"files: \[.*\]", f"files: [{rules}]", ws.config.read_text()))
    mapped = ws.cli("report")
    assert mapped.exit_code == 0, mapped.output
    assert "note: history starts" not in mapped.stdout
