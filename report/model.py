"""What the report computes over: accounts with their dated history, alert periods, NPS answers.

Built from the store by :mod:`report.load`; the computations in :mod:`report.compute`
take these objects only, so tests can hand-make histories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

SPLITS = ("product", "tier", "owner")
#: Below this many, a rate or share is no evidence (2 of 2 is no win): drawn hatched, or shown as "–".
MIN_N = 5


def month(day: date) -> str:
    """The calendar month a day falls in, as ``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Point:
    """An account's state from ``day`` until the next point."""

    day: date
    status: str | None
    phase: str | None = None
    score: float | None = None
    band: str | None = None
    tier: str | None = None
    product: str | None = None
    gone: str | None = None  # "churned" or "deleted" from this day on: out of the counts
    components: Mapping[str, float | None] | None = None  # health component id → score 0-1 (None: not recorded)


@dataclass
class Onboarding:
    """One product's onboarding at an account: its own phases, status and deadline (the points' status and
    phase are this product's)."""

    product: str
    points: list[Point] = field(default_factory=list)


@dataclass(frozen=True)
class Current:
    """The account as the newest sync evaluated it (its worst product's onboarding): what the action list shows."""

    evaluated_on: date
    status: str
    product: str | None
    phase_name: str | None
    days_overdue: int | None
    score: float | None
    band: str | None


@dataclass
class Account:
    id: str
    product: str | None
    start: date | None
    points: list[Point] = field(default_factory=list)
    completed_on: date | None = None  # the optional ``onboarding.completed_on`` fact
    churned: bool = False
    tier: str | None = None
    owner: str | None = None
    name: str | None = None
    onboardings: list[Onboarding] = field(default_factory=list)
    churned_on: date | None = None  # the first day history saw the account churned or deleted
    owner_name: str | None = None  # User.Name of the owner, as the last sync fetched it
    current: Current | None = None

    def segment(self, by: str | None, product: str | None = None) -> str:
        """The account's segment; ``product`` names one of its onboardings (by product: that product)."""
        if by is None:
            return "all"
        value = {"product": product or self.product, "tier": self.tier, "owner": self.owner_label}[by]
        return value if value else "(none)"

    @property
    def owner_label(self) -> str | None:
        """The owner as people know them: the name, else the Id (a queue, or a name not fetched yet)."""
        return self.owner_name or self.owner

    def state_on(self, day: date) -> Point | None:
        """The account's newest point on or before ``day`` (None before the first point)."""
        return state_on(self.points, day)


def state_on(points: list[Point], day: date) -> Point | None:
    """The newest of these points on or before ``day`` (None before the first point)."""
    found = None
    for p in points:
        if p.day > day:
            break
        found = p
    return found


@dataclass(frozen=True)
class AlertPeriod:
    account_id: str
    alert_id: str
    first_seen: date
    resolved_on: date | None


@dataclass(frozen=True)
class NpsAnswer:
    account_id: str
    day: date
    score: int
    survey: str = ""


@dataclass
class Period:
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass
class ReportInput:
    accounts: list[Account]
    period: Period
    target_days: dict[str, int]  # per product: days from start to completion that count as "within"
    target_rates: dict[str, float] = field(default_factory=dict)  # per product: the target line (0-1)
    alerts: list[AlertPeriod] = field(default_factory=list)
    nps: list[NpsAnswer] = field(default_factory=list)
    by: str | None = None
    recovery_days: int = 90
    status_labels: dict[str, str] = field(default_factory=dict)
    phase_names: dict[str, str] = field(default_factory=dict)
    alert_titles: dict[str, str] = field(default_factory=dict)
    account_url: str | None = None  # a template with {id}: the account's page in Salesforce
    completed_fact: str | None = None  # onboarding.completed_on, when the rule file maps it
    band_names: list[str] = field(default_factory=list)  # the rule file's health bands, best (highest min) first
    components: dict[str, str] = field(default_factory=dict)  # the rule file's health components: id → name
    band_colours: dict[str, str] = field(default_factory=dict)  # the bands' own colours, where the rule file sets one
    rule_changes: list[date] = field(default_factory=list)  # the days a run first used changed rule files
