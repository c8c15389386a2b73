"""Every report definition on hand-made histories, with the day boundaries the README states."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from report import compute
from report.model import Account, AlertPeriod, Onboarding, Period, Point, ReportInput

D = date.fromisoformat
START = D("2026-01-10")


def onboarding(account: Account) -> Account:
    """One product onboarding with the account's own points (an account of one product, as the sync writes it)."""
    account.onboardings = [Onboarding(account.product or "", list(account.points))]
    return account


def acc(aid: str, *points: tuple[str, str], start: date = START, product: str = "勤怠管理", **kw: object) -> Account:
    return onboarding(Account(aid, product, start, [Point(D(d), s) for d, s in points], **kw))  # type: ignore[arg-type]


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
    a = onboarding(Account("a", "勤怠管理", START, [Point(D("2026-01-10"), "on_track", "kickoff"),
                                         Point(D("2026-01-15"), "on_track", "setup"),
                                         Point(D("2026-02-15"), "stalled", "setup"),
                                         Point(D("2026-03-01"), "on_track", "training"),
                                         Point(D("2026-03-21"), "completed", None)]))
    # history starts after b's start: its first stay (setup) was not seen beginning and is left out
    b = onboarding(Account("b", "勤怠管理", START, [Point(D("2026-01-20"), "on_track", "setup"),
                                         Point(D("2026-01-30"), "on_track", "training"),
                                         Point(D("2026-02-09"), "completed", None)]))
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


def worked_example() -> list[Account]:
    """The README's worked example (csops report), account by account."""
    return [
        acc("A", ("2026-01-10", "on_track"), ("2026-04-10", "completed")),
        acc("B", ("2026-01-10", "on_track"), ("2026-04-11", "completed")),
        acc("C", ("2026-01-31", "on_track"), start=D("2026-01-31")),
        acc("D", ("2026-01-05", "on_track"), ("2026-01-13", "stalled"), start=D("2026-01-05")),
        acc("E", ("2026-03-01", "completed"), completed_on=D("2026-02-01")),
        churned(acc("F", ("2026-01-20", "on_track"), start=D("2026-01-20")), "2026-03-01"),
        acc("G", ("2026-01-15", "no_phases"), start=D("2026-01-15"), product="Analytics"),
        acc("K", ("2025-12-28", "on_track"), ("2026-03-20", "completed"), start=D("2025-12-28")),
    ]


def churned(account: Account, day: str) -> Account:
    """The account as the sync leaves it when it churns on ``day``: a point saying so."""
    last = account.points[-1]
    account.points.append(Point(D(day), last.status, last.phase, gone="churned"))
    account.churned_on = D(day)
    return account


def test_the_readmes_worked_example_by_cohort_and_by_due_month() -> None:
    rep = compute.completion(ReportInput(worked_example(), Period(D("2026-01-01"), D("2026-04-30")),
                                         {"勤怠管理": 90}))
    (jan,) = rep["cohorts"]
    assert jan == {"segment": "all", "cohort": "2026-01", "received": 6, "within": 2, "failed": 3,
                   "completed_late": 1, "not_completed": 2, "churned": 1, "in_window": 1, "date_unknown": 0,
                   "rate": 0.4, "rate_n": 5}
    assert rep["due"] == [
        {"segment": "all", "due_month": "2026-03", "due": 1, "on_time": 1, "failed": 0, "completed_late": 0,
         "not_completed": 0, "churned": 0, "in_window": 0, "date_unknown": 0, "rate": 1.0, "rate_n": 1},
        {"segment": "all", "due_month": "2026-04", "due": 5, "on_time": 2, "failed": 3, "completed_late": 1,
         "not_completed": 2, "churned": 1, "in_window": 0, "date_unknown": 0, "rate": 0.4, "rate_n": 5}]
    assert rep["not_applicable"] == [{"segment": "all", "accounts": 1}]
    assert rep["date_sources"] == {"history": 2, "fact": 1, "unknown": 0}  # A and B seen by history, E by the fact
    # a one-month review: April has no start cohort to rate, and the due view still answers for April
    april = compute.completion(ReportInput(worked_example(), Period(D("2026-04-01"), D("2026-04-30")),
                                           {"勤怠管理": 90}))
    assert april["cohorts"] == [] and april["due"][0]["rate"] == 0.4 and april["due"][0]["due_month"] == "2026-04"
    # F is in the weekly counts up to the week before it churned (03-01 is the last day of the week of 02-23)
    f = next(a for a in worked_example() if a.id == "F")
    weekly = compute.over_time(ReportInput([f], Period(D("2026-01-01"), D("2026-04-30")), {}))["status_weekly"]
    assert weekly[-1] == {"week": "2026-02-16", "on_track": 1}


