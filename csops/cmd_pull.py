"""``csops pull zendesk|salesforce``."""

from __future__ import annotations

import click

from csops.shell import App, emit_json, pass_app, progress_for, salesforce_client, zendesk_client
from sync.pull import pull_salesforce, pull_zendesk


@click.group()
def pull() -> None:
    """Pull remote records into the state store (incrementally; --full for everything)."""


@pull.command("zendesk")
@click.option("--full", is_flag=True, help="Start the ticket export from zendesk.start_date again (this also "
                                          "fills in the text of tickets stored before csops kept it).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def pull_zendesk_cmd(app: App, full: bool, as_json: bool) -> None:
    """Pull tickets (cursor incremental export) and organizations.

    Each page of tickets is stored with its cursor in one transaction: a run
    killed midway resumes from the last stored page with nothing lost.
    """
    with app.run_lock():
        client = zendesk_client(app)
        progress = progress_for(app, as_json)
        try:
            result = pull_zendesk(app.store, client, full=full, progress=progress)
        finally:
            progress.done()
    if as_json:
        emit_json(result.summary())
    else:
        click.echo(f"zendesk: {result.tickets_pulled} tickets pulled ({result.tickets_deleted} deleted), "
                   f"{result.organizations_pulled} organizations ({result.organizations_unlinked} not linked to "
                   f"a Salesforce account), {result.api_calls} API calls")


@pull.command("salesforce")
@click.option("--full", is_flag=True, help="Query every account, not only those changed since the bookmark.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def pull_salesforce_cmd(app: App, full: bool, as_json: bool) -> None:
    """Pull the configured account fields (salesforce.fields and the rules' writeback fields)."""
    with app.run_lock():
        client = salesforce_client(app)
        progress = progress_for(app, as_json)
        fields, writeback = app.salesforce_fields()
        try:
            result = pull_salesforce(app.store, client, fields, writeback, full=full, progress=progress)
        finally:
            progress.done()
    if as_json:
        emit_json({"accounts_pulled": result.accounts_pulled, "accounts_deleted": result.accounts_deleted,
                   "api_calls": result.api_calls, "api_usage": result.api_usage})
    else:
        click.echo(f"salesforce: {result.accounts_pulled} accounts pulled ({result.accounts_deleted} deleted), "
                   f"{result.api_calls} API calls, org API usage {result.api_usage or 'unknown'}")
