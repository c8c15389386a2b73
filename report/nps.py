"""NPS in the report: per month, per survey and over the whole period, each per segment.

NPS = % promoters (9-10) − % detractors (0-6), with the three shares beside it (never
the mean score). Every figure counts the answers given inside the period; a survey
whose answers run past the period's ends says how many it left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from report.model import Account, NpsAnswer, Period, month


def nps_score(scores: Iterable[int]) -> dict[str, Any]:
    """NPS = % promoters (9-10) − % detractors (0-6), with the three shares (in %, two decimals)."""
    counts = Counter("promoters" if s >= 9 else "passives" if s >= 7 else "detractors" for s in scores)
    n = sum(counts.values())
    if not n:
        return {"n": 0, "nps": None, "promoters": None, "passives": None, "detractors": None}
    share = {k: 100 * counts[k] / n for k in ("promoters", "passives", "detractors")}
    return {"n": n, "nps": round(share["promoters"] - share["detractors"], 2),
            **{k: round(v, 2) for k, v in share.items()}}


def _segment(answer: NpsAnswer, accounts: dict[str, Account], by: str | None) -> str:
    acc = accounts.get(answer.account_id)
    if acc is not None:
        return acc.segment(by)
    return "all" if by is None else "(unknown account)"


def by_month(answers: list[NpsAnswer], accounts: dict[str, Account], period: Period,
             by: str | None) -> list[dict[str, Any]]:
    """NPS per month and segment, for the answers given inside the period."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for a in answers:
        if a.day in period:
            groups[(_segment(a, accounts, by), month(a.day))].append(a.score)
    return [{"segment": s, "month": m, **nps_score(v)} for (s, m), v in sorted(groups.items())]


def by_survey(answers: list[NpsAnswer], accounts: dict[str, Account], period: Period,
              by: str | None) -> list[dict[str, Any]]:
    """NPS per survey and segment over the survey's answers inside the period, oldest survey first.

    ``first``/``last`` are the dates of those answers; ``outside_period`` counts the
    survey's answers (of the segment) the period leaves out, so a cut survey shows as such.
    """
    inside: dict[tuple[str, str], list[NpsAnswer]] = defaultdict(list)
    outside: Counter[tuple[str, str]] = Counter()
    for a in answers:
        key = (_segment(a, accounts, by), a.survey)
        if a.day in period:
            inside[key].append(a)
        else:
            outside[key] += 1
    rows = [{"segment": seg, "survey": survey, "first": min(x.day for x in got).isoformat(),
             "last": max(x.day for x in got).isoformat(), **nps_score(x.score for x in got),
             "outside_period": outside[(seg, survey)]}
            for (seg, survey), got in inside.items()]
    return sorted(rows, key=lambda r: (r["segment"], r["first"], r["survey"]))


def in_period(answers: list[NpsAnswer], accounts: dict[str, Account], period: Period,
              by: str | None) -> list[dict[str, Any]]:
    """NPS per segment over every answer given inside the period, whatever its survey."""
    groups: dict[str, list[int]] = defaultdict(list)
    for a in answers:
        if a.day in period:
            groups[_segment(a, accounts, by)].append(a.score)
    return [{"segment": s, "from": period.start.isoformat(), "to": period.end.isoformat(), **nps_score(v)}
            for s, v in sorted(groups.items())]
