"""``csops rules replay`` evaluates an account only on the days its evaluation can change (report.replay_days):
held here to the plain day-by-day path, result for result, over generated fact histories where dates jump, stand
still and move daily, under rules that read the day in every way the analysis allows, and some it refuses."""

from __future__ import annotations

import itertools
import json
import random
from bisect import bisect_right
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from notify.config import NotifySpec, load
from report.replay import Replayer, fact_changes, replay
from report.replay_days import _ANCHOR, _IGNORED, _NUMBER, DaySensitivity, Derived, Schedule, _number, _region, _typed
from rules.ruleset import RuleSet
from store import Store, open_store
from tests.conftest import RULES

ROOT = Path(__file__).resolve().parents[2]
FIRST = date(2026, 3, 2)
DAYS = 200
ACCOUNTS = 40


def raw_facts(rng: random.Random, n: int) -> dict[str, list[tuple[date, dict[str, Any]]]]:
    """Per account, its raw facts each day: milestones reached on random days (or never), logins that come daily,
    now and then or stop, users that grow, tickets that come and go; every fourth account's figures hover on the
    rules' constants instead (:func:`crossing`)."""
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
            if k % 4 == 3:
                crossing(rng, facts, day, licensed)
            days.append((day, dict(facts)))
        out[f"001{k:015d}"] = days
    return out


def crossing(rng: random.Random, facts: dict[str, Any], day: date, licensed: float) -> None:
    """Figures that cross the rules' constants on many days and land on them: a usage ratio of exactly 0.2, 0.3,
    0.5 or 0.8 or just beside it, an urgent ticket that comes and goes, ARR on 3,000,000, a login 7, 8, 14 or 15
    days before (the constants of days_since_last_login), admins between 0 and 2; now and then a figure or the
    login gone (null)."""
    ratio = rng.choice([0.19, 0.2, 0.21, 0.29, 0.3, 0.31, 0.49, 0.5, 0.51, 0.79, 0.8, 0.81])
    if rng.random() < 0.5:
        facts["active_users"] = ratio * licensed
    if rng.random() < 0.3:
        facts["urgent_open"] = float(rng.choice([0, 1, 0.5]))
    if rng.random() < 0.2:
        facts["arr"] = float(rng.choice([2_999_999, 3_000_000, 3_000_001, 10_000_000]))
    if rng.random() < 0.25:
        back = day - timedelta(days=rng.choice([0, 6, 7, 8, 13, 14, 15]))
        facts["last_login"] = datetime(back.year, back.month, back.day, rng.randint(0, 23), 5).isoformat() + "Z"
    if rng.random() < 0.1:
        facts["active_admins"] = float(rng.choice([0, 1, 2, 3]))
    if rng.random() < 0.02:
        facts["active_users"] = str(int(ratio * licensed))  # a figure as text (a CSV source): read by the engine
    if rng.random() < 0.02:
        facts["active_admins"] = "many"  # no number: null to the engine, as the sync treats it
    if rng.random() < 0.03:  # a figure or a date that goes away (null), to come back later
        facts[rng.choice(["active_users", "last_login", "arr"])] = None


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
    assert old in text and FACT in text
    text = text.replace(FACT, FACT + '  usage_gap:         {type: number, expr: "licensed_users - active_users"}\n')
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

OPERATORS = """alerts:
  - id: login_lt_8
    title: login under 8 days
    severity: info
    when: "days_since_last_login < 8"
  - id: login_gt_14
    title: login over 14 days
    severity: warning
    when: "14 < days_since_last_login"
  - id: login_eq_7
    title: login exactly 7 days ago
    severity: info
    when: "days_since_last_login == 7 or days_since_kickoff_on != 20"
  - id: ratio_half
    title: usage exactly half
    severity: info
    when: "active_ratio == 0.5 or (usage_gap ?? 0) > 40"
  - id: urgent_not_one
    title: urgent not one
    severity: info
    when: "(urgent_open ?? 0) != 1 and arr > 3000000"
"""

