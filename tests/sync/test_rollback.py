"""`csops sync --rollback RUN` (issue 27 item 2) against the sandbox, on both engines: a rule edit's run put back,
a field changed since left alone as a conflict, the rollback rolled back in turn, the mass-change guard, and a
rollback killed half-way finished by a rerun that writes nothing twice."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import Sandbox
from tests.conftest import Workspace, make_sandbox, make_workspace
from tests.store.test_engines import on_store
from tests.store_sql import rows
from tests.sync.test_sync import PATCH, TODAY
from tests.sync.test_write_log import edited_rules, use_rules


def bands(sb: Sandbox) -> dict[str, Any]:
    return {i: a["Health_Band__c"] for i, a in sb.data.accounts.items()}


def rollback(ws: Workspace, *args: str) -> tuple[int, dict[str, Any]]:
    result = ws.cli("sync", "--rollback", *args, "--json")
    return result.exit_code, (json.loads(result.stdout) if result.stdout.strip() else {})


def test_rollback_puts_back_a_rule_edit_and_can_itself_be_rolled_back(ws: Workspace, store_url: str,
                                                                      tmp_path: Path) -> None:
    on_store(ws, store_url)
    sb = ws.sandbox
    assert ws.cli("sync", *TODAY).exit_code == 0
    before = bands(sb)
    rules = edited_rules(tmp_path)
    rules.write_text(rules.read_text(encoding="utf-8").replace("{name: green, min: 140}", "{name: 良好, min: 140}"),
                     encoding="utf-8")
    use_rules(ws, rules)
    assert ws.cli("sync", *TODAY).exit_code == 0
    edited = bands(sb)
    greens = sorted(i for i, b in before.items() if b == "green")
    assert len(greens) >= 3 and all(edited[i] == "良好" for i in greens)
    by_hand = greens[0]  # a person changes one of them in between
    sb.data.accounts[by_hand]["Health_Band__c"] = "要確認"

    received = len(sb.salesforce.received)
    code, plan = rollback(ws, "2", "--dry-run")
    assert code == 0 and plan["dry_run"] and plan["run_id"] is None
    assert len(sb.salesforce.received) == received  # nothing written
    assert plan["accounts"] == len(greens) - 1 and plan["already_back"] == 0
    assert [(c["account_id"], c["field"], c["wrote"], c["now"]) for c in plan["conflicts"]] == \
        [(by_hand, "Health_Band__c", "良好", "要確認")]
    assert all(c["fields"] == {"Health_Band__c": {"now": "良好", "back": "green"}} for c in plan["changes"])
    text = ws.cli("sync", "--rollback", "2", "--dry-run")
    assert f"conflict, left alone: {by_hand} Health_Band__c: run wrote 良好, Salesforce holds 要確認" in text.stdout
    assert "良好" in text.stdout and "dry run: nothing written" in text.stdout

    code, done = rollback(ws, "2")
    assert code == 0 and done["run_id"] == 3 and done["written"] == len(greens) - 1
    assert bands(sb) == {**before, by_hand: "要確認"}
    log = ws.json("log", "--run", "3")
    assert {(r["account_id"], r["field"], r["old"], r["new"], r["result"]) for r in log} == \
        {(i, "Health_Band__c", "良好", "green", "ok") for i in greens[1:]}
    assert all(r["reason"] == "rollback of run 2" for r in log)
    assert ws.json("status")["runs"][0]["command"] == "sync --rollback 2"

    # the rollback rolled back: the edit's values again, the hand-made change still left alone
    code, again = rollback(ws, "3")
    assert code == 0 and again["written"] == len(greens) - 1 and again["conflicts"] == []
    assert bands(sb) == {**edited, by_hand: "要確認"}
    # and rolling back run 2 once more finds the fields back as run 2 wrote them
    assert rollback(ws, "2", "--dry-run")[1]["accounts"] == len(greens) - 1


def test_rollback_answers_to_the_mass_change_guard(ws: Workspace, tmp_path: Path) -> None:
    sb = ws.sandbox
    assert ws.cli("sync", *TODAY).exit_code == 0
    before = {i: a["Onboarding_Status__c"] for i, a in sb.data.accounts.items()}
    rules = edited_rules(tmp_path)
    rules.write_text(re.sub(r"due_day: \d+", "due_day: 1", rules.read_text(encoding="utf-8")), encoding="utf-8")
    use_rules(ws, rules)
    assert ws.cli("sync", *TODAY).exit_code == 4
    assert ws.cli("sync", *TODAY, "--allow-mass-change").exit_code == 0
    assert {i: a["Onboarding_Status__c"] for i, a in sb.data.accounts.items()} != before
    received = len(sb.salesforce.received)
    held = ws.cli("sync", "--rollback", "3")
    assert held.exit_code == 4 and "--allow-mass-change" in held.stderr and "Onboarding_Status__c" in held.stderr
    assert len(sb.salesforce.received) == received
    assert ws.json("status")["runs"][0]["status"] == "held"
    code, done = rollback(ws, "3", "--allow-mass-change")
    assert code == 0 and done["written"] > 0
    assert {i: a["Onboarding_Status__c"] for i, a in sb.data.accounts.items()} == before


def test_rollback_of_an_unknown_run_or_one_that_wrote_nothing(ws: Workspace) -> None:
    assert ws.cli("sync", *TODAY).exit_code == 0
    assert ws.cli("sync", *TODAY).exit_code == 0
    unknown = ws.cli("sync", "--rollback", "9")
    assert unknown.exit_code == 78 and "no such run" in unknown.stderr
    nothing = ws.cli("sync", "--rollback", "2")
    assert nothing.exit_code == 78 and "nothing to put back" in nothing.stderr
    assert ws.cli("sync", "--rollback", "1", "--full").exit_code == 2


def start_rollback(ws: Workspace, run: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "sync", "--rollback",
                             str(run)], cwd=ws.path, env={**os.environ, **ws.env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True)


@pytest.mark.slow
def test_a_rollback_killed_half_way_is_finished_by_a_rerun(tmp_path: Path, store_url: str) -> None:
    sb = make_sandbox(accounts=700, tickets=2000)
    postgresql = store_url.startswith("postgresql")
    try:
        # PostgreSQL: the killed run's lease must run out before the rerun; 5 s outlasts start-up under load
        ws = on_store(make_workspace(tmp_path, sb), store_url, lease_seconds=5 if postgresql else None)
        assert ws.cli("sync", *TODAY).exit_code == 0
        before = {i: a["Health_Score__c"] for i, a in sb.data.accounts.items()}
        rules = edited_rules(tmp_path)
        rules.write_text(rules.read_text(encoding="utf-8").replace("max: 200", "max: 100"), encoding="utf-8")
        use_rules(ws, rules)
        assert ws.cli("sync", *TODAY).exit_code == 0
        assert sum(before[i] != a["Health_Score__c"] for i, a in sb.data.accounts.items()) > 400
        sb.reset_stats()
        sb.salesforce.received.clear()
        sb.options.latency_ms = 150  # four Collections calls: room to be killed between them
        proc = start_rollback(ws, 2)
        try:
            deadline = time.monotonic() + 120
            while not sb.salesforce.received and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)  # until Salesforce has applied the first of the rollback's four calls
            assert proc.poll() is None, "the rollback finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait()
        seen = -1
        while seen != len(sb.salesforce.received):  # a call in flight when it was killed still lands
            seen = len(sb.salesforce.received)
            time.sleep(0.5)
        assert 1 <= sb.stats[PATCH] < 4
        assert {i: a["Health_Score__c"] for i, a in sb.data.accounts.items()} != before
        sb.options.latency_ms = 0
        if postgresql:
            left = rows(store_url, "SELECT EXTRACT(EPOCH FROM expires_at - now()) FROM run_lease WHERE name = 'run'")
            time.sleep(max(0.0, float(left[0][0])) + 0.5 if left else 0.0)  # on the database's clock
        result = ws.cli("sync", "--rollback", "2", "--json")
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)
        assert out["already_back"] > 0 and out["conflicts"] == []
        assert {i: a["Health_Score__c"] for i, a in sb.data.accounts.items()} == before
        applied = Counter((rid, f) for rid, f, _, ok in sb.salesforce.received if ok)
        assert applied and max(applied.values()) == 1  # nothing written twice
        assert [r["status"] for r in ws.json("status")["runs"][:2]] == ["ok", "killed"]
        killed = ws.json("log", "--run", "3")
        assert killed and {r["result"] for r in killed} <= {"ok", "unconfirmed"}
    finally:
        sb.stop()


def test_tasks_a_run_created_are_in_the_log_and_closed_by_its_rollback(tmp_path: Path, sandbox: Sandbox) -> None:
    from tests.notify.test_delivery import notify_workspace

    ws = notify_workspace(tmp_path, sandbox)
    assert ws.cli("sync", *TODAY).exit_code == 0
    tasks = dict(sandbox.tasks.tasks)
    assert tasks and all(t["Status"] == "Not Started" for t in tasks.values())
    logged = [r for r in ws.json("log", "--run", "1") if r["sobject"] == "Task"]
    assert sorted((r["record_id"], r["account_id"], r["old"], r["new"], r["result"]) for r in logged) == \
        sorted((i, t["WhatId"], None, "Not Started", "ok") for i, t in tasks.items())
    some = sorted(tasks)[0]
    history = ws.cli("log", tasks[some]["WhatId"])
    assert f"Task {some} Status" in history.stdout and "notify owner-task: alert setup_not_done_30d" in history.stdout
    by_hand = sorted(tasks)[1]
    sandbox.tasks.tasks[by_hand]["Status"] = "In Progress"  # a CSM started on it: left alone

    assert rollback(ws, "1")[0] == 4  # every account's status back to empty: the guard asks
    code, done = rollback(ws, "1", "--allow-mass-change")
    assert code == 0 and done["tasks"] == len(tasks) - 1
    assert set(sandbox.tasks.tasks) == set(tasks)  # closed, never deleted
    assert {i: t["Status"] for i, t in sandbox.tasks.tasks.items()} == \
        {**dict.fromkeys(tasks, "Completed"), by_hand: "In Progress"}
    assert any(c["field"] == f"Task {by_hand}" and c["now"] == "In Progress" for c in done["conflicts"])
    closing = [r for r in ws.json("log", "--run", "3") if r["sobject"] == "Task"]
    assert len(closing) == len(tasks) - 1 and {(r["old"], r["new"]) for r in closing} == {("Not Started", "Completed")}
    # the rollback rolled back: the Tasks open again as run 1 left them
    code, again = rollback(ws, "3", "--allow-mass-change")
    assert again["tasks"] == len(tasks) - 1
    assert code == 0 and {i: t["Status"] for i, t in sandbox.tasks.tasks.items()} == \
        {**dict.fromkeys(tasks, "Not Started"), by_hand: "In Progress"}