def test_no_phases_products_are_out_of_every_rate_and_counted_apart() -> None:
    accounts = [acc("a", ("2026-01-10", "on_track"), ("2026-02-01", "completed")),
                acc("x", ("2026-01-10", "no_phases"), product="Analytics"),
                acc("y", ("2026-01-10", "no_phases"), product="Analytics")]
    rep = compute.build(inp(*accounts, by="product"))
    assert [c["segment"] for c in rep["completion"]["cohorts"]] == ["勤怠管理"]
    assert rep["completion"]["cohorts"][0]["rate"] == 1.0
    assert rep["completion"]["not_applicable"] == [{"segment": "Analytics", "accounts": 2}]
    assert [f["segment"] for f in rep["funnel"]] == ["勤怠管理"]
    everyone = compute.build(inp(*accounts))
    assert everyone["completion"]["cohorts"][0]["received"] == 1 and everyone["funnel"][0]["received"] == 1


def test_a_churned_account_is_not_completed_and_leaves_the_weekly_counts() -> None:
    # started 2026-03-02 (deadline 2026-05-31, after --to): in window, until it churns on 2026-03-16
    a = churned(acc("a", ("2026-03-02", "stalled"), start=D("2026-03-02")), "2026-03-16")
    b = acc("b", ("2026-03-02", "stalled"), start=D("2026-03-02"))
    rep = compute.build(ReportInput([a, b], Period(D("2026-03-01"), D("2026-03-31")), {"勤怠管理": 90}))
    (row,) = rep["completion"]["cohorts"]
    assert (row["received"], row["in_window"], row["not_completed"], row["churned"], row["rate"]) == (2, 1, 1, 1, 0.0)
    weekly = {w["week"]: w.get("stalled", 0) for w in rep["status_weekly"]}
    assert weekly["2026-03-09"] == 2 and weekly["2026-03-16"] == 1 and weekly["2026-03-30"] == 1
    # before its churn day it is in window like b
    early = compute.completion(ReportInput([a, b], Period(D("2026-03-01"), D("2026-03-15")), {"勤怠管理": 90}))
    assert early["cohorts"][0]["in_window"] == 2


def test_each_product_of_an_account_is_its_own_onboarding() -> None:
    two = Account("two", "勤怠管理;経費精算", START, [Point(D("2026-01-10"), "on_track")], onboardings=[
        Onboarding("勤怠管理", [Point(D("2026-01-10"), "on_track"), Point(D("2026-03-01"), "completed")]),
        Onboarding("経費精算", [Point(D("2026-01-10"), "on_track"), Point(D("2026-03-20"), "stalled")])])
    rep = compute.build(inp(two, end="2026-04-30", by="product"))
    rows = {c["segment"]: (c["received"], c["within"], c["failed"]) for c in rep["completion"]["cohorts"]}
    # 勤怠管理 done on day 50 of 90; 経費精算's 60 days ran out on 2026-03-11
    assert rows == {"勤怠管理": (1, 1, 0), "経費精算": (1, 0, 1)}
    assert {f["segment"]: f["stalled"] for f in rep["funnel"]} == {"勤怠管理": 0, "経費精算": 1}


