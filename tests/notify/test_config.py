"""The rule file's notify section: routing, and the mistakes `csops rules check` reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli
from notify.config import Route, load
from rules.ruleset import RuleError

ROOT = Path(__file__).resolve().parents[2]
ONBOARDING = ROOT / "rules" / "onboarding.yaml"
NOTIFY = ROOT / "rules" / "notify.yaml"


def test_routes_send_each_alert_to_every_matching_channel_once() -> None:
    _, spec = load([ONBOARDING, NOTIFY])

    def names(alert: str, severity: str, tier: str | None = "C", status: str = "on_track") -> list[str]:
        return [c.name for c in spec.channels_for(alert, severity, "勤怠管理", tier, status)]

    assert names("urgent_tickets", "critical") == ["cs-alerts", "owner-task"]
    assert names("no_login_14d", "warning") == ["cs-digest"]
    assert names("onboarding_stalled", "info", tier="S", status="stalled") == ["owner-task"]
    assert names("onboarding_stalled", "info", tier="C", status="stalled") == []
    assert spec.account_fields() == ["Name", "OwnerId"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BAD = """\
notify:
  channels:
    cs-alerts: {type: slack, webhook_env: SLACK_WEBHOOK}
    tasks: {type: salesforce_task, fallback_owner: 005000000000001AAA, priorty: {critical: High}}
    pager: {type: pagerduty}
  routes:
    - {alert: setup_not_done_31d, to: cs-alerts}
    - {severity: critcal, to: [cs-alert]}
    - {tier: [S, Z], to: tasks, when: x}
"""


def test_rules_check_reports_notify_mistakes_with_file_line_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    with pytest.raises(RuleError) as info:
        load([ONBOARDING, path])
    text = str(info.value)
    f = str(path)
    assert f"{f}:4:" in text and "unknown key 'priorty'" in text and "did you mean 'priority'" in text
    assert f"{f}:5:" in text and "unknown channel type 'pagerduty'" in text
    assert f"{f}:7:" in text and "unknown alert 'setup_not_done_31d'" in text and "'setup_not_done_30d'" in text
    assert f"{f}:8:" in text and "unknown severity 'critcal'" in text and "did you mean 'critical'" in text
    assert "unknown channel 'cs-alert'" in text and "did you mean 'cs-alerts'" in text
    assert f"{f}:9:" in text and "unknown tier 'Z'" in text and "unknown key 'when'" in text
    result = CliRunner().invoke(cli, ["rules", "check", str(ONBOARDING), f])
    assert result.exit_code == 78
    assert "unknown alert 'setup_not_done_31d'" in result.output


def test_webhook_url_in_the_rule_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "notify:\n  channels:\n    a: {type: slack, webhook_env: "
                           "'https://hooks.slack.com/services/T/B/x'}\n  routes:\n    - {to: a}\n")
    with pytest.raises(RuleError, match="not an environment variable name"):
        load([ONBOARDING, path])


def test_rules_check_counts_channels_and_routes() -> None:
    result = CliRunner().invoke(cli, ["rules", "check", str(ONBOARDING), str(NOTIFY)])
    assert result.exit_code == 0, result.output
    assert "3 notify channels, 3 routes" in result.output


def test_a_product_route_matches_an_account_with_that_product_among_several() -> None:
    route = Route(to=["x"], match={"product": ["経費精算"], "severity": ["critical"]})
    assert route.matches({"product": "勤怠管理;経費精算", "severity": "critical"})
    assert route.matches({"product": "経費精算", "severity": "critical"})
    assert not route.matches({"product": "勤怠管理", "severity": "critical"})
    assert not route.matches({"product": "勤怠管理;経費精算", "severity": "warning"})
    assert not route.matches({"product": None, "severity": "critical"})


OPTIONS = """\
notify:
  channels:
    a: {type: slack, webhook_env: SLACK_A, digest_at: "9am", max_items: 41}
    b: {type: slack, resolved: true}
    t: {type: salesforce_task, fallback_owner: 001000000000001AAA, key_field: Alert_Key, due_in_days: -1}
    u: {type: salesforce_task, priority: {critical: Urgent, warnin: Low}}
  routes:
    - {to: [a, b, t, u]}
"""


def test_every_bad_channel_option_is_reported_at_its_line_in_one_run(tmp_path: Path) -> None:
    path = write(tmp_path, OPTIONS)
    with pytest.raises(RuleError) as info:
        load([ONBOARDING, path])
    lines = {(p.line, p.message) for p in info.value.problems}
    assert (3, 'notify.channels.a.digest_at: expected a time like "09:00"') in lines
    assert (3, "notify.channels.a.max_items: expected a whole number 1-40 (Slack allows 50 blocks a message)") in lines
    assert (4, "notify.channels.b: 'webhook_env' is required") in lines
    assert (5, "notify.channels.t.fallback_owner: '001000000000001AAA' is not a User (005…) or queue (00G…) Id") \
        in lines
    assert (5, "notify.channels.t.key_field: 'Alert_Key' is not a custom field name (…__c)") in lines
    assert (5, "notify.channels.t.due_in_days: expected a whole number ≥ 0") in lines
    assert (6, "notify.channels.u.priority.critical: 'Urgent' is not a Task priority; one of High, Normal, Low") \
        in lines
    assert any(line == 6 and "unknown key 'warnin'" in m and "did you mean 'warning'" in m for line, m in lines)
    assert len(lines) == 8


def test_options_read_into_the_channel() -> None:
    _, spec = load([ONBOARDING, NOTIFY])
    alerts, digest, task = spec.channels["cs-alerts"], spec.channels["cs-digest"], spec.channels["owner-task"]
    assert (alerts.webhook_env, alerts.resolved, alerts.max_items, alerts.digest_at) == \
        ("SLACK_WEBHOOK_CS_ALERTS", True, 20, None)
    assert (digest.resolved, digest.digest_at, digest.tells_resolved) == (False, "09:00", False)
    assert (task.fallback_owner, task.due_in_days, task.priority, task.open_status, task.done_status,
            task.key_field) == ("005000000000001AAA", 3, {"critical": "High", "warning": "Normal", "info": "Low"},
                                "Not Started", "Completed", None)
