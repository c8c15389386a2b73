"""The report's definitions (README "csops report" states them with a worked example).

Pure functions over :mod:`report.model` objects: no store, no clock. Days are
calendar dates in the rule file's time zone, as the sync records them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from report import nps
from report.backtest import backtest
from report.model import Account, AlertPeriod, Onboarding, Period, Point, ReportInput, month, state_on

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
def completion_date(acc: Account, ob: Onboarding) -> tuple[date | None, str]:
    """When a product's onboarding completed, and where that date came from: history, fact, unknown or ''
    (not completed).

    History gives the date when it saw the product reach ``completed`` from another status;
    when its first point is already ``completed`` (history does not reach back), the
    ``onboarding.completed_on`` fact gives it, else the date is unknown.
    """
    for i, p in enumerate(ob.points):
        if p.status == "completed":
            if i > 0:
                return p.day, "history"
            return (acc.completed_on, "fact") if acc.completed_on else (None, "unknown")
    return None, ""


def onboardings(inp: ReportInput) -> Iterator[tuple[Account, Onboarding]]:
    """Every product onboarding the rates count: products with phases (対象外 ones are counted apart)."""
    for acc in inp.accounts:
        for ob in acc.onboardings:
            if ob.product in inp.target_days:
                yield acc, ob


def received(inp: ReportInput) -> Iterator[tuple[Account, Onboarding]]:
    """The onboardings that started inside the period (the cohorts the report covers)."""
    return ((a, ob) for a, ob in onboardings(inp) if a.start is not None and a.start in inp.period)


def deadline(inp: ReportInput, acc: Account, ob: Onboarding) -> date:
    assert acc.start is not None
    return acc.start + timedelta(days=inp.target_days[ob.product])


def outcome(acc: Account, ob: Onboarding, due: date, as_of: date) -> tuple[str, str]:
    """(outcome, date source) of one onboarding against its deadline, as seen on ``as_of``.

    within: completed on or before the deadline; late: after it; not_completed: not completed and the
    deadline passed, or the account churned (or was deleted) before completing; in_window: not completed,
    the deadline on or after ``as_of``; date_unknown: completed on a day nobody knows.
    """
    done, source = completion_date(acc, ob)
    if done is not None and done > as_of:
        done, source = None, ""
    gone = acc.churned_on if acc.churned_on is not None and acc.churned_on <= as_of else None
    if done is not None and gone is not None and done > gone:
        done, source = None, ""
    if source == "unknown":
        return "date_unknown", source
    if done is not None:
        return ("within" if done <= due else "late"), source
    if gone is not None:
        return "churned", source
    return ("in_window" if as_of <= due else "not_completed"), source


@dataclass
class Tally:
    """Onboardings of one segment and month by outcome; rate = within ÷ (within + late + not completed)."""

    segment: str
    month: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        return self.counts["late"] + self.counts["not_completed"] + self.counts["churned"]

    @property
    def decided(self) -> int:
        """The rate's n: onboardings whose outcome is known (within, late, not completed)."""
        return self.counts["within"] + self.failed

    @property
    def rate(self) -> float | None:
        return round(self.counts["within"] / self.decided, 4) if self.decided else None

    def cohort(self) -> dict[str, Any]:
        c = self.counts
        return {"segment": self.segment, "cohort": self.month, "received": c.total(), "within": c["within"],
                "failed": self.failed, "completed_late": c["late"],
                "not_completed": c["not_completed"] + c["churned"], "churned": c["churned"],
                "in_window": c["in_window"], "date_unknown": c["date_unknown"], "rate": self.rate,
                "rate_n": self.decided}

    def due(self) -> dict[str, Any]:
        c = self.counts
        return {"segment": self.segment, "due_month": self.month, "due": c.total(), "on_time": c["within"],
                "failed": self.failed, "completed_late": c["late"],
                "not_completed": c["not_completed"] + c["churned"], "churned": c["churned"],
                "in_window": c["in_window"], "date_unknown": c["date_unknown"], "rate": self.rate,
                "rate_n": self.decided}


