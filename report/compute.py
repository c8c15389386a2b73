"""The report's definitions (README "csops report" states them with a worked example).

Pure functions over :mod:`report.model` objects: no store, no clock. Days are
calendar dates in the rule file's time zone, as the sync records them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from report import nps
from report.model import Account, AlertPeriod, Period, Point, ReportInput, month

TROUBLE = ("stalled", "churn_risk")
RECOVERED = ("on_track", "completed")


# -- small statistics -----------------------------------------------------------
def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default; the median of [1, 2] is 1.5)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def spread(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "median": quantile(values, 0.5), "p75": quantile(values, 0.75),
            "p90": quantile(values, 0.9)}


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks(period: Period) -> list[date]:
    first = week_of(period.start)
    return [first + timedelta(days=7 * i) for i in range((period.end - first).days // 7 + 1)]


# -- completion -----------------------------------------------------------------
def completion_date(acc: Account) -> tuple[date | None, str]:
    """When onboarding completed, and where that date came from: history, fact, unknown or '' (not completed).

    History gives the date when it saw the account reach ``completed`` from another status;
    when its first point is already ``completed`` (history does not reach back), the
    ``onboarding.completed_on`` fact gives it, else the date is unknown.
    """
    for i, p in enumerate(acc.points):
        if p.status == "completed":
            if i > 0:
                return p.day, "history"
            return (acc.completed_on, "fact") if acc.completed_on else (None, "unknown")
    return None, ""


@dataclass
class CohortRow:
    segment: str
    cohort: str
    received: int = 0
    within: int = 0
    late: int = 0
    open_failed: int = 0
    in_window: int = 0
    unknown_date: int = 0

    @property
    def failed(self) -> int:
        return self.late + self.open_failed

    @property
    def rate(self) -> float | None:
        decided = self.within + self.failed
        return round(self.within / decided, 4) if decided else None

    def as_dict(self) -> dict[str, Any]:
        return {"segment": self.segment, "cohort": self.cohort, "received": self.received, "within": self.within,
                "failed": self.failed, "completed_late": self.late, "not_completed": self.open_failed,
                "in_window": self.in_window, "date_unknown": self.unknown_date, "rate": self.rate}


def received(inp: ReportInput) -> Iterator[Account]:
    """Accounts whose onboarding started inside the period (the cohorts the report covers)."""
    return (a for a in inp.accounts if a.start is not None and a.start in inp.period)


def completion(inp: ReportInput) -> dict[str, Any]:
    """Completion rate within the product's target days, per segment and start-month cohort."""
    rows: dict[tuple[str, str], CohortRow] = {}
    sources: Counter[str] = Counter()
    as_of = inp.period.end
    for acc in received(inp):
        assert acc.start is not None
        seg = acc.segment(inp.by)
        row = rows.setdefault((seg, month(acc.start)), CohortRow(seg, month(acc.start)))
        row.received += 1
        done, source = completion_date(acc)
        if done is not None and done > as_of:
            done, source = None, ""
        if source:
            sources[source] += 1
        deadline = acc.start + timedelta(days=inp.target_days.get(acc.product or "", 0))
        if source == "unknown":
            row.unknown_date += 1
        elif done is not None and done <= deadline:
            row.within += 1
        elif done is not None:
            row.late += 1
        elif as_of <= deadline:
            row.in_window += 1
        else:
            row.open_failed += 1
    out = [r.as_dict() for r in sorted(rows.values(), key=lambda r: (r.segment, r.cohort))]
    return {"cohorts": out, "date_sources": {k: sources.get(k, 0) for k in ("history", "fact", "unknown")},
            "targets": inp.target_rates, "target_days": inp.target_days}


# -- durations ------------------------------------------------------------------
def phase_runs(acc: Account) -> Iterator[tuple[str, int]]:
    """(phase, days) for every stay in a phase that history saw begin and end."""
    pts = acc.points
    i = 0
    while i < len(pts):
        phase = pts[i].phase
        j = i
        while j + 1 < len(pts) and pts[j + 1].phase == phase:
            j += 1
        seen_entry = i > 0 or (acc.start is not None and pts[0].day <= acc.start)
        if phase is not None and j + 1 < len(pts) and seen_entry:
            yield phase, (pts[j + 1].day - pts[i].day).days
        i = j + 1


