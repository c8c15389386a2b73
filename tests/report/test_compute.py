"""Every report definition on hand-made histories, with the day boundaries the README states."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from report import compute
from report.model import Account, AlertPeriod, Period, Point, ReportInput

D = date.fromisoformat
START = D("2026-01-10")


def acc(aid: str, *points: tuple[str, str], start: date = START, product: str = "勤怠管理", **kw: object) -> Account:
    return Account(aid, product, start, [Point(D(d), s) for d, s in points], **kw)  # type: ignore[arg-type]


def inp(*accounts: Account, end: str = "2026-06-30", by: str | None = None, **kw: object) -> ReportInput:
    return ReportInput(list(accounts), Period(D("2026-01-01"), D(end)), {"勤怠管理": 90, "経費精算": 60},
                       by=by, **kw)  # type: ignore[arg-type]


def test_completion_rate_within_target_days_with_the_day_boundaries() -> None:
    deadline = (START + timedelta(days=90)).isoformat()  # 2026-04-10
    late = (START + timedelta(days=91)).isoformat()
    accounts = [
        acc("on_deadline", ("2026-01-10", "on_track"), (deadline, "completed")),
        acc("one_day_late", ("2026-01-10", "on_track"), (late, "completed")),
        acc("never", ("2026-01-10", "on_track"), ("2026-02-20", "stalled")),
        acc("fact", ("2026-03-01", "completed"), completed_on=D("2026-02-01")),
        acc("unknown", ("2026-03-01", "completed")),
        acc("other_cohort", ("2026-02-01", "on_track"), start=D("2026-02-01")),
        acc("before_period", ("2025-12-01", "on_track"), start=D("2025-12-20")),
    ]
    # on the deadline itself an account that has not completed is still inside its window
    at_deadline = compute.completion(inp(*accounts, end=deadline))
    jan = next(c for c in at_deadline["cohorts"] if c["cohort"] == "2026-01")
    assert (jan["received"], jan["within"], jan["in_window"], jan["failed"]) == (5, 2, 2, 0)
    # the day after, it has failed; the late completion counts as a failure
    after = compute.completion(inp(*accounts, end="2026-06-30"))
    jan = next(c for c in after["cohorts"] if c["cohort"] == "2026-01")
    assert (jan["within"], jan["completed_late"], jan["not_completed"], jan["in_window"], jan["date_unknown"]) == \
        (2, 1, 1, 0, 1)
    assert jan["rate"] == round(2 / 4, 4)
    assert after["date_sources"] == {"history": 2, "fact": 1, "unknown": 1}
    feb = next(c for c in after["cohorts"] if c["cohort"] == "2026-02")
    assert feb["failed"] == 1 and feb["rate"] == 0.0
    assert {c["cohort"] for c in after["cohorts"]} == {"2026-01", "2026-02"}  # 2025-12 starts are outside


def test_a_completion_after_the_period_end_is_not_seen() -> None:
    a = acc("a", ("2026-01-10", "on_track"), ("2026-03-01", "completed"))
    row = compute.completion(inp(a, end="2026-02-28"))["cohorts"][0]
    assert (row["within"], row["in_window"]) == (0, 1)


def test_quantiles_interpolate_between_ranks() -> None:
    assert compute.quantile([1, 2], 0.5) == 1.5
    assert compute.spread([10, 20, 30, 40, 50]) == {"n": 5, "median": 30.0, "p75": 40.0, "p90": 46.0}
    assert compute.quantile([], 0.5) is None


def test_time_to_complete_and_time_in_phase() -> None:
    a = Account("a", "勤怠管理", START, [Point(D("2026-01-10"), "on_track", "kickoff"),
                                         Point(D("2026-01-15"), "on_track", "setup"),
                                         Point(D("2026-02-15"), "stalled", "setup"),
                                         Point(D("2026-03-01"), "on_track", "training"),
                                         Point(D("2026-03-21"), "completed", None)])
    # history starts after b's start: its first stay (setup) was not seen beginning and is left out
    b = Account("b", "勤怠管理", START, [Point(D("2026-01-20"), "on_track", "setup"),
                                         Point(D("2026-01-30"), "on_track", "training"),
                                         Point(D("2026-02-09"), "completed", None)])
    out = compute.durations(inp(a, b))
    phases = {p["phase"]: (p["n"], p["median"]) for p in out["time_in_phase"]}
    assert phases == {"kickoff": (1, 5.0), "setup": (1, 45.0), "training": (2, 15.0)}
    ttc = out["time_to_complete"][0]
    assert (ttc["cohort"], ttc["n"], ttc["median"], ttc["days"]) == ("2026-01", 2, 50.0, [30.0, 70.0])


def test_funnel_and_recovery_within_n_days() -> None:
    accounts = [
        acc("fine", ("2026-01-10", "on_track"), ("2026-04-01", "completed")),
        # stalled 2026-02-01, back on track exactly 30 days later: recovered within 30
        acc("back", ("2026-01-10", "on_track"), ("2026-02-01", "stalled"), ("2026-03-03", "on_track")),
        # stalled, churn risk, completed 31 days after entering churn risk
        acc("late", ("2026-01-10", "on_track"), ("2026-02-01", "stalled"), ("2026-03-01", "churn_risk"),
            ("2026-04-01", "completed")),
        acc("gone", ("2026-01-10", "stalled"), ("2026-02-10", "churn_risk"), churned=True),
        acc("open", ("2026-01-10", "on_track"), ("2026-03-01", "churn_risk")),
    ]
    (row,) = compute.funnel(inp(*accounts, recovery_days=30))
    assert {k: row[k] for k in ("received", "stalled", "churn_risk", "troubled", "recovered", "churned",
                                "still_open")} == {"received": 5, "stalled": 3, "churn_risk": 3, "troubled": 4,
                                                   "recovered": 2, "churned": 1, "still_open": 1}
    assert row["stalled_recovered_within"] == 1  # back, exactly 30 days; late took 59
    assert row["churn_risk_recovered_within"] == 0  # late recovered 31 days after: outside 30
    (wide,) = compute.funnel(inp(*accounts, recovery_days=31))
    assert wide["churn_risk_recovered_within"] == 1 and wide["churn_risk_recovery_rate"] == round(1 / 3, 4)


def test_weekly_states_take_each_weeks_last_day() -> None:
    # 2026-01-04 is a Sunday, 2026-01-05 a Monday
    a = Account("a", "勤怠管理", START, [Point(D("2026-01-01"), "on_track", score=80, band="green", tier="A"),
                                         Point(D("2026-01-04"), "stalled", score=60, band="yellow", tier="A"),
                                         Point(D("2026-01-05"), "churn_risk", score=30, band="red", tier="B")])
    out = compute.over_time(ReportInput([a], Period(D("2026-01-01"), D("2026-01-11")), {}))
    assert out["status_weekly"] == [{"week": "2025-12-29", "stalled": 1}, {"week": "2026-01-05", "churn_risk": 1}]
    assert [r["week"] for r in out["band_weekly"]] == ["2025-12-29", "2026-01-05"]
    assert out["tier_trend"] == [{"week": "2025-12-29", "tier": "A", "mean_score": 60.0, "n": 1},
                                 {"week": "2026-01-05", "tier": "B", "mean_score": 30.0, "n": 1}]


def test_score_falls_compare_the_periods_first_and_last_day() -> None:
    down = Account("down", "x", START, [Point(D("2025-12-01"), "on_track", score=90.0),
                                        Point(D("2026-03-01"), "stalled", score=40.0)])
    up = Account("up", "x", START, [Point(D("2025-12-01"), "on_track", score=40.0),
                                    Point(D("2026-03-01"), "on_track", score=90.0)])
    new = Account("new", "x", START, [Point(D("2026-02-01"), "on_track", score=90.0),
                                      Point(D("2026-03-01"), "on_track", score=10.0)])
    falls = compute.score_falls(inp(down, up, new))
    assert [(f["account_id"], f["change"]) for f in falls] == [("down", -50.0)]


def test_alerts_per_week_and_median_time_to_resolve() -> None:
    period = Period(D("2026-01-01"), D("2026-01-31"))
    out = compute.alerts([AlertPeriod("a", "no_login", D("2026-01-05"), D("2026-01-11")),
                          AlertPeriod("b", "no_login", D("2026-01-06"), D("2026-01-16")),
                          AlertPeriod("c", "no_login", D("2026-01-07"), None),
                          AlertPeriod("d", "no_login", D("2025-12-01"), D("2026-01-12"))], period, {})
    assert out["weekly"] == [{"week": "2026-01-05", "alert": "no_login", "raised": 3, "resolved": 1},
                             {"week": "2026-01-12", "alert": "no_login", "raised": 0, "resolved": 2}]
    assert out["time_to_resolve"] == [{"alert": "no_login", "title": "no_login", "resolved": 3,
                                       "median_days": 10.0}]


@pytest.mark.parametrize("by", ["product", "tier", "owner"])
def test_every_split(by: str) -> None:
    a = acc("a", ("2026-01-10", "on_track"), tier="Gold", owner="005A")
    b = acc("b", ("2026-01-10", "stalled"), product="経費精算")
    rep = compute.build(inp(a, b, by=by))
    segs = {f["segment"] for f in rep["funnel"]}
    assert segs == {"product": {"勤怠管理", "経費精算"}, "tier": {"Gold", "(none)"}, "owner": {"005A", "(none)"}}[by]