def completion(inp: ReportInput) -> dict[str, Any]:
    """Completion within the product's target days, per segment: by start-month cohort and by due month."""
    cohorts: dict[tuple[str, str], Tally] = {}
    due: dict[tuple[str, str], Tally] = {}
    sources: Counter[str] = Counter()
    as_of = inp.period.end
    for acc, ob in onboardings(inp):
        if acc.start is None:
            continue
        seg = acc.segment(inp.by, ob.product)
        ends = deadline(inp, acc, ob)
        result, source = outcome(acc, ob, ends, as_of)
        if acc.start in inp.period:
            cohorts.setdefault((seg, month(acc.start)), Tally(seg, month(acc.start))).counts[result] += 1
            if source:
                sources[source] += 1
        if ends in inp.period:
            due.setdefault((seg, month(ends)), Tally(seg, month(ends))).counts[result] += 1
    return {"cohorts": [t.cohort() for _, t in sorted(cohorts.items())],
            "due": [t.due() for _, t in sorted(due.items())],
            "not_applicable": not_applicable(inp),
            "date_sources": {k: sources.get(k, 0) for k in ("history", "fact", "unknown")},
            "short_history": short_history(inp, sources.get("unknown", 0)),
            "targets": inp.target_rates, "target_days": inp.target_days}


def short_history(inp: ReportInput, unknown: int) -> dict[str, Any] | None:
    """When completion dates can come only from history and history is shorter than a target (a new project's
    first syncs): how long it is, and how many completions it could not date. None otherwise."""
    first = min((p.day for a in inp.accounts for p in a.points), default=None)
    longest = max(inp.target_days.values(), default=0)
    if first is None or inp.completed_fact is not None or (inp.period.end - first).days >= longest:
        return None
    return {"history_from": first.isoformat(), "history_days": (inp.period.end - first).days,
            "target_days": longest, "dates_unknown": unknown}


def not_applicable(inp: ReportInput) -> list[dict[str, Any]]:
    """Per segment, the onboardings started in the period whose product has no phases (対象外): out of every rate."""
    counts: Counter[str] = Counter()
    for acc in inp.accounts:
        if acc.start is None or acc.start not in inp.period:
            continue
        for ob in acc.onboardings:
            if ob.product not in inp.target_days:
                counts[acc.segment(inp.by, ob.product)] += 1
    return [{"segment": s, "accounts": n} for s, n in sorted(counts.items())]


# -- durations ------------------------------------------------------------------
def phase_runs(start: date | None, pts: list[Point]) -> Iterator[tuple[str, int]]:
    """(phase, days) for every stay in a phase that history saw begin and end."""
    i = 0
    while i < len(pts):
        phase = pts[i].phase
        j = i
        while j + 1 < len(pts) and pts[j + 1].phase == phase:
            j += 1
        seen_entry = i > 0 or (start is not None and pts[0].day <= start)
        if phase is not None and j + 1 < len(pts) and seen_entry:
            yield phase, (pts[j + 1].day - pts[i].day).days
        i = j + 1


def durations(inp: ReportInput) -> dict[str, Any]:
    """Days to complete (per segment and cohort) and days in each phase (per segment): median, p75, p90."""
    phases = list(inp.phase_names)  # the rule file's order: kickoff before setup, not by name

    def order(phase: str) -> tuple[int, str]:
        return (phases.index(phase) if phase in phases else len(phases), phase)

    to_complete: dict[tuple[str, str], list[float]] = defaultdict(list)
    in_phase: dict[tuple[str, str], list[float]] = defaultdict(list)
    for acc, ob in received(inp):
        assert acc.start is not None
        seg = acc.segment(inp.by, ob.product)
        done, _ = completion_date(acc, ob)
        if done is not None and done <= inp.period.end:
            to_complete[(seg, month(acc.start))].append(float((done - acc.start).days))
        for phase, days in phase_runs(acc.start, ob.points):
            in_phase[(seg, phase)].append(float(days))
    return {
        "time_to_complete": [{"segment": s, "cohort": c, **spread(v), "days": sorted(v)}
                             for (s, c), v in sorted(to_complete.items())],
        "time_in_phase": [{"segment": s, "phase": p, "phase_name": inp.phase_names.get(p, p), **spread(v)}
                          for (s, p), v in sorted(in_phase.items(), key=lambda kv: (kv[0][0], order(kv[0][1])))],
    }


