"""``csops orgs --unlinked``: Zendesk organizations and Salesforce accounts that the sync cannot join."""

from __future__ import annotations

import io

import click

from base.csvfile import SpreadsheetWriter
from base.terminal import table
from csops.shell import App, emit_json, pass_app

COLUMNS = ["kind", "id", "name", "reason"]


@click.command()
@click.option("--unlinked", is_flag=True, required=True,
              help="List every organization without a valid Salesforce Account Id, and every account no "
                   "organization links to, with the reason.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print as CSV (kind, id, name, reason), e.g. for a spreadsheet.")
@pass_app
def orgs(app: App, unlinked: bool, as_json: bool, as_csv: bool) -> None:
    """What the last pull could not link: Zendesk organizations and Salesforce accounts, with the reason.

    \b
    A ticket counts for an account only through an organization whose
    external_id (or zendesk.account_link) holds the account's 15/18-character
    Id; names are never matched. Fix the organizations in Zendesk, then run
    `csops sync` (no API call here: this reads the store).
    """
    rows = unlinked_rows(app)
    if as_json:
        emit_json(rows)
        return
    if as_csv:
        out = io.StringIO()
        writer = SpreadsheetWriter(out)
        writer.writerow(COLUMNS)
        writer.writerows([r[c] for c in COLUMNS] for r in rows)
        click.echo(out.getvalue(), nl=False)
        return
    orgs_n = sum(1 for r in rows if r["kind"] == "organization")
    click.echo(f"{orgs_n:,} Zendesk organizations not linked, {len(rows) - orgs_n:,} Salesforce accounts without "
               "an organization")
    if rows:
        click.echo(table([COLUMNS, *([r[c] for c in COLUMNS] for r in rows)]))


def unlinked_rows(app: App) -> list[dict[str, str]]:
    store = app.store
    unlinked = store.unlinked_organizations()
    same_name = {str(n): i for i, n, _ in unlinked if n}
    rows = [{"kind": "organization", "id": str(i), "name": n or "", "reason": why} for i, n, why in unlinked]
    for account_id, name in store.accounts_without_organization():
        reason = "no Zendesk organization carries this Account Id"
        if name and name in same_name:
            reason += f" (organization {same_name[name]} has the same name but no valid link)"
        rows.append({"kind": "account", "id": account_id, "name": name or "", "reason": reason})
    return rows
