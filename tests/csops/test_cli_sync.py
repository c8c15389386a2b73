"""``csops sync --dry-run`` as a person reads it: a summary first, details on request."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.conftest import Workspace

TODAY = ("--today", "2026-11-23")


def test_dry_run_prints_a_summary_not_every_account(ws: Workspace) -> None:
    result = ws.cli("sync", "--dry-run", *TODAY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    n = len(ws.sandbox.data.accounts)
    assert f"{n} accounts would change" in out
    assert f"  Onboarding_Status__c: {n} accounts" in out
    # old → new with a count, and the counts of one field add up to the accounts changing it
    rows = [ln.split() for ln in out.splitlines() if ln.startswith("    (empty)") and "→" in ln]
    assert rows and all(r[1] == "→" and r[-1].replace(",", "").isdigit() for r in rows)
    first_id = sorted(ws.sandbox.data.accounts)[0]
    assert first_id not in out
    assert len(out.splitlines()) < 60


def test_details_account_filter_and_csv(ws: Workspace, tmp_path: Path) -> None:
    ids = sorted(ws.sandbox.data.accounts)
    target = ids[3]
    name = ws.sandbox.data.accounts[target]["Name"]
    details = ws.cli("sync", "--dry-run", "--details", *TODAY)
    assert all(f"\n{i}" in "\n" + details.stdout for i in ids)

    one = ws.cli("sync", "--dry-run", "--account", target[:15], *TODAY)
    assert one.exit_code == 0, one.output
    listed = [ln for ln in one.stdout.splitlines() if ln[:3] == "001"]
    assert listed == [f"{target} ({name})"]
    assert "1 account would change" in one.stdout

    by_name = ws.cli("sync", "--dry-run", "--account", name.upper(), *TODAY)
    assert f"{target} ({name})" in by_name.stdout

    missing = ws.cli("sync", "--dry-run", "--account", "no such company", *TODAY)
    assert "no planned change for 'no such company'" in missing.stderr

    out = tmp_path / "plan.csv"
    ws.cli("sync", "--dry-run", "--csv", str(out), *TODAY)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    plan = ws.json("sync", "--dry-run", *TODAY)
    assert len(rows) == sum(len(c["fields"]) for c in plan["changes"])
    assert {r["account_id"] for r in rows} == {c["account_id"] for c in plan["changes"]}


def test_plan_options_need_dry_run(ws: Workspace) -> None:
    result = ws.cli("sync", "--details", *TODAY)
    assert result.exit_code == 2
    assert "--dry-run" in result.output
    assert ws.sandbox.stats.get("PATCH /services/data/v60.0/composite/sobjects", 0) == 0