# -- funnel and recovery ----------------------------------------------------------
def first_day(points: list[Point], status: str, until: date) -> date | None:
    return next((p.day for p in points if p.status == status and p.day <= until), None)


def recovered_on(points: list[Point], since: date, until: date) -> date | None:
    return next((p.day for p in points if since < p.day <= until and p.status in RECOVERED), None)


def funnel(inp: ReportInput) -> list[dict[str, Any]]:
    """received → ever stalled → ever churn risk → recovered / churned / still open, per segment."""
    out: dict[str, dict[str, Any]] = {}
    end = inp.period.end
    for acc, ob in received(inp):
        name = acc.segment(inp.by, ob.product)
        seg = out.setdefault(name, {
            "segment": name, "received": 0, "stalled": 0, "churn_risk": 0, "troubled": 0,
            "recovered": 0, "churned": 0, "still_open": 0,
            **{f"{s}_recovered_within": 0 for s in TROUBLE}})
        seg["received"] += 1
        entered = {s: first_day(ob.points, s, end) for s in TROUBLE}
        for s, day in entered.items():
            if day is not None:
                seg[s] += 1
                back = recovered_on(ob.points, day, end)
                if back is not None and (back - day).days <= inp.recovery_days:
                    seg[f"{s}_recovered_within"] += 1
        first = min((d for d in entered.values() if d is not None), default=None)
        if first is None:
            continue
        seg["troubled"] += 1
        last = state_on(ob.points, end)
        if last is not None and last.status in RECOVERED:
            seg["recovered"] += 1
        elif acc.churned or (acc.churned_on is not None and acc.churned_on <= end):
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
    """Weekly status counts, health band counts and mean score per tier, from each week's last day.

    An account churned or deleted is out of every count from that day on (its point says ``gone``).
    """
    starts = weeks(inp.period)
    status: list[Counter[str]] = [Counter() for _ in starts]
    bands: list[Counter[str]] = [Counter() for _ in starts]
    score_sum: list[dict[str, float]] = [defaultdict(float) for _ in starts]
    score_n: list[Counter[str]] = [Counter() for _ in starts]
    for k, old, new in weekly_changes(inp.accounts, inp.period):
        for p, sign in ((old, -1), (new, 1)):
            if p is None or p.gone:
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
        if before is None or after is None or before.score is None or after.score is None or after.gone:
            continue
        if after.score < before.score:
            falls.append({"account_id": acc.id, "name": acc.name, "segment": acc.segment(inp.by),
                          "from": before.score, "to": after.score, "change": round(after.score - before.score, 1)})
    falls.sort(key=lambda f: (f["change"], f["account_id"]))
    return falls[:top]


# -- the action list --------------------------------------------------------------
ACTION_ORDER = ("churn_risk", "stalled", "on_track")


def days_in_status(points: list[Point], as_of: date) -> tuple[int | None, bool]:
    """Days since the account entered the status it has on ``as_of``, and whether that day is history's first
    (then the account was already in it: at least that many days)."""
    since: int | None = None
    for i, p in enumerate(points):
        if p.day > as_of:
            break
        if since is None or p.status != points[i - 1].status:
            since = i
    if since is None:
        return None, False
    return (as_of - points[since].day).days, since == 0


def score_change(points: list[Point], as_of: date, days: int = 30) -> float | None:
    """The health score on ``as_of`` minus the score ``days`` before (None when either is unknown)."""
    now, before = state_on(points, as_of), state_on(points, as_of - timedelta(days=days))
    if now is None or before is None or now.score is None or before.score is None:
        return None
    return round(now.score - before.score, 1)


