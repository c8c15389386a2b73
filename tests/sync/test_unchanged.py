"""A run evaluates only the accounts whose inputs changed since their stored evaluation (sync.unchanged, issue 29):
after a run that wrote every account, the next one re-reads them (csops's own writes move SystemModstamp) and
evaluates none, yet a person's edit of a field csops reads or writes, a write that failed, a ticket that changed
and a new day are each seen and acted on. Checked against the plain path (every account evaluated) on generated
edits: the same writes."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.data import sf_datetime
from sandbox.server import Sandbox
from store.tickets import KEPT_FOR
from sync.planned import PlannedWrites
from sync.record import AlertChanges, Recorder
from sync.unchanged import InputsKey
from tests.conftest import Workspace, make_sandbox, make_workspace

TODAY = ("--today", "2026-11-23")
WRITTEN = ("Onboarding_Status__c", "Onboarding_Phase__c", "Days_Overdue__c", "Health_Score__c", "Health_Band__c",
           "Customer_Tier__c")


def sync(ws: Workspace, *args: str) -> dict[str, Any]:
    return ws.json("sync", *args)


def edit(sb: Sandbox, account_id: str, **values: Any) -> None:
    """A person's edit in Salesforce: the values, and SystemModstamp and LastModifiedDate moved."""
    with sb.lock:
        row = sb.data.accounts[account_id]
        row.update(values)
        row["SystemModstamp"] = row["LastModifiedDate"] = sf_datetime(datetime.now(UTC))


def test_after_a_run_that_wrote_every_account_the_next_evaluates_none(ws: Workspace) -> None:
    n = len(ws.sandbox.data.accounts)
    first = sync(ws, *TODAY)
    assert first["writeback"]["written"] > n / 2 and first["rules"]["accounts_unchanged"] == 0
    again = sync(ws, *TODAY)
    assert again["salesforce"]["accounts_pulled"] >= first["writeback"]["written"]  # re-read: its writes moved them
    assert (again["rules"]["accounts_evaluated"], again["rules"]["accounts_unchanged"]) == (0, n)
    assert (again["writeback"]["changed"], again["writeback"]["api_calls"]) == (0, 0)
    assert again["rules"]["status_counts"] == first["rules"]["status_counts"]
    assert (again["rules"]["alerts_active"], again["rules"]["alerts_resolved"]) == (first["rules"]["alerts_active"], 0)
    text = ws.cli("sync", *TODAY).stdout
    assert f"rules:      {n:,} accounts ({n:,} unchanged since their last evaluation)" in text


def test_a_persons_edit_after_csops_wrote_is_seen(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws, *TODAY)
    account = next(i for i, a in sorted(sb.data.accounts.items()) if a["Product__c"] == "勤怠管理"
                   and a["Onboarding_Status__c"] != "対象外")
    edit(sb, account, Product__c=None)  # a field csops reads: no product, no onboarding
    out = sync(ws, *TODAY)
    assert (out["rules"]["accounts_evaluated"], out["writeback"]["written"]) == (1, 1)
    assert sb.data.accounts[account]["Onboarding_Status__c"] == "対象外"

    other = next(i for i, a in sorted(sb.data.accounts.items()) if i != account and a["Onboarding_Status__c"])
    was = sb.data.accounts[other]["Onboarding_Status__c"]
    edit(sb, other, Onboarding_Status__c="手で変更")  # a field csops writes: set back
    out = sync(ws, *TODAY)
    assert (out["rules"]["accounts_evaluated"], out["writeback"]["written"]) == (1, 1)
    assert sb.data.accounts[other]["Onboarding_Status__c"] == was

    edit(sb, other, Type="Partner")  # a field csops neither reads nor writes: re-read, nothing to do
    out = sync(ws, *TODAY)
    assert out["salesforce"]["accounts_pulled"] >= 1
    assert (out["rules"]["accounts_evaluated"], out["writeback"]["changed"]) == (0, 0)


def test_an_account_deleted_in_salesforce_gets_its_last_history_point_when_none_is_evaluated(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws, *TODAY)
    sync(ws, *TODAY)  # nothing left to write
    account = sorted(sb.data.accounts)[0]
    edit(sb, account, IsDeleted=True)
    out = sync(ws, *TODAY)
    assert out["rules"]["accounts_evaluated"] == 0
    assert ws.store_rows(f"SELECT gone FROM account_history WHERE account_id = '{account}' ORDER BY day DESC, "
                         "gone IS NULL LIMIT 1") == [("deleted",)]
    assert ws.store_rows("SELECT COUNT(*) FROM account_history WHERE gone = 'deleted'") == [(1,)]


