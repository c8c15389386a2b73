"""The health score's backtest (README "Backtest of the health score"): does a band, or a component's level, on
a day say which accounts churn or go 解約見込 soon after?

Observation days T are every 7th day from the first day of the period (or of the history, when later) while the
whole horizon (T+1 … T+90) lies inside it. On each, every account with a state on T that is neither gone nor
already 解約見込 is one observation, in the band (and each component's level) it had on T. It is an event when the
account went 解約見込 (status ``churn_risk``) or churned within the horizon. Per band and per component level:
observations n, distinct accounts, events, share = events ÷ n, and lift = share ÷ the base rate (all events ÷ all
observations). The report computes it over the recorded history, ``csops rules replay`` over each rule set's
replayed days, with this one function.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from report.model import Point

HORIZON = 90
#: A component's score (0-1) as a level: below 1/3 low, below 2/3 mid, else high.
LEVELS = ("low", "mid", "high")
MISSING = "(missing)"
NO_BAND = "(none)"


def observation_days(first: date, end: date, horizon: int = HORIZON) -> list[date]:
    """Every 7th day from ``first`` whose horizon ends on or before ``end``."""
    out = []
    day = first
    while day + timedelta(days=horizon) <= end:
        out.append(day)
        day += timedelta(days=7)
    return out


def level(score: float | None) -> str:
    if score is None:
        return MISSING
    return LEVELS[0] if score < 1 / 3 else LEVELS[1] if score < 2 / 3 else LEVELS[2]


def _events(states: Sequence[Point]) -> list[date]:
    """The days the account was 解約見込 or churned (a state starting then)."""
    return [s.day for s in states if s.status == "churn_risk" or s.gone == "churned"]


def _observed(states: Sequence[Point], events: list[date], days: list[date], horizon: int
              ) -> Counter[tuple[int, bool]]:
    """One account's observations: per state (its index) and whether an event followed within the horizon, how
    many observation days saw it."""
    seen: Counter[tuple[int, bool]] = Counter()
    i = -1
    for t in days:
        while i + 1 < len(states) and states[i + 1].day <= t:
            i += 1
        if i < 0:
            continue
        s = states[i]
        if s.gone or s.status == "churn_risk":
            continue
        j = bisect.bisect_right(events, t)
        seen[(i, j < len(events) and events[j] <= t + timedelta(days=horizon))] += 1
    return seen


class _Tally:
    """Per key: observations, events, and how many accounts were observed."""

    def __init__(self) -> None:
        self.n: Counter[Any] = Counter()
        self.events: Counter[Any] = Counter()
        self.accounts: Counter[Any] = Counter()

    def add(self, seen: Counter[tuple[Any, bool]]) -> None:
        """One account's observations: how many times each (key, event) was seen."""
        keys = set()
        for (key, event), count in seen.items():
            self.n[key] += count
            if event:
                self.events[key] += count
            keys.add(key)
        self.accounts.update(keys)

    def merge(self, other: _Tally) -> None:
        """Another set of accounts' tally (no account in both)."""
        self.n.update(other.n)
        self.events.update(other.events)
        self.accounts.update(other.accounts)

    def row(self, key: Any, base: float | None) -> dict[str, Any]:
        n, events = self.n[key], self.events[key]
        share = events / n if n else None
        return {"n": n, "accounts": self.accounts[key], "events": events,
                "share": None if share is None else round(share, 4),
                "lift": None if share is None or not base else round(share / base, 2)}


@dataclass
class Tallies:
    """What the backtest counted over some accounts: all observations, per band, per component level. Tallies of
    distinct accounts add up (:meth:`merge`) to the tally of them all: ``csops rules replay --jobs`` counts each
    worker's accounts apart."""

    total: _Tally = field(default_factory=_Tally)
    bands: _Tally = field(default_factory=_Tally)
    parts: _Tally = field(default_factory=_Tally)

    def merge(self, other: Tallies) -> None:
        self.total.merge(other.total)
        self.bands.merge(other.bands)
        self.parts.merge(other.parts)


def tally(histories: Iterable[Sequence[Point]], first: date, end: date, horizon: int = HORIZON) -> Tallies:
    """The observations of these accounts' states (each account's in day order) on the observation days."""
    days = observation_days(first, end, horizon)
    out = Tallies()
    for states in histories:
        seen = _observed(states, _events(states), days, horizon)
        all_seen: Counter[tuple[Any, bool]] = Counter()
        bands_seen: Counter[tuple[Any, bool]] = Counter()
        parts_seen: Counter[tuple[Any, bool]] = Counter()
        for (i, event), count in seen.items():
            s = states[i]
            all_seen[("all", event)] += count
            bands_seen[(s.band or NO_BAND, event)] += count
            for cid, score in (s.components or {}).items():
                parts_seen[((cid, level(score)), event)] += count
        out.total.add(all_seen)
        out.bands.add(bands_seen)
        out.parts.add(parts_seen)
    return out


def backtest(histories: Iterable[Sequence[Point]], first: date, end: date, bands: Sequence[str],
             components: Mapping[str, str], horizon: int = HORIZON) -> dict[str, Any]:
    """The backtest over these accounts' states (each account's in day order); ``bands`` best first as in the rule
    file, ``components`` id → name."""
    return summary(tally(histories, first, end, horizon), first, end, bands, components, horizon)


def summary(tallies: Tallies, first: date, end: date, bands: Sequence[str], components: Mapping[str, str],
            horizon: int = HORIZON) -> dict[str, Any]:
    """The backtest of these tallies: per band and component level, n, accounts, events, share and lift."""
    days = observation_days(first, end, horizon)
    total, by_band, by_part = tallies.total, tallies.bands, tallies.parts
    base = total.events["all"] / total.n["all"] if total.n["all"] else None
    band_order = [*reversed(bands), NO_BAND]  # worst first
    band_keys = sorted(by_band.n, key=lambda b: (band_order.index(b) if b in band_order else len(band_order), b))
    level_order = [*LEVELS, MISSING]
    part_keys = sorted(by_part.n, key=lambda p: (list(components).index(p[0]) if p[0] in components else
                                                 len(components), p[0], level_order.index(p[1])))
    return {"horizon_days": horizon, "days": [d.isoformat() for d in days],
            "first": days[0].isoformat() if days else None, "last": days[-1].isoformat() if days else None,
            "observations": total.n["all"], "accounts": total.accounts["all"], "events": total.events["all"],
            "base_rate": None if base is None else round(base, 4),
            "bands": [{"band": b, **by_band.row(b, base)} for b in band_keys],
            "components": [{"component": c, "name": components.get(c, c), "level": lv, **by_part.row((c, lv), base)}
                           for c, lv in part_keys]}
