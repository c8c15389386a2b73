"""The Salesforce connector and `csops pull salesforce` against the sandbox over loopback HTTP."""

from __future__ import annotations

import math
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectors.http import AuthenticationFailed, BudgetExhausted, CallStats, RequestRejected, RetryPolicy
from connectors.salesforce import SalesforceClient, SalesforceConfig, validate_where
from sandbox.server import Sandbox
from tests.conftest import Workspace

QUERY = ("GET /services/data/{version}/queryAll/", "GET /services/data/{version}/queryAll/{locator}")
PATCH = "PATCH /services/data/{version}/composite/sobjects"
DESCRIBE = "GET /services/data/{version}/sobjects/{sobject}/describe"


def client(sb: Sandbox, **kw: Any) -> SalesforceClient:
    o = sb.options
    cfg = SalesforceConfig(instance_url=sb.url, login_url=sb.url, auth=kw.pop("auth", "password"),
                           username=o.sf_username, password=o.sf_password, security_token=o.sf_security_token, **kw)
    return SalesforceClient(cfg, RetryPolicy(backoff_base=0.01, max_attempts=8), CallStats())


def bookmark(ws: Workspace) -> str | None:
    rows = ws.store_rows("SELECT value FROM cursors WHERE name = 'salesforce.accounts.bookmark'")
    return rows[0][0] if rows else None


@pytest.mark.parametrize("sandbox", [{"accounts": 4500, "tickets": 10}], indirect=True)
def test_every_account_in_the_floor_of_query_calls(ws: Workspace) -> None:
    sb = ws.sandbox
    out = ws.json("pull", "salesforce")
    assert out["accounts_pulled"] == len(sb.data.accounts)
    assert sorted(r[0] for r in ws.store_rows("SELECT id FROM accounts")) == sorted(sb.data.accounts)
    assert sum(sb.stats[q] for q in QUERY) == math.ceil(len(sb.data.accounts) / 2000)
    assert sb.stats[DESCRIBE] == 1
    assert out["api_usage"] == sb.salesforce.usage
    fields = ws.store_rows("SELECT fields FROM accounts LIMIT 1")[0][0]
    assert "Contract_Start_Date__c" in fields and "Onboarding_Status__c" in fields


def test_incremental_pull_and_deletions(ws: Workspace) -> None:
    sb = ws.sandbox
    ws.json("pull", "salesforce")
    first = bookmark(ws)
    ids = list(sb.data.accounts)
    c = client(sb)
    c.update({ids[0]: {"Name": "改名テスト"}})
    from datetime import UTC, datetime

    from sandbox.data import sf_datetime
    sb.data.accounts[ids[1]]["IsDeleted"] = True
    sb.data.accounts[ids[1]]["SystemModstamp"] = sf_datetime(datetime.now(UTC))
    out = ws.json("pull", "salesforce")
    assert out["accounts_deleted"] == 1
    assert out["accounts_pulled"] >= 1
    assert bookmark(ws) > first  # type: ignore[operator]
    assert ws.store_rows(f"SELECT deleted FROM accounts WHERE id = '{ids[1]}'") == [(1,)]
    assert "改名テスト" in ws.store_rows(f"SELECT fields FROM accounts WHERE id = '{ids[0]}'")[0][0]
    # purged records (gone even from queryAll) are found by --full
    del sb.data.accounts[ids[2]]
    full = ws.json("pull", "salesforce", "--full")
    assert full["accounts_deleted"] >= 1
    assert ws.store_rows(f"SELECT deleted FROM accounts WHERE id = '{ids[2]}'") == [(1,)]


@pytest.mark.parametrize("sandbox", [{"accounts": 1000, "tickets": 10}], indirect=True)
def test_1000_updates_in_5_calls(sandbox: Sandbox) -> None:
    c = client(sandbox)
    changes = {i: {"Health_Score__c": 150.0, "Onboarding_Status__c": "順調"} for i in sandbox.data.accounts}
    sandbox.reset_stats()
    result = c.update(changes)
    assert sandbox.stats[PATCH] == 5
    assert result.api_calls == 5
    assert len(result.written) == 1000 and not result.failed
    assert all(a["Health_Score__c"] == 150.0 for a in sandbox.data.accounts.values())