def test_a_write_that_failed_is_tried_again(ws: Workspace) -> None:
    sb = ws.sandbox
    first = sync(ws, *TODAY)
    account = next(i for i, a in sorted(sb.data.accounts.items()) if a["Onboarding_Status__c"])
    was = sb.data.accounts[account]["Onboarding_Status__c"]
    edit(sb, account, Onboarding_Status__c="手で変更")
    sb.salesforce.reject[account] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "locked by a validation rule")
    failed = ws.cli("sync", "--json", *TODAY)
    assert failed.exit_code == 3, failed.output  # partial: the one write was rejected
    del sb.salesforce.reject[account]
    out = sync(ws, *TODAY)  # the rejected write left the person's value: evaluated and written again
    assert (out["rules"]["accounts_evaluated"], out["writeback"]["written"]) == (1, 1)
    assert sb.data.accounts[account]["Onboarding_Status__c"] == was
    assert first["rules"]["status_counts"] == out["rules"]["status_counts"]


def test_a_changed_ticket_evaluates_its_account_and_a_new_day_every_account(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws, *TODAY)
    linked = {o: v["external_id"] for o, v in sb.data.organizations.items() if v.get("external_id")}
    ticket = next(t for t, v in sorted(sb.data.tickets.items())
                  if v.get("organization_id") in linked and v["status"] in ("new", "open"))
    account = linked[sb.data.tickets[ticket]["organization_id"]]
    sb.zendesk.update_tickets([ticket], status="solved")
    out = sync(ws, *TODAY)
    assert out["rules"]["accounts_evaluated"] == 1
    facts = ws.store_rows(f"SELECT result FROM evaluations WHERE account_id = '{account}'")[0][0]
    open_now = sum(1 for v in sb.data.tickets.values() if linked.get(v.get("organization_id")) == account
                   and v["status"] in ("new", "open", "pending", "hold"))
    assert f'"tickets_open": {open_now}' in facts

    later = sync(ws, "--today", "2026-11-24")  # days since contract start moved for every account
    assert (later["rules"]["accounts_evaluated"], later["rules"]["accounts_unchanged"]) == (len(sb.data.accounts), 0)


def _forget_inputs(ws: Workspace) -> None:
    """The plain path: no stored evaluation has an inputs hash, so the run evaluates every account, and the kept
    ticket aggregates are computed again from every ticket."""
    conn = sqlite3.connect(ws.path / ".csops" / "state.db")
    try:
        with conn:
            conn.execute("UPDATE evaluations SET inputs_hash = NULL")
            conn.execute("DELETE FROM cursors WHERE name = ?", (KEPT_FOR,))
    finally:
        conn.close()


def _random_edits(rng: random.Random, sb: Sandbox, n: int) -> None:
    """Edits a person or a process makes: fields csops reads, fields it writes, fields it does neither with, a
    stamp moved alone, a ticket solved, reopened, deleted or moved to another organization, an organization linked
    to another account or deleted."""
    ids = sorted(sb.data.accounts)
    for _ in range(n):
        account = rng.choice(ids)
        kind = rng.randrange(9)
        if kind == 0:
            edit(sb, account, Active_Admins__c=float(rng.randint(0, 30)))
        elif kind == 1:
            edit(sb, account, Kickoff_Date__c=rng.choice([None, "2026-10-01", "2026-11-20"]))
        elif kind == 2:
            edit(sb, account, **{rng.choice(WRITTEN): rng.choice([None, "手で変更"]) if rng.random() < 0.5 else None})
        elif kind == 3:
            edit(sb, account, Type=rng.choice(["Customer", "Partner"]))
        elif kind == 4:
            edit(sb, account)
        else:
            _zendesk_edit(rng, sb, account, kind)


def _zendesk_edit(rng: random.Random, sb: Sandbox, account: str, kind: int) -> None:
    ticket = rng.choice(sorted(sb.data.tickets))
    org = rng.choice(sorted(sb.data.organizations))
    if kind in (5, 6) and sb.data.tickets[ticket]["status"] != "deleted":
        sb.zendesk.update_tickets([ticket], **({"status": rng.choice(["open", "solved", "deleted"])} if kind == 5
                                               else {"organization_id": org}))
    elif kind == 7:
        sb.zendesk.update_organization(org, external_id=account)
    elif kind == 8 and not sb.data.organizations[org].get("deleted_at"):
        sb.zendesk.delete_organization(org)


