"""The dated history the report reads: one point per account, and per product onboarding, on each day its
state changed.

A point is written only when the state differs from the newest point (the account's product, status, phase,
health score, band, its components' scores, tier and whether it is gone; a product's status and phase), so the
state on any past day is the newest point on or before it, and the store grows with changes, not with runs. A
second run on the same day replaces that day's point (at most one per day). An account that churned
(``report.churned_fact``) or was deleted in Salesforce gets a point saying so: the report leaves it out of its
counts from that day on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rules.engine import Evaluation
from store.history import HistoryPoint, ProductPoint

CHURNED, DELETED = "churned", "deleted"


def history_points(latest: dict[str, HistoryPoint], evaluations: Iterable[tuple[Evaluation, bool]],
                   day: str) -> list[HistoryPoint]:
    """The points for :meth:`Store.write_history`: the accounts whose state differs from their newest point.

    ``evaluations`` pairs each evaluation with whether the account is churned.
    """
    points = []
    for ev, churned in evaluations:
        point = HistoryPoint(ev.id, day, ev.product, ev.status, ev.phase, ev.health.score, ev.health.band, ev.tier,
                             CHURNED if churned else None, components_json(ev))
        newest = latest.get(ev.id)
        if newest is None or _state(newest) != _state(point):
            points.append(point)
    return points


def components_json(ev: Evaluation) -> str | None:
    """The health components' scores (0-1, null when unscored) as the point keeps them: the report's backtest
    reads them per component. None for rules without health components."""
    parts = {c.id: c.score for c in ev.health.components}
    return json.dumps(parts, sort_keys=True, ensure_ascii=False) if parts else None


def _state(point: HistoryPoint) -> HistoryPoint:
    """The point without its day: what a new point must differ in."""
    return point._replace(day="")


def deleted_points(latest: dict[str, HistoryPoint], live: set[str], day: str) -> list[HistoryPoint]:
    """A last point for each account history knows that is no longer live (deleted in Salesforce)."""
    return [newest._replace(day=day, gone=DELETED) for account_id, newest in latest.items()
            if account_id not in live and newest.gone != DELETED]


def product_states(ev: Evaluation) -> list[tuple[str, str, str | None]]:
    """(product, status, phase) of each product onboarding of the account ('' for an account without one)."""
    return [(r.product or "", r.status, r.phase) for r in ev.products]


def product_points(latest: dict[tuple[str, str], ProductPoint], evaluations: Iterable[Evaluation],
                   day: str) -> list[ProductPoint]:
    """The points for :meth:`Store.write_product_history`: the onboardings whose status or phase changed."""
    points = []
    for ev in evaluations:
        for product, status, phase in product_states(ev):
            newest = latest.get((ev.id, product))
            if newest is None or (newest.status, newest.phase) != (status, phase):
                points.append(ProductPoint(ev.id, product, day, status, phase))
    return points
