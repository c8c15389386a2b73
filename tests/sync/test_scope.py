"""Fields csops wrote on an account that leaves the rules' scope (issue 27 item 5), through `csops sync` against the
sandbox, on both engines: deleted in Salesforce, moved to an owner `salesforce.where` leaves out, product removed.
By default csops leaves the fields and says so (run report, `csops log`); with `writeback.clear_when_out_of_scope:
true` it empties those still holding what it wrote, leaves one a person changed since, and a rollback of that run
puts the values back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.data import sf_datetime
from sandbox.salesforce_tasks import FALLBACK_USER
from sandbox.server import Sandbox
from tests.conftest import Workspace
from tests.store.test_engines import on_store
from tests.sync.test_sync import TODAY
from tests.sync.test_write_log import edited_rules, use_rules

OTHER_TEAM = FALLBACK_USER  # the owner whose accounts the team's filter leaves out
WRITEBACK = ("Onboarding_Status__c", "Onboarding_Phase__c", "Days_Overdue__c", "Health_Score__c", "Health_Band__c",
             "Customer_Tier__c", "Onboarding_Alerts__c")
OPTION_ON = "  clear_when_out_of_scope: true\n"


def scoped(ws: Workspace, where: str = f"OwnerId != '{OTHER_TEAM}'") -> None:
    """The team's accounts: ``salesforce.where`` leaves the other team's owner out."""
    text = re.sub(r'  where: ".*"\n', "", ws.config.read_text(encoding="utf-8"))
    ws.config.write_text(text.replace("  fields: [Name]\n", f'  fields: [Name]\n  where: "{where}"\n'),
                         encoding="utf-8")


def clearing_rules(ws: Workspace, tmp_path: Path) -> None:
    rules = edited_rules(tmp_path)
    text = rules.read_text(encoding="utf-8")
    head = "writeback:                       # Salesforce field: evaluation value\n"
    rules.write_text(text.replace(head, head + OPTION_ON), encoding="utf-8")
    use_rules(ws, rules)


def touch(sb: Sandbox, account_id: str, **fields: Any) -> None:
    """A change in Salesforce (a person's, an admin's), with its SystemModstamp."""
    sb.data.accounts[account_id].update(fields)
    sb.data.accounts[account_id]["SystemModstamp"] = sf_datetime(datetime.now(UTC) + timedelta(seconds=1))


def values(sb: Sandbox, account_id: str) -> dict[str, Any]:
    return {f: sb.data.accounts[account_id][f] for f in WRITEBACK}


def sent_since(sb: Sandbox, start: int) -> list[tuple[str, str, Any]]:
    return [(rid, f, v) for rid, f, v, _ in sb.salesforce.received[start:]]


def wrote(sb: Sandbox, account_id: str) -> dict[str, Any]:
    """What the emulator received for the account and applied, the last value per field, empties left out."""
    last = {f: v for rid, f, v, ok in sb.salesforce.received if rid == account_id and ok}
    return {f: v for f, v in last.items() if v is not None}


def ours(sb: Sandbox, n: int) -> list[str]:
    """``n`` accounts of the team (owner kept by the filter) that csops wrote fields on, with a health band."""
    found = sorted(i for i, a in sb.data.accounts.items() if a["OwnerId"] != OTHER_TEAM and a["Health_Band__c"])
    assert len(found) >= n
    return found[:n]


def sync_json(ws: Workspace, *args: str, code: int = 0) -> dict[str, Any]:
    result = ws.cli("sync", *TODAY, *args, "--json")
    assert result.exit_code == code, result.output
    return dict(json.loads(result.stdout))


def by_account(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["account_id"]: e for e in report.get("out_of_scope_list", [])}


def test_by_default_fields_are_left_and_the_run_says_so(ws: Workspace, store_url: str) -> None:
    on_store(ws, store_url)
    scoped(ws)
    sb = ws.sandbox
    assert ws.cli("sync", *TODAY).exit_code == 0
    deleted, moved, no_product = ours(sb, 3)
    kept = {i: values(sb, i) for i in (deleted, moved)}
    expected = {i: wrote(sb, i) for i in (deleted, moved)}
    assert all(len(e) >= 4 for e in expected.values())
    touch(sb, deleted, IsDeleted=True)
    touch(sb, moved, OwnerId=OTHER_TEAM)
    touch(sb, no_product, Product__c=None)
    start = len(sb.salesforce.received)

    report = sync_json(ws)
    assert {i: values(sb, i) for i in (deleted, moved)} == kept  # nothing written to either
    assert not [s for s in sent_since(sb, start) if s[0] in (deleted, moved)]
    assert report["salesforce"]["accounts_left_filter"] == 1
    assert report["out_of_scope"] == {"accounts": 2, "cleared": 0, "left": sum(map(len, expected.values())),
                                      "changed_since": 0}
    exits = by_account(report)
    assert exits[deleted]["why"] == "deleted in Salesforce" and exits[deleted]["left"] == expected[deleted]
    assert exits[moved]["why"] == "no longer selected by salesforce.where" and exits[moved]["left"] == expected[moved]
    assert not exits[moved]["cleared"] and not exits[moved]["changed_since"]
    # product removed: still in scope, as 対象外, its phase and days overdue emptied by the writeback
    assert sb.data.accounts[no_product]["Onboarding_Status__c"] == "対象外"
    assert sb.data.accounts[no_product]["Onboarding_Phase__c"] is None
    assert no_product not in exits

    for account_id, why in ((moved, "(writeback.clear_when_out_of_scope is off)"), (deleted, "deleted in Salesforce")):
        rows = [r for r in ws.json("log", account_id) if r["run"] == 2]
        assert {r["field"]: (r["result"], r["new"]) for r in rows} == \
            {f: ("left", v) for f, v in expected[account_id].items()}
        assert all(why in r["reason"] for r in rows)
    product_rows = {r["field"]: r for r in ws.json("log", "--run", "2") if r["account_id"] == no_product}
    assert product_rows["Onboarding_Status__c"]["new"] == "対象外" and "status no_phases" in \
        product_rows["Onboarding_Status__c"]["reason"]

    text = ws.cli("sync", *TODAY)  # said once: the next run has nothing to say
    assert text.exit_code == 0 and "out of scope:" not in text.stdout
    assert {i: values(sb, i) for i in (deleted, moved)} == kept


def test_clear_when_out_of_scope_empties_what_csops_wrote_and_a_rollback_puts_it_back(
        ws: Workspace, store_url: str, tmp_path: Path) -> None:
    on_store(ws, store_url)
    scoped(ws)
    clearing_rules(ws, tmp_path)
    sb = ws.sandbox
    assert ws.cli("sync", *TODAY).exit_code == 0
    moved, edited, deleted = ours(sb, 3)
    before = {i: values(sb, i) for i in (moved, edited, deleted)}
    expected = {i: wrote(sb, i) for i in (moved, edited, deleted)}
    touch(sb, moved, OwnerId=OTHER_TEAM)
    touch(sb, edited, OwnerId=OTHER_TEAM, Health_Band__c="要確認")  # a person changed one field too
    touch(sb, deleted, IsDeleted=True)
    start = len(sb.salesforce.received)

    plan = sync_json(ws, "--dry-run")
    assert len(sb.salesforce.received) == start  # the dry run writes nothing
    planned = {c["account_id"]: c["fields"] for c in plan["changes"] if c["account_id"] in (moved, edited, deleted)}
    assert planned == {moved: {f: {"old": v, "new": None} for f, v in expected[moved].items()},
                       edited: {f: {"old": v, "new": None} for f, v in expected[edited].items()
                                if f != "Health_Band__c"}}
    shown = ws.cli("sync", *TODAY, "--dry-run")
    assert "out of scope: 3 accounts with fields csops wrote: would clear" in shown.stdout
    assert "left Health_Band__c: changed since csops wrote" in shown.stdout

    report = sync_json(ws)
    cleared = {(moved, f) for f in expected[moved]} | {(edited, f) for f in expected[edited] if f != "Health_Band__c"}
    assert sorted(sent_since(sb, start)) == sorted((i, f, None) for i, f in cleared)
    assert all(sb.data.accounts[i][f] is None for i, f in cleared)
    assert sb.data.accounts[edited]["Health_Band__c"] == "要確認"
    assert values(sb, deleted) == before[deleted]
    exits = by_account(report)
    assert exits[edited]["changed_since"] == {"Health_Band__c": {"wrote": expected[edited]["Health_Band__c"],
                                                                 "now": "要確認"}}
    assert exits[deleted]["left"] == expected[deleted] and not exits[deleted]["cleared"]
    log = {(r["account_id"], r["field"]): r for r in ws.json("log", "--run", "2")}
    assert all(log[k]["result"] == "ok" and log[k]["new"] is None and
               "writeback.clear_when_out_of_scope" in log[k]["reason"] for k in cleared)
    assert log[(edited, "Health_Band__c")]["result"] == "left"
    assert "changed since csops wrote" in log[(edited, "Health_Band__c")]["reason"]
    assert "out_of_scope" not in sync_json(ws)  # done: nothing more to clear or say

    code = ws.cli("sync", "--rollback", "2")
    assert code.exit_code == 0, code.output
    assert values(sb, moved) == before[moved]
    assert values(sb, edited) == {**before[edited], "Health_Band__c": "要確認"}
    # the option still on, the next sync empties them again (a rollback does not change the rules)
    again = sync_json(ws)
    assert again["out_of_scope"]["cleared"] == len(cleared)


def test_clearing_answers_to_the_mass_change_guard(ws: Workspace, tmp_path: Path) -> None:
    scoped(ws)
    clearing_rules(ws, tmp_path)
    sb = ws.sandbox
    assert ws.cli("sync", *TODAY).exit_code == 0
    team = [i for i, a in sb.data.accounts.items() if a["OwnerId"] != OTHER_TEAM]
    keep = sb.data.accounts[team[0]]["OwnerId"]
    scoped(ws, f"OwnerId = '{keep}'")  # a filter edit that leaves most of the team's accounts out
    start = len(sb.salesforce.received)
    held = ws.cli("sync", *TODAY, "--full")
    assert held.exit_code == 4 and "→ out of scope" in held.stderr and "--allow-mass-change" in held.stderr
    assert len(sb.salesforce.received) == start
    done = sync_json(ws, "--full", "--allow-mass-change")
    assert done["out_of_scope"]["cleared"] > 0
    gone = [i for i in team if sb.data.accounts[i]["OwnerId"] != keep]
    assert all(sb.data.accounts[i]["Health_Band__c"] is None for i in gone)


def test_the_setting_is_checked_with_a_suggestion(ws: Workspace, tmp_path: Path) -> None:
    rules = edited_rules(tmp_path)
    text = rules.read_text(encoding="utf-8")
    head = "writeback:                       # Salesforce field: evaluation value\n"
    line = text.splitlines().index(head.rstrip("\n")) + 2
    rules.write_text(text.replace(head, head + "  clear_when_out_of_scop: true\n"), encoding="utf-8")
    typo = ws.cli("rules", "check", str(rules), "--offline")
    assert typo.exit_code == 78
    assert f"{rules.name}:{line}:" in typo.output and "did you mean 'clear_when_out_of_scope'" in typo.output
    rules.write_text(text.replace(head, head + '  clear_when_out_of_scope: "yes"\n'), encoding="utf-8")
    word = ws.cli("rules", "check", str(rules), "--offline")
    assert word.exit_code == 78 and "writeback.clear_when_out_of_scope: expected true or false" in word.output
    rules.write_text(text.replace(head, head + OPTION_ON), encoding="utf-8")
    assert ws.cli("rules", "check", str(rules), "--offline").exit_code == 0
