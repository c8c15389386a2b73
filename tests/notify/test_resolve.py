"""Where a resolution goes: back to the channels its announcement went to, through `csops sync` on the sandbox.

One account's onboarding is moved through time (stalled, then 解約見込 with its tier dropped from A to B, then
back on track) while routes send alerts by tier and by status. Checked on the sandbox's Slack and Task
emulators: each Task is completed once, and a channel lists as resolved only what it announced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from notify.salesforce_task import task_key_in
from sandbox.data import sf_datetime
from sandbox.salesforce_tasks import FALLBACK_USER
from sandbox.server import Sandbox
from sync.record import Recorder
from tests.conftest import RULES, Workspace, make_sandbox, make_workspace

NOTIFY = f"""\
notify:
  channels:
    cs-alerts:  {{type: slack, webhook_env: SLACK_WEBHOOK_CS_ALERTS, resolved: true, max_items: 40}}
    churn-room: {{type: slack, webhook_env: SLACK_WEBHOOK_CHURN, resolved: true, max_items: 40}}
    owner-task: {{type: salesforce_task, fallback_owner: {FALLBACK_USER}}}
  routes:
    - {{alert: onboarding_stalled, tier: [S, A], to: owner-task}}
    - {{alert: onboarding_stalled, status: stalled, to: cs-alerts}}
    - {{status: churn_risk, to: churn-room}}
