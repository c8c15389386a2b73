"""Table-driven tests of the rules semantics: statuses at the exact day boundaries, alerts, health, tiers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rules.engine import Engine, Evaluation
from rules.ruleset import load_and_compile

RULES = """
timezone: Asia/Tokyo
facts:
  product: {type: string, field: Product__c}
  start: {type: date, field: Start__c}
  kickoff_done: {type: bool, field: Kickoff__c}
  setup_on: {type: date, field: Setup__c}
  last_login: {type: datetime, field: Last_Login__c}
  users: {type: number, field: Users__c}
  seats: {type: number, field: Seats__c}
  ratio: {type: number, expr: "users / seats"}
  tickets_last_30d: {type: number, aggregate: tickets_last_30d}
  arr: {type: number, field: ARR__c}
onboarding:
  start: start
  product: product
  stalled_after_days: 0
  churn_risk_after_days: 30
  status_labels: {stalled: オンボ滞留, churn_risk: 解約見込}
  products:
    勤怠管理:
      - {id: kickoff, name: キックオフ, due_day: 7, done: "kickoff_done"}
      - {id: setup, name: 初期設定, due_day: 30, done: "setup_on != null"}
    Expense:
      - {id: setup, name: Initial setup, due_day: 14, done: "setup_on != null"}
alerts:
  - {id: setup_late, title: 初期設定が30日以内に完了していない, severity: critical,
     when: "days_since_start > 30 and setup_on == null"}
  - {id: no_login_14d, title: No login for 14 days, severity: warning, when: "days_since_last_login >= 14"}
  - {id: low_usage, title: 利用率低下, severity: warning, when: "ratio < 0.3", statuses: [completed]}
  - {id: stalled_long, title: Stalled over a week, severity: info, when: "days_overdue > 7", statuses: [stalled]}
  - {id: unhealthy, title: 健全性が低い, severity: warning, when: "health_band == 'red'"}
health:
  max: 200
  components:
    - id: end_users
      name: エンドユーザー利用
      weight: 100
      ladder:
        - {when: "ratio >= 0.8", score: 1}
        - {when: "ratio >= 0.5", score: 0.5}
        - {score: 0}
    - id: support
      name: Support load
      weight: 100
      linear: {fact: tickets_last_30d, from: 10, to: 0}
  bands:
    - {name: green, min: 150}
    - {name: yellow, min: 80}
    - {name: red, min: 0}
tiers:
  - {name: S, when: "arr >= 10000000 and health_score >= 150"}
  - {name: A, when: "arr >= 3000000"}
  - {name: B}
writeback:
  Status__c: status_label
  Phase__c: phase_name
  Overdue__c: days_overdue
  Score__c: health_score
  Band__c: health_band
  Tier__c: tier
  Alerts__c: alerts
  Evaluated__c: evaluated_on