def test_the_same_writes_as_evaluating_every_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chunks far smaller than the accounts: the recorder reads what it compares with a chunk at a time and the
    # planned writes are read back from disk a chunk at a time, so chunk boundaries must change nothing
    monkeypatch.setattr(Recorder, "CHUNK", 7)
    monkeypatch.setattr(PlannedWrites, "CHUNK", 5)
    monkeypatch.setattr(AlertChanges, "LISTED", 3)  # a run lists 3 of its new and resolved alerts, counts the rest
    boxes = [make_sandbox(accounts=60, tickets=1200) for _ in range(2)]
    try:
        for name in ("skip", "plain"):
            (tmp_path / name).mkdir()
        skipping, plain = make_workspace(tmp_path / "skip", boxes[0]), make_workspace(tmp_path / "plain", boxes[1])
        skipped = resolved = 0
        for day, seed in (("2026-11-23", 1), ("2026-11-23", 2), ("2026-11-23", 3), ("2026-11-24", 4)):
            if (plain.path / ".csops" / "state.db").exists():
                _forget_inputs(plain)
            counts = "SELECT COUNT(*), COUNT(resolved_at) FROM alerts"
            before = [w.store_rows(counts)[0] if (w.path / ".csops" / "state.db").exists() else (0, 0)
                      for w in (skipping, plain)]
            results = [sync(w, "--today", day, "--allow-mass-change") for w in (skipping, plain)]
            for w, (rows, closed), r in zip((skipping, plain), before, results, strict=True):
                now = w.store_rows(counts)[0]
                assert (r["rules"]["alerts_new"], r["rules"]["alerts_resolved"]) == (now[0] - rows, now[1] - closed)
            assert results[1]["rules"]["accounts_unchanged"] == 0
            skipped += results[0]["rules"]["accounts_unchanged"]
            assert results[0]["rules"]["status_counts"] == results[1]["rules"]["status_counts"]
            assert ([{k: r["rules"][k] for k in ("alerts_active", "alerts_new", "alerts_resolved")} for r in results]
                    == [{k: results[1]["rules"][k] for k in ("alerts_active", "alerts_new", "alerts_resolved")}] * 2)
            periods = [w.store_rows("SELECT account_id, alert_id, first_seen, last_seen, resolved_at FROM alerts "
                                    "ORDER BY 1, 2, 3") for w in (skipping, plain)]
            assert periods[0] == periods[1], f"day {day}"
            resolved += results[0]["rules"]["alerts_resolved"]
            received = [sorted((r, f, repr(v), ok) for r, f, v, ok in sb.salesforce.received) for sb in boxes]
            assert received[0] == received[1], f"day {day}, edits {seed}"
            assert ({i: {f: a.get(f) for f in WRITTEN} for i, a in boxes[0].data.accounts.items()}
                    == {i: {f: a.get(f) for f in WRITTEN} for i, a in boxes[1].data.accounts.items()})
            for sb in boxes:
                sb.salesforce.received.clear()
                _random_edits(random.Random(seed), sb, 25)
        assert skipped > 60  # most accounts in the rounds after the first
        assert resolved > 0, "no alert was resolved: the comparison says nothing of resolutions"
    finally:
        for sb in boxes:
            sb.stop()


def test_a_value_read_back_hashes_as_the_value_sent() -> None:
    """Salesforce keeps a number as a double and a multi-select's values in its own order: what the next pull reads
    back after csops's write must hash as what csops sent, or every written account is evaluated again."""
    key = InputsKey(b"run", ["Days_Overdue__c", "Products__c", "Onboarding_Status__c"], {}, multi=["Products__c"])
    raw = {"product": "勤怠管理"}
    sent = key.of(raw, {"Days_Overdue__c": 3.0, "Products__c": None, "Onboarding_Status__c": "順調"}, "005A", [],
                  writes={"Days_Overdue__c": 12, "Products__c": "経費精算;勤怠管理"})
    read = {"Days_Overdue__c": 12.0, "Products__c": "勤怠管理;経費精算", "Onboarding_Status__c": "順調"}
    assert key.of(raw, read, "005A", []) == sent
    assert key.of(raw, {**read, "Days_Overdue__c": 13.0}, "005A", []) != sent
    assert key.of(raw, {**read, "Onboarding_Status__c": "手で変更"}, "005A", []) != sent
    assert key.of(raw, {**read, "Products__c": "勤怠管理"}, "005A", []) != sent
    assert key.of({"product": "経費精算"}, read, "005A", []) != sent
    assert key.of(raw, read, "005B", []) != sent