def durations(inp: ReportInput) -> dict[str, Any]:
    """Days to complete (per segment and cohort) and days in each phase (per segment): median, p75, p90."""
    to_complete: dict[tuple[str, str], list[float]] = defaultdict(list)
    in_phase: dict[tuple[str, str], list[float]] = defaultdict(list)
    for acc in received(inp):
        assert acc.start is not None
        seg = acc.segment(inp.by)
        done, _ = completion_date(acc)
        if done is not None and done <= inp.period.end:
            to_complete[(seg, month(acc.start))].append(float((done - acc.start).days))
        for phase, days in phase_runs(acc):
            in_phase[(seg, phase)].append(float(days))
    return {
        "time_to_complete": [{"segment": s, "cohort": c, **spread(v), "days": sorted(v)}
                             for (s, c), v in sorted(to_complete.items())],
        "time_in_phase": [{"segment": s, "phase": p, "phase_name": inp.phase_names.get(p, p), **spread(v)}
                          for (s, p), v in sorted(in_phase.items())],
    }


# -- funnel and recovery ----------------------------------------------------------
def first_day(acc: Account, status: str, until: date) -> date | None:
    return next((p.day for p in acc.points if p.status == status and p.day <= until), None)


def recovered_on(acc: Account, since: date, until: date) -> date | None:
    return next((p.day for p in acc.points if since < p.day <= until and p.status in RECOVERED), None)


def funnel(inp: ReportInput) -> list[dict[str, Any]]:
    """received → ever stalled → ever churn risk → recovered / churned / still open, per segment."""
    out: dict[str, dict[str, Any]] = {}
    end = inp.period.end
    for acc in received(inp):
        seg = out.setdefault(acc.segment(inp.by), {
            "segment": acc.segment(inp.by), "received": 0, "stalled": 0, "churn_risk": 0, "troubled": 0,
            "recovered": 0, "churned": 0, "still_open": 0,
            **{f"{s}_recovered_within": 0 for s in TROUBLE}})
        seg["received"] += 1
        entered = {s: first_day(acc, s, end) for s in TROUBLE}
        for s, day in entered.items():
            if day is not None:
                seg[s] += 1
                back = recovered_on(acc, day, end)
                if back is not None and (back - day).days <= inp.recovery_days:
                    seg[f"{s}_recovered_within"] += 1
        first = min((d for d in entered.values() if d is not None), default=None)
        if first is None:
            continue
        seg["troubled"] += 1
        last = acc.state_on(end)
        if last is not None and last.status in RECOVERED:
            seg["recovered"] += 1
        elif acc.churned:
            seg["churned"] += 1
        else:
            seg["still_open"] += 1
    for seg in out.values():
        for s in TROUBLE:
            seg[f"{s}_recovery_rate"] = round(seg[f"{s}_recovered_within"] / seg[s], 4) if seg[s] else None
    return [out[k] for k in sorted(out)]