"""
# 勤怠管理 started 09-01: kickoff done, setup (due day 30, 10-01) not done
STALLED_DAY, CHURN_DAY, CLEAR_DAY = "2026-10-10", "2026-11-05", "2026-11-06"  # 9 and 35 days overdue, then fixed


@pytest.fixture
def small_sandbox() -> Iterator[Sandbox]:
    sb = make_sandbox(accounts=8, tickets=200)
    try:
        yield sb
    finally:
        sb.stop()


def workspace(path: Path, sb: Sandbox, rules: Path = RULES) -> Workspace:
    ws = make_workspace(path, sb)
    (path / "notify.yaml").write_text(NOTIFY, encoding="utf-8")
    text = ws.config.read_text(encoding="utf-8").replace(f"files: [{RULES}]", f"files: [{rules}, notify.yaml]")
    ws.config.write_text(text, encoding="utf-8")
    ws.env["SLACK_WEBHOOK_CS_ALERTS"] = sb.slack.add_webhook("#cs-alerts")
    ws.env["SLACK_WEBHOOK_CHURN"] = sb.slack.add_webhook("#churn")
    return ws


def edit(sb: Sandbox, account_id: str, **fields: Any) -> None:
    with sb.lock:
        sb.data.accounts[account_id].update(fields, SystemModstamp=sf_datetime(datetime.now(UTC)))


def the_account(sb: Sandbox) -> str:
    account_id = sorted(sb.data.accounts)[0]
    edit(sb, account_id, Product__c="勤怠管理", Contract_Start_Date__c="2026-09-01", Kickoff_Date__c="2026-09-03",
         Setup_Completed_Date__c=None, Training_Completed_Date__c=None, Go_Live_Date__c=None,
         Annual_Revenue_JPY__c=5_000_000.0, IsDeleted=False)
    return account_id


def sync(ws: Workspace, day: str) -> None:
    result = ws.cli("sync", "--today", day, "--allow-mass-change")
    assert result.exit_code in (0, 3), result.output  # 3: some other account's Task refused; not this test's
    assert "cs-alerts" not in result.stderr and "churn-room" not in result.stderr, result.stderr


def lines(sb: Sandbox, channel: str, name: str) -> list[tuple[str, str]]:
    """(new|resolved, alert title) for every line of every message to ``channel`` that names the account."""
    out = []
    for message in sb.slack.messages(channel):
        for block in message["blocks"]:
            if block["type"] != "section":
                continue
            head, *rest = block["text"]["text"].split("\n")
            kind = "resolved" if head.startswith(("*Resolved", "*解消")) else "new"
            out += [(kind, line.rsplit(" — ", 1)[1]) for line in rest if f"|{name}>" in line or f"*{name}*" in line]
    return out


def tasks_of(sb: Sandbox, account_id: str, alert: str) -> list[dict[str, Any]]:
    return [t for t in sb.tasks.tasks.values()
            if t["WhatId"] == account_id and f":{alert}:" in (task_key_in(t["Description"] or "") or "")]


def completions(sb: Sandbox, task_id: str) -> int:
    return sum(1 for tid, status in sb.tasks.status_writes if tid == task_id and status == "Completed")


STALLED = "オンボーディングが予定より遅れている"
CHURN = "解約見込：オンボーディングが期限を30日超えて遅れている"
SETUP = "初期設定が契約開始から30日以内に完了していない"


def test_shipped_rules_keep_the_stalled_task_open_on_escalation_and_close_it_once(tmp_path: Path,
                                                                                   small_sandbox: Sandbox) -> None:
    sb = small_sandbox
    ws = workspace(tmp_path, sb)
    account = the_account(sb)
    name = sb.data.accounts[account]["Name"]
    sync(ws, STALLED_DAY)
    [task] = tasks_of(sb, account, "onboarding_stalled")  # tier A: a Task for the owner
    assert task["IsClosed"] is False
    assert lines(sb, "#cs-alerts", name) == [("new", STALLED)]  # routed by status: stalled
    assert lines(sb, "#churn", name) == []

    edit(sb, account, Annual_Revenue_JPY__c=2_000_000.0)  # tier B from now on
    sync(ws, CHURN_DAY)
    assert {a["alert"] for a in ws.json("alerts") if a["account_id"] == account} >= \
        {"onboarding_stalled", "onboarding_churn_risk", "setup_not_done_30d"}
    assert task["IsClosed"] is False and completions(sb, task["Id"]) == 0  # escalation keeps it open
    assert tasks_of(sb, account, "onboarding_churn_risk") == []  # critical, but no route sends it to a Task here
    assert sorted(lines(sb, "#churn", name)) == [("new", CHURN)]  # raised while 解約見込: announced there
    assert lines(sb, "#cs-alerts", name) == [("new", STALLED)]

    edit(sb, account, Setup_Completed_Date__c="2026-11-06", Training_Completed_Date__c="2026-11-06")
    sync(ws, CLEAR_DAY)  # now tier B and on track: no route would match the alert today
    assert {a["alert"] for a in ws.json("alerts") if a["account_id"] == account} & \
        {"onboarding_stalled", "onboarding_churn_risk", "setup_not_done_30d"} == set()
    assert task["IsClosed"] is True and completions(sb, task["Id"]) == 1
    assert lines(sb, "#cs-alerts", name) == [("new", STALLED), ("resolved", STALLED)]
    assert lines(sb, "#churn", name) == [("new", CHURN), ("resolved", CHURN)]  # not the others it never announced

    sync(ws, CLEAR_DAY)
    sync(ws, "2026-11-07")
    assert completions(sb, task["Id"]) == 1 and len(tasks_of(sb, account, "onboarding_stalled")) == 1
    assert len(lines(sb, "#cs-alerts", name)) == 2 and len(lines(sb, "#churn", name)) == 2


def test_a_rule_that_closes_the_stalled_alert_on_escalation(tmp_path: Path, small_sandbox: Sandbox) -> None:
    """statuses: [stalled] says so: the alert clears when the account escalates, its Task is completed then, once,
    and the 解約見込 room, which never announced it, does not list it as resolved."""
    sb = small_sandbox
    rules = tmp_path / "onboarding.yaml"
    text = RULES.read_text(encoding="utf-8")
    text, n = re.subn(r"statuses: \[stalled, churn_risk\]\n", "statuses: [stalled]\n", text)
    assert n == 1
    rules.write_text(text, encoding="utf-8")
    ws = workspace(tmp_path, sb, rules)
    account = the_account(sb)
    name = sb.data.accounts[account]["Name"]
    sync(ws, STALLED_DAY)
    [task] = tasks_of(sb, account, "onboarding_stalled")

    edit(sb, account, Annual_Revenue_JPY__c=2_000_000.0)
    sync(ws, CHURN_DAY)
    assert "onboarding_stalled" not in {a["alert"] for a in ws.json("alerts") if a["account_id"] == account}
    assert task["IsClosed"] is True and completions(sb, task["Id"]) == 1
    assert lines(sb, "#cs-alerts", name) == [("new", STALLED), ("resolved", STALLED)]
    assert lines(sb, "#churn", name) == [("new", CHURN)]

    edit(sb, account, Setup_Completed_Date__c="2026-11-06", Training_Completed_Date__c="2026-11-06")
    sync(ws, CLEAR_DAY)
    assert completions(sb, task["Id"]) == 1
    assert lines(sb, "#churn", name) == [("new", CHURN), ("resolved", CHURN)]
    assert lines(sb, "#cs-alerts", name) == [("new", STALLED), ("resolved", STALLED)]


def test_dry_run_plans_the_resolution_where_it_was_announced(tmp_path: Path, small_sandbox: Sandbox) -> None:
    sb = small_sandbox
    ws = workspace(tmp_path, sb)
    account = the_account(sb)
    sync(ws, STALLED_DAY)
    edit(sb, account, Annual_Revenue_JPY__c=2_000_000.0, Setup_Completed_Date__c="2026-10-11",
         Training_Completed_Date__c="2026-10-11")
    dry = ws.cli("sync", "--dry-run", "--today", "2026-10-11", "--allow-mass-change")
    assert dry.exit_code == 0, dry.output
    planned: dict[str, list[str]] = {}
    for line in dry.output.splitlines():
        if line.startswith("notify:     would send to "):
            channel = line.split("would send to ", 1)[1].split(":")[0]
        elif line.startswith("  ") and planned is not None and "channel" in locals():
            planned.setdefault(channel, []).append(line.strip())
    resolved = f"resolved onboarding_stalled: {account}"
    where = sorted(c for c, items in planned.items() if any(i.startswith(resolved) for i in items))
    assert where == ["cs-alerts", "owner-task"], dry.output  # tier B and on track now: no route matches today
    assert [t for t in tasks_of(sb, account, "onboarding_stalled") if t["IsClosed"]] == []


def test_a_run_in_small_chunks_queues_the_same_notifications(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """A sync enqueues each chunk's new and resolved alerts with that chunk, from its evaluations (it keeps no
    brief of every account): recorded three accounts at a time, the same outbox rows, payloads included, as in
    one chunk, over days that raise, escalate and resolve alerts."""
    boxes = [make_sandbox(accounts=8, tickets=200) for _ in range(2)]
    try:
        rows = []
        for i, (sb, chunk) in enumerate(zip(boxes, (3, 1000), strict=True)):
            monkeypatch.setattr(Recorder, "CHUNK", chunk)
            (tmp_path / str(i)).mkdir()
            ws = workspace(tmp_path / str(i), sb)
            account = the_account(sb)
            for day in (STALLED_DAY, CHURN_DAY):
                sync(ws, day)
            edit(sb, account, Setup_Completed_Date__c="2026-11-05", Training_Completed_Date__c="2026-11-05")
            sync(ws, CLEAR_DAY)
            rows.append(ws.store_rows("SELECT channel, kind, account_id, alert_id, occurrence, payload "
                                      "FROM notify_outbox ORDER BY 1, 2, 3, 4, 5"))
        kinds = {kind for _, kind, *_ in rows[1]}
        assert kinds == {"new", "resolved"} and len(rows[1]) > 3  # more rows than a chunk, both kinds
        assert rows[0] == rows[1]
        # each says the state of its account, as evaluated by the run that raised or resolved it
        assert all(json.loads(payload)["status"] for *_, payload in rows[1])
    finally:
        for sb in boxes:
            sb.stop()
