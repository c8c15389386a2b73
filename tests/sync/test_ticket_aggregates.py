"""The ticket aggregates a sync reads are kept per account in the store and computed again only for the accounts
whose tickets or organizations changed in the pull (and for every account on a new day) (issue 29). Each case runs
``csops sync`` against the sandbox and checks the facts every account was evaluated with against the sandbox's
tickets counted here, and the kept table against the grouped query over every ticket, on both store engines."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from sandbox.server import Sandbox
from store import open_store
from sync.facts import OPEN
from tests.conftest import Workspace
from tests.store_sql import rows

TODAY = date(2026, 11, 23)
FACTS = ("tickets_open", "urgent_open", "tickets_last_30d", "csat_bad_30d")


@pytest.fixture
def ws(ws: Workspace, store_url: str) -> Workspace:
    """The workspace with its store on each engine."""
    text = ws.config.read_text(encoding="utf-8")
    assert "  url: sqlite:///.csops/state.db\n" in text
    ws.config.write_text(text.replace("  url: sqlite:///.csops/state.db\n", f"  url: {store_url}\n"), encoding="utf-8")
    ws.store_url = store_url  # type: ignore[attr-defined]
    return ws


def sync(ws: Workspace, today: date = TODAY) -> dict[str, Any]:
    return ws.json("sync", "--today", today.isoformat(), "--allow-mass-change")


def counted(sb: Sandbox, today: date = TODAY) -> dict[str, dict[str, int]]:
    """The aggregates as the README defines them, from the sandbox's own data: per account its linked (live)
    organizations' live tickets."""
    since = (today - timedelta(days=30)).isoformat()
    account_of = {o["id"]: o["external_id"] for o in sb.data.organizations.values()
                  if o.get("external_id") and not o.get("deleted_at") and len(o["external_id"]) in (15, 18)}
    out = {a: dict.fromkeys(FACTS, 0) for a in sb.data.accounts}
    for t in sb.data.tickets.values():
        account = account_of.get(t.get("organization_id"))
        if account not in out or t["status"] == "deleted":
            continue
        got = out[account]
        is_open = t["status"] in OPEN
        got["tickets_open"] += is_open
        got["urgent_open"] += is_open and t.get("priority") == "urgent"
        got["tickets_last_30d"] += (t.get("created_at") or "") >= since
        got["csat_bad_30d"] += ((t.get("satisfaction_rating") or {}).get("score") == "bad"
                                and (t.get("updated_at") or "") >= since)
    return out


def seen(ws: Workspace) -> dict[str, dict[str, int]]:
    """The aggregate facts each account's stored evaluation was made with."""
    return {a: {f: json.loads(r)["facts"][f] for f in FACTS}
            for a, r in rows(ws.store_url, "SELECT account_id, result FROM evaluations")}  # type: ignore[attr-defined]


def check(ws: Workspace, today: date = TODAY) -> None:
    assert seen(ws) == counted(ws.sandbox, today)
    store = open_store(ws.store_url, ws.path)  # type: ignore[attr-defined]
    try:
        d7, d30 = ((today - timedelta(days=n)).isoformat() for n in (7, 30))
        assert store.kept_ticket_aggregates(OPEN, d7, d30) == store.ticket_aggregates(OPEN, d7, d30)
    finally:
        store.close()


def evaluated(out: dict[str, Any]) -> int:
    return int(out["rules"]["accounts_evaluated"])


def linked(sb: Sandbox) -> dict[int, str]:
    return {o: v["external_id"] for o, v in sorted(sb.data.organizations.items())
            if v.get("external_id") and len(v["external_id"]) == 18}


def open_ticket(sb: Sandbox, org: int) -> int:
    return next(t for t, v in sorted(sb.data.tickets.items()) if v.get("organization_id") == org
                and v["status"] in ("new", "open"))


def new_organization(sb: Sandbox, org_id: int) -> None:
    """An organization created in Zendesk with no Salesforce Account Id yet."""
    with sb.lock:
        sb.data.organizations[org_id] = {"id": org_id, "name": f"新規 {org_id}", "external_id": None,
                                         "organization_fields": {}, "created_at": None, "deleted_at": None,
                                         "tags": [], "domain_names": []}
    sb.zendesk.update_organization(org_id)  # its updated_at as the sandbox stamps a change


def test_a_ticket_that_moves_to_another_organization_refreshes_both_accounts(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws)
    check(ws)
    orgs = linked(sb)
    (a_org, a), (b_org, b) = list(orgs.items())[:2]
    ticket = open_ticket(sb, a_org)
    before = counted(sb)
    sb.zendesk.update_tickets([ticket], organization_id=b_org)
    out = sync(ws)
    after = counted(sb)
    assert after[a]["tickets_open"] == before[a]["tickets_open"] - 1
    assert after[b]["tickets_open"] == before[b]["tickets_open"] + 1
    assert evaluated(out) == 2  # the account the ticket left and the one it joined
    check(ws)


def test_a_deleted_ticket_leaves_its_accounts_figures(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws)
    org, account = next(iter(linked(sb).items()))
    ticket = open_ticket(sb, org)
    before = counted(sb)[account]["tickets_open"]
    sb.zendesk.update_tickets([ticket], status="deleted")
    sync(ws)
    assert seen(ws)[account]["tickets_open"] == before - 1
    check(ws)


def test_tickets_of_an_organization_linked_later_count_from_then_on(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws)
    account = next(iter(linked(sb).values()))
    org = max(sb.data.organizations) + 1
    new_organization(sb, org)
    sb.zendesk.add_tickets(3, organization_id=org)
    out = sync(ws)
    assert evaluated(out) == 0  # the tickets belong to no account yet
    check(ws)
    before = seen(ws)[account]["tickets_open"]
    sb.zendesk.update_organization(org, external_id=account)
    out = sync(ws)
    assert evaluated(out) == 1
    assert seen(ws)[account]["tickets_open"] == before + 3
    check(ws)


def test_an_organization_moved_or_deleted_refreshes_the_accounts_it_left_and_joined(ws: Workspace) -> None:
    sb = ws.sandbox
    sync(ws)
    orgs = linked(sb)
    (a_org, a), (_, b) = list(orgs.items())[:2]
    sb.zendesk.update_organization(a_org, external_id=b)  # the organization now names account b
    sync(ws)
    assert counted(sb)[a] == dict.fromkeys(FACTS, 0)
    check(ws)
    sb.zendesk.delete_organization(a_org)
    sync(ws)
    check(ws)


def test_a_new_day_computes_every_account_again(ws: Workspace) -> None:
    """tickets_last_30d moves with the day though no ticket changed."""
    sb = ws.sandbox
    sync(ws)
    later = TODAY + timedelta(days=20)
    assert counted(sb, later) != counted(sb)
    sync(ws, later)
    check(ws, later)