# -- over time ------------------------------------------------------------------
def weekly_changes(accounts: Iterable[Account], period: Period) -> Iterator[tuple[int, Point | None, Point]]:
    """(week index, the state it replaces or None, the state) whenever an account's end-of-week state changes.

    A week's state is the newest point on or before the week's last day inside the
    period; emitting only changes keeps this linear in the points, not accounts × weeks.
    """
    first = week_of(period.start)
    for acc in accounts:
        current: Point | None = None
        pending: Point | None = None
        pending_week = 0
        for p in acc.points:
            if p.day > period.end:
                break
            k = max(0, (p.day - first).days // 7)
            if pending is not None and k != pending_week and pending is not current:
                yield pending_week, current, pending
                current = pending
            pending, pending_week = p, k
        if pending is not None and pending is not current:
            yield pending_week, current, pending


def over_time(inp: ReportInput) -> dict[str, Any]:
    """Weekly status counts, health band counts and mean score per tier, from each week's last day."""
    starts = weeks(inp.period)
    status: list[Counter[str]] = [Counter() for _ in starts]
    bands: list[Counter[str]] = [Counter() for _ in starts]
    score_sum: list[dict[str, float]] = [defaultdict(float) for _ in starts]
    score_n: list[Counter[str]] = [Counter() for _ in starts]
    for k, old, new in weekly_changes(inp.accounts, inp.period):
        for p, sign in ((old, -1), (new, 1)):
            if p is None:
                continue
            status[k][p.status or "(none)"] += sign
            bands[k][p.band or "(none)"] += sign
            if p.score is not None:
                score_sum[k][p.tier or "(none)"] += sign * p.score
                score_n[k][p.tier or "(none)"] += sign
    out: dict[str, list[dict[str, Any]]] = {"status_weekly": [], "band_weekly": [], "tier_trend": []}
    running = [Counter[str](), Counter[str](), Counter[str]()]
    sums: dict[str, float] = defaultdict(float)
    for k, w in enumerate(starts):
        for total, delta in zip(running, (status[k], bands[k], score_n[k]), strict=True):
            total.update(delta)
        for tier, change in score_sum[k].items():
            sums[tier] += change
        week = w.isoformat()
        if +running[0]:
            out["status_weekly"].append({"week": week, **{s: n for s, n in sorted(running[0].items()) if n}})
            out["band_weekly"].append({"week": week, **{b: n for b, n in sorted(running[1].items()) if n}})
        out["tier_trend"] += [{"week": week, "tier": t, "mean_score": round(sums[t] / n, 1), "n": n}
                              for t, n in sorted(running[2].items()) if n]
    return out


def score_falls(inp: ReportInput, top: int = 10) -> list[dict[str, Any]]:
    """The accounts whose health score fell most between the period's first and last day."""
    falls = []
    for acc in inp.accounts:
        before, after = acc.state_on(inp.period.start), acc.state_on(inp.period.end)
        if before is None or after is None or before.score is None or after.score is None:
            continue
        if after.score < before.score:
            falls.append({"account_id": acc.id, "name": acc.name, "segment": acc.segment(inp.by),
                          "from": before.score, "to": after.score, "change": round(after.score - before.score, 1)})
    falls.sort(key=lambda f: (f["change"], f["account_id"]))
    return falls[:top]


# -- alerts ---------------------------------------------------------------
def alerts(periods: list[AlertPeriod], period: Period, titles: dict[str, str]) -> dict[str, Any]:
    """Raised and resolved per week per alert id, and the median days to resolve (resolved in the period)."""
    weekly: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    days: dict[str, list[float]] = defaultdict(list)
    for a in periods:
        if a.first_seen in period:
            weekly[(week_of(a.first_seen).isoformat(), a.alert_id)]["raised"] += 1
        if a.resolved_on is not None and a.resolved_on in period:
            weekly[(week_of(a.resolved_on).isoformat(), a.alert_id)]["resolved"] += 1
            days[a.alert_id].append(float((a.resolved_on - a.first_seen).days))
    ids = sorted({i for _, i in weekly} | set(days))
    return {
        "weekly": [{"week": w, "alert": i, "raised": c["raised"], "resolved": c["resolved"]}
                   for (w, i), c in sorted(weekly.items())],
        "time_to_resolve": [{"alert": i, "title": titles.get(i, i), "resolved": len(days[i]),
                             "median_days": quantile(days[i], 0.5)} for i in ids],
    }


def build(inp: ReportInput) -> dict[str, Any]:
    """Every section of the report, as plain data (what ``--format json`` prints)."""
    by_id = {a.id: a for a in inp.accounts}
    return {
        "period": {"from": inp.period.start.isoformat(), "to": inp.period.end.isoformat()},
        "by": inp.by,
        "accounts": len(inp.accounts),
        "completion": completion(inp),
        **durations(inp),
        "funnel": funnel(inp),
        "recovery_days": inp.recovery_days,
        **over_time(inp),
        "score_falls": score_falls(inp),
        "alerts": alerts(inp.alerts, inp.period, inp.alert_titles),
        "nps": nps.by_month(inp.nps, by_id, inp.period, inp.by),
        "nps_surveys": nps.by_survey(inp.nps, by_id, inp.period, inp.by),
        "nps_period": nps.in_period(inp.nps, by_id, inp.period, inp.by),
        "labels": {"status": inp.status_labels, "phase": inp.phase_names},
    }