def action_list(inp: ReportInput) -> dict[str, Any]:
    """The accounts a weekly CS meeting works from: 解約見込, 滞留 and overdue in a phase (newest sync), worst
    first, with their owner, phase, days overdue, days in status, health and its 30-day change, open alerts."""
    open_alerts: dict[str, list[str]] = defaultdict(list)
    for a in inp.alerts:
        if a.resolved_on is None:
            open_alerts[a.account_id].append(inp.alert_titles.get(a.alert_id, a.alert_id))
    rows: list[dict[str, Any]] = []
    as_of = None
    for acc in inp.accounts:
        cur = acc.current
        if cur is None or acc.churned or cur.status not in ACTION_ORDER:
            continue
        if cur.status == "on_track" and not (cur.days_overdue or 0) > 0:
            continue
        as_of = max(as_of or cur.evaluated_on, cur.evaluated_on)
        in_status, at_least = days_in_status(acc.points, cur.evaluated_on)
        rows.append({"account_id": acc.id, "name": acc.name, "owner": acc.owner_label, "segment": acc.segment(inp.by),
                     "product": cur.product, "phase": cur.phase_name, "status": cur.status,
                     "status_label": inp.status_labels.get(cur.status, cur.status), "days_overdue": cur.days_overdue,
                     "days_in_status": in_status, "days_in_status_at_least": at_least, "health_score": cur.score,
                     "health_band": cur.band, "health_change_30d": score_change(acc.points, cur.evaluated_on),
                     "open_alerts": sorted(open_alerts.get(acc.id, [])),
                     "url": inp.account_url.replace("{id}", quote(acc.id, safe="")) if inp.account_url else None})
    rows.sort(key=lambda r: (ACTION_ORDER.index(r["status"]), -(r["days_overdue"] or 0), r["account_id"]))
    return {"as_of": as_of.isoformat() if as_of else None, "accounts": rows}


# -- alerts ---------------------------------------------------------------
def alerts(periods: list[AlertPeriod], period: Period, titles: dict[str, str],
           first_sync: date | None = None) -> dict[str, Any]:
    """Raised and resolved per week per alert id, and the median days to resolve (resolved in the period).

    The alerts first seen on the first sync (``first_sync``: history's first day) were raised before csops looked:
    they are the backlog, counted apart, not as that week's alerts."""
    weekly: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    days: dict[str, list[float]] = defaultdict(list)
    backlog: Counter[str] = Counter()
    for a in periods:
        if a.first_seen == first_sync and a.first_seen in period:
            backlog[a.alert_id] += 1
        elif a.first_seen in period:
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
        "backlog": {"day": first_sync.isoformat() if backlog and first_sync else None,
                    "alerts": dict(sorted(backlog.items())), "total": backlog.total()},
    }


def health_backtest(inp: ReportInput, history_from: date | None) -> dict[str, Any]:
    """The backtest (:mod:`report.backtest`) over the recorded history of the period: from its first day, or
    history's when later."""
    first = max(inp.period.start, history_from or inp.period.start)
    return backtest((a.points for a in inp.accounts), first, inp.period.end, inp.band_names, inp.components)


def build(inp: ReportInput) -> dict[str, Any]:
    """Every section of the report, as plain data (what ``--format json`` prints)."""
    by_id = {a.id: a for a in inp.accounts}
    history_from = min((a.points[0].day for a in inp.accounts if a.points), default=None)
    return {
        "period": {"from": inp.period.start.isoformat(), "to": inp.period.end.isoformat()},
        "by": inp.by,
        "accounts": len(inp.accounts),
        "action_list": action_list(inp),
        "completion": completion(inp),
        **durations(inp),
        "funnel": funnel(inp),
        "recovery_days": inp.recovery_days,
        **over_time(inp),
        "score_falls": score_falls(inp),
        "backtest": health_backtest(inp, history_from),
        "alerts": alerts(inp.alerts, inp.period, inp.alert_titles, history_from),
        "nps": nps.by_month(inp.nps, by_id, inp.period, inp.by),
        "nps_surveys": nps.by_survey(inp.nps, by_id, inp.period, inp.by),
        "nps_period": nps.in_period(inp.nps, by_id, inp.period, inp.by),
        "rule_changes": [d.isoformat() for d in inp.rule_changes if d in inp.period],
        "labels": {"status": inp.status_labels, "phase": inp.phase_names, "bands": inp.band_names,
                   "band_colours": inp.band_colours},
    }