def test_per_record_failures_are_reported_never_swallowed(sandbox: Sandbox) -> None:
    c = client(sandbox)
    ids = list(sandbox.data.accounts)
    sandbox.salesforce.reject[ids[0]] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "フェーズが不正です")
    result = c.update({
        ids[0]: {"Onboarding_Status__c": "順調"},
        ids[1]: {"Health_Score__c": "high"},
        ids[2]: {"No_Such__c": 1},
        "001BADID": {"Health_Score__c": 1.0},
        ids[3]: {"Onboarding_Phase__c": "x" * 300},
        ids[4]: {"Health_Score__c": 99.0},
    })
    failed = {f.id: f for f in result.failed}
    assert result.written == [ids[4]]
    assert failed[ids[0]].status_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert failed[ids[0]].message == "フェーズが不正です"
    assert failed[ids[1]].status_code == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    assert failed[ids[2]].status_code == "INVALID_FIELD" and failed[ids[2]].fields == ["No_Such__c"]
    assert failed["001BADID"].status_code == "MALFORMED_ID"
    assert failed[ids[3]].status_code == "STRING_TOO_LONG"


@pytest.mark.parametrize("sandbox", [{"accounts": 600, "tickets": 10}], indirect=True)
def test_faults_and_locked_rows_nothing_lost_or_written_twice(sandbox: Sandbox) -> None:
    c = client(sandbox)
    sandbox.fail_rate = 0.3
    changes = {i: {"Health_Score__c": 42.0} for i in sandbox.data.accounts}
    result = c.update(changes)
    sandbox.fail_rate = 0.0
    assert sandbox.faults > 0
    locked = [f for f in result.failed if f.status_code == "UNABLE_TO_LOCK_ROW"]
    assert len(result.written) + len(result.failed) == len(changes)
    assert len(locked) == len(result.failed)  # only rows locked through every retry may fail
    assert all(n == 1 for n in sandbox.salesforce.writes.values())
    assert sum(sandbox.salesforce.writes.values()) == len(result.written)


@pytest.mark.parametrize("sandbox", [{"accounts": 300, "tickets": 10}], indirect=True)
def test_bulk_api_above_the_threshold(sandbox: Sandbox) -> None:
    c = client(sandbox, bulk_threshold=100)
    ids = list(sandbox.data.accounts)
    sandbox.data.accounts[ids[0]]["Onboarding_Phase__c"] = "old"
    sandbox.salesforce.reject[ids[5]] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "locked by rule")
    changes: dict[str, dict[str, Any]] = {i: {"Health_Score__c": 10.0} for i in ids[:250]}
    changes[ids[0]] = {"Health_Score__c": 10.0, "Onboarding_Phase__c": None}
    sandbox.reset_stats()
    result = c.update(changes)
    assert sandbox.stats[PATCH] == 0
    assert sandbox.stats["POST /services/data/{version}/jobs/ingest"] == 1
    assert [f.id for f in result.failed] == [ids[5]]
    assert result.failed[0].status_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert len(result.written) == 249
    # None becomes #N/A (null); a field a record does not change stays as it was
    assert sandbox.data.accounts[ids[0]]["Onboarding_Phase__c"] is None
    assert sandbox.data.accounts[ids[1]]["Health_Score__c"] == 10.0


def test_request_limit_exceeded_exits_75_with_bookmark_unchanged(ws: Workspace) -> None:
    sb = ws.sandbox
    ws.json("pull", "salesforce")
    before = bookmark(ws)
    sb.options.sf_daily_limit = sb.salesforce.used
    result = ws.cli("pull", "salesforce")
    assert result.exit_code == 75
    assert "REQUEST_LIMIT_EXCEEDED" in result.stderr
    assert bookmark(ws) == before
    sb.options.sf_daily_limit = 100_000
    assert ws.cli("pull", "salesforce").exit_code == 0


