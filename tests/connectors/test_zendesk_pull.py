"""`csops pull zendesk` against the sandbox over loopback HTTP."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors.sfid import is_valid_id
from sandbox.server import Sandbox
from sync.pull import link_organization
from tests.conftest import Workspace, make_sandbox, make_workspace

EXPORT = "GET /api/v2/incremental/tickets/cursor.json"


def ticket_ids(ws: Workspace) -> list[int]:
    return [r[0] for r in ws.store_rows("SELECT id FROM tickets ORDER BY id")]


def expected_unlinked(sb: Sandbox) -> int:
    return sum(1 for o in sb.data.organizations.values() if not is_valid_id(o["external_id"]))


def test_every_ticket_and_org_exactly_once(ws: Workspace) -> None:
    sb = ws.sandbox
    out = ws.json("pull", "zendesk")
    assert out["tickets_pulled"] == len(sb.data.tickets)
    assert ticket_ids(ws) == sorted(sb.data.tickets)
    assert out["organizations_pulled"] == len(sb.data.organizations)
    assert out["organizations_unlinked"] == expected_unlinked(sb) > 0
    deleted = {t for t, v in sb.data.tickets.items() if v["status"] == "deleted"}
    assert out["tickets_deleted"] == len(deleted)
    assert {r[0] for r in ws.store_rows("SELECT id FROM tickets WHERE deleted = 1")} == deleted
    orgs = dict(ws.store_rows("SELECT id, account_id FROM organizations"))
    for org_id, org in sb.data.organizations.items():
        assert orgs[org_id] == (org["external_id"] if is_valid_id(org["external_id"]) else None)
    # the export floor: ceil(N/1000) pages plus at most one
    assert math.ceil(len(sb.data.tickets) / 1000) <= sb.stats[EXPORT] <= math.ceil(len(sb.data.tickets) / 1000) + 1
    assert sb.stats["POST /oauth/tokens"] == 1  # one access token for the run
    assert out["api_calls"] == sb.total - sb.stats.get("GET /api/v2/users/me.json", 0) - 1


def test_second_run_pulls_only_what_changed(ws: Workspace) -> None:
    sb = ws.sandbox
    ws.json("pull", "zendesk")
    sb.zendesk.update_tickets([3, 4, 5], status="solved")
    sb.zendesk.update_tickets([6], status="deleted")
    new = sb.zendesk.add_tickets(2)
    sb.reset_stats()
    out = ws.json("pull", "zendesk")
    assert out["tickets_pulled"] == 6
    assert out["tickets_deleted"] == 1
    assert sb.stats[EXPORT] == 1
    rows = dict(ws.store_rows("SELECT id, status FROM tickets WHERE id IN (3, 6)"))
    assert rows == {3: "solved", 6: "deleted"}
    # a deleted ticket keeps what we knew of it
    assert ws.store_rows("SELECT subject IS NOT NULL, deleted FROM tickets WHERE id = 6") == [(1, 1)]
    assert set(new) <= set(ticket_ids(ws))
    assert len(ticket_ids(ws)) == len(sb.data.tickets)


@pytest.mark.parametrize("sandbox", [{"tickets": 4200, "fail_rate": 0.2, "rate_limit": "4", "rate_window": 1.0}],
                         indirect=True)
def test_faults_and_strict_rate_limit_lose_nothing(ws: Workspace) -> None:
    sb = ws.sandbox
    out = ws.json("pull", "zendesk")
    assert sb.faults > 0
    assert out["tickets_pulled"] >= len(sb.data.tickets)
    assert ticket_ids(ws) == sorted(sb.data.tickets)
    assert len(ws.store_rows("SELECT id FROM organizations")) == len(sb.data.organizations)


def test_rate_limit_real_answers_429_with_retry_after(tmp_path: Path) -> None:
    import requests

    sb = make_sandbox(rate_limit="real", tickets=50)
    try:
        auth = (f"{sb.options.zendesk_email}/token", sb.options.zendesk_token)
        codes = [requests.get(sb.url + "/api/v2/incremental/tickets/cursor.json", params={"start_time": 0},
                              auth=auth, timeout=30) for _ in range(11)]
        assert [c.status_code for c in codes[:10]] == [200] * 10
        assert codes[10].status_code == 429
        assert 1 <= int(codes[10].headers["Retry-After"]) <= 60
        assert codes[10].text == "Too Many Requests"
    finally:
        sb.stop()


@pytest.mark.slow
def test_killed_mid_stream_resumes_from_saved_cursor(tmp_path: Path) -> None:
    sb = make_sandbox(tickets=8000, latency_ms=250)
    try:
        ws = make_workspace(tmp_path, sb)
        env = {**os.environ, **ws.env}
        proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "pull", "zendesk"],
                                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db = tmp_path / ".csops" / "state.db"
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=1) as conn:
                        stored = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
            if stored >= 2000:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert 0 < stored < len(sb.data.tickets), "the kill did not land mid-stream"
        calls_before = sb.stats[EXPORT]
        second = ws.json("pull", "zendesk")
        resumed_calls = sb.stats[EXPORT] - calls_before
        assert ticket_ids(ws) == sorted(sb.data.tickets)
        # resumed, not restarted: fewer pages than a full export
        assert second["tickets_pulled"] < len(sb.data.tickets)
        assert resumed_calls <= math.ceil(second["tickets_pulled"] / 1000) + 1
        count, distinct = ws.store_rows("SELECT COUNT(*), COUNT(DISTINCT id) FROM tickets")[0]
        assert count == distinct == len(sb.data.tickets)
    finally:
        sb.stop()


def test_doctor_reports_a_bad_token(ws: Workspace) -> None:
    result = ws.cli("doctor", env={"ZENDESK_CLIENT_SECRET": "not-the-secret"})
    assert result.exit_code == 69
    assert "FAIL zendesk: zendesk: the client credentials grant refused: invalid_client" in result.stdout
    assert "fix: check zendesk.client_id (the OAuth client's Identifier)" in result.stdout
    assert "not-the-secret" not in result.stdout


def test_doctor_reports_a_wrong_base_url(ws: Workspace) -> None:
    ws.config.write_text(ws.config.read_text().replace(f"base_url: {ws.sandbox.url}",
                                                       f"base_url: {ws.sandbox.url}/not-zendesk", 1))
    result = ws.cli("doctor")
    assert result.exit_code == 69
    assert "does not look like a Zendesk instance" in result.stdout


def test_doctor_reports_an_unreachable_base_url(ws: Workspace) -> None:
    import socket

    # Bound but not listening: connections are refused, and no other process can take the port meanwhile.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        ws.config.write_text(ws.config.read_text().replace(f"base_url: {ws.sandbox.url}",
                                                           f"base_url: http://127.0.0.1:{port}", 1))
        result = ws.cli("doctor")
    assert result.exit_code == 69
    assert f"nothing is listening at http://127.0.0.1:{port} (connection refused)" in result.stdout, result.stdout


def test_account_link_by_organization_field(ws: Workspace) -> None:
    ws.config.write_text(ws.config.read_text().replace("account_link: external_id",
                                                       "account_link: organization_fields.salesforce_account_id"))
    out = ws.json("pull", "zendesk")
    assert out["organizations_unlinked"] == expected_unlinked(ws.sandbox)


@pytest.mark.parametrize(("org", "link", "account", "problem"), [
    ({"external_id": "001000000004C92AAE"}, "external_id", "001000000004C92AAE", None),
    ({"external_id": "001000000004C92"}, "external_id", "001000000004C92AAE", None),
    ({"external_id": "001000000004C92AAA"}, "external_id", None, "not a valid 15/18-character Salesforce Id"),
    ({"external_id": "アクメ商事"}, "external_id", None, "not a valid"),
    ({"external_id": None, "name": "Acme"}, "external_id", None, "no Salesforce Account Id in external_id"),
    ({"organization_fields": {"sfid": "001000000004C92AAE"}}, "organization_fields.sfid", "001000000004C92AAE", None),
    ({"organization_fields": {}}, "organization_fields.sfid", None, "no Salesforce Account Id"),
])
def test_link_organization(org: dict[str, object], link: str, account: str | None, problem: str | None) -> None:
    got_account, got_problem = link_organization(org, link)
    assert got_account == account
    assert (problem is None and got_problem is None) or (problem and got_problem and problem in got_problem)
