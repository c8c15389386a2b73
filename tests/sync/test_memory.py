"""What a sync holds does not grow with the accounts (issue 29 item 2): the evaluate-and-record pass at two sizes,
each in its own process, compared by tracemalloc's peak (allocations counted, not timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sync.planned import InOrder, PlannedChange, PlannedWrites, Spilled
from tests.conftest import ROOT

# The second pass of bench/sync.py --synthetic: accounts straight into a fresh store, one pass that records them
# all, then one whose writes (with no Salesforce, none landed) are all planned again; tracemalloc runs over it.
CHILD = """
import datetime as dt, json, sys, tracemalloc
from pathlib import Path
from rules.ruleset import load_and_compile
from sandbox.data import generate
from sandbox.salesforce_api import FIELDS, describe_field
from store import open_store
from store.accounts import AccountRow
from sync.run import SyncJob, SyncReport

n, work = int(sys.argv[1]), Path(sys.argv[2])
today = dt.date(2026, 11, 23)
store = open_store(f"sqlite:///{work / 'state.db'}", work)
accounts = generate(7, n, 0, today).accounts
with store.transaction():
    store.upsert_accounts([AccountRow(i, json.dumps(a, ensure_ascii=False), a["SystemModstamp"], 0)
                           for i, a in accounts.items()])
del accounts
rules = load_and_compile([Path("rules/onboarding.yaml")], today)
describe = {name: describe_field(name) for name in FIELDS}
out = {}
for label in ("first", "second"):
    if label == "second":
        tracemalloc.start()
    report = SyncReport(run_id=store.start_run("test"))
    SyncJob(store, None, None, rules).evaluate_and_record(report, today, describe)
    store.finish_run(report.run_id, "ok", 0, {})
    out[label] = (report.accounts_evaluated, len(report.changes))
    del report
out["peak"] = tracemalloc.get_traced_memory()[1]
print(json.dumps(out))
"""


def second_pass(tmp: Path, n: int) -> int:
    work = tmp / str(n)
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", CHILD, str(n), str(work)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["first"] == got["second"] == [n, n]  # every account evaluated and planned twice: nothing landed
    return int(got["peak"])


@pytest.mark.slow
def test_a_pass_that_plans_every_account_holds_no_more_for_more_accounts(tmp_path: Path) -> None:
    """From 2,000 to 5,000 accounts (past a chunk of each kind), the pass's peak grows by less than 700 bytes an
    account (about 590 now; sync.run's evaluate_and_record says what it keeps, and the engine's caches, bounded,
    still fill at these sizes): the planned writes and the inputs hashes to store are on disk a chunk at a time,
    the guard counts statuses, notifications are made from the recorder's chunk, and the recorder reads what it
    compares with (open alerts too) a chunk at a time. Before, 1.3 KB an account (a brief of every account
    evaluated, the inputs hashes to store in a dict, the Ids evaluated and every open alert), and 4.5 KB before that
    (the planned writes of every account, every account's newest history point, stored result hash and open status
    period)."""
    small, large = second_pass(tmp_path, 2000), second_pass(tmp_path, 5000)
    per_account = (large - small) / 3000
    assert per_account < 700, f"{per_account:.0f} bytes an account"


def test_planned_writes_read_back_in_order_any_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PlannedWrites, "CHUNK", 3)
    planned = PlannedWrites()
    changes = [PlannedChange(f"001{i:015d}", None if i % 2 else f"名前 {i}", {"Health_Score__c": (i, i + 0.5)},
                             {"Health_Score__c": "writeback Health_Score__c: health_score"}) for i in range(10)]
    for c in changes:
        planned.append(c)
    assert len(planned) == 10
    assert list(planned) == changes  # three chunks on disk, one in memory
    assert [(a.account_id, b.account_id) for a in planned for b in planned] == [
        (a.account_id, b.account_id) for a in changes for b in changes]  # nested: each reads from its own offset
    assert changes[4] in planned and PlannedChange("x", None, {}) not in planned


def test_the_recording_pass_meets_the_evaluated_accounts_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inputs hashes to store wait on disk in the first pass's order; the recording pass, reading the live
    accounts in the same order, meets each once and knows its hash without a lookup."""
    monkeypatch.setattr(Spilled, "CHUNK", 4)
    live = [f"001{i:015d}" for i in range(30)]
    pending: Spilled[tuple[str, str | None]] = Spilled()
    for i in range(0, 30, 3):
        pending.append((live[i], None if i == 9 else f"hash {i}"))
    wanted = InOrder(pending)
    met = [(a, wanted.value) for a in live if a in wanted]
    assert met == list(pending) and len(met) == 10
    wanted.done()

    skipped = InOrder(pending)  # a pass that does not meet them all, or meets them in another order, says so
    assert [a for a in reversed(live) if a in skipped] == [live[0]]
    with pytest.raises(RuntimeError, match=live[3]):
        skipped.done()
