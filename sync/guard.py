"""The mass-change guard: a sync that would change most accounts at once stops before writing and asks.

Reverse-ETL tools do the same with sync thresholds (Hightouch stops a run that would change more than a
set share of rows). The usual cause is not the customers but the configuration: a renamed field, a rule
edit, a status label that no longer matches. Compared with the last successful run: the first run ever
has nothing to compare with and is exempt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from base.errors import Held


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
    """A summary when the run would change too much, else None.

    ``previous``: status per account at the last successful run (empty on the first run: exempt);
    ``statuses``: status per account now; ``changes``: (account id, name, {field: (old, new)}) planned.
    """
    if not previous or not statuses:
        return None
    compared = [a for a in statuses if a in previous]
    changed = [a for a in compared if statuses[a] != previous[a]]
    no_phases = [a for a in changed if statuses[a] == "no_phases"]
    total = len(statuses)
    status_pct = 100.0 * len(changed) / total
    no_phases_pct = 100.0 * len(no_phases) / total
    summary = MassChangeSummary(total, len(changed), len(no_phases), status_pct, no_phases_pct)
    if status_pct > max_status_pct:
        summary.reasons.append(f"{len(changed):,} of {total:,} accounts ({status_pct:.0f}%) would change onboarding "
                               f"status, more than sync.max_status_change_pct={max_status_pct:g}")
    if no_phases_pct > max_no_phases_pct:
        summary.reasons.append(f"{len(no_phases):,} accounts ({no_phases_pct:.0f}%) would become no_phases, more "
                               f"than sync.max_no_phases_pct={max_no_phases_pct:g}")
    if not summary.reasons:
        return None
    for account_id, name, fields in changes:
        for fname, (old, new) in fields.items():
            summary.per_field[(fname, _show(old), _show(new))] += 1
        if len(summary.examples) < 10 and account_id in changed:
            summary.examples.append(f"{account_id}" + (f" ({name})" if name else "") + ": "
                                    f"{previous[account_id]} → {statuses[account_id]}")
    return summary
