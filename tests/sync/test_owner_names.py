"""The sync fetches the Account owners' names (Salesforce ``User.Name``) once per run, for the owners it saw, in
queries short enough for the REST API's URI limit; ``csops alerts`` and the report name people, not Ids."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest

from sandbox.data import sf_id
from sandbox.salesforce_tasks import USER_NAMES
from tests.conftest import Workspace


def user_queries(ws: Workspace) -> list[str]:
    return [q for _, path, _ in ws.sandbox.recent if "FROM User" in (q := unquote_plus(path))]


@pytest.mark.parametrize("sandbox", [{"accounts": 450, "tickets": 10}], indirect=True)
def test_a_sync_names_every_owner_in_queries_the_api_accepts(ws: Workspace) -> None:
    sb = ws.sandbox
    owners = [sf_id("005", 1000 + i) for i in range(len(sb.data.accounts))]  # every account its own owner
    for owner, account in zip(owners, sb.data.accounts.values(), strict=True):
        account["OwnerId"] = owner
        sb.tasks.users[owner] = True
    names = {o: f"担当 {i:03d}" for i, o in enumerate(owners)}
    USER_NAMES.update(names)
    try:
        result = ws.cli("sync", "--today", "2026-11-23")
        assert result.exit_code == 0, result.output
        queries = user_queries(ws)
        assert len(queries) == 3  # 450 owners, 200 a query: one run, no query per owner
        assert all(status == 200 for _, path, status in sb.recent if "FROM+User" in path or "FROM%20User" in path)
        stored = dict(ws.store_rows("SELECT id, name FROM owners"))
        assert stored == names
        # the next sync asks again (a CSM renamed or replaced shows up) and keeps one row per owner
        USER_NAMES[owners[0]] = "担当 改名"
        sb.recent.clear()
        assert ws.cli("sync", "--today", "2026-11-24").exit_code == 0
        assert len(user_queries(ws)) == 3
        assert ws.store_rows(f"SELECT name FROM owners WHERE id = '{owners[0]}'") == [("担当 改名",)]
        assert ws.store_rows("SELECT COUNT(*) FROM owners") == [(450,)]
    finally:
        for o in owners:
            USER_NAMES.pop(o, None)


def test_the_sandbox_refuses_a_query_uri_over_16384_bytes(ws: Workspace) -> None:
    """What a client that put every owner in one query would meet (Salesforce Help 000386264: 414 URI Too Long)."""
    from connectors.salesforce import format_soql
    from tests.connectors.test_salesforce import client

    c = client(ws.sandbox)
    ids = ", ".join(format_soql("{}", sf_id("005", 1000 + i)) for i in range(800))
    from base.errors import Failure

    with pytest.raises(Failure) as err:
        c.query_records(f"SELECT Id, Name FROM User WHERE Id IN ({ids})")
    assert "414" in str(err.value) or "URI" in str(err.value), err.value
    assert len(c.user_names({sf_id("005", 1000 + i) for i in range(800)})) == 800  # batched: accepted


def test_alerts_and_the_report_show_owner_names(ws: Workspace) -> None:
    assert ws.cli("sync", "--today", "2026-11-23").exit_code == 0
    alerts = json.loads(ws.cli("alerts", "--json").stdout)
    owners = {a["OwnerId"] for a in ws.sandbox.data.accounts.values()}
    assert alerts and {a["owner"] for a in alerts} <= {USER_NAMES[o] for o in owners}
    table = ws.cli("alerts").stdout
    assert table.splitlines()[0].split()[:4] == ["severity", "account", "name", "owner"]
    assert any(USER_NAMES[o] in table for o in owners)
    assert not any(o in table for o in owners)  # no User Id where a name is known