"""

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("rules") / "r.yaml"
    path.write_text(RULES, encoding="utf-8")
    return Engine(load_and_compile([path], TODAY))


def ev(engine: Engine, **raw: Any) -> Evaluation:
    base = {"product": "勤怠管理", "users": 90, "seats": 100, "tickets_last_30d": 0, "arr": 1}
    return engine.evaluate("001", engine.facts({**base, **raw}))


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


# Kickoff is due on day 7 and setup on day 30 after the start.
@pytest.mark.parametrize(("start_ago", "kickoff", "setup", "status", "phase", "overdue"), [
    (None, False, None, "not_started", None, None),           # no start date
    (-1, False, None, "not_started", None, None),             # starts tomorrow
    (0, False, None, "on_track", "kickoff", -7),              # starts today
    (7, False, None, "on_track", "kickoff", 0),               # due today: on track
    (8, False, None, "stalled", "kickoff", 1),                # one day late: stalled (オンボ滞留)
    (37, False, None, "stalled", "kickoff", 30),              # 30 days late: still stalled
    (38, False, None, "churn_risk", "kickoff", 31),           # 31 days late: churn risk (解約見込)
    (30, True, None, "on_track", "setup", 0),                 # kickoff done, setup due today
    (31, True, None, "stalled", "setup", 1),
    (60, True, None, "stalled", "setup", 30),
    (61, True, None, "churn_risk", "setup", 31),
    (200, True, 5, "completed", None, None),                   # every phase done
    (3, False, 1, "on_track", "kickoff", -4),                  # a later phase done does not skip an earlier one
])
def test_status_at_day_boundaries(engine: Engine, start_ago: int | None, kickoff: bool, setup: int | None,
                                  status: str, phase: str | None, overdue: int | None) -> None:
    result = ev(engine, start=None if start_ago is None else days_ago(start_ago), kickoff_done=kickoff,
                setup_on=None if setup is None else days_ago(setup))
    assert (result.status, result.phase, result.days_overdue) == (status, phase, overdue)


def test_null_done_counts_as_not_done(engine: Engine) -> None:
    result = ev(engine, start=days_ago(10), kickoff_done=None)
    assert result.phase == "kickoff" and result.status == "stalled"


def test_product_without_phases_is_reported(engine: Engine) -> None:
    result = ev(engine, product="Analytics", start=days_ago(100))
    assert result.status == "no_phases"
    assert result.problems == ["no onboarding phases for product 'Analytics'"]


def test_english_product_and_names(engine: Engine) -> None:
    result = ev(engine, product="Expense", start=days_ago(20))
    assert (result.status, result.phase_name, result.days_overdue) == ("stalled", "Initial setup", 6)


def test_stalled_and_churn_thresholds_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULES.replace("stalled_after_days: 0", "stalled_after_days: 3")
                    .replace("churn_risk_after_days: 30", "churn_risk_after_days: 10"), encoding="utf-8")
    e = Engine(load_and_compile([path], TODAY))
    got = [ev(e, start=days_ago(7 + n), kickoff_done=False).status for n in (3, 4, 10, 11)]
    assert got == ["on_track", "stalled", "stalled", "churn_risk"]


@pytest.mark.parametrize(("raw", "expected"), [
    ({"start": days_ago(31), "kickoff_done": True}, ["setup_late"]),
    ({"start": days_ago(30), "kickoff_done": True}, []),                              # boundary: not yet
    ({"start": days_ago(31), "kickoff_done": True, "setup_on": days_ago(1)}, []),
    ({"start": days_ago(1), "last_login": (TODAY - dt.timedelta(days=14)).isoformat() + "T10:00:00+09:00"},
     ["no_login_14d"]),
    ({"start": days_ago(1), "last_login": (TODAY - dt.timedelta(days=13)).isoformat() + "T10:00:00+09:00"}, []),
    ({"start": days_ago(1), "last_login": None}, []),                                 # null: not raised
    ({"start": days_ago(100), "kickoff_done": True, "setup_on": days_ago(50), "users": 20}, ["low_usage"]),
    ({"start": days_ago(1), "users": 20}, []),                                        # statuses filter
    ({"start": days_ago(15), "kickoff_done": False}, ["stalled_long"]),              # 8 days overdue
    ({"start": days_ago(14), "kickoff_done": False}, []),
    ({"start": days_ago(1), "users": 10, "tickets_last_30d": 10}, ["unhealthy"]),   # uses health_band
])
def test_alerts(engine: Engine, raw: dict[str, Any], expected: list[str]) -> None:
    assert ev(engine, **raw).alerts == expected


def test_datetime_days_use_the_rules_timezone(engine: Engine) -> None:
    # 2026-11-09T20:00Z is 2026-11-10 05:00 in Tokyo: 13 days before 2026-11-23, not 14
    assert ev(engine, start=days_ago(1), last_login="2026-11-09T20:00:00.000+0000").alerts == []
    assert ev(engine, start=days_ago(1), last_login="2026-11-09T14:00:00.000+0000").alerts == ["no_login_14d"]


@pytest.mark.parametrize(("users", "tickets", "score", "band", "missing"), [
    (90, 0, 200.0, "green", []),       # ladder 1.0 and linear 1.0
    (80, 5, 150.0, "green", []),       # 1.0*100 + 0.5*100 — exactly the green threshold
    (79, 5, 100.0, "yellow", []),      # ladder step 0.5
    (50, 10, 50.0, "red", []),         # linear at its `from` bound → 0
    (10, 20, 0.0, "red", []),          # beyond the bound: clamped
    (49, 2, 80.0, "yellow", []),       # 0 + 0.8*100
    (None, 4, 120.0, "yellow", ["end_users"]),   # missing input: weight shared → 0.6 * 200
    (90, None, 200.0, "green", ["support"]),
    (None, None, None, None, ["end_users", "support"]),
])
def test_health(engine: Engine, users: float | None, tickets: float | None, score: float | None,
                band: str | None, missing: list[str]) -> None:
    h = ev(engine, start=days_ago(1), users=users, tickets_last_30d=tickets).health
    assert (h.score, h.band, h.missing, h.max) == (score, band, missing, 200.0)


@pytest.mark.parametrize(("arr", "users", "tier"), [
    (12_000_000, 90, "S"), (12_000_000, 40, "A"), (3_000_000, 90, "A"), (2_999_999, 90, "B"), (None, 90, "B"),
])
def test_tiers_first_match_wins(engine: Engine, arr: float | None, users: float, tier: str) -> None:
    assert ev(engine, start=days_ago(1), arr=arr, users=users).tier == tier


def test_writeback_values(engine: Engine) -> None:
    result = ev(engine, start=days_ago(45), kickoff_done=True, users=40, tickets_last_30d=5)
    assert result.writeback == {
        "Status__c": "オンボ滞留", "Phase__c": "初期設定", "Overdue__c": 15.0, "Score__c": 50.0, "Band__c": "red",
        "Tier__c": "B", "Alerts__c": "setup_late;stalled_long;unhealthy", "Evaluated__c": "2026-11-23",
    }
    on_track = ev(engine, start=days_ago(1))
    assert on_track.writeback["Status__c"] == "on_track"  # no label configured: the status itself
    assert on_track.writeback["Alerts__c"] is None


def test_an_evaluation_without_writeback_is_the_same_but_for_it(engine: Engine) -> None:
    """rules replay asks for no writeback values (it writes nothing): everything else is as with them."""
    facts = engine.facts({"product": "勤怠管理", "seats": 100, "arr": 1, "start": days_ago(45), "kickoff_done": True,
                          "users": 40, "tickets_last_30d": 5})
    full, bare = engine.evaluate("001A", dict(facts)), engine.evaluate("001A", dict(facts), writeback=False)
    assert full.writeback["Status__c"] == "オンボ滞留" and bare.writeback == {}
    assert dataclasses.replace(bare, writeback=full.writeback) == full


def test_derived_fact_division_by_zero_is_null(engine: Engine) -> None:
    facts = engine.facts({"users": 5, "seats": 0})
    assert facts["ratio"] is None
    assert facts["days_since_start"] is None


def test_summary_shape(engine: Engine) -> None:
    s = ev(engine, start=days_ago(8)).summary()
    assert list(s) == ["id", "product", "status", "phase", "phase_name", "days_overdue", "alerts", "health",
                       "tier", "writeback", "products"]
    assert list(s["health"]) == ["score", "max", "band", "missing"]
    assert s["products"] == [{"product": "勤怠管理", "status": "stalled", "phase": "kickoff",
                              "phase_name": "キックオフ", "days_overdue": 1,
                              "target_date": "2026-12-15"}]  # the last due_day, 30: 11-15 + 30


@pytest.mark.parametrize("product", ["勤怠管理;Expense", ["勤怠管理", "Expense"], " 勤怠管理 ; Expense;勤怠管理"])
def test_each_product_is_onboarded_on_its_own_and_the_account_shows_the_worst(engine: Engine,
                                                                              product: Any) -> None:
    # kickoff done, no setup, started 20 days ago: 勤怠管理 is on setup (due day 30) and on track; Expense's setup was
    # due on day 14, 6 days ago: stalled, and the account is as stalled as its worst product
    result = ev(engine, product=product, start=days_ago(20), kickoff_done=True)
    assert [(r.product, r.status, r.phase, r.days_overdue) for r in result.products] == \
        [("勤怠管理", "on_track", "setup", -10), ("Expense", "stalled", "setup", 6)]
    assert (result.product, result.status, result.phase_name, result.days_overdue) == \
        ("勤怠管理;Expense", "stalled", "Initial setup", 6)
    assert result.alerts == []  # stalled_long needs more than 7 days overdue
    assert result.writeback["Status__c"] == "オンボ滞留"


def test_worst_status_order_and_ties() -> None:
    from rules.engine import ProductResult, worst

    done, late, later = ProductResult("a", "completed"), ProductResult("b", "stalled", days_overdue=3), \
        ProductResult("c", "stalled", days_overdue=9)
    assert worst([done, late, later]).product == "c"  # the same status: the most days overdue
    assert worst([ProductResult("x", "no_phases"), done]).product == "a"  # a product without phases never wins
    assert worst([ProductResult("x", "not_started"), done]).product == "x"  # onboarding is not done until all are
    assert worst([late, ProductResult("d", "stalled", days_overdue=3)]).product == "b"  # then the first listed
    assert worst([ProductResult("y", "churn_risk", days_overdue=31), later]).product == "y"


def test_a_product_without_phases_beside_one_with_phases(engine: Engine) -> None:
    result = ev(engine, product="Analytics;勤怠管理", start=days_ago(3))
    assert (result.status, [r.status for r in result.products]) == ("on_track", ["no_phases", "on_track"])
    assert result.problems == ["no onboarding phases for product 'Analytics'"]


def test_per_product_writeback_fields(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULES + "  Expense_Status__c: {value: status_label, product: Expense}\n"
                            "  Expense_Overdue__c: {value: days_overdue, product: Expense}\n", encoding="utf-8")
    e = Engine(load_and_compile([path], TODAY))
    both = ev(e, product="勤怠管理;Expense", start=days_ago(20), kickoff_done=True).writeback
    assert (both["Status__c"], both["Expense_Status__c"], both["Expense_Overdue__c"]) == \
        ("オンボ滞留", "オンボ滞留", 6.0)
    one = ev(e, product="勤怠管理", start=days_ago(20), kickoff_done=True).writeback
    assert (one["Status__c"], one["Expense_Status__c"], one["Expense_Overdue__c"]) == ("on_track", None, None)


def _accounts() -> list[dict[str, Any]]:
    """Accounts whose text values repeat (as dates and picklists do across real accounts), a few of them bad."""
    out = []
    for i in range(60):
        out.append({"product": ["勤怠管理", "Expense", "勤怠管理;Expense", None][i % 4],
                    "start": ["2026-09-01", "2026/10/3", "2026-11-30", None, "2026-10-15T23:30:00Z",
                              "2026-13-45"][i % 6],
                    "kickoff_done": ["true", "はい", False, None][i % 4],
                    "setup_on": ["2026-10-01", None, "2026-13-45"][i % 3],
                    "last_login": ["2026-11-01T03:00:00.000+0000", "2026-11-22 10:00", None][i % 3],
                    "users": [90, "45", "1,200", None, float("nan")][i % 5], "seats": [100, "100", 0][i % 3],
                    "tickets_last_30d": i % 12, "arr": [1, "12,000,000"][i % 2]})
    return out


def _outcome(engine: Engine, raw: dict[str, Any]) -> Any:
    from rules.engine import FactValueError

    try:
        facts = engine.facts(raw)
    except FactValueError as exc:
        return ("refused", exc.fact, repr(exc.value), exc.kind, str(exc))
    return dataclasses.asdict(engine.evaluate("001", facts))


def test_a_warm_engine_answers_as_a_fresh_one_and_full_is_asdict(tmp_path: Path) -> None:
    """The engine remembers the text values it read for its run: an account read by a warm engine (its caches full
    of other accounts' values, refusals included) gets what a fresh engine gives it, and Evaluation.full (built by
    hand, for speed) is dataclasses.asdict."""
    path = tmp_path / "r.yaml"
    path.write_text(RULES, encoding="utf-8")
    rs = load_and_compile([path], TODAY)
    warm = Engine(rs)
    accounts = _accounts()
    for raw in accounts:
        _outcome(warm, raw)
    refused = 0
    for raw in reversed(accounts):
        fresh = _outcome(Engine(rs), raw)
        assert _outcome(warm, raw) == fresh
        refused += isinstance(fresh, tuple)
        if not isinstance(fresh, tuple):
            assert warm.evaluate("001", warm.facts(raw)).full() == fresh
    assert 0 < refused < len(accounts)


def test_an_engine_moved_across_days_answers_as_one_compiled_for_the_day(tmp_path: Path) -> None:
    """Engine.move_to keeps the caches that do not depend on the day (a date's local day, the components'
    results): an engine walked back and forth over days, its caches full of other days' answers, gives each
    account what an engine compiled for that day gives (days since, days overdue, status, alerts)."""
    path = tmp_path / "r.yaml"
    path.write_text(RULES, encoding="utf-8")
    moved = Engine(load_and_compile([path], TODAY))
    accounts = _accounts()
    days = [TODAY + dt.timedelta(days=k) for k in (0, -40, 9, -3, 25, -60, 1, 0)]
    answers = set()
    for day in days:
        fresh = Engine(load_and_compile([path], day))
        moved.move_to(day)
        for raw in accounts:
            want = _outcome(fresh, raw)
            assert _outcome(moved, raw) == want, (day, raw)
            answers.add(repr(want))
    assert len(answers) > 40  # the days and accounts give many different evaluations
