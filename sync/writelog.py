"""Writing to Salesforce through the write log: each field is logged as sent before the request goes, and
settled (ok, or rejected with Salesforce's error) when the answer comes.

A run killed between the two leaves its rows ``sent``: ``csops log`` shows them unconfirmed, and a rollback
reads what Salesforce holds before it puts anything back, so it needs no more than that.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.salesforce import SalesforceClient, WriteResult
from rules.engine import Evaluation
from rules.ruleset import RuleSet
from store import Store
from store.connection import now_iso
from store.writelog import SENT, WriteEntry


@dataclass
class LogCost:
    """What keeping the log cost a run: rows logged and seconds spent in the store doing it (bench/sync.py)."""

    rows: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "seconds": round(self.seconds, 3)}


def logged_update(store: Store, sf: SalesforceClient, entries: Iterable[WriteEntry], sobject: str = "Account",
                  cost: LogCost | None = None) -> WriteResult:
    """Write the entries' new values (one update through the usual writer: Collections, or Bulk above its
    threshold), logged before and settled after. The entries are read once, as they are logged: a generator keeps
    the sync's memory to the values to send."""
    changes: dict[str, dict[str, Any]] = {}
    run_ids: set[int] = set()

    def noted() -> Iterator[WriteEntry]:
        for e in entries:
            changes.setdefault(e.record_id, {})[e.field] = e.new
            run_ids.add(e.run_id)
            yield e

    cost = cost or LogCost()
    started = time.perf_counter()
    logged = store.log_writes(noted())
    cost.seconds += time.perf_counter() - started
    if not changes:
        return WriteResult()
    result = sf.update(changes, sobject=sobject)
    rejected = {f.id: f"{f.status_code}: {f.message}" for f in result.failed}
    started = time.perf_counter()
    for run_id in sorted(run_ids):
        store.settle_writes(run_id, sobject, rejected)
    cost.seconds += time.perf_counter() - started
    cost.rows += logged
    return result


def entry(run_id: int, account_id: str, field: str, old: Any, new: Any, reason: str | None,
          sobject: str = "Account", record_id: str | None = None, at: str | None = None) -> WriteEntry:
    """A write about to be sent."""
    return WriteEntry(run_id, at or now_iso(), sobject, record_id or account_id, account_id, field, old, new, SENT,
                      None, reason)


def reason_for(rules: RuleSet, ev: Evaluation, field: str) -> str:
    """The rule behind a writeback value: the writeback line, and the evaluation it took its value from."""
    source = rules.writeback.get(field, "?")
    product = rules.writeback_products.get(field)
    line = f"writeback {field}: {source}" + (f" of {product}" if product else "")
    if source in ("status", "status_label", "phase", "phase_name", "days_overdue"):
        why = f"status {ev.status}" + (f", phase {ev.phase}" if ev.phase else "")
        if ev.days_overdue and ev.days_overdue > 0:
            why += f", {ev.days_overdue} days overdue"
        elif ev.days_overdue:
            why += f", due in {-ev.days_overdue} days"
    elif source in ("health_score", "health_band"):
        why = f"health {ev.health.score}" + (f" ({ev.health.band})" if ev.health.band else "")
    elif source == "tier":
        why = f"tier {ev.tier}"
    elif source == "alerts":
        why = "alerts " + (", ".join(ev.alerts) or "none")
    else:
        why = f"evaluated on {ev.evaluated_on}"
    return f"{line} ({why})"


def prune(store: Store, days: int, cost: LogCost | None = None) -> int:
    """Forget writes older than ``days`` (``sync.write_log_days``); how many rows went."""
    started = time.perf_counter()
    cutoff = datetime.now(UTC) - timedelta(days=days)
    gone = store.prune_write_log(cutoff.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if cost is not None:
        cost.seconds += time.perf_counter() - started
    return gone
