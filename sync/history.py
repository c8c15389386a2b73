"""The dated history the report reads: one point per account, and per product onboarding, on each day its
state changed.

A point is written only when the state differs from the newest point (the account's product, status, phase,
health score, band, tier and whether it is gone; a product's status and phase), so the state on any past day
is the newest point on or before it, and the store grows with changes, not with runs. A second run on the same
day replaces that day's point (at most one per day). An account that churned (``report.churned_fact``) or was
deleted in Salesforce gets a point saying so: the report leaves it out of its counts from that day on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rules.engine import Evaluation

CHURNED, DELETED = "churned", "deleted"


def history_points(latest: dict[str, tuple[Any, ...]], evaluations: Iterable[tuple[Evaluation, bool]],
                   day: str) -> list[tuple[Any, ...]]:
    """The rows for :meth:`Store.write_history`: the accounts whose state differs from their newest point.

    ``evaluations`` pairs each evaluation with whether the account is churned.
    """
    rows = []
    for ev, churned in evaluations:
        state = (ev.product, ev.status, ev.phase, ev.health.score, ev.health.band, ev.tier,
                 CHURNED if churned else None)
        newest = latest.get(ev.id)
        if newest is None or tuple(newest[1:]) != state:
            rows.append((ev.id, day, *state))
    return rows


def deleted_points(latest: dict[str, tuple[Any, ...]], live: set[str], day: str) -> list[tuple[Any, ...]]:
    """A last point for each account history knows that is no longer live (deleted in Salesforce)."""
    return [(account_id, day, *newest[1:7], DELETED) for account_id, newest in latest.items()
            if account_id not in live and newest[7] != DELETED]


def product_states(ev: Evaluation) -> list[tuple[str, str, str | None]]:
    """(product, status, phase) of each product onboarding of the account ('' for an account without one)."""
    return [(r.product or "", r.status, r.phase) for r in ev.products]


def product_points(latest: dict[tuple[str, str], tuple[Any, ...]], evaluations: Iterable[Evaluation],
                   day: str) -> list[tuple[Any, ...]]:
    """The rows for :meth:`Store.write_product_history`: the onboardings whose status or phase changed."""
    rows = []
    for ev in evaluations:
        for product, status, phase in product_states(ev):
            newest = latest.get((ev.id, product))
            if newest is None or tuple(newest[1:]) != (status, phase):
                rows.append((ev.id, product, day, status, phase))
    return rows
