"""``csops rules replay`` through the CLI, over the history real syncs wrote: the shipped rules against themselves
show no difference; one threshold changed shows it in the weeks and alerts it touches, and nothing else; the
replay calls no API and leaves the store's bytes as they were."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import RULES, Workspace
from tests.report.helpers import grow_history

WEEKLY = ("2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def replayed(ws: Workspace) -> Workspace:
    grow_history(ws, WEEKLY)
    return ws


def run_replay(ws: Workspace, rules: Path, *more: Path, args: tuple[str, ...] = ()) -> dict:
    db = ws.path / ".csops" / "state.db"
    before, calls = digest(db), ws.sandbox.total
    result = ws.cli("rules", "replay", "--rules", str(rules), *(a for p in more for a in ("--rules", str(p))),
                    "--json", *args)
    assert result.exit_code == 0, result.output
    assert digest(db) == before  # nothing written
    assert ws.sandbox.total == calls  # no API call
    return json.loads(result.stdout)


def test_the_unchanged_rules_replay_to_no_difference(replayed: Workspace, tmp_path: Path) -> None:
    same = tmp_path / "same.yaml"
    same.write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    out = run_replay(replayed, same)
    assert (out["from"], out["to"]) == ("2026-09-07", "2026-10-19")
    assert out["accounts"] == len(replayed.sandbox.data.accounts)
    assert out["weeks_changed"] == 0 and len(out["weeks"]) == 7
    assert out["totals"]["current"] == out["totals"]["proposed"]
    assert out["totals"]["current"]["status_changes"] > 0  # accounts progressed: there was something to replay
    table = replayed.cli("rules", "replay", "--rules", str(same)).stdout
    assert "no difference" in table


def test_one_threshold_changed_shows_in_its_alert_per_week(replayed: Workspace, tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8")
    assert 'when: "days_since_last_login >= 14"' in text
    lower = tmp_path / "lower.yaml"
    lower.write_text(text.replace('when: "days_since_last_login >= 14"', 'when: "days_since_last_login >= 8"'),
                     encoding="utf-8")
    out = run_replay(replayed, lower)
    changed = [w for w in out["weeks"] if w["difference"]["alerts"]]
    assert changed and out["weeks_changed"] == len(changed)
    assert all(set(w["difference"]["alerts"]) == {"no_login_14d"} for w in changed)
    assert all(w["difference"]["status_changes"] == 0 and w["difference"]["band_changes"] == 0
               for w in out["weeks"])  # an alert's threshold moves no status and no band
    # the sandbox's active accounts log in 4 days before each weekly sync: at 8 days the alert is raised mid-week,
    # every week, and cleared by the next sync; at 14 never
    assert all(w["difference"]["alerts"]["no_login_14d"] > 0 for w in changed) and len(changed) >= 5
    lines = replayed.cli("rules", "replay", "--rules", str(lower), "--from", "2026-09-14").stdout
    assert "no_login_14d +" in lines and "weeks differ" in lines


def test_replay_needs_history_and_a_valid_rule_file(ws: Workspace, tmp_path: Path) -> None:
    empty = ws.cli("rules", "replay", "--rules", str(RULES))
    assert empty.exit_code == 2 and "no fact history yet" in empty.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(RULES.read_text(encoding="utf-8").replace("days_since_last_login >= 14", "days_since_lastlogin > 1"),
                   encoding="utf-8")
    grow_history(ws, WEEKLY[:2])
    result = ws.cli("rules", "replay", "--rules", str(bad))
    assert result.exit_code == 78 and "days_since_lastlogin" in result.output


@pytest.fixture
def half_year(ws: Workspace) -> Workspace:
    grow_history(ws)  # monthly syncs 2026-06-01 … 2026-11-23: long enough for 90-day horizons
    return ws


def test_the_backtest_beside_each_rule_set(half_year: Workspace, tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8")
    same = tmp_path / "same.yaml"
    same.write_text(text, encoding="utf-8")
    unchanged = run_replay(half_year, same)["backtest"]
    assert unchanged["current"] == unchanged["proposed"]
    cur = unchanged["current"]
    assert cur["days"][0] == "2026-06-01" and cur["horizon_days"] == 90 and cur["events"] > 0
    assert sum(b["n"] for b in cur["bands"]) == cur["observations"]
    assert sum(b["events"] for b in cur["bands"]) == cur["events"]
    assert all(sum(c["n"] for c in cur["components"] if c["component"] == cid) == cur["observations"]
               for cid in ("end_users", "admins", "support"))
    # a band threshold moves accounts between bands, and nothing else: the same observations and events, the same
    # component levels, and the accounts of 80-119 points counted red instead of yellow
    assert "- {name: yellow, min: 80}" in text
    stricter = tmp_path / "stricter.yaml"
    stricter.write_text(text.replace("- {name: yellow, min: 80}", "- {name: yellow, min: 120}"), encoding="utf-8")
    moved = run_replay(half_year, stricter)["backtest"]
    assert moved["current"] == cur
    new = moved["proposed"]
    assert (new["observations"], new["events"], new["components"]) == (cur["observations"], cur["events"],
                                                                        cur["components"])
    bands = {b["band"]: b for b in cur["bands"]}
    new_bands = {b["band"]: b for b in new["bands"]}
    assert new_bands["red"]["n"] > bands["red"]["n"]
    assert new_bands["red"]["n"] + new_bands.get("yellow", {"n": 0})["n"] == bands["red"]["n"] + bands["yellow"]["n"]
    lines = half_year.cli("rules", "replay", "--rules", str(stricter)).stdout
    assert "Health score backtest (current | proposed)" in lines and "エンドユーザー利用" in lines


NOTIFY = Path(__file__).resolve().parents[2] / "rules" / "notify.yaml"
CRITICAL = {"setup_not_done_30d", "urgent_tickets", "onboarding_churn_risk"}
WARNING = {"no_login_14d", "usage_anomaly"}


@pytest.fixture
def notifying(ws: Workspace) -> Workspace:
    """The weekly history, under rule files with the shipped notify routes (cs-alerts: critical, raised and
    resolved; cs-digest: warning; owner-task: critical, and onboarding_stalled of tiers S and A), added once the
    syncs are done (the replay reads them, no webhook is called)."""
    grow_history(ws, WEEKLY)
    text = ws.config.read_text(encoding="utf-8")
    assert f"files: [{RULES}]" in text
    ws.config.write_text(text.replace(f"files: [{RULES}]", f"files: [{RULES}, {NOTIFY}]"), encoding="utf-8")
    return ws


def test_the_slack_messages_and_tasks_the_routes_would_produce(notifying: Workspace, tmp_path: Path) -> None:
    same = run_replay(notifying, RULES, NOTIFY)  # the proposed notify routes are the current ones
    assert same["weeks_changed"] == 0 and same["channels"]["current"] == {
        "cs-alerts": "slack", "cs-digest": "slack", "owner-task": "salesforce_task"}
    weeks = [w["current"] for w in same["weeks"]]
    assert sum(w["tasks_created"] for w in weeks) > 0 and sum(w["slack_messages"] for w in weeks) > 0
    for w in weeks:  # a Slack channel posts at most once a day, and does post in a week with something for it
        assert all(0 <= w["messages"].get(c, 0) <= 7 for c in ("cs-alerts", "cs-digest"))
        if any(a in CRITICAL for a in w["alerts"]):  # (it also posts resolutions: resolved: true)
            assert w["messages"].get("cs-alerts", 0) > 0
        assert (w["messages"].get("cs-digest", 0) > 0) == any(a in WARNING for a in w["alerts"])
        assert w["tasks_created"] >= sum(n for a, n in w["alerts"].items() if a in CRITICAL)
    # routing the warnings to the owners' Tasks too: one more Task per warning alert raised, nothing else
    more = tmp_path / "notify.yaml"
    more.write_text(NOTIFY.read_text(encoding="utf-8").replace(
        "    - {severity: warning, to: cs-digest}", "    - {severity: warning, to: [cs-digest, owner-task]}"),
        encoding="utf-8")
    moved = run_replay(notifying, RULES, more)
    for w in moved["weeks"]:
        diff = w["difference"]
        assert diff["tasks_created"] == sum(n for a, n in w["current"]["alerts"].items() if a in WARNING)
        assert (diff["slack_messages"], diff["alerts_raised"], diff["alerts"]) == (0, 0, {})
    assert moved["weeks_changed"] > 0
    lines = notifying.cli("rules", "replay", "--rules", str(RULES), "--rules", str(more)).stdout
    assert "Tasks" in lines and "notify channels (proposed): cs-alerts (slack), cs-digest (slack), owner-task" in lines


def test_a_proposed_file_without_notify_keeps_the_current_routes(notifying: Workspace) -> None:
    out = run_replay(notifying, RULES)
    assert out["channels"]["proposed"] == out["channels"]["current"] and out["weeks_changed"] == 0


def test_the_replay_as_one_offline_html_file(notifying: Workspace, tmp_path: Path) -> None:
    lower = tmp_path / "lower.yaml"
    lower.write_text(RULES.read_text(encoding="utf-8").replace('when: "days_since_last_login >= 14"',
                                                               'when: "days_since_last_login >= 8"'), encoding="utf-8")
    page = tmp_path / "out" / "replay.html"
    result = notifying.cli("rules", "replay", "--rules", str(lower), "--format", "html", "--out", str(page))
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "<script src" not in text and "Plotly" in text  # the library embedded: works offline
    assert text.count('class=differs') == run_replay(notifying, lower)["weeks_changed"] > 0
    assert 'data-chart="slack-messages"' in text and 'data-chart="tasks-created"' in text
    assert "no_login_14d +" in text
    refused = notifying.cli("rules", "replay", "--rules", str(lower), "--format", "html")
    assert refused.exit_code == 2 and "--out" in refused.output
