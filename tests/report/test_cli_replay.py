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


def run_replay(ws: Workspace, rules: Path, *args: str) -> dict:
    db = ws.path / ".csops" / "state.db"
    before, calls = digest(db), ws.sandbox.total
    result = ws.cli("rules", "replay", "--rules", str(rules), "--json", *args)
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
