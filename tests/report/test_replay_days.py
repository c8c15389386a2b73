"""``csops rules replay`` evaluates an account only on the days its evaluation can change (report.replay_days):
held here to the plain day-by-day path, result for result, over generated fact histories where dates jump, stand
still and move daily, under rules that read the day in every way the analysis allows, and some it refuses."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from notify.config import NotifySpec, load
from report.replay import replay
from rules.ruleset import RuleSet
from store import Store
from tests.conftest import RULES

ROOT = Path(__file__).resolve().parents[2]
FIRST = date(2026, 3, 2)
DAYS = 200
ACCOUNTS = 40


def raw_facts(rng: random.Random, n: int) -> dict[str, list[tuple[date, dict[str, Any]]]]:
    """Per account, its raw facts each day: milestones reached on random days (or never), logins that come daily,
    now and then or stop, users that grow, tickets that come and go."""
    out: dict[str, list[tuple[date, dict[str, Any]]]] = {}
    for k in range(n):
        start = FIRST + timedelta(days=rng.randint(-120, 150))
        steps = sorted(rng.sample(range(1, 160), 4))
        reached = [start + timedelta(days=s) if rng.random() < 0.75 else None for s in steps]
        login_every = rng.choice([1, 1, 3, 10, 40, None])
        licensed = float(rng.choice([10, 50, 200]))
        facts: dict[str, Any] = {"product": rng.choice(["勤怠管理", "経費精算", "勤怠管理;経費精算", "不明"]),
                                 "contract_start": start.isoformat(), "licensed_users": licensed,
                                 "arr": float(rng.choice([500_000, 2_000_000, 12_000_000])), "tickets_open": 0.0,
                                 "urgent_open": 0.0, "tickets_last_30d": 0.0, "csat_bad_30d": 0.0}
        days = []
        for d in range(DAYS):
            day = FIRST + timedelta(days=d)
            for name, when in zip(("kickoff_on", "setup_done_on", "training_done_on", "go_live_on"), reached,
                                  strict=True):
                facts[name] = when.isoformat() if when is not None and when <= day else None
            if login_every and d % login_every == 0:
                facts["last_login"] = datetime(day.year, day.month, day.day, rng.randint(0, 23), 5).isoformat() + "Z"
            if d % 7 == k % 7:  # a weekly usage figure
                facts["active_users"] = min(licensed, float(max(0, d - rng.randint(0, 100)) // 2))
            facts["active_admins"] = float(rng.choice([0, 1, 2])) if d % 17 == 0 else facts.get("active_admins")
            if d % 9 == 0:
                facts["urgent_open"] = float(rng.random() < 0.2)
                facts["tickets_last_30d"] = float(rng.randint(0, 12))
            days.append((day, dict(facts)))
        out[f"001{k:015d}"] = days
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Store(tmp_path_factory.mktemp("replay") / "state.db")
    history = raw_facts(random.Random(28), ACCOUNTS)
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        with s.transaction():
            s.record_facts({a: days[d][1] for a, days in history.items()}, day.isoformat())
    return s


def rules_with(tmp_path: Path, name: str, old: str, new: str) -> tuple[RuleSet, NotifySpec]:
    text = RULES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load([path, ROOT / "rules" / "notify.yaml"])


HISTORY_ALERTS = """alerts:
  - id: long_in_status
    title: long in status
    severity: warning
    when: "days_in_status >= 20 and status != 'completed'"
  - id: phase_drags
    title: phase drags
    severity: critical
    when: "(days_in_phase ?? 0) > 45"
  - id: health_fell
    title: health fell
    severity: critical
    when: "(health_score_change_30d ?? 0) < -20"
  - id: back_from_stalled
    title: back from stalled
    severity: info
    when: "previous_status == 'stalled' and days_overdue == 3"
  - id: kicked_off_lately
    title: kicked off a while ago
    severity: warning
    when: "days_since_kickoff_on > 10.5 and days_since_kickoff_on <= 40 and setup_done_on == null"
"""

VARIANTS = {
    "shipped": ("x", "x"),
    "login_8": ('when: "days_since_last_login >= 14"', 'when: "days_since_last_login >= 8"'),
    "history": ("alerts:\n", HISTORY_ALERTS),
    "ladder": ('{when: "active_admins >= 2 and days_since_last_login <= 7", score: 1.0}',
               '{when: "active_admins >= 2 and (days_since_last_login ?? 99) < 3", score: 1.0}'),
    "stalled_5": ("stalled_after_days: 0", "stalled_after_days: 5"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_fast_path_gives_what_every_day_gives(store: Store, tmp_path: Path, variant: str) -> None:
    current = load([RULES, ROOT / "rules" / "notify.yaml"])
    old, new = VARIANTS[variant]
    proposed = current if variant == "shipped" else rules_with(tmp_path, f"{variant}.yaml", old, new)
    end = FIRST + timedelta(days=DAYS - 1)
    fast = replay(store, current, proposed, FIRST, end)
    plain = replay(store, current, proposed, FIRST, end, fast=False)
    assert fast["every_day"] == {"current": "", "proposed": ""}
    assert plain["evaluations"]["current"] == ACCOUNTS * DAYS
    assert fast["evaluations"]["proposed"] < plain["evaluations"]["proposed"] / 2
    for key in ("weeks", "backlog", "backtest", "totals", "weeks_changed"):
        assert fast[key] == plain[key], key
    assert fast["totals"]["current"]["alerts_raised"] > 0 and fast["totals"]["current"]["status_changes"] > 0
    if variant == "history":
        raised = {a for w in fast["weeks"] for a in w["proposed"]["alerts"]}
        assert {"long_in_status", "phase_drags", "kicked_off_lately"} <= raised


@pytest.mark.parametrize("condition, why", [
    ('"days_since_last_login / 7 >= 2"', "uses days_since_last_login other than compared with a number"),
    ('"days_overdue > days_since_kickoff_on"', "uses days_overdue other than compared with a number"),
    ('"kickoff_on < $today"', "a condition reads today or now"),
])
def test_rules_the_analysis_cannot_follow_are_replayed_every_day(store: Store, tmp_path: Path, condition: str,
                                                                 why: str) -> None:
    current = load([RULES, ROOT / "rules" / "notify.yaml"])
    proposed = rules_with(tmp_path, "odd.yaml", '"days_since_last_login >= 14"', condition)
    end = FIRST + timedelta(days=59)
    fast = replay(store, current, proposed, FIRST, end)
    plain = replay(store, current, proposed, FIRST, end, fast=False)
    assert why in fast["every_day"]["proposed"] and fast["every_day"]["current"] == ""
    assert fast["evaluations"]["proposed"] == ACCOUNTS * 60
    for key in ("weeks", "backlog", "backtest", "totals"):
        assert fast[key] == plain[key], key
