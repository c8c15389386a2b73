"""Pull Zendesk tickets and organizations and Salesforce accounts into the store.

Each page is stored in one transaction together with the cursor or bookmark
that follows it, so a crash at any point loses nothing and duplicates nothing:
the next run resumes from the last stored page.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from connectors.salesforce import SalesforceClient, parse_sf_datetime
from connectors.sfid import is_valid_id, to18
from connectors.zendesk import ZendeskClient
from store import Store
from store.accounts import AccountRow
from store.organizations import OrganizationRow
from store.ticket_text import clean_description, clean_subject
from store.tickets import TicketRow

log = logging.getLogger("csops.pull")

TICKET_CURSOR = "zendesk.tickets.cursor"
ACCOUNT_BOOKMARK = "salesforce.accounts.bookmark"
ORG_CURSOR = "zendesk.organizations.start_time"


class Progress(Protocol):
    """Told how far a stage got: ``n`` more done, and the stage's total once it is known."""

    def __call__(self, what: str, n: int, total: int | None = None) -> None: ...


@dataclass
class ZendeskPullResult:
    tickets_pulled: int = 0
    tickets_deleted: int = 0
    organizations_pulled: int = 0
    organizations_unlinked: int = 0
    organizations_unlinked_new: int = 0
    api_calls: int = 0
    unlinked: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("unlinked")
        return d


@dataclass
class SalesforcePullResult:
    accounts_pulled: int = 0
    accounts_deleted: int = 0
    accounts_left_filter: int = 0  # live accounts changed since the last run so salesforce.where no longer has them
    api_calls: int = 0
    api_usage: str | None = None
    incremental: bool = False
    formula_accounts: int = 0


def start_time_from(start_date: str | None) -> int:
    if not start_date:
        return 0
    try:
        d = datetime.fromisoformat(start_date)
    except ValueError:
        raise ValueError(f"zendesk.start_date: '{start_date}' is not an ISO date (YYYY-MM-DD)") from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return int(d.timestamp())


def link_organization(org: dict[str, Any], account_link: str) -> tuple[str | None, str | None]:
    """The Salesforce Account Id an organization names, or why it names none. Never guessed from names."""
    if account_link == "external_id":
        raw = org.get("external_id")
        where = "external_id"
    elif account_link.startswith("organization_fields."):
        key = account_link.split(".", 1)[1]
        raw = (org.get("organization_fields") or {}).get(key)
        where = account_link
    else:
        raise ValueError(f"zendesk.account_link: '{account_link}' must be 'external_id' or "
                         "'organization_fields.<key>'")
    if raw is None or str(raw).strip() == "":
        return None, f"no Salesforce Account Id in {where}"
    value = str(raw).strip()
    if not is_valid_id(value):
        return None, f"{where} '{value}' is not a valid 15/18-character Salesforce Id"
    return to18(value), None


def ticket_row(t: dict[str, Any], store_text: bool = True) -> TicketRow:
    deleted = t.get("status") == "deleted"
    rating = (t.get("satisfaction_rating") or {}).get("score") if isinstance(t.get("satisfaction_rating"),
                                                                               dict) else None
    subject = clean_subject(t.get("subject")) if store_text else None
    description = clean_description(t.get("description"), t.get("subject")) if store_text else None
    return TicketRow(t["id"], t.get("organization_id"), t.get("status") or "unknown", t.get("priority"),
                     t.get("type"), subject, json.dumps(t.get("tags") or [], ensure_ascii=False), rating,
                     t.get("created_at"), t.get("updated_at"), 1 if deleted else 0, description)


def pull_zendesk(store: Store, client: ZendeskClient, full: bool = False, progress: Progress | None = None,
                 commit: bool = True) -> ZendeskPullResult:
    """Tickets through the cursor export, then every organization.

    With ``commit=False`` (a dry run) records are still stored, so the rules see
    them, but the saved cursor is not advanced.
    """
    result = ZendeskPullResult()
    before = client.session.stats.snapshot().get("zendesk", 0)
    cursor = None if full else store.get_cursor(TICKET_CURSOR)
    start = start_time_from(client.config.start_date) if cursor is None else None
    for page in client.export_tickets(start_time=start, cursor=cursor):
        rows = [ticket_row(t, client.config.store_ticket_text) for t in page.tickets]
        with store.transaction():
            store.upsert_tickets(rows)
            if commit and page.after_cursor:
                store.set_cursor(TICKET_CURSOR, page.after_cursor)
        result.tickets_pulled += len(rows)
        result.tickets_deleted += sum(1 for r in rows if r.deleted)
        if progress:
            progress("tickets", len(rows))
    _pull_organizations(store, client, full, progress, commit, result)
    result.api_calls = client.session.stats.snapshot().get("zendesk", 0) - before
    return result


def _pull_organizations(store: Store, client: ZendeskClient, full: bool, progress: Progress | None, commit: bool,
                        result: ZendeskPullResult) -> None:
    """Organizations through the incremental export, each page stored with the start_time that follows it.

    One summary line per run for the unlinked ones (``csops orgs --unlinked`` lists them all).
    """
    before = {o.id for o in store.unlinked_organizations()}
    saved = None if full else store.get_cursor(ORG_CURSOR)
    replace = saved is None
    for page in client.export_organizations(int(saved) if saved else 0):
        live: list[OrganizationRow] = []
        gone: list[int] = []
        for org in page.organizations:
            if org.get("deleted_at"):
                gone.append(org["id"])
                continue
            account_id, problem = link_organization(org, client.config.account_link)
            live.append(OrganizationRow(org["id"], org.get("name"), account_id, problem, org.get("updated_at")))
        with store.transaction():
            if replace or (page.listed and page.organizations):
                store.delete_organizations()  # first run, --full or the listed fallback: start clean
                replace = False
            store.delete_organizations(gone)
            store.upsert_organizations(live)
            if commit and page.end_time is not None:
                store.set_cursor(ORG_CURSOR, str(page.end_time))
        result.organizations_pulled += len(live)
        if progress:
            progress("organizations", len(live))
    unlinked = store.unlinked_organizations()
    result.unlinked = [{"organization_id": o.id, "name": o.name, "problem": o.problem} for o in unlinked]
    result.organizations_unlinked = len(unlinked)
    result.organizations_unlinked_new = len({o.id for o in unlinked} - before)
    if unlinked:
        log.warning("zendesk: %d organizations are not linked to a Salesforce account (%d new since the last run); "
                    "`csops orgs --unlinked` lists them with the reason", len(unlinked),
                    result.organizations_unlinked_new)


