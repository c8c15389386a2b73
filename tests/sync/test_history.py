"""The dated account history the sync writes for the report (one point per account per changed day)."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.data import sf_datetime
from tests.conftest import Workspace


def history(ws: Workspace) -> list[tuple[str, str, str]]:
    return ws.store_rows("SELECT account_id, day, status FROM account_history ORDER BY account_id, day")


def test_sync_writes_a_point_per_account_then_only_changes(ws: Workspace) -> None:
    sb = ws.sandbox
    assert ws.cli("sync", "--today", "2026-11-23").exit_code == 0
    first = history(ws)
    assert len(first) == len(sb.data.accounts) and {d for _, d, _ in first} == {"2026-11-23"}
    stored = dict(ws.store_rows("SELECT account_id, status FROM evaluations"))
    assert {a: s for a, _, s in first} == stored
    # the same day again: nothing new; the next day with nothing changed: nothing new either
    assert ws.cli("sync", "--today", "2026-11-23").exit_code == 0
    assert history(ws) == first
    # far later: overdue accounts move on, and only they get a point dated that day
    assert ws.cli("sync", "--today", "2027-03-01", "--allow-mass-change").exit_code == 0  # months later: most move
    later = history(ws)
    moved = [row for row in later if row[1] == "2027-03-01"]
    assert moved and len(later) == len(first) + len(moved)
    now = dict(ws.store_rows("SELECT account_id, status FROM evaluations"))
    before = {a: s for a, _, s in first}
    assert all(now[a] == s for a, _, s in moved)
    state = "account_id, product, status, phase, health_score, health_band, components, tier"
    changed = ws.store_rows(f"SELECT {state} FROM account_history WHERE day = '2027-03-01'")
    olds = {r[0]: r[1:] for r in ws.store_rows(f"SELECT {state} FROM account_history WHERE day = '2026-11-23'")}
    assert all(olds[r[0]] != r[1:] for r in changed)
    assert any(before[a] != s for a, _, s in moved)


def test_a_rerun_on_the_same_day_replaces_that_days_point(ws: Workspace) -> None:
    sb = ws.sandbox
    assert ws.cli("sync", "--today", "2026-11-23").exit_code == 0
    account = next(a for a, v in sb.data.accounts.items() if v.get("Setup_Completed_Date__c") is None
                   and v.get("Contract_Start_Date__c"))
    before = ws.store_rows(f"SELECT phase FROM account_history WHERE account_id = '{account}'")
    sb.data.accounts[account].update({"Setup_Completed_Date__c": "2026-11-23", "Kickoff_Date__c": "2026-11-01",
                                      "SystemModstamp": sf_datetime(datetime.now(UTC))})
    assert ws.cli("sync", "--today", "2026-11-23").exit_code == 0
    rows = ws.store_rows(f"SELECT day, phase FROM account_history WHERE account_id = '{account}'")
    assert len(rows) == 1 and rows[0][0] == "2026-11-23"
    assert rows[0][1] != before[0][0]
    assert rows[0][1] == ws.store_rows(f"SELECT phase FROM evaluations WHERE account_id = '{account}'")[0][0]
