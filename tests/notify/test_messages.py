"""Messages a CSM can act on (issue 27 item 4): the rule file's labels and language, the owner, phase, days
overdue, health and its change, and the alert's action; escaped, and within Slack's limits with 200 alerts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from connectors.slack import SlackWebhook
from notify.outbox import NEW, RESOLVED, Notice
from notify.salesforce_task import TaskChannel, task_record
from notify.slack import SlackChannel, message
from sandbox.salesforce_tasks import USER_NAMES
from sandbox.server import Sandbox
from tests.notify.test_delivery import TODAY, notify_workspace, setup_late

JA = {"language": "ja", "severity": "critical", "product": "勤怠管理", "status": "churn_risk",
      "status_label": "解約見込", "phase": "初期設定", "days_overdue": 42, "tier": "A", "health": 64.0,
      "health_band": "red", "health_max": 200.0, "health_change": -18.0,
      "title": "初期設定が契約開始から30日以内に完了していない",
      "action": "初期設定の完了日を顧客の管理者と決め、設定代行が要るか確認する"}


def notice(i: int, payload: dict[str, Any], kind: str = NEW, name: str = "ニシキフーズ") -> Notice:
    return Notice(i, "cs-alerts", kind, f"001000000000{i:03d}AAA", "setup_not_done_30d", "2026-11-20",
                  {**payload, "account": name, "owner": "005000000000042AAA"})


def link(account_id: str) -> str:
    return f"https://example.my.salesforce.com/lightning/r/Account/{account_id}/view"


def test_a_japanese_message_snapshot() -> None:
    channel = SlackChannel("cs-alerts", webhook_env="X", resolved=True)
    resolved = {**JA, "severity": "warning", "title": "14日間ログインがない", "status_label": "オンボ滞留",
                "days_overdue": 3, "health_change": None, "phase": None}
    got = message(channel, [notice(1, JA), notice(2, resolved, RESOLVED, "ミナト商事")], link, date(2026, 11, 23),
                  {"005000000000042AAA": "山田 花子"})
    url = link("001000000000001AAA")
    assert got == {"text": "csops: 新しいアラート 1件（重大 1）、解消 1件", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "csops: 新しいアラート 1件（重大 1）、解消 1件"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"*重大 (1)*\n• *<{url}|ニシキフーズ>* · 勤怠管理 · 解約見込 · フェーズ: 初期設定 · 42日超過 · "
            "担当: 山田 花子 · ヘルス 64/200 (red、-18) — 初期設定が契約開始から30日以内に完了していない\n"
            "      → 次の対応: 初期設定の完了日を顧客の管理者と決め、設定代行が要るか確認する")}},
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"*解消 (1)*\n• *<{link('001000000000002AAA')}|ミナト商事>* · 勤怠管理 · オンボ滞留 · 3日超過 · "
            "担当: 山田 花子 · ヘルス 64/200 (red) — 14日間ログインがない")}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "csops sync · 2026-11-23"}]}]}


def test_an_english_rule_file_gets_english_words() -> None:
    en = {**JA, "language": "en", "status_label": "Churn risk", "phase": "Setup", "title": "Setup not done",
          "action": "Agree a setup date"}
    got = message(SlackChannel("cs-alerts", webhook_env="X"), [notice(1, en)], lambda _: None, date(2026, 11, 23))
    line = got["blocks"][1]["text"]["text"]
    assert got["text"] == "csops: 1 new alert (1 critical)"
    assert line == ("*Critical (1)*\n• *ニシキフーズ* · 勤怠管理 · Churn risk · phase: Setup · 42 days overdue · "
                    "owner: 005000000000042AAA · health 64/200 (red, -18) — Setup not done\n"
                    "      → Next: Agree a setup date")


def test_a_task_says_the_same_in_the_rule_files_language() -> None:
    record = task_record(TaskChannel("owner-task"), notice(1, JA), "005000000000042AAA", link, date(2026, 11, 23))
    assert record["Subject"] == JA["title"]
    assert record["Description"].split("\n")[:12] == [
        JA["title"], "", "取引先：ニシキフーズ", "製品：勤怠管理", "オンボーディング状況：解約見込",
        "フェーズ：初期設定", "超過日数：42", "ヘルス：64/200 (red、-18)",
        "アラート：setup_not_done_30d (重大), 初回検知 2026-11-20", "",
        "次の対応：" + JA["action"], ""]


def test_200_alerts_with_long_hostile_names_fit_slack(sandbox: Sandbox) -> None:
    hostile = "<!channel> & <https://evil.example|x> *bold* " + "長い名前" * 60
    notices = [notice(i, {**JA, "severity": ("critical", "warning", "info")[i % 3]}, name=hostile)
               for i in range(200)]
    channel = SlackChannel("cs-alerts", webhook_env="X", max_items=40)
    body = message(channel, notices, link, date(2026, 11, 23))
    assert len(body["blocks"]) <= 50 and len(body["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")
    text = str(body)
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example¦x&gt;" in text
    assert "…ほか" in text  # the rest counted
    # the sandbox's Slack enforces Block Kit's limits
    SlackWebhook(sandbox.slack.add_webhook("#limits"), "X").post(body)
    assert len(sandbox.slack.messages("#limits")) == 1


def test_through_csops_sync_labels_owner_and_action(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = notify_workspace(tmp_path, sandbox)
    late = setup_late(sandbox)
    named = late[0]
    sandbox.data.accounts[named]["Name"] = "<!channel> & <https://evil|x>"
    assert ws.cli("sync", *TODAY).exit_code == 0
    [posted] = sandbox.slack.messages("#cs-alerts")
    text = "\n".join(b["text"]["text"] for b in posted["blocks"] if b["type"] == "section")
    assert posted["text"].startswith("csops: 新しいアラート")
    assert "<!channel>" not in str(posted) and "&lt;!channel&gt; &amp; &lt;https://evil¦x&gt;" in text
    for account_id in late:
        row = sandbox.data.accounts[account_id]
        [line] = [x for x in text.split("\n• ") if f"/Account/{account_id}/view|" in x]
        owner = row["OwnerId"]
        assert f"担当: {USER_NAMES.get(owner, f'CSM {owner[-6:-3]}')}" in line  # the sandbox User's name
        assert "次の対応: 初期設定の完了日を顧客の管理者と決め、設定代行が要るか確認する" in line
        assert any(label in line for label in ("順調", "オンボ滞留", "解約見込"))
        assert "ヘルス " in line and "/200" in line
    tasks = [t for t in sandbox.tasks.tasks.values() if t["WhatId"] == late[1]]
    assert tasks and "次の対応：初期設定の完了日" in tasks[0]["Description"]
    assert "オンボーディング状況：" in tasks[0]["Description"]
