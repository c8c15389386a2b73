"""`csops sync` end to end against the sandbox, including the failure behaviour the issue lists."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import Sandbox
from tests.conftest import ROOT, Workspace, make_sandbox, make_workspace

WRITEBACK = ["Onboarding_Status__c", "Onboarding_Phase__c", "Days_Overdue__c", "Health_Score__c", "Health_Band__c",
             "Customer_Tier__c", "Onboarding_Alerts__c"]
PATCH = "PATCH /services/data/{version}/composite/sobjects"
TODAY = ("--today", "2026-11-23")


def sf_state(sb: Sandbox) -> dict[str, dict[str, Any]]:
    return {i: {f: a[f] for f in WRITEBACK} for i, a in sb.data.accounts.items()}


def reference_state(tmp_path: Path, **kw: Any) -> dict[str, dict[str, Any]]:
    """The Salesforce state an uninterrupted sync leaves on an identical sandbox."""
    return reference_run(tmp_path, **kw)[0]


def reference_run(tmp_path: Path, **kw: Any) -> tuple[dict[str, dict[str, Any]], list[Any]]:
    """The Salesforce state and ``alerts --new`` after an uninterrupted sync on an identical sandbox."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    sb = make_sandbox(**kw)
    try:
        ws = make_workspace(tmp_path, sb)
        assert ws.cli("sync", *TODAY).exit_code == 0
        return sf_state(sb), ws.json("alerts", "--new")
    finally:
        sb.stop()


def cursors(ws: Workspace) -> dict[str, str]:
    return dict(ws.store_rows("SELECT name, value FROM cursors"))


def test_sync_json_and_unchanged_second_run(ws: Workspace) -> None:
    sb = ws.sandbox
    first = ws.json("sync", *TODAY)
    assert set(first) == {"zendesk", "salesforce", "rules", "writeback", "notify", "duration_s"}
    assert first["rules"]["accounts_evaluated"] == len(sb.data.accounts)
    assert sum(first["rules"]["status_counts"].values()) == len(sb.data.accounts)
    assert first["writeback"]["changed"] == first["writeback"]["written"] > 0
    assert first["writeback"]["api_calls"] == sb.stats[PATCH] == -(-first["writeback"]["changed"] // 200)
    assert first["zendesk"]["organizations_unlinked"] > 0  # reported, not fatal
    assert set(first["zendesk"]) == {"tickets_pulled", "tickets_deleted", "organizations_pulled",
                                     "organizations_unlinked", "organizations_unlinked_new", "api_calls"}
    sb.reset_stats()
    second = ws.json("sync", *TODAY)
    assert second["writeback"] == {"changed": 0, "written": 0, "failed": 0, "api_calls": 0}
    assert sb.stats[PATCH] == 0
    assert second["rules"]["alerts_new"] == 0
    assert second["rules"]["alerts_active"] == first["rules"]["alerts_active"]
    # every (account, field) was written exactly once
    assert all(n == 1 for n in sb.salesforce.field_writes.values())


def test_dry_run_writes_nothing_and_advances_nothing(ws: Workspace) -> None:
    sb = ws.sandbox
    result = ws.cli("sync", "--dry-run", "--details", *TODAY)
    assert result.exit_code == 0, result.output
    assert sb.stats[PATCH] == 0
    assert cursors(ws) == {}
    assert all(a["Onboarding_Status__c"] is None for a in sb.data.accounts.values())
    first_id = sorted(sb.data.accounts)[0]
    assert f"\n{first_id}" in "\n" + result.stdout
    assert "Onboarding_Status__c: (empty) → " in result.stdout
    assert "dry run: nothing written" in result.stdout
    assert ws.store_rows("SELECT COUNT(*) FROM runs")[0][0] == 0
    as_json = ws.json("sync", "--dry-run", *TODAY)
    assert as_json["dry_run"] is True and len(as_json["changes"]) == as_json["writeback"]["changed"]
    change = as_json["changes"][0]
    assert change["fields"]["Onboarding_Status__c"]["old"] is None
    # the real run afterwards writes exactly what the dry run listed
    real = ws.json("sync", *TODAY)
    assert real["writeback"]["written"] == as_json["writeback"]["changed"]


def test_record_failures_exit_3_and_are_written_next_run(ws: Workspace) -> None:
    sb = ws.sandbox
    bad = sorted(sb.data.accounts)[:2]
    for i in bad:
        sb.salesforce.reject[i] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "ステータスを変更できません")
    result = ws.cli("sync", *TODAY)
    assert result.exit_code == 3
    for i in bad:
        assert f"failed: {i}: FIELD_CUSTOM_VALIDATION_EXCEPTION: ステータスを変更できません" in result.stderr
    status = ws.cli("status")
    assert "partial" in status.stdout and bad[0] in status.stdout
    sb.salesforce.reject.clear()
    sb.reset_stats()
    again = ws.json("sync", *TODAY)
    assert again["writeback"]["written"] == 2 and again["writeback"]["failed"] == 0
    assert all(sb.data.accounts[i]["Onboarding_Status__c"] for i in bad)


