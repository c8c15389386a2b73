"""Alerts reaching people, end to end over loopback: Slack webhooks and Salesforce Tasks from `csops sync`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from notify.outbox import Notice
from notify.salesforce_task import task_key_in
from notify.slack import SlackChannel, message
from sandbox.data import sf_datetime
from sandbox.salesforce_tasks import FALLBACK_USER, INACTIVE_CSM
from sandbox.server import Sandbox
from tests.conftest import RULES, Workspace, make_sandbox, make_workspace
from tests.sync.test_sync import run_and_kill

TODAY = ("--today", "2026-11-23")
NOTIFY = """\
notify:
  channels:
    cs-alerts: {type: slack, webhook_env: SLACK_WEBHOOK_CS_ALERTS, resolved: true}
    cs-digest: {type: slack, webhook_env: SLACK_WEBHOOK_CS_DIGEST, digest_at: "00:00"}
    owner-task: {type: salesforce_task, fallback_owner: %s, due_in_days: 3%s}
  routes:
    - {alert: setup_not_done_30d, to: [cs-alerts, owner-task]}
    - {severity: warning, to: cs-digest}
"""


def notify_workspace(path: Path, sb: Sandbox, key_field: str | None = None) -> Workspace:
    ws = make_workspace(path, sb)
    extra = f", key_field: {key_field}" if key_field else ""
    (path / "notify.yaml").write_text(NOTIFY % (FALLBACK_USER, extra), encoding="utf-8")
    text = ws.config.read_text(encoding="utf-8").replace(f"files: [{RULES}]", f"files: [{RULES}, notify.yaml]")
    ws.config.write_text(text, encoding="utf-8")
    ws.env["SLACK_WEBHOOK_CS_ALERTS"] = sb.slack.add_webhook("#cs-alerts")
    ws.env["SLACK_WEBHOOK_CS_DIGEST"] = sb.slack.add_webhook("#cs-digest")
    for i, account_id in enumerate(setup_late(sb)):
        if i % 2:  # half of the accounts the routed alert will be raised for belong to a CSM who left
            sb.data.accounts[account_id]["OwnerId"] = INACTIVE_CSM
    return ws


def setup_late(sb: Sandbox) -> list[str]:
    """The accounts setup_not_done_30d will be raised for: onboarding a product with phases, started more
    than 30 days before TODAY, setup not done."""
    today = date.fromisoformat(TODAY[1])
    return sorted(i for i, a in sb.data.accounts.items()
                  if {"勤怠管理", "経費精算"} & set(a["Product__c"].split(";")) and a["Contract_Start_Date__c"]
                  and (today - date.fromisoformat(a["Contract_Start_Date__c"])).days > 30
                  and not a["Setup_Completed_Date__c"] and not a.get("IsDeleted"))


@pytest.fixture
def nws(tmp_path: Path, sandbox: Sandbox) -> Iterator[Workspace]:
    yield notify_workspace(tmp_path, sandbox)


def setup_alerts(ws: Workspace) -> set[str]:
    return {a["account_id"] for a in ws.json("alerts") if a["alert"] == "setup_not_done_30d"}


def task_keys(sb: Sandbox) -> Counter[str]:
    return Counter(task_key_in(t["Description"] or "") or "" for t in sb.tasks.tasks.values())


def test_new_alert_one_message_one_task_then_nothing_then_completed(nws: Workspace) -> None:
    sb = nws.sandbox
    first = nws.cli("sync", *TODAY)
    assert first.exit_code == 0, first.output
    accounts = setup_alerts(nws)
    assert accounts, "the seeded sandbox should raise setup_not_done_30d somewhere"
    assert accounts == set(setup_late(sb))  # never for an account whose product has no phases
    messages = sb.slack.messages("#cs-alerts")
    assert len(messages) == 1
    assert f"csops: 新しいアラート {len(accounts)}件" in messages[0]["text"]  # the rule file's language
    shown = "".join(b["text"]["text"] for b in messages[0]["blocks"] if b["type"] == "section")
    some = sorted(accounts)[0]
    assert f"{sb.url}/lightning/r/Account/{some}/view|" in shown and sb.data.accounts[some]["Name"] in shown
    assert len(sb.slack.messages("#cs-digest")) == 1  # warnings, in the day's digest
    tasks = sb.tasks.open_tasks()
    assert sorted(t["WhatId"] for t in tasks) == sorted(accounts)
    assert all(n == 1 for n in task_keys(sb).values())
    for t in tasks:
        owner = sb.data.accounts[t["WhatId"]]["OwnerId"]
        assert t["OwnerId"] == (FALLBACK_USER if owner == INACTIVE_CSM else owner)
        assert t["ActivityDate"] == "2026-11-26" and t["Priority"] == "High" and t["Status"] == "Not Started"
    inactive = [a for a in accounts if sb.data.accounts[a]["OwnerId"] == INACTIVE_CSM]
    assert inactive, "notify_workspace gives half of these accounts to the inactive CSM"
    for a in inactive:
        assert f"{a} ({sb.data.accounts[a]['Name']}): owner {INACTIVE_CSM} is inactive; Task assigned to the " \
               f"fallback owner {FALLBACK_USER}" in first.output

    calls = sb.tasks.create_calls
    again = nws.cli("sync", *TODAY)
    assert again.exit_code == 0, again.output
    assert len(sb.slack.messages("#cs-alerts")) == 1 and len(sb.slack.messages("#cs-digest")) == 1
    assert sb.tasks.create_calls == calls and len(sb.tasks.tasks) == len(accounts)

    resolved = sorted(accounts)[0]
    sb.data.accounts[resolved]["Setup_Completed_Date__c"] = "2026-11-22"
    sb.data.accounts[resolved]["SystemModstamp"] = sf_datetime(datetime.now(UTC))
    third = nws.cli("sync", *TODAY)
    assert third.exit_code == 0, third.output
    closed = [t for t in sb.tasks.tasks.values() if t["WhatId"] == resolved]
    assert len(closed) == 1 and closed[0]["Status"] == "Completed" and closed[0]["IsClosed"] is True
    assert len(sb.tasks.open_tasks()) == len(accounts) - 1
    last = sb.slack.messages("#cs-alerts")[-1]
    assert len(sb.slack.messages("#cs-alerts")) == 2 and "解消 1件" in last["text"]
    assert "nothing pending" in nws.cli("notify", "--pending").output


@pytest.mark.parametrize("state,code", [("archived", "channel_is_archived"), ("removed", "no_service")])
def test_broken_webhook_is_reported_others_delivered_exit_3(nws: Workspace, state: str, code: str) -> None:
    sb = nws.sandbox
    sb.slack.state("#cs-alerts", state)
    result = nws.cli("sync", *TODAY)
    assert result.exit_code == 3, result.output
    assert "failed: cs-alerts: slack: webhook in SLACK_WEBHOOK_CS_ALERTS answered" in result.stderr
    assert code in result.stderr and "put its URL in SLACK_WEBHOOK_CS_ALERTS" in result.stderr
    token = nws.env["SLACK_WEBHOOK_CS_ALERTS"].rsplit("/", 1)[1]
    assert token not in result.output and token not in result.stderr
    assert sb.slack.messages("#cs-alerts") == []
    assert len(sb.slack.messages("#cs-digest")) == 1
    assert len(sb.tasks.open_tasks()) == len(setup_alerts(nws)) > 0
    pending = nws.cli("notify", "--pending")
    assert "cs-alerts" in pending.output and code in pending.output and token not in pending.output
    sb.slack.state("#cs-alerts", "ok")
    fixed = nws.cli("notify")
    assert fixed.exit_code == 0, fixed.output
    assert len(sb.slack.messages("#cs-alerts")) == 1
    assert "nothing pending" in nws.cli("notify", "--pending").output


def test_dry_run_prints_what_it_would_send_and_sends_nothing(nws: Workspace) -> None:
    sb = nws.sandbox
    result = nws.cli("sync", "--dry-run", *TODAY)
    assert result.exit_code == 0, result.output
    assert "notify:     would send to cs-alerts:" in result.output
    assert "notify:     would send to owner-task:" in result.output
    assert "new setup_not_done_30d: " in result.output
    assert sb.slack.messages("#cs-alerts") == [] and sb.tasks.tasks == {}
    assert nws.store_rows("SELECT COUNT(*) FROM notify_outbox") == [(0,)]


def test_notify_test_sends_one_message_and_names_mistakes(nws: Workspace) -> None:
    sb = nws.sandbox
    ok = nws.cli("notify", "--test", "cs-alerts")
    assert ok.exit_code == 0, ok.output
    assert "test message" in sb.slack.messages("#cs-alerts")[0]["text"]
    typo = nws.cli("notify", "--test", "cs-alert")
    assert typo.exit_code == 78 and "did you mean 'cs-alerts'" in typo.stderr
    unset = nws.cli("notify", "--test", "cs-digest", env={"SLACK_WEBHOOK_CS_DIGEST": ""})
    assert unset.exit_code == 78 and "SLACK_WEBHOOK_CS_DIGEST is not set" in unset.stderr
    elsewhere = nws.cli("notify", "--test", "cs-digest", env={"SLACK_WEBHOOK_CS_DIGEST": "https://evil.example/x"})
    assert elsewhere.exit_code == 78 and "sent only to Slack" in elsewhere.stderr
    task = nws.cli("notify", "--test", "owner-task")
    assert task.exit_code == 78 and "'owner-task' is a salesforce_task channel, which takes no test message" in \
        task.stderr
    assert sb.tasks.tasks == {}


def test_owner_deactivated_after_the_lookup_still_gets_the_fallback(nws: Workspace) -> None:
    sb = nws.sandbox
    sb.tasks.users_look_active = True
    result = nws.cli("sync", *TODAY)
    assert result.exit_code == 0, result.output
    assert sb.tasks.create_calls == 2  # everything in one call, then the refused ones again
    moved = [t for t in sb.tasks.tasks.values() if sb.data.accounts[t["WhatId"]]["OwnerId"] == INACTIVE_CSM]
    assert moved and all(t["OwnerId"] == FALLBACK_USER for t in moved)
    assert result.output.count("is inactive; Task assigned to the fallback owner") == len(moved)
    assert all(n == 1 for n in task_keys(sb).values())


def test_slack_429_and_5xx_are_retried(nws: Workspace) -> None:
    """The 429 is forced rather than provoked by posting fast: how long two CLI runs take apart depends on the
    machine's load (a 1.5 s window between them was missed under a loaded full suite)."""
    sb = nws.sandbox
    sb.fail_next.append("500")
    first = nws.cli("notify", "--test", "cs-alerts")
    assert first.exit_code == 0, first.output
    sb.slack.limit_next = 1
    second = nws.cli("notify", "--test", "cs-alerts")
    assert second.exit_code == 0, second.output
    assert len(sb.slack.messages("#cs-alerts")) == 2
    assert sb.stats["POST /slack/services/{team}/{bot}/{token}"] == 4  # 500 → retry; 429 → wait Retry-After
    *_, limited, retried = sb.slack.hook("#cs-alerts").attempts
    assert retried - limited >= 1.0  # Retry-After: 1 honoured


