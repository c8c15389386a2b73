"""NPS per month, per survey and over the period (report/nps.py), against the published example and by hand."""

from __future__ import annotations

from datetime import date, timedelta

from report import nps
from report.model import Account, NpsAnswer, Period

D = date.fromisoformat
#: The published check (REFERENCE.md): 8 detractors, 31 passives, 10 promoters of 49 answers → +4.08.
LOGLASS = [3] * 4 + [6] * 4 + [7] * 15 + [8] * 16 + [9] * 5 + [10] * 5


def test_nps_reproduces_the_published_example() -> None:
    assert nps.nps_score(LOGLASS) == {"n": 49, "nps": 4.08, "promoters": 20.41, "passives": 63.27,
                                      "detractors": 16.33}
    assert nps.nps_score([])["nps"] is None
    assert nps.nps_score([6, 7, 9])["nps"] == 0.0  # 6 is a detractor, 7 a passive, 9 a promoter


def test_nps_per_month_and_segment() -> None:
    a = Account("a", "勤怠管理", D("2026-01-10"))
    b = Account("b", "経費精算", D("2026-01-10"))
    answers = [NpsAnswer("a", D("2026-01-31"), 10), NpsAnswer("b", D("2026-02-01"), 0),
               NpsAnswer("b", D("2026-02-28"), 8), NpsAnswer("a", D("2025-12-31"), 0)]
    rows = nps.by_month(answers, {"a": a, "b": b}, Period(D("2026-01-01"), D("2026-06-30")), "product")
    assert [(r["segment"], r["month"], r["n"], r["nps"]) for r in rows] == \
        [("勤怠管理", "2026-01", 1, 100.0), ("経費精算", "2026-02", 2, -50.0)]


def test_one_survey_over_two_months_has_one_figure() -> None:
    """49 answers of one survey from 10-20 to 11-17: two monthly figures, but the survey's own is +4.08."""
    first = D("2026-10-20")
    answers = [NpsAnswer("a", first + timedelta(days=i % 29), s, "2026Q4") for i, s in enumerate(LOGLASS)]
    period = Period(D("2026-06-01"), D("2026-11-30"))
    monthly = nps.by_month(answers, {}, period, None)
    assert [m["month"] for m in monthly] == ["2026-10", "2026-11"] and all(m["nps"] != 4.08 for m in monthly)
    survey = nps.by_survey(answers, {}, period, None)
    assert survey == [{"segment": "all", "survey": "2026Q4", "first": "2026-10-20", "last": "2026-11-17",
                       **nps.nps_score(LOGLASS), "outside_period": 0}]
    assert nps.in_period(answers, {}, period, None)[0]["nps"] == 4.08


def test_surveys_are_cut_by_the_period_and_say_so() -> None:
    a = Account("a", "勤怠管理", None, tier="A")
    answers = [NpsAnswer("a", D("2026-09-30"), 0, "s1"), NpsAnswer("a", D("2026-10-01"), 10, "s1"),
               NpsAnswer("a", D("2026-10-31"), 9, "s2"), NpsAnswer("a", D("2026-11-01"), 0, "s2"),
               NpsAnswer("zz", D("2026-10-15"), 0, "s2")]
    period = Period(D("2026-10-01"), D("2026-10-31"))
    rows = nps.by_survey(answers, {"a": a}, period, "tier")
    assert [(r["segment"], r["survey"], r["n"], r["nps"], r["outside_period"]) for r in rows] == \
        [("(unknown account)", "s2", 1, -100.0, 0), ("A", "s1", 1, 100.0, 1), ("A", "s2", 1, 100.0, 1)]
    whole = nps.in_period(answers, {"a": a}, period, None)
    assert [(r["segment"], r["n"], r["nps"]) for r in whole] == [("all", 3, round(100 * (2 - 1) / 3, 2))]