def test_429_storm_finishes_later_with_the_same_result(tmp_path: Path) -> None:
    reference = reference_state(tmp_path / "ref")
    sb = make_sandbox(rate_limit="2", rate_window=0.5)
    try:
        ws = make_workspace(tmp_path, sb)
        out = ws.json("sync", *TODAY)
        assert out["writeback"]["failed"] == 0
        assert sf_state(sb) == reference
    finally:
        sb.stop()


@pytest.mark.slow
def test_request_limit_exceeded_exits_75_and_next_run_completes(tmp_path: Path) -> None:
    reference = reference_state(tmp_path / "ref", accounts=450)
    sb = make_sandbox(accounts=450)
    try:
        ws = make_workspace(tmp_path, sb)
        ws.config.write_text(ws.config.read_text().replace("fields: [Name]",
                                                           "fields: [Name]\n  max_daily_usage_pct: 100"))
        ws.json("pull", "salesforce")
        # Another integration spends one call after each of ours: the limit is hit at the second write.
        sb.salesforce.background_usage_per_call = 1
        sb.options.sf_daily_limit = sb.salesforce.used + 6
        result = ws.cli("sync", *TODAY)
        assert result.exit_code == 75
        assert "REQUEST_LIMIT_EXCEEDED" in result.stderr
        assert sb.stats[PATCH] >= 1
        assert ws.store_rows("SELECT status, exit_code FROM runs ORDER BY id DESC LIMIT 1") == [("stopped", 75)]
        sb.options.sf_daily_limit = 100_000
        sb.salesforce.background_usage_per_call = 0
        again = ws.json("sync", *TODAY)
        assert again["writeback"]["failed"] == 0
        assert sf_state(sb) == reference
        assert all(n == 1 for n in sb.salesforce.field_writes.values())
    finally:
        sb.stop()


def run_and_kill(ws: Workspace, ready: Callable[[], bool], timeout: float = 60) -> None:
    env = {**os.environ, **ws.env}
    proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "sync", *TODAY],
                            cwd=ws.path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if ready():
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sync finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()


def stored_tickets(ws: Workspace) -> int:
    db = ws.path / ".csops" / "state.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("when", ["pull", "writeback"])
def test_sigkill_then_rerun_equals_an_uninterrupted_run(tmp_path: Path, when: str) -> None:
    params = {"accounts": 700, "tickets": 5000, "latency_ms": 120}
    reference, new_alerts = reference_run(tmp_path / "ref", **params)
    sb = make_sandbox(**params)
    try:
        ws = make_workspace(tmp_path, sb)
        if when == "pull":
            run_and_kill(ws, lambda: 1000 <= stored_tickets(ws) < 5000)
            assert sb.stats[PATCH] == 0
        else:
            run_and_kill(ws, lambda: sb.stats[PATCH] >= 1)
            assert sb.stats[PATCH] < 4  # killed during the writeback, not after it
        out = ws.json("sync", *TODAY)
        assert out["writeback"]["failed"] == 0
        assert sf_state(sb) == reference
        # no (account, field) written twice, and no ticket lost
        assert max(sb.salesforce.field_writes.values()) == 1
        assert stored_tickets(ws) == len(sb.data.tickets)
        runs = ws.store_rows("SELECT status FROM runs ORDER BY id")
        assert runs == [("killed",), ("ok",)]
        # "new" means new since the last run that finished, killed runs in between included
        assert new_alerts and ws.json("alerts", "--new") == new_alerts
    finally:
        sb.stop()


