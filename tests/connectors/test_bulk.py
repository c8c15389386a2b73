"""Bulk API 2.0 under real conditions: a session that expires mid-job, jobs that end Failed or Aborted, and
locked rows (issue 12, item 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.salesforce import BulkJobFailed
from sandbox.server import Sandbox
from tests.conftest import make_sandbox, make_workspace
from tests.connectors.test_salesforce import client

CREATE = "POST /services/data/{version}/jobs/ingest"
LOGIN = "POST /services/Soap/u/{version}"


def changes_for(sb: Sandbox, n: int) -> dict[str, dict[str, Any]]:
    return {i: {"Health_Score__c": 42.0} for i in list(sb.data.accounts)[:n]}


@pytest.mark.parametrize("step", ["upload", "close", "poll", "results"])
def test_a_session_expiring_at_any_step_follows_the_same_job(sandbox: Sandbox, step: str) -> None:
    c = client(sandbox, bulk_threshold=10)
    c.describe()
    changes = changes_for(sandbox, 30)
    rejected = next(iter(changes))
    sandbox.salesforce.reject[rejected] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "closed accounts are read-only")
    sandbox.salesforce.expire_at_job_step.add(step)
    sandbox.reset_stats()
    result = c.update(changes)
    assert not sandbox.salesforce.expire_at_job_step, "the session did expire at that step"
    assert sandbox.stats[CREATE] == 1 and len(sandbox.salesforce.jobs) == 1
    assert sandbox.stats[LOGIN] == 1  # logged in again once
    assert [f.id for f in result.failed] == [rejected]
    assert sorted(result.written) == sorted(set(changes) - {rejected})
    assert all(sandbox.salesforce.writes[i] == 1 for i in result.written)


def test_locked_rows_in_a_job_are_retried_in_the_same_run(sandbox: Sandbox) -> None:
    c = client(sandbox, bulk_threshold=10)
    changes = changes_for(sandbox, 30)
    locked = list(changes)[3:6]
    sandbox.salesforce.lock_once.update(locked)
    result = c.update(changes)
    assert result.failed == [] and sorted(result.written) == sorted(changes)
    assert all(sandbox.salesforce.writes[i] == 1 for i in changes)
    assert all(sandbox.data.accounts[i]["Health_Score__c"] == 42.0 for i in locked)


def test_a_failed_job_raises_with_its_id_and_salesforce_message(sandbox: Sandbox) -> None:
    c = client(sandbox, bulk_threshold=10)
    sandbox.salesforce.end_next_job = ("Failed", "InvalidBatch : Field name not found : Health_Scor__c")
    with pytest.raises(BulkJobFailed) as info:
        c.update(changes_for(sandbox, 30))
    job_id = next(iter(sandbox.salesforce.jobs))
    assert f"Bulk API 2.0 job {job_id} ended Failed: InvalidBatch : Field name not found" in str(info.value)


@pytest.mark.parametrize("ending", ["Failed", "Aborted"])
def test_sync_with_a_job_that_ends_badly_exits_69_and_the_next_run_finishes(tmp_path: Path, ending: str) -> None:
    sb = make_sandbox()
    try:
        ws = make_workspace(tmp_path, sb, "")
        ws.config.write_text(ws.config.read_text().replace("salesforce:\n", "salesforce:\n  bulk_threshold: 10\n", 1))
        sb.salesforce.end_next_job = (ending, "InvalidBatch : Failed to process query" if ending == "Failed" else "")
        result = ws.cli("sync", "--today", "2026-11-23")
        assert result.exit_code == 69, result.output
        assert f"ended {ending}" in result.stderr and "Bulk API 2.0 job 750" in result.stderr
        assert "unexpected error" not in result.stderr
        again = ws.cli("sync", "--today", "2026-11-23")
        assert again.exit_code == 0, again.output
        assert ws.cli("sync", "--today", "2026-11-23", "--json").stdout.count('"changed": 0') == 1
        assert max(sb.salesforce.writes.values()) == 1  # nothing written twice, also after an abort
    finally:
        sb.stop()
