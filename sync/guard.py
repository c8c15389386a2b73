"""The mass-change guard: a sync that would change most accounts at once stops before writing and asks.

Reverse-ETL tools do the same with sync thresholds (Hightouch stops a run that would change more than a
set share of rows). The usual cause is not the customers but the configuration: a renamed field, a rule
edit, a status label that no longer matches. Compared with the last successful run: the first run ever
has nothing to compare with and is exempt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from base.errors import Held

EXAMPLES = 10  # accounts whose status changes, shown with a held run
OUT = "out of scope"  # the status of an account whose fields the run empties (sync.scope)


class MassChangeHeld(Held):
    """The planned writes change too many accounts; nothing was written."""


@dataclass
class MassChangeSummary:
    evaluated: int
    status_changed: int
    became_no_phases: int
    status_pct: float
    no_phases_pct: float
    reasons: list[str] = field(default_factory=list)
    per_field: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = ["mass change held: nothing was written to Salesforce, because " + "; and ".join(self.reasons) + "."]
        lines.append("What would change (field: old → new, accounts):")
        for (name, old, new), n in self.per_field.most_common(20):
            lines.append(f"  {name}: {old} → {new}: {n:,}")
        if self.examples:
            lines.append("Examples:")
            lines.extend(f"  {e}" for e in self.examples)
        lines.append("If this is intended (a rule change you meant), run again with --allow-mass-change; if not, "
                     "fix the rules or the field names (`csops doctor`) and run again.")
        return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_mass_change(previous: dict[str, str], statuses: dict[str, str],
                      changes: list[tuple[str, str | None, dict[str, tuple[Any, Any]]]],
                      max_status_pct: float, max_no_phases_pct: float) -> MassChangeSummary | None:
    """A summary when the run would change too much, else None (over statuses held in full: a rollback's; a sync
    counts them as it evaluates, :class:`StatusTally`).

    ``previous``: status per account at the last successful run (empty on the first run: exempt);
    ``statuses``: status per account now; ``changes``: (account id, name, {field: (old, new)}) planned.
    """
    if not previous or not statuses:
        return None
    compared = [a for a in statuses if a in previous]
    changed = [a for a in compared if statuses[a] != previous[a]]
    no_phases = [a for a in changed if statuses[a] == "no_phases"]
    summary = _over(len(statuses), len(changed), len(no_phases), max_status_pct, max_no_phases_pct)
    if summary is None:
        return None
    for account_id, name, fields in changes:
        _tell(summary, account_id, name, fields,
              (previous[account_id], statuses[account_id]) if account_id in changed else None)
    return summary


def _over(total: int, changed: int, no_phases: int, max_status_pct: float, max_no_phases_pct: float
          ) -> MassChangeSummary | None:
    """The summary of a run with these counts, its reasons said, when one goes over its threshold; else None."""
    summary = MassChangeSummary(total, changed, no_phases, 100.0 * changed / total, 100.0 * no_phases / total)
    if summary.status_pct > max_status_pct:
        summary.reasons.append(f"{changed:,} of {total:,} accounts ({summary.status_pct:.0f}%) would change "
                               f"onboarding status, more than sync.max_status_change_pct={max_status_pct:g}")
    if summary.no_phases_pct > max_no_phases_pct:
        summary.reasons.append(f"{no_phases:,} accounts ({summary.no_phases_pct:.0f}%) would become no_phases, more "
                               f"than sync.max_no_phases_pct={max_no_phases_pct:g}")
    return summary if summary.reasons else None


def _tell(summary: MassChangeSummary, account_id: str, name: str | None, fields: dict[str, tuple[Any, Any]],
          moved: tuple[str, str] | None) -> None:
    """Count a planned write's fields; while examples are wanted, one of it when its account's status ``moved``
    (from, to)."""
    for fname, (old, new) in fields.items():
        summary.per_field[(fname, _show(old), _show(new))] += 1
    if len(summary.examples) < EXAMPLES and moved is not None:
        summary.examples.append(f"{account_id}" + (f" ({name})" if name else "") + f": {moved[0]} → {moved[1]}")


#: What the guard reads of a planned write: (account id, its name, {field: (old, new)}).
Planned = tuple[str, str | None, dict[str, tuple[Any, Any]]]


@dataclass
class StatusTally:
    """The statuses the guard compares, counted as a run evaluates: it keeps counts and a few examples, not each
    account's status.

    ``previous``: how many accounts have a stored status, from the last recorded evaluation (store.last_statuses;
    none on the first run: exempt). ``clears``: the accounts whose fields the run empties (sync.scope), each with its
    stored status or None; such an account changes like a status ("in scope" when it had none, to "out of scope"),
    whatever it evaluates to."""

    previous: int
    clears: dict[str, str | None] = field(default_factory=dict)
    evaluated: int = 0
    evaluated_before: int = 0  # of the accounts evaluated (not cleared), those with a stored status
    changed: int = 0
    no_phases: int = 0
    #: the first accounts evaluated whose status changed and that have writes planned: (stored status, status now)
    examples: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, account_id: str, before: str | None, now: str, planned: bool) -> None:
        """An account evaluated: its stored status (``before``), its status ``now``, and whether it has writes
        planned."""
        if account_id in self.clears:
            return
        self.evaluated += 1
        if before is None:
            return
        self.evaluated_before += 1
        if before != now:
            self.changed += 1
            self.no_phases += now == "no_phases"
            if planned and len(self.examples) < EXAMPLES:
                self.examples[account_id] = (before, now)

    def check(self, changes: Iterable[Planned], unchanged: int, max_status_pct: float, max_no_phases_pct: float
              ) -> MassChangeSummary | None:
        """A summary when the run would change too much, else None. ``changes``: the writes planned, in the order
        planned (read only when the run is held); ``unchanged``: how many accounts kept their stored evaluation
        without being evaluated (each counts, with the status it had, as do then the stored ones the run did not
        see)."""
        cleared_before = {c: before or "in scope" for c, before in self.clears.items()}
        stored_cleared = sum(before is not None for before in self.clears.values())
        if not self.previous + len(self.clears) - stored_cleared:
            return None
        kept = self.previous - stored_cleared - self.evaluated_before if unchanged else 0
        total = self.evaluated + kept + len(self.clears)
        if not total:
            return None
        changed = self.changed + sum(before != OUT for before in cleared_before.values())
        summary = _over(total, changed, self.no_phases, max_status_pct, max_no_phases_pct)
        if summary is None:
            return None
        for account_id, name, fields in changes:
            moved = (cleared_before[account_id], OUT) if account_id in cleared_before else \
                self.examples.get(account_id)
            _tell(summary, account_id, name, fields, moved if moved is not None and moved[0] != moved[1] else None)
        return summary