def test_doctor_names_an_unset_webhook_variable(nws: Workspace) -> None:
    result = nws.cli("doctor", env={"SLACK_WEBHOOK_CS_DIGEST": ""})
    assert result.exit_code == 78, result.output
    assert "ok   notify cs-alerts: webhook URL in SLACK_WEBHOOK_CS_ALERTS" in result.output
    assert "FAIL notify cs-digest: slack: SLACK_WEBHOOK_CS_DIGEST is not set" in result.output
    assert "fix: export SLACK_WEBHOOK_CS_DIGEST=" in result.output
    assert nws.env["SLACK_WEBHOOK_CS_ALERTS"] not in result.output


def test_task_key_in_a_custom_field(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = notify_workspace(tmp_path, sandbox, key_field="CSOps_Alert_Key__c")
    assert ws.cli("sync", *TODAY).exit_code == 0
    keys = Counter(t["CSOps_Alert_Key__c"] for t in sandbox.tasks.tasks.values())
    assert keys and all(n == 1 for n in keys.values())
    # lose the outbox's memory of delivery: the key still prevents a second Task
    import sqlite3

    with sqlite3.connect(ws.path / ".csops" / "state.db") as conn:
        conn.execute("UPDATE notify_outbox SET delivered_at = NULL WHERE channel = 'owner-task'")
    assert ws.cli("notify").exit_code == 0
    assert Counter(t["CSOps_Alert_Key__c"] for t in sandbox.tasks.tasks.values()) == keys


def test_slack_message_stays_within_block_kit_limits(sandbox: Sandbox) -> None:
    channel = SlackChannel("c", max_items=40, resolved=True)
    notices = [
        Notice(i, "c", "new" if i % 5 else "resolved", f"001{i:015d}", "a", "2026-11-23",
               {"account": "<名前> & " + "長" * 300, "severity": ("critical", "warning", "info")[i % 3],
                "title": "t" * 500, "product": "勤怠管理", "status": "stalled"}) for i in range(1000)]
    sent = message(channel, notices, lambda a: f"https://x.my.salesforce.com/{a}", date(2026, 11, 23))
    assert len(sent["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= (150 if b["type"] == "header" else 3000)
               for b in sent["blocks"] if "text" in b)
    assert "more" in str(sent["blocks"]) and "&lt;名前&gt; &amp;" in str(sent["blocks"])
    import requests

    url = sandbox.slack.add_webhook("#big")
    assert requests.post(url, json=sent, timeout=10).text == "ok"
    too_many = {"text": "x", "blocks": [{"type": "divider"}] * 51}
    answer = requests.post(sandbox.slack.add_webhook("#big2"), json=too_many, timeout=10)
    assert (answer.status_code, answer.text) == (400, "invalid_blocks")


# -- SIGKILL between recording and delivery ------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("where", ["before_slack", "after_task_create"])
def test_sigkill_between_recording_and_delivery(tmp_path: Path, where: str) -> None:
    sb = make_sandbox()
    try:
        ws = notify_workspace(tmp_path, sb)
        if where == "before_slack":
            sb.slack.hold()
            run_and_kill(ws, sb.slack.held.is_set)
            sb.slack.release(drop=True)  # the message never reached the channel
            assert sb.tasks.tasks == {}
        else:
            sb.tasks.hold()
            run_and_kill(ws, sb.tasks.held.is_set)
            sb.tasks.release()  # the Tasks exist; the answer never reached csops
            assert sb.tasks.tasks
        pending = ws.store_rows("SELECT COUNT(*) FROM notify_outbox WHERE channel = 'owner-task' "
                                "AND delivered_at IS NULL")[0][0]
        assert pending == len(setup_alerts(ws)) > 0
        again = ws.run("sync", *TODAY)
        assert again.returncode == 0, again.stderr
        assert len(sb.slack.messages("#cs-alerts")) == 1
        assert sorted(t["WhatId"] for t in sb.tasks.tasks.values()) == sorted(setup_alerts(ws))
        assert all(n == 1 for n in task_keys(sb).values())
        assert ws.store_rows("SELECT COUNT(*) FROM notify_outbox WHERE delivered_at IS NULL") == [(0,)]
    finally:
        sb.stop()
