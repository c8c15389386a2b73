"""``csops pull zendesk|salesforce``."""

from __future__ import annotations

from typing import Any

import click

from base.errors import UsageError
from base.suggest import suggest
from base.terminal import table
from csops.display import show
from csops.shell import App, emit_json, pass_app, progress_for, salesforce_client, zendesk_client
from sync.pull import pull_salesforce, pull_zendesk


class _PullGroup(click.Group):
    """``csops pull zendesk|salesforce``, and ``csops pull NAME`` for each SQL source of the rule files."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or _source_command(cmd_name)


@click.group(cls=_PullGroup)
def pull() -> None:
    """Pull remote records into the state store (incrementally; --full for everything).

    csops pull NAME pulls one SQL source of the rule files (sources:); with
    --preview it shows the first rows as the rules will see them and stores
    nothing.
    """


def _source_command(name: str) -> click.Command:
    @click.command(name)
    @click.option("--preview", is_flag=True, help="Show the first 10 rows the next pull would get, as the rules "
                                                  "will see them; store nothing.")
    @click.option("--full", is_flag=True, help="Run the query from the beginning (:since at 1970-01-01).")
    @click.option("--json", "as_json", is_flag=True, help="Print the counts (or the preview rows) as JSON.")
    @pass_app
    def pull_source_cmd(app: App, preview: bool, full: bool, as_json: bool) -> None:
        _pull_source(app, name, preview, full, as_json)

    return pull_source_cmd


def _pull_source(app: App, name: str, preview: bool, full: bool, as_json: bool) -> None:
    from sync.sources import preview as preview_rows
    from sync.sources import pull_source

    rs, _ = app.load_rules()
    source = rs.sources.get(name)
    if source is None:
        known = ["zendesk", "salesforce", *rs.sources]
        raise UsageError(f"no source '{name}'{suggest(name, known)}: csops pull takes one of {', '.join(known)} "
                         "(SQL sources are the rule files' sources:)")
    if preview:
        header, rows = preview_rows(app.store, rs, source, app.config.base_dir)
        if as_json:
            emit_json([dict(zip(header, (_plain(v) for v in row), strict=True)) for row in rows])
            return
        click.echo(table([header, *([show(v) for v in row] for row in rows)]))
        click.echo(f"{len(rows)} rows shown (the first of the next pull); nothing was stored")
        return
    with app.run_lock():
        result = pull_source(app.store, source, app.config.base_dir, full=full)
    if as_json:
        emit_json(result.summary())
    else:
        click.echo(f"{name}: {result.rows} rows ({result.changed} new or changed, {result.skipped} without an "
                   f"account key)" + (f", since {result.since}" if result.since else ", a full query"))


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


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