def test_budget_stops_before_the_limit(ws: Workspace) -> None:
    sb = ws.sandbox
    sb.options.sf_daily_limit = 100
    sb.salesforce.used = 85
    result = ws.cli("pull", "salesforce")
    assert result.exit_code == 75
    assert "past the budget salesforce.max_daily_usage_pct=80" in result.stderr
    assert sb.salesforce.used <= 87  # login + describe at most, no query


def test_misspelled_field_gets_a_suggestion(ws: Workspace) -> None:
    ws.config.write_text(ws.config.read_text().replace("fields: [Name]", "fields: [Nmae, Licensed_Users_c]"))
    pull = ws.cli("pull", "salesforce")
    assert pull.exit_code == 78
    assert "Account has no field 'Nmae' (did you mean 'Name'?)" in pull.stderr
    assert "(did you mean 'Licensed_Users__c'?)" in pull.stderr
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 78
    assert "FAIL salesforce fields" in doctor.stdout and "(did you mean 'Name'?)" in doctor.stdout


def test_expired_session_logs_in_again_once(sandbox: Sandbox) -> None:
    c = client(sandbox)
    c.describe()
    sandbox.salesforce.expire_sessions()
    pages = list(c.query_pages(c.build_query(["Name"])))
    assert sum(len(p.records) for p in pages) == len(sandbox.data.accounts)
    assert sandbox.stats["POST /services/Soap/u/{version}"] == 2


@pytest.mark.parametrize("sandbox", [{"accounts": 4500, "tickets": 10}], indirect=True)
def test_the_next_page_is_fetched_while_one_is_handled_and_its_error_comes_with_it(sandbox: Sandbox) -> None:
    c = client(sandbox, max_daily_usage_pct=100)
    c.describe()
    sandbox.options.sf_daily_limit = sandbox.salesforce.used + 2  # the query and one query more, not a second
    pages = c.query_pages(c.build_query(["Name"]))
    first = next(pages)
    more = "GET /services/data/{version}/queryAll/{locator}"
    deadline = time.monotonic() + 10
    while sandbox.stats[more] == 0 and time.monotonic() < deadline:  # the caller still holds the first page
        time.sleep(0.01)
    assert sandbox.stats[more] == 1
    second = next(pages)
    assert (len(first.records), len(second.records)) == (2000, 2000)
    with pytest.raises(BudgetExhausted):  # the third page's call failed: raised where that page is asked for
        next(pages)


def test_session_mode_cannot_log_in_again(sandbox: Sandbox) -> None:
    c = client(sandbox, auth="session", session_id="00D5g00000SandB!expiredexpiredexpiredexpired")
    with pytest.raises(AuthenticationFailed, match="INVALID_SESSION_ID"):
        c.describe()


def test_wrong_password_is_not_retried(sandbox: Sandbox) -> None:
    o = sandbox.options
    cfg = SalesforceConfig(instance_url=sandbox.url, login_url=sandbox.url, username=o.sf_username,
                           password="wrong", security_token=o.sf_security_token)
    with pytest.raises(AuthenticationFailed, match="INVALID_LOGIN"):
        SalesforceClient(cfg, RetryPolicy(backoff_base=0.01)).describe()
    assert sandbox.stats["POST /services/Soap/u/{version}"] == 1


def test_client_credentials_and_jwt_modes(sandbox: Sandbox, tmp_path: Path) -> None:
    sf = sandbox.salesforce
    cc = SalesforceClient(SalesforceConfig(instance_url=sandbox.url, login_url=sandbox.url,
                                           auth="client_credentials", consumer_key=sf.consumer_key,
                                           consumer_secret=sf.consumer_secret))
    assert "Name" in cc.describe()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(pem)
    jwt_client = SalesforceClient(SalesforceConfig(instance_url=sandbox.url, login_url=sandbox.url, auth="jwt",
                                                   consumer_key=sf.consumer_key,
                                                   username=sandbox.options.sf_username,
                                                   private_key_file=str(key_file)))
    assert "Name" in jwt_client.describe()