def test_the_action_list_is_worst_first_with_days_in_status_and_the_30_day_change() -> None:
    """README "Action list": 解約見込, then 滞留, then on track but overdue; days in status from the day history saw
    the status begin (≥ when history began in it); churned and untroubled accounts are not listed."""
    from report.model import Current

    def account(aid: str, status: str, overdue: int | None, points: list[Point], **kw: object) -> Account:
        cur = Current(D("2026-06-30"), status, "勤怠管理", "初期設定", overdue, points[-1].score, None)
        return Account(aid, "勤怠管理", START, points, current=cur, **kw)  # type: ignore[arg-type]

    accounts = [
        account("late_on_track", "on_track", 3, [Point(D("2026-06-01"), "on_track", score=100.0)]),
        account("stalled_long", "stalled", 20, [Point(D("2026-05-01"), "on_track", score=120.0),
                                                 Point(D("2026-06-10"), "stalled", score=90.0)],
                owner="005A", owner_name="佐藤 花子"),
        account("churn", "churn_risk", 40, [Point(D("2026-04-01"), "churn_risk", score=50.0)], owner="00GQ"),
        account("stalled_more", "stalled", 25, [Point(D("2026-06-20"), "stalled")]),
        account("fine", "on_track", 0, [Point(D("2026-06-01"), "on_track")]),
        account("left", "churn_risk", 60, [Point(D("2026-06-01"), "churn_risk")], churned=True),
    ]
    alerts = [AlertPeriod("churn", "a1", D("2026-06-01"), None), AlertPeriod("churn", "a2", D("2026-05-01"),
                                                                             D("2026-05-09"))]
    out = compute.action_list(inp(*accounts, alerts=alerts, alert_titles={"a1": "初期設定が遅れている"},
                                  status_labels={"churn_risk": "解約見込"},
                                  account_url="https://acme.example/lightning/r/Account/{id}/view"))
    rows = out["accounts"]
    assert out["as_of"] == "2026-06-30"
    assert [r["account_id"] for r in rows] == ["churn", "stalled_more", "stalled_long", "late_on_track"]
    churn, _, stalled, _ = rows
    assert (churn["days_in_status"], churn["days_in_status_at_least"]) == (90, True)  # since 04-01, history's first
    assert (stalled["days_in_status"], stalled["days_in_status_at_least"]) == (20, False)  # entered on 06-10
    assert stalled["health_change_30d"] == -30.0  # 90 on 06-30 against 120 on 05-31
    assert churn["health_change_30d"] == 0.0 and rows[1]["health_change_30d"] is None  # no score 30 days before
    assert (stalled["owner"], churn["owner"]) == ("佐藤 花子", "00GQ")  # a name where known, else the Id
    assert churn["open_alerts"] == ["初期設定が遅れている"] and stalled["open_alerts"] == []  # resolved: gone
    assert churn["status_label"] == "解約見込"
    assert churn["url"] == "https://acme.example/lightning/r/Account/churn/view"


def test_the_first_syncs_alerts_are_the_backlog_not_that_weeks() -> None:
    first = D("2026-01-05")
    periods = [AlertPeriod(a, "no_login", first, None) for a in ("a", "b", "c")]
    periods.append(AlertPeriod("d", "no_login", D("2026-01-12"), None))
    out = compute.alerts(periods, Period(D("2026-01-01"), D("2026-02-28")), {}, first)
    assert out["weekly"] == [{"week": "2026-01-12", "alert": "no_login", "raised": 1, "resolved": 0}]
    assert out["backlog"] == {"day": "2026-01-05", "alerts": {"no_login": 3}, "total": 3}
    # a period starting after the first sync has no backlog
    later = compute.alerts(periods, Period(D("2026-01-10"), D("2026-02-28")), {}, first)
    assert later["backlog"]["total"] == 0


def test_days_in_phase_follow_the_rule_files_order() -> None:
    """kickoff, setup, go_live as the rule file lists them, not go_live, kickoff, setup by name."""
    points = [Point(D("2026-01-10"), "on_track", "kickoff"), Point(D("2026-01-15"), "on_track", "setup"),
              Point(D("2026-02-01"), "on_track", "go_live"), Point(D("2026-03-01"), "completed", None)]
    account = onboarding(Account("a", "勤怠管理", START, points))
    names = {"kickoff": "キックオフ", "setup": "初期設定", "go_live": "本番稼働"}
    rows = compute.durations(inp(account, phase_names=names))["time_in_phase"]
    assert [r["phase"] for r in rows] == ["kickoff", "setup", "go_live"]
    assert [r["median"] for r in rows] == [5.0, 17.0, 28.0]


def test_band_colours_follow_the_rule_files_bands_whatever_their_names() -> None:
    from report.html import BAND_SCALE, band_chart, band_colours

    assert band_colours(["良好", "注意", "危険"]) == {"危険": BAND_SCALE[0], "注意": BAND_SCALE[2],
                                                    "良好": BAND_SCALE[-1]}
    assert band_colours(["ok", "bad"]) == {"bad": BAND_SCALE[0], "ok": BAND_SCALE[-1]}
    rep = {"band_weekly": [{"week": "2026-01-05", "良好": 3, "危険": 1, "注意": 2}],
           "labels": {"bands": ["良好", "注意", "危険"]}}
    fig = band_chart(rep)
    assert [t.name for t in fig.data] == ["危険", "注意", "良好"]  # worst at the bottom of the stack
    assert [t.marker.color for t in fig.data] == [BAND_SCALE[0], BAND_SCALE[2], BAND_SCALE[-1]]
