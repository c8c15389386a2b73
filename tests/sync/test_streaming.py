"""The sync records as it evaluates, a chunk at a time, and its no-op path writes nothing (issue 29 item 2): an
account whose evaluation did not change is not rewritten; a run the mass-change guard holds leaves the store as it
was."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rules.engine import Engine
from rules.ruleset import load_and_compile
from sandbox.data import sf_datetime
from store import Store
from store.accounts import AccountRow
from sync.record import Recorder
from tests.conftest import RULES, Workspace

TODAY = ("--today", "2026-11-23")
EVALUATIONS = "SELECT account_id, run_id, evaluated_on, result FROM evaluations ORDER BY account_id"


def sync(ws: Workspace, *args: str) -> dict[str, Any]:
    return ws.json("sync", *args)["rules"]


def test_an_unchanged_rerun_rewrites_no_evaluation(ws: Workspace) -> None:
    n = len(ws.sandbox.data.accounts)
    assert sync(ws, *TODAY)["evaluations_written"] == n
    before = ws.store_rows(EVALUATIONS)
    again = sync(ws, *TODAY)  # inputs unchanged (tests/sync/test_unchanged.py): not one account evaluated
    assert (again["accounts_evaluated"], again["accounts_unchanged"], again["evaluations_written"]) == (0, n, 0)
    assert ws.store_rows(EVALUATIONS) == before  # not one row rewritten, run_id included

    account = sorted(ws.sandbox.data.accounts)[3]
    fields = ws.sandbox.data.accounts[account]
    fields["Active_Admins__c"] = 40.0
    fields["SystemModstamp"] = sf_datetime(datetime.now(UTC))
    changed = sync(ws, *TODAY)
    assert changed["evaluations_written"] == 1
    after = {row[0]: row for row in ws.store_rows(EVALUATIONS)}
    assert [a for a, row in after.items() if row != next(b for b in before if b[0] == a)] == [account]
    assert '"active_admins": 40.0' in after[account][3]

    assert sync(ws, "--today", "2026-11-24")["evaluations_written"] == n  # a new day: every days_since_* moved


def test_a_held_run_leaves_the_store_as_it_was(ws: Workspace, tmp_path: Path) -> None:
    assert ws.cli("sync", *TODAY).exit_code == 0
    tables = {t: ws.store_rows(f"SELECT * FROM {t} ORDER BY 1, 2") for t in
              ("evaluations", "evaluation_products", "alerts", "account_history", "status_history", "notify_outbox")}
    broken = tmp_path / "rules.yaml"  # the product read from a field that holds none: every account no_phases
    broken.write_text(RULES.read_text(encoding="utf-8").replace("field: Product__c", "field: Name"),
                      encoding="utf-8")
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(broken)), encoding="utf-8")
    held = ws.cli("sync", "--today", "2026-11-24")
    assert held.exit_code == 4, held.output
    assert {t: ws.store_rows(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables} == tables


def test_an_alert_no_longer_raised_is_resolved_with_its_chunk(tmp_path: Path) -> None:
    """A run stopped after recording a chunk (killed, the server gone) has stored those accounts' evaluations and
    inputs hashes, so the next run leaves them alone when nothing else changed: an alert they no longer raise must
    be resolved with the chunk, not at the end of the run, or it would stay open until their inputs changed."""
    day = dt.date(2026, 11, 23)
    engine = Engine(load_and_compile([RULES], day))
    raw = {"product": "勤怠管理", "contract_start": "2026-09-01", "kickoff_on": "2026-09-03"}  # setup overdue
    late = engine.evaluate("001A", engine.facts(raw))
    fixed = engine.evaluate("001A", engine.facts({**raw, "setup_done_on": "2026-11-20"}))
    gone = set(late.alerts) - set(fixed.alerts)
    assert gone  # the setup alert, at least
    with Store(tmp_path / "state.db") as store:
        with store.transaction():
            store.upsert_accounts([AccountRow("001A", "{}", "2026-11-01T00:00:00.000+0000", 0)])
        first = Recorder(store, store.start_run("sync"), engine.rules, day, skipping=True)
        first.add(late, {}, None, "inputs 1")
        first.finish()
        stopped = Recorder(store, store.start_run("sync"), engine.rules, day, skipping=True)
        stopped.CHUNK = 1
        stopped.add(fixed, {}, None, "inputs 2")  # its chunk recorded; the run stops before finish()
        assert {k.alert_id for k in store.open_alerts()} == set(fixed.alerts)  # the others resolved
        assert store.count_open_alerts(live=True) == len(set(fixed.alerts))
