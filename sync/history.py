"""The dated account history the report reads: one point per account on each day its state changed.

A point is written only when product, status, phase, health score, band or tier
differs from the account's newest point, so the state on any past day is the
newest point on or before it, and the store grows with changes, not with runs.
A second run on the same day replaces that day's point (at most one per day).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rules.engine import Evaluation


def history_points(latest: dict[str, tuple[Any, ...]], evaluations: Iterable[Evaluation],
                   day: str) -> list[tuple[Any, ...]]:
    """The rows for :meth:`Store.write_history`: the accounts whose state differs from their newest point."""
    rows = []
    for ev in evaluations:
        state = (ev.product, ev.status, ev.phase, ev.health.score, ev.health.band, ev.tier)
        newest = latest.get(ev.id)
        if newest is None or tuple(newest[1:]) != state:
            rows.append((ev.id, day, *state))
    return rows
