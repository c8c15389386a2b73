"""Organizations at the call floor through the incremental export, and unlinked organizations summarised and
listed (issue 12, items 8 and 9)."""

from __future__ import annotations

import csv
import io
import json

from connectors.http import RetryPolicy
from connectors.zendesk import ZendeskClient, ZendeskConfig
from sandbox.server import Sandbox
from tests.conftest import Workspace

ORG_EXPORT = "GET /api/v2/incremental/organizations.json"
ORG_LIST = "GET /api/v2/organizations"
TODAY = ("--today", "2026-11-23")


def zendesk(sb: Sandbox) -> ZendeskClient:
    o = sb.options
    return ZendeskClient(ZendeskConfig(base_url=sb.url, email=o.zendesk_email, api_token=o.zendesk_token),
                         RetryPolicy(backoff_base=0.01))


def test_an_unchanged_sync_reads_organizations_in_one_call(ws: Workspace) -> None:
    sb = ws.sandbox
    ws.json("sync", *TODAY)
    assert sb.stats[ORG_EXPORT] == 1 and sb.stats[ORG_LIST] == 0
    sb.reset_stats()
    ws.json("sync", *TODAY)
    assert sb.stats[ORG_EXPORT] == 1 and sb.stats[ORG_LIST] == 0
    # a fixed link and a deleted organization arrive in that same one call
    unlinked = next(i for i, o in sb.data.organizations.items() if not o["external_id"])
    account = next(a for a in sb.data.accounts if a not in {o["external_id"] for o in sb.data.organizations.values()})
    sb.zendesk.update_organization(unlinked, external_id=account)
    deleted = next(i for i, o in sb.data.organizations.items() if o["external_id"] and i != unlinked)
    sb.zendesk.delete_organization(deleted)
    sb.reset_stats()
    out = ws.json("sync", *TODAY)
    assert sb.stats[ORG_EXPORT] == 1
    rows = dict(ws.store_rows("SELECT id, account_id FROM organizations"))
    assert rows[unlinked] == account and deleted not in rows
    assert out["zendesk"]["organizations_unlinked_new"] == 0


def test_pages_follow_end_time_and_a_page_that_does_not_advance_falls_back_to_the_list(sandbox: Sandbox) -> None:
    client = zendesk(sandbox)
    pages = list(client.export_organizations(0, per_page=10))
    seen = {o["id"] for p in pages for o in p.organizations}
    assert seen == set(sandbox.data.organizations)
    assert pages[-1].end_of_stream and sum(len(p.organizations) for p in pages) <= len(seen) + len(pages)
    # twelve organizations updated in the same second: a full page of 10 cannot advance end_time
    for org_id in list(sandbox.data.organizations)[:12]:
        sandbox.data.organizations[org_id]["updated_at"] = "2026-11-01T00:00:00Z"
    sandbox.reset_stats()
    start = 1_793_491_200  # 2026-11-01T00:00:00Z
    pages = list(client.export_organizations(start, per_page=10))
    assert sandbox.stats[ORG_EXPORT] == 1, "stopped at the first page that did not advance"
    assert {o["id"] for p in pages for o in p.organizations} == {i for i, o in sandbox.data.organizations.items()
                                                                  if not o.get("deleted_at")}
    assert pages[-1].end_time == start + 1


def test_unlinked_organizations_one_summary_line_and_the_orgs_command(ws: Workspace) -> None:
    sb = ws.sandbox
    first = ws.run("sync", *TODAY, check=True)
    unlinked = {i for i, o in sb.data.organizations.items() if not (o["external_id"] or "").startswith("001")
                or len(o["external_id"]) < 15}
    lines = [line for line in first.stderr.splitlines() if "not linked" in line]
    assert len(lines) == 1, first.stderr
    assert f"{len(unlinked)} organizations are not linked to a Salesforce account ({len(unlinked)} new" in lines[0]
    org = next(i for i, o in sb.data.organizations.items() if i not in unlinked)
    sb.zendesk.update_organization(org, external_id=None)
    second = ws.run("sync", *TODAY, check=True)
    assert f"{len(unlinked) + 1} organizations are not linked to a Salesforce account (1 new since the last run)" \
        in second.stderr
    listed = json.loads(ws.cli("orgs", "--unlinked", "--json").stdout)
    assert {int(r["id"]) for r in listed if r["kind"] == "organization"} == unlinked | {org}
    name = sb.data.organizations[org]["name"]
    account = next(r for r in listed if r["kind"] == "account" and r["name"] == name)
    assert account["reason"] == f"no Zendesk organization carries this Account Id (organization {org} has the " \
                                "same name but no valid link)"
    linked_accounts = {o["external_id"] for i, o in sb.data.organizations.items() if i not in unlinked | {org}}
    assert {r["id"] for r in listed if r["kind"] == "account"} == set(sb.data.accounts) - linked_accounts
    table = list(csv.DictReader(io.StringIO(ws.cli("orgs", "--unlinked", "--csv").stdout)))
    assert table == listed
    text = ws.cli("orgs", "--unlinked").stdout
    assert f"{len(unlinked) + 1} Zendesk organizations not linked" in text
