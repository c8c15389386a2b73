"""The reads of accounts that are not live (deleted, or no longer stored) are planned as anti-joins on PostgreSQL
(``store.accounts.NOT_LIVE``; the rows they give: tests/store/test_lock_and_store.py).

``NOT IN (SELECT id FROM accounts ...)`` gave the same rows, but PostgreSQL hashes such a subquery only while it fits
in work_mem: at 100,000 accounts a sync's open-alerts read scanned the accounts again for every alert (minutes).
The plan is the check that would fail in production; a timed test would not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from store import open_store
from store.accounts import AccountRow
from store.alerts import AlertRow
from store.history import HistoryPoint

LIVE, DELETED, GONE = "001000000000001AAA", "001000000000002AAA", "001000000000003AAA"


def _filled(url: str) -> Any:
    s = open_store(url)
    s.upsert_accounts([AccountRow(LIVE, "{}", "2026-10-04T00:00:00.000+0000", 0),
                       AccountRow(DELETED, "{}", "2026-10-04T00:00:00.000+0000", 1)])
    s.add_alerts([AlertRow(a, "no_login_14d", "warning", "No login", "2026-10-05", "2026-10-06", 1)
                  for a in (LIVE, DELETED, GONE)])
    s.write_history([HistoryPoint(a, day, "勤怠管理", "stalled", "setup", 40.0, "low", None, None)
                     for a in (LIVE, DELETED, GONE) for day in ("2026-10-05", "2026-10-06")])
    return s


@pytest.mark.parametrize("read", ["open_alerts", "latest_history"])
def test_not_live_reads_are_anti_joins_on_postgresql(pg_url: str, read: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with _filled(pg_url) as s:
        seen: list[tuple[str, Any]] = []
        query = s._query

        def recording(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
            seen.append((sql, params))
            return query(sql, params)

        monkeypatch.setattr(s, "_query", recording)
        getattr(s, read)(not_live=True)
        monkeypatch.undo()
        assert seen
        for sql, params in seen:
            plan = "\n".join(r[0] for r in s._query(f"EXPLAIN {sql}", params))
            assert "SubPlan" not in plan and "Anti Join" in plan, plan


def test_no_store_query_uses_not_in_over_a_subquery() -> None:
    """The same trap anywhere in the store's SQL (its only home)."""
    store = Path(__file__).resolve().parents[2] / "store"
    found = [f"{p.name}:{n}" for p in sorted(store.glob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"NOT\s+IN\s*\(\s*SELECT", line.split("#", 1)[0], re.IGNORECASE)]
    assert not found, f"NOT IN (SELECT ...) in {found}: use NOT EXISTS (store.accounts.NOT_LIVE)"