def pull_salesforce(store: Store, client: SalesforceClient, fields: list[str], writeback: list[str] = (),  # type: ignore[assignment]
                    full: bool = False, progress: Progress | None = None,
                    commit: bool = True) -> SalesforcePullResult:
    """Configured fields (and the writeback fields, to diff against) of every account, incrementally."""
    result = SalesforcePullResult()
    before = client.session.stats.snapshot().get("salesforce", 0)
    wanted = client.check_fields(fields, list(writeback))
    bookmark = None if full else store.get_cursor(ACCOUNT_BOOKMARK)
    result.incremental = bookmark is not None
    since = None
    if bookmark:
        since = parse_sf_datetime(bookmark) - timedelta(seconds=client.config.lookback_seconds)
    soql = client.build_query(wanted, since, client.config.where)
    seen: set[str] = set()
    keep_stamp = "SystemModstamp" in wanted  # a field the rules or the configuration read
    for page in client.query_pages(soql, include_deleted=True):
        rows: list[AccountRow] = []
        deleted = 0
        newest = bookmark
        newest_at = parse_sf_datetime(bookmark) if bookmark else None
        for rec in page.records:
            row = account_row(rec, keep_stamp)
            seen.add(row.id)
            deleted += row.deleted
            rows.append(row)
            stamp = row.system_modstamp
            stamp_at = parse_sf_datetime(stamp) if stamp else None
            if stamp_at is not None and (newest_at is None or stamp_at > newest_at):
                newest, newest_at = stamp, stamp_at
        with store.transaction():
            store.upsert_accounts(rows)
            if commit and newest:
                store.set_cursor(ACCOUNT_BOOKMARK, newest)
        result.accounts_pulled += len(rows) - deleted
        result.accounts_deleted += deleted
        if progress:
            progress("accounts", len(rows), total=page.total)
    if since is not None and client.config.where:
        result.accounts_left_filter = _left_filter(store, client, since, seen)
    if full:
        # Accounts a full pull no longer sees were purged (or left the filter): mark them, keep their history.
        gone = sorted(store.live_account_ids() - seen)
        if gone:
            with store.transaction():
                store.mark_accounts_deleted(gone)
            result.accounts_deleted += len(gone)
    result.api_calls = client.session.stats.snapshot().get("salesforce", 0) - before
    result.api_usage = client.api_usage
    return result


def account_row(rec: dict[str, Any], keep_stamp: bool = False) -> AccountRow:
    """A queried record as the store keeps it: ``IsDeleted`` as the row's flag and ``SystemModstamp`` in its own
    column, out of the fields (unless ``keep_stamp``: something reads it), so a record re-read with the values the
    store holds (csops's own writes move the stamp) leaves the row as it is (store.upsert_accounts)."""
    is_deleted = bool(rec.pop("IsDeleted", None))
    stamp = rec.get("SystemModstamp") if keep_stamp else rec.pop("SystemModstamp", None)
    return AccountRow(rec["Id"], json.dumps(rec, ensure_ascii=False), stamp, 1 if is_deleted else 0)


def _left_filter(store: Store, client: SalesforceClient, since: datetime, seen: set[str]) -> int:
    """Mark the live accounts changed since ``since`` that the filtered pull no longer returned: they left
    ``salesforce.where`` (moved to another owner, another type…). An incremental pull asks only for accounts the
    filter selects, so without this an account that left it would stay live in the store, evaluated on its last
    pulled values and written to, until a full pull. One Id-only query of the accounts changed since; how many."""
    changed: set[str] = set()
    for page in client.query_pages(client.build_query([], since), include_deleted=True):
        changed.update(str(r["Id"]) for r in page.records)
    gone = sorted(store.live_among(changed - seen))
    if gone:
        with store.transaction():
            store.mark_accounts_deleted(gone)
        log.info("salesforce: %d accounts changed so salesforce.where no longer selects them; out of scope",
                 len(gone))
    return len(gone)


def refresh_formula_fields(store: Store, client: SalesforceClient, formulas: list[str],
                           result: SalesforcePullResult, progress: Progress | None = None) -> None:
    """Re-read formula fields for every live account (Id and those fields, at the query floor).

    A formula or roll-up field changes value without ``SystemModstamp`` moving (a ``TODAY()`` formula
    does every day), so the incremental pull alone would keep a stale value forever.
    """
    before = client.session.stats.snapshot().get("salesforce", 0)
    for page in client.query_pages(client.formula_query(formulas), include_deleted=False):
        updates = {r["Id"]: {f: r.get(f) for f in formulas} for r in page.records}
        with store.transaction():
            store.merge_account_fields(updates)
        result.formula_accounts += len(updates)
        if progress:
            progress("formula fields", len(updates))
    result.api_calls += client.session.stats.snapshot().get("salesforce", 0) - before