def test_alert_lifecycle_and_status_history(ws: Workspace) -> None:
    sb = ws.sandbox
    ws.json("sync", *TODAY)
    active = ws.json("alerts")
    assert active and {"account_id", "account", "alert", "severity", "title", "first_seen"} <= set(active[0])
    severities = [a["severity"] for a in active]
    order = {"critical": 0, "warning": 1, "info": 2}
    assert severities == sorted(severities, key=order.__getitem__)
    assert ws.json("alerts", "--new") == active
    # the next run raises nothing new
    ws.json("sync", *TODAY)
    assert ws.json("alerts", "--new") == []
    # clear one account's urgent tickets: its alert resolves
    urgent = next(a for a in active if a["alert"] == "urgent_tickets")
    orgs = [o for o, v in sb.data.organizations.items() if v["external_id"] == urgent["account_id"]]
    ids = [t for t, v in sb.data.tickets.items() if v.get("organization_id") in orgs and v.get("priority") == "urgent"]
    sb.zendesk.update_tickets(ids, status="solved")
    out = ws.json("sync", *TODAY)
    assert out["rules"]["alerts_resolved"] >= 1
    assert not any(a["account_id"] == urgent["account_id"] and a["alert"] == "urgent_tickets"
                   for a in ws.json("alerts"))
    rows = ws.store_rows(f"SELECT resolved_at FROM alerts WHERE account_id = '{urgent['account_id']}' "
                         "AND alert_id = 'urgent_tickets'")
    assert rows == [("2026-11-23",)]
    # a later date moves accounts along: status periods close and open with dates
    later = ws.json("sync", "--today", "2026-12-31", "--allow-mass-change")  # a month on: most accounts move
    assert later["rules"]["accounts_evaluated"] == len(sb.data.accounts)
    history = ws.store_rows("SELECT status, since, until FROM status_history WHERE until IS NOT NULL")
    assert history and all(u == "2026-12-31" and s == "2026-11-23" for _, s, u in history)


def test_status_and_explain(ws: Workspace) -> None:
    assert "no runs yet" in ws.cli("status").stdout
    ws.json("sync", *TODAY)
    st = ws.json("status")
    assert st["runs"][0]["status"] == "ok" and st["runs"][0]["evaluated"] == len(ws.sandbox.data.accounts)
    products = sum(len(a["Product__c"].split(";")) for a in ws.sandbox.data.accounts.values())
    assert sum(sum(v.values()) for v in st["funnel"].values()) == products  # one per product of each account
    text = ws.cli("status").stdout
    assert "勤怠管理" in text and "解約見込" in text and "churn_risk" not in text
    account = next(i for i, a in ws.sandbox.data.accounts.items() if a["Product__c"] == "勤怠管理")
    explained = ws.cli("rules", "explain", account)
    assert explained.exit_code == 0
    for part in ("facts:", "contract_start", "(契約開始日)", "phases:", "キックオフ", "health:", "writeback:",
                 "Onboarding_Status__c"):
        assert part in explained.stdout
    stored = json.loads(ws.cli("rules", "explain", account, "--json").stdout)
    assert stored["writeback"]["Onboarding_Status__c"] == ws.sandbox.data.accounts[account]["Onboarding_Status__c"]
    missing = ws.cli("rules", "explain", "001NOPE")
    assert missing.exit_code == 78 and "no account with the Id or a name containing '001NOPE'" in missing.stderr