@pytest.mark.parametrize("where", ["Name = 'x'; DELETE", "Name = 'x' LIMIT 1", "(Name = 'x'", "Name = 'x')",
                                   "Name = 'x' ORDER BY Name", "Name = 'unterminated"])
def test_where_filter_cannot_end_or_extend_the_statement(where: str) -> None:
    with pytest.raises(RequestRejected, match=r"salesforce\.where"):
        validate_where(where)


def test_where_filter_allows_conditions_and_quoted_keywords() -> None:
    assert validate_where("Type = 'Customer' AND (Name LIKE 'LIMIT%' OR Industry = 'O''Brien; Co')") \
        .startswith("(")


def test_where_filter_is_applied(ws: Workspace) -> None:
    ws.config.write_text(ws.config.read_text().replace("fields: [Name]",
                                                       "fields: [Name]\n  where: Product__c = 'Analytics'"))
    out = ws.json("pull", "salesforce")
    expected = sum(1 for a in ws.sandbox.data.accounts.values() if a["Product__c"] == "Analytics")
    assert out["accounts_pulled"] == expected


def test_loopback_adapter_is_never_mounted_for_a_real_host() -> None:
    import requests

    from connectors.http import mount_loopback

    s = requests.Session()
    assert not mount_loopback(s, "https://acme.my.salesforce.com")
    assert not mount_loopback(s, "http://10.0.0.5:8080")
    assert mount_loopback(s, "http://127.0.0.1:8080")
    assert "https://127.0.0.1:8080/" in s.adapters


def test_budget_exhausted_is_raised_by_the_client(sandbox: Sandbox) -> None:
    c = client(sandbox, max_daily_usage_pct=1)
    sandbox.options.sf_daily_limit = 10
    sandbox.salesforce.used = 5
    c.describe()
    assert c.api_usage == "6/10"
    with pytest.raises(BudgetExhausted):
        c.call(lambda sf: None, "noop")


def test_writeback_field_must_be_updateable(ws: Workspace, tmp_path: Path) -> None:
    from tests.conftest import RULES

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text(encoding="utf-8").replace("  Onboarding_Alerts__c: alerts",
                                                               "  SystemModstamp: alerts"), encoding="utf-8")
    ws.config.write_text(ws.config.read_text().replace(f"files: [{RULES}]", f"files: [{rules}]"))
    result = ws.cli("pull", "salesforce")
    assert result.exit_code == 78
    assert "Account.SystemModstamp is not updateable" in result.stderr
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 78 and "is not updateable" in doctor.stdout


@pytest.mark.parametrize("sandbox", [{"accounts": 4500, "tickets": 10}], indirect=True)
def test_a_query_answers_every_page_as_of_its_own_time(sandbox: Sandbox) -> None:
    """The sandbox builds a page's records only when that page is asked for; the values are still those of the
    moment the query ran, the day its formula fields were computed for included, as the first page's are."""
    c = client(sandbox)
    c.describe()
    pages = c.query_pages(c.build_query(["Name", "Contract_Age_Days__c"]))
    first = next(pages)
    expected = {r["Id"]: (r["Name"], r["Contract_Age_Days__c"]) for r in first.records}
    with sandbox.lock:
        before = {i: (row["Name"], row.get("Contract_Start_Date__c")) for i, row in sandbox.data.accounts.items()}
        for row in sandbox.data.accounts.values():
            row["Name"] = "renamed after the query"
        day = sandbox.today
        sandbox.today = date.fromordinal(day.toordinal() + 3)
    rest = [r for p in pages for r in p.records]
    assert len(first.records) + len(rest) == 4500 and len(rest) == 2500
    for r in rest:
        name, start = before[r["Id"]]
        age = None if not start else float((day - date.fromisoformat(start)).days)
        expected[r["Id"]] = (name, age)
        assert (r["Name"], r["Contract_Age_Days__c"]) == (name, age)
    assert len(expected) == 4500