VARIANTS = {
    "shipped": ("x", "x"),
    "login_8": ('when: "days_since_last_login >= 14"', 'when: "days_since_last_login >= 8"'),
    "history": ("alerts:\n", HISTORY_ALERTS),
    "ladder": ('{when: "active_admins >= 2 and days_since_last_login <= 7", score: 1.0}',
               '{when: "active_admins >= 2 and (days_since_last_login ?? 99) < 3", score: 1.0}'),
    "stalled_5": ("stalled_after_days: 0", "stalled_after_days: 5"),
    "operators": ("alerts:\n", OPERATORS + "  # and the shipped ones\n"),
    "timezone": ("timezone: Asia/Tokyo", "timezone: America/Los_Angeles"),  # logins land on other days; DST
    "ratio_in_arithmetic": ('when: "go_live_on != null and active_ratio < 0.3"',
                            'when: "go_live_on != null and active_ratio * 10 < 3 + (arr ?? 0) / 1e9"'),
    # the current rules with the proposed ones' facts (usage_gap too): the sets type the raw facts alike, once
    "login_8_facts_alike": ('when: "days_since_last_login >= 14"', 'when: "days_since_last_login >= 8"'),
    # ... but for active_ratio's expression: each set types them itself
    "ratio_redefined": ('expr: "active_users / licensed_users"', 'expr: "active_users / (licensed_users + 10)"'),
}
FACTS_ALIKE = ("login_8_facts_alike", "ratio_redefined")
FACT = '  active_ratio:      {type: number, expr: "active_users / licensed_users", label: 利用率}\n'


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_fast_path_gives_what_every_day_gives(store: Store, tmp_path: Path, variant: str) -> None:
    current = load([RULES, ROOT / "rules" / "notify.yaml"])
    if variant in FACTS_ALIKE:
        current = rules_with(tmp_path, "current.yaml", "x", "x")
    old, new = VARIANTS[variant]
    proposed = current if variant == "shipped" else rules_with(tmp_path, f"{variant}.yaml", old, new)
    end = FIRST + timedelta(days=DAYS - 1)
    fast = replay(store, current, proposed, FIRST, end)
    plain = replay(store, current, proposed, FIRST, end, fast=False)
    assert fast["every_day"] == {"current": "", "proposed": ""}
    assert plain["evaluations"]["current"] == ACCOUNTS * DAYS
    assert fast["evaluations"]["proposed"] < plain["evaluations"]["proposed"] * 0.7  # a quarter of them hover
    for key in ("weeks", "backlog", "backtest", "totals", "weeks_changed"):
        assert fast[key] == plain[key], key
    assert fast["totals"]["current"]["alerts_raised"] > 0 and fast["totals"]["current"]["status_changes"] > 0
    if variant == "history":
        raised = {a for w in fast["weeks"] for a in w["proposed"]["alerts"]}
        assert {"long_in_status", "phase_drags", "kicked_off_lately"} <= raised


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_days_found_a_fact_at_a_time_are_those_found_a_day_at_a_time(store: Store, tmp_path: Path,
                                                                          variant: str) -> None:
    """Schedule.days (each fact's changes in turn) gives the very days the walk a change day at a time gives, for
    windows that start before, on and after an account's first facts and end before its last."""
    current = load([RULES, ROOT / "rules" / "notify.yaml"])
    if variant in FACTS_ALIKE:
        current = rules_with(tmp_path, "current.yaml", "x", "x")
    old, new = VARIANTS[variant]
    proposed = current if variant == "shipped" else rules_with(tmp_path, f"{variant}.yaml", old, new)
    zones: dict[str, list[DaySensitivity]] = {}  # the sets replay walks together
    for rules, _ in (current, proposed):
        fast = Replayer(rules, FIRST).fast
        assert fast is not None
        zones.setdefault(str(rules.tz), []).append(fast)
    schedules = [Schedule(sets, sets[0].tz or current[0].tz) for sets in zones.values()]
    compared = 0
    for (_, changes), schedule in itertools.product(fact_changes(store, FIRST + timedelta(days=DAYS - 1)),
                                                    schedules):
        days = [d.toordinal() for d, _ in changes]
        for first, last in ((-30, DAYS - 1), (0, DAYS - 1), (45, 150), (DAYS - 2, DAYS - 1)):
            first, last = FIRST.toordinal() + first, FIRST.toordinal() + last
            facts: dict[str, Any] = {}
            i = 0
            while i < len(days) and days[i] <= first:
                facts.update(changes[i][1])
                i += 1
            start = first if i else days[0]
            expected = walk_a_day_at_a_time(schedule, dict(facts), changes, days, i, start, last)
            assert schedule.days(dict(facts), changes, days, i, start, last) == expected
            compared += len(expected)
    assert compared > ACCOUNTS * 8


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


def test_figures_that_stay_between_the_constants_are_not_evaluated_again(tmp_path: Path) -> None:
    """An account whose usage grows every day but stays between 0.3 and 0.5 of its licences, and whose admin logs
    in daily: after its milestones, nothing it does crosses a constant, so it is evaluated on a handful of days;
    the plain path evaluates all 120 and agrees."""
    s = Store(tmp_path / "state.db")
    start = FIRST - timedelta(days=200)
    for d in range(120):
        day = FIRST + timedelta(days=d)
        facts = {"product": "経費精算", "contract_start": start.isoformat(), "licensed_users": 1000.0,
                 "active_users": 310.0 + d, "arr": 2_000_000.0, "kickoff_on": start.isoformat(),
                 "setup_done_on": start.isoformat(), "go_live_on": (FIRST + timedelta(days=60)).isoformat()
                 if d >= 60 else None, "last_login": f"{day.isoformat()}T01:00:00Z", "active_admins": 1.0,
                 "tickets_last_30d": 2.0, "urgent_open": 0.0}
        with s.transaction():
            s.record_facts({"001000000000000001": facts}, day.isoformat())
    current = load([RULES, ROOT / "rules" / "notify.yaml"])
    end = FIRST + timedelta(days=119)
    fast = replay(s, current, current, FIRST, end)
    plain = replay(s, current, current, FIRST, end, fast=False)
    for key in ("weeks", "backlog", "backtest", "totals"):
        assert fast[key] == plain[key], key
    assert plain["evaluations"]["current"] == 120
    assert fast["evaluations"]["current"] <= 3  # the first day, go-live, and the go-live's onboarding done


