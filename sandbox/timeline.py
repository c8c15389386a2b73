"""Let the sandbox's accounts progress through their phases over time, for history built by real syncs.

The seeded data is each account's state on the sandbox's ``today``. ``progress_to(sb, day)``
shows the state on an earlier ``day``: milestone dates after it are not reached yet (null),
logins and active users are what they were then, and every account that changes gets a
new ``SystemModstamp`` (as a Salesforce edit would), so an incremental pull sees it. Syncs at
``--today day`` for a sequence of days then record the history the report reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.data import sf_datetime
from sandbox.server import Sandbox

MILESTONES = ("Kickoff_Date__c", "Setup_Completed_Date__c", "Training_Completed_Date__c", "Go_Live_Date__c")
RAMP_DAYS = 90  # active users grow linearly from the contract start to the planned number over this many days


def _as_of(plan: dict[str, Any], day: date, shift: timedelta) -> dict[str, Any]:
    out = {f: (v if v is not None and date.fromisoformat(v) <= day else None)
           for f in MILESTONES for v in [plan.get(f)]}
    if plan.get("Last_Login__c"):
        login = datetime.fromisoformat(plan["Last_Login__c"].replace("+0000", "+00:00")) - shift
        out["Last_Login__c"] = sf_datetime(login)
    start = date.fromisoformat(plan["Contract_Start_Date__c"])
    active = plan.get("Active_End_Users__c")
    if active is not None:
        ramp = min(1.0, max(0.0, (day - start).days / RAMP_DAYS))
        out["Active_End_Users__c"] = float(round(active * ramp))
    return out


def progress_to(sb: Sandbox, day: date) -> int:
    """Show every account as it was on ``day`` (not after the sandbox's today); returns how many changed."""
    if day > sb.today:
        raise ValueError(f"the sandbox's data ends on {sb.today}; cannot show {day}")
    plans: dict[str, dict[str, Any]] = sb.__dict__.setdefault(
        "_timeline_plans", {i: dict(a) for i, a in sb.data.accounts.items()})
    shift = sb.today - day
    stamp = sf_datetime(datetime.now(UTC))
    changed = 0
    with sb.lock:
        for account_id, account in sb.data.accounts.items():
            plan = plans.get(account_id)
            if plan is None:
                continue
            values = _as_of(plan, day, shift)
            if any(account.get(k) != v for k, v in values.items()):
                account.update(values)
                account["SystemModstamp"] = account["LastModifiedDate"] = stamp
                changed += 1
    return changed
