"""Against a real-shaped org: field names in any letter case, multi-select order, values that must fit their
field, and the mass-change guard (issue 12, items 1, 2, 3 and 7)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sandbox.salesforce_api import PICKLISTS
from tests.conftest import RULES, Workspace, make_sandbox, make_workspace
from tests.sync.test_sync import PATCH, TODAY, sf_state


def with_rules(ws: Workspace, tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = RULES.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"rules-{abs(hash(edits))}.yaml"
    path.write_text(text, encoding="utf-8")
    ws.config.write_text(re.sub(r"files: \[.*\]", f"files: [{path}]", ws.config.read_text()))
    return path


def sync_in_fresh_org(tmp_path: Path, *edits: tuple[str, str]) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    tmp_path.mkdir()
    sb = make_sandbox()
    try:
        ws = make_workspace(tmp_path, sb)
        with_rules(ws, tmp_path, *edits)
        result = ws.cli("sync", *TODAY)
        assert result.exit_code == 0, result.output
        return sf_state(sb), ws.store_rows("SELECT account_id, status, phase, health_score FROM evaluations "
                                           "ORDER BY account_id")
    finally:
        sb.stop()


LOWER = (("field: Product__c", "field: product__c"), ("field: Contract_Start_Date__c", "field: CONTRACT_START_DATE__C"),
         ("  Onboarding_Status__c: status_label", "  onboarding_status__c: status_label"))


def test_field_names_in_any_letter_case_give_identical_evaluations_and_writes(tmp_path: Path) -> None:
    canonical = sync_in_fresh_org(tmp_path / "canonical")
    lower = sync_in_fresh_org(tmp_path / "lower", *LOWER)
    assert lower == canonical
    statuses = {s for _, s, _, _ in canonical[1]}
    assert statuses - {"no_phases"}, "the product field was read"


def test_rules_check_against_the_org_names_unknown_fields_with_a_suggestion(ws: Workspace, tmp_path: Path) -> None:
    with_rules(ws, tmp_path, *LOWER)
    ok = ws.cli("rules", "check", "--salesforce")
    assert ok.exit_code == 0, ok.output
    with_rules(ws, tmp_path, ("field: Product__c", "field: Produkt__c"))
    bad = ws.cli("rules", "check", "--salesforce")
    assert bad.exit_code == 78
    assert "Account has no field 'Produkt__c' (did you mean 'Product__c'?)" in bad.stderr


def test_multi_select_is_written_in_definition_order_and_a_rerun_writes_nothing(ws: Workspace) -> None:
    sb = ws.sandbox
    ws.json("sync", *TODAY)
    order = PICKLISTS["Onboarding_Alerts__c"][0]
    multi = [a["Onboarding_Alerts__c"].split(";") for a in sb.data.accounts.values()
             if a["Onboarding_Alerts__c"] and ";" in a["Onboarding_Alerts__c"]]
    assert multi, "some account has several alerts"
    assert all(values == sorted(values, key=order.index) for values in multi)
    sb.reset_stats()
    second = ws.json("sync", *TODAY)
    assert second["writeback"] == {"changed": 0, "written": 0, "failed": 0, "api_calls": 0}
    assert sb.stats[PATCH] == 0


def test_a_status_label_missing_from_the_picklist_is_reported_and_never_sent(ws: Workspace, tmp_path: Path) -> None:
    sb = ws.sandbox
    with_rules(ws, tmp_path, ("    stalled: オンボ滞留", "    stalled: 停滞中"))
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 78
    assert "Onboarding_Status__c: restricted picklist lacks '停滞中' (from status_label)" in doctor.stdout
    assert "add 停滞中 to Onboarding_Status__c's values in Setup" in doctor.stdout
    result = ws.cli("sync", *TODAY)
    assert result.exit_code == 3
    assert "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: not sent: Onboarding_Status__c: '停滞中'" in result.stderr
    stalled = [r[0] for r in ws.store_rows("SELECT account_id FROM evaluations WHERE status = 'stalled'")]
    assert stalled
    for account_id in stalled:
        account = sb.data.accounts[account_id]
        assert account["Onboarding_Status__c"] is None  # never sent
        assert account["Onboarding_Phase__c"] is not None  # the record's other fields were


def test_mass_change_guard_holds_a_broken_field_and_a_sweeping_rule_edit(ws: Workspace, tmp_path: Path) -> None:
    sb = ws.sandbox
    assert ws.cli("sync", *TODAY).exit_code == 0  # the first run ever is exempt
    before = sf_state(sb)
    # the product read from a field that holds no product: every account would become no_phases
    with_rules(ws, tmp_path, ("field: Product__c", "field: Name"))
    sb.reset_stats()
    held = ws.cli("sync", *TODAY)
    assert held.exit_code == 4
    assert "mass change held: nothing was written" in held.stderr
    assert "would become no_phases, more than sync.max_no_phases_pct=10" in held.stderr
    assert "Onboarding_Status__c: " in held.stderr and " → 対象外: " in held.stderr
    assert held.stderr.count(" → no_phases") == 10  # ten example accounts
    assert sb.stats[PATCH] == 0 and sf_state(sb) == before
    assert ws.store_rows("SELECT status, exit_code FROM runs ORDER BY id DESC LIMIT 1") == [("held", 4)]
    # a rule edit that moves most accounts: every phase due on day 1
    with_rules(ws, tmp_path, *[(f"due_day: {d}, ", "due_day: 1, ") for d in (7, 21, 30, 60, 90)])
    dry = ws.cli("sync", "--dry-run", *TODAY)
    assert dry.exit_code == 0 and "the real run would stop here" in dry.stderr
    held = ws.cli("sync", *TODAY)
    assert held.exit_code == 4 and "would change onboarding status, more than sync.max_status_change_pct=20" \
        in held.stderr
    assert sf_state(sb) == before
    accepted = ws.cli("sync", "--allow-mass-change", *TODAY)
    assert accepted.exit_code == 0, accepted.output
    assert sf_state(sb) != before
    assert ws.cli("sync", *TODAY).exit_code == 0  # the new baseline: nothing more to hold


QUERY_CALLS = ("GET /services/data/{version}/query/", "GET /services/data/{version}/query/{locator}")


def test_formula_fields_are_re_read_every_run_though_systemmodstamp_does_not_move(ws: Workspace,
                                                                                    tmp_path: Path) -> None:
    sb = ws.sandbox
    with_rules(ws, tmp_path, ("  tickets_open:", "  contract_age:      {type: number, field: Contract_Age_Days__c}\n"
                                                 "  tickets_open:"))
    doctor = ws.cli("doctor")
    assert "formula fields read by the rules (re-read for every account on each run" in doctor.stdout
    assert "Contract_Age_Days__c" in doctor.stdout
    assert ws.cli("sync", *TODAY).exit_code == 0
    account = next(a for a, v in sb.data.accounts.items() if v["Contract_Start_Date__c"])
    stamp = sb.data.accounts[account]["SystemModstamp"]

    def stored_age() -> Any:
        result = ws.store_rows(f"SELECT result FROM evaluations WHERE account_id = '{account}'")[0][0]
        return json.loads(result)["facts"]["contract_age"]

    age = stored_age()
    assert age is not None
    sb.today += timedelta(days=1)  # the org's TODAY() moves on; no record is modified
    sb.reset_stats()
    assert ws.cli("sync", *TODAY).exit_code == 0
    assert sb.data.accounts[account]["SystemModstamp"] == stamp
    assert stored_age() == age + 1
    # Id + the formula field, one page for 40 accounts; and the owners' names (User.Name), one query
    assert sum(sb.stats[q] for q in QUERY_CALLS) == 2
    assert sum("FROM+User" in path for _, path, _ in sb.recent if path.startswith("/services/data/")) >= 1


def test_doctor_names_a_writeback_value_of_the_wrong_kind(ws: Workspace, tmp_path: Path) -> None:
    with_rules(ws, tmp_path, ("  Health_Score__c: health_score", "  Health_Score__c: phase_name"),
               ("  Health_Band__c: health_band", "  Health_Band__c: alerts"))
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 78
    assert "writeback Health_Score__c (double) cannot hold phase_name (a text value)" in doctor.stdout
    joined = "setup_not_done_30d;no_login_14d;usage_anomaly;urgent_tickets;onboarding_stalled;" \
             "onboarding_churn_risk"  # every alert
    assert f"writeback Health_Band__c: '{joined[:40]}' is {len(joined)} characters; the field holds 40" in doctor.stdout