def test_the_history_reads_the_same_on_both_store_engines(store: Store, store_url: str) -> None:
    """The replay reads the fact history an account at a time (one ordered pass, each account's changes decoded
    together): on SQLite and PostgreSQL alike, the same changes as the row-by-row read, and the same replay."""
    other = open_store(store_url)
    end = FIRST + timedelta(days=DAYS - 1)
    for d in range(0, DAYS, 3):  # every third day's facts: changes folded over the days between
        day = (FIRST + timedelta(days=d)).isoformat()
        facts = {row.account_id: json.loads(row.changes) for row in store.fact_history(day) if row.day == day}
        with other.transaction():
            other.record_facts({a: {**state, **facts.get(a, {})} for a, state in states(store, day).items()}, day)
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for row in other.fact_history(end.isoformat()):
        rows.setdefault(row.account_id, []).append((row.day, json.loads(row.changes)))
    read = {a: list(zip(days, changes, strict=True))
            for a, days, changes in other.fact_history_by_account(end.isoformat())}
    assert read == rows and len(read) == ACCOUNTS
    assert list(read) == sorted(read)
    current = load([RULES, ROOT / "rules" / "notify.yaml"])
    fast = replay(other, current, current, FIRST, end)
    assert fast == replay(other, current, current, FIRST, end, fast=False) | {"evaluations": fast["evaluations"],
                                                                               "every_day": fast["every_day"]}
    other.close()


def states(s: Store, day: str) -> dict[str, dict[str, Any]]:
    """Each account's raw facts on ``day``: its changes up to it, folded."""
    out: dict[str, dict[str, Any]] = {}
    for row in s.fact_history(day):
        out.setdefault(row.account_id, {}).update(json.loads(row.changes))
    return out


def walk_a_day_at_a_time(s: Schedule, facts: dict[str, Any], changes: list[tuple[date, dict[str, Any]]],
                         days: list[int], i: int, start: int, last: int) -> list[int]:
    """The days Schedule.days gives, found as the replay found them before it: a change day at a time (``apply``),
    each time with the next day a days_since_X passes a constant (``next_flip``)."""
    anchors = s.anchors(facts)
    out = [start]
    flip = next_flip(s, anchors, start)
    for k in range(i, len(days)):
        today = days[k]
        if today > last:
            break
        while flip is not None and flip <= today:
            if flip != out[-1]:
                out.append(flip)
            flip = next_flip(s, anchors, flip)
        if apply(s, facts, anchors, changes[k][1], today) and today != out[-1]:
            out.append(today)
        flip = next_flip(s, anchors, today)
    while flip is not None and flip <= last:
        out.append(flip)
        flip = next_flip(s, anchors, flip)
    return out


def apply(s: Schedule, facts: dict[str, Any], anchors: dict[str, int | None], changed: Mapping[str, Any], today: int
          ) -> bool:
    moved = False
    derived: list[Derived] = []
    kinds = s.kinds
    for name, new in changed.items():
        kind = kinds.get(name, _IGNORED)
        was = facts.get(name)
        if kind == _IGNORED or was == new:
            continue
        if name in anchors:
            a, b = anchors[name], s.day_of(new)
            anchors[name] = b
            if kind == _ANCHOR and not moved:
                points = s.points[name]
                moved = (a is None or b is None or (was is None) != (new is None)
                         or bisect_right(points, today - a) != bisect_right(points, today - b))
                continue
        if kind == _NUMBER and not moved:
            cuts = s.cuts.get(name, ())
            try:
                moved = _region(_number(was), cuts) != _region(_number(new), cuts)
            except ValueError:  # a value the engine reads from text: not followed here
                moved = True
            derived += s.via.get(name, ())
            continue
        if kind == _ANCHOR and not moved:  # a date no days_since_X constant is set for: only null or not
            moved = (was is None) != (new is None)
            continue
        moved = True
    if derived and not moved:
        return derived_moved(s, facts, changed, derived)
    facts.update(changed)
    return moved

def derived_moved(s: Schedule, facts: dict[str, Any], changed: Mapping[str, Any], derived: list[Derived]) -> bool:
    try:
        before = [_region(d.condition(_typed(d, facts)), d.cuts) for d in derived]
        facts.update(changed)
        after = [_region(d.condition(_typed(d, facts)), d.cuts) for d in derived]
        return after != before
    except ValueError:  # a value the engine reads from text: not followed here
        facts.update(changed)
        return True

def next_flip(s: Schedule, anchors: Mapping[str, int | None], today: int) -> int | None:
    found = None
    for name, a in anchors.items():
        if a is None:
            continue
        points = s.points[name]
        k = bisect_right(points, today - a)
        if k < len(points) and (found is None or a + points[k] < found):
            found = a + points[k]
    return found