def test_status_and_alerts_need_no_api_secrets(ws: Workspace) -> None:
    ws.json("sync", *TODAY)
    no_secrets = {k: None for k in ws.env}
    assert ws.cli("status", env=no_secrets).exit_code == 0  # type: ignore[arg-type]
    assert ws.cli("alerts", env=no_secrets).exit_code == 0  # type: ignore[arg-type]
    result = ws.cli("sync", env=no_secrets)  # type: ignore[arg-type]
    assert result.exit_code == 78
    assert "environment variable ${ZENDESK_CLIENT_SECRET} is not set" in result.stderr


@pytest.mark.slow
def test_demo_runs_and_second_sync_writes_nothing(tmp_path: Path) -> None:
    # From the checkout, as make demo runs it, with csops not on PATH yet.
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not (Path(p) / "csops").exists())
    published = [ROOT / "kb" / "helpcenter-ids.yaml", ROOT / "kb" / ".cache"]  # what kb publish writes by the kb
    before = {p: p.stat().st_mtime_ns for p in published if p.exists()}
    proc = subprocess.run([sys.executable, "-m", "csops", "demo", "--accounts", "40", "--tickets", "400",
                           "--keep", str(tmp_path)], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "PATH": path})
    assert proc.returncode == 0, proc.stderr
    # The sample knowledge base is published from a copy in the demo's folder, never from the installed package.
    assert {p: p.stat().st_mtime_ns for p in published if p.exists()} == before
    assert "articles:" in (tmp_path / "kb" / "helpcenter-ids.yaml").read_text(encoding="utf-8")
    assert proc.stdout.splitlines()[-1].startswith("Next:  make install ")  # README: Starting your own project
    assert "second sync: nothing to write" in proc.stdout
    assert "onboarding status:" in proc.stdout
    # six months of weekly history through the real sync, then the report over it
    assert "history: 27 syncs, weekly from" in proc.stdout
    assert f"report with charts: {tmp_path / 'report.html'}" in proc.stdout
    days = sqlite3.connect(tmp_path / ".csops" / "state.db").execute(
        "SELECT MIN(day), MAX(day), COUNT(DISTINCT day) FROM account_history").fetchone()
    assert (date.fromisoformat(days[1]) - date.fromisoformat(days[0])).days >= 182 and days[2] > 20
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'data-chart="completion"' in html and 'data-chart="due"' in html
    # the demo's report by product: no row for a product without phases (対象外), and a due-month view
    report = subprocess.run([sys.executable, "-m", "csops", "--config", str(tmp_path / "csops.yaml"), "report",
                             "--by", "product", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    completion = json.loads(report.stdout)["completion"]
    rated = {r["segment"] for r in completion["cohorts"] + completion["due"]}
    assert rated == {"勤怠管理", "経費精算"} and completion["due"]
    assert [r["segment"] for r in completion["not_applicable"]] == ["Analytics"]


def test_sync_writes_the_documented_score_of_a_component_on_status_only(ws: Workspace) -> None:
    """Health_Score__c and Health_Band__c as the README defines them, for a progress ladder on `status` only."""
    from tests.conftest import RULES
    from tests.rules.naive import NaiveRules
    from tests.rules.status_ladder import write_status_ladder_rules

    rules, spec = write_status_ladder_rules(ws.path)
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(rules)), encoding="utf-8")
    result = ws.cli("sync", *TODAY)
    assert result.exit_code == 0, result.output
    naive = NaiveRules(spec, date(2026, 11, 23))
    fields = {name: f["field"] for name, f in spec["facts"].items() if isinstance(f, dict) and "field" in f}
    seen = set()
    for account in ws.sandbox.data.accounts.values():
        want = naive.evaluate({name: account.get(field) for name, field in fields.items()})
        assert (account["Health_Score__c"], account["Health_Band__c"]) == (want.score, want.band), account["Id"]
        seen.add(want.status)
    assert {"on_track", "stalled", "churn_risk", "completed"} <= seen
