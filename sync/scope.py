"""Fields csops wrote on accounts that left the rules' scope: left as they are and said so, or emptied.

The rules' scope is the accounts a sync evaluates: the live accounts ``salesforce.where`` selects. One leaves it
when it is deleted in Salesforce, or changed so the filter no longer selects it (moved to another team's owner,
another type: whatever the filter reads). A removed product is not one: the account is still evaluated, as
``no_phases`` (対象外), and its writeback fields take that status's values like any other.

For each such account the write log says which fields csops last wrote and what it wrote. Salesforce is read
afresh, and each of those fields is

- left as it is (the default), or emptied with ``writeback.clear_when_out_of_scope: true``, where Salesforce still
  holds what csops wrote; the emptying goes through the sync's writer, mass-change guard and write log like any
  write, so ``csops sync --rollback`` puts it back;
- left alone where a person (or anything else) changed it since, and where the account is deleted (a deleted record
  cannot be written; an undelete brings it back into scope, and the next sync evaluates it again).

Each field left is one ``left`` row of the write log with the reason, written once (the next run finds the row and
says nothing more), so ``csops log ACCOUNT`` shows what csops left on the account and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.salesforce import SalesforceClient
from rules.ruleset import RuleSet
from store import Store
from store.connection import now_iso
from store.writelog import LEFT, WriteEntry
from sync.writeback import same

DELETED = "deleted in Salesforce"
LEFT_FILTER = "no longer selected by salesforce.where"
OPTION = "writeback.clear_when_out_of_scope"


@dataclass
class ScopeExit:
    """One account out of scope with fields csops wrote, and what becomes of each."""

    account_id: str
    name: str | None
    why: str  # DELETED or LEFT_FILTER
    clear: dict[str, Any] = field(default_factory=dict)  # field: the value csops wrote, Salesforce still holds it
    left: dict[str, Any] = field(default_factory=dict)  # field: the value csops wrote, left as it is
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field: (csops wrote, Salesforce holds now)

    def as_json(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "name": self.name, "why": self.why, "cleared": self.clear,
                "left": self.left, "changed_since": {f: {"wrote": w, "now": n} for f, (w, n) in self.changed.items()}}


@dataclass
class ScopePlan:
    exits: list[ScopeExit] = field(default_factory=list)
    clearing: bool = False  # writeback.clear_when_out_of_scope

    def clears(self) -> dict[str, dict[str, Any]]:
        """``{account: {field: None}}``: what the run writes."""
        return {e.account_id: dict.fromkeys(e.clear) for e in self.exits if e.clear}

    def left_rows(self, run_id: int) -> list[WriteEntry]:
        """A ``left`` row per field csops leaves (and so says, once)."""
        at = now_iso()
        rows = []
        for e in self.exits:
            fields = [(f, v, v, _left_reason(e.why, self.clearing)) for f, v in e.left.items()]
            fields += [(f, now, now, f"out of scope ({e.why}); changed since csops wrote {_show(wrote)}, left alone")
                       for f, (wrote, now) in e.changed.items()]
            rows += [WriteEntry(run_id, at, "Account", e.account_id, e.account_id, f, old, new, LEFT, None, reason)
                     for f, old, new, reason in fields]
        return rows

    def summary(self) -> dict[str, Any]:
        return {"accounts": len(self.exits), "cleared": sum(len(e.clear) for e in self.exits),
                "left": sum(len(e.left) + len(e.changed) for e in self.exits),
                "changed_since": sum(len(e.changed) for e in self.exits)}


def clear_reason(why: str) -> str:
    return f"out of scope ({why}); {OPTION}"


def _left_reason(why: str, clearing: bool) -> str:
    if why == DELETED:
        return f"out of scope ({why}): a deleted record cannot be written; left as it is"
    return f"out of scope ({why}); left as it is" + ("" if clearing else f" ({OPTION} is off)")


def _show(value: Any) -> str:
    return "(empty)" if value in (None, "") else str(value)


def plan_scope_exits(store: Store, sf: SalesforceClient, rules: RuleSet) -> ScopePlan:
    """What becomes of the writeback fields csops wrote on accounts out of scope that it has not yet cleared or
    left (the write log's newest row per field tells)."""
    plan = ScopePlan(clearing=bool(rules.clear_when_out_of_scope))
    wrote: dict[str, dict[str, Any]] = {}
    for e in store.out_of_scope_writes():
        if e.field in rules.writeback:
            wrote.setdefault(e.account_id, {})[e.field] = e.new
    if not wrote:
        return plan
    current = sf.current_values(wrote, {f for fields in wrote.values() for f in fields})
    names = store.account_fields(wrote)
    for account_id, fields in wrote.items():
        now = current.get(account_id)
        out = ScopeExit(account_id, names.get(account_id, {}).get("Name"), DELETED if now is None else LEFT_FILTER)
        for f, value in fields.items():
            if now is None:
                out.left[f] = value
            elif not same(now.get(f), value):
                out.changed[f] = (value, now.get(f))
            elif plan.clearing:
                out.clear[f] = value
            else:
                out.left[f] = value
        plan.exits.append(out)
    return plan
