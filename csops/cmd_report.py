"""``csops report`` and ``csops nps import``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from csops.config import ConfigError
from csops.shell import App, emit_json, pass_app, salesforce_client
from report.compute import build
from report.html import as_html
from report.load import ReportError, load_input, resolve_period
from report.model import SPLITS
from report.nps_csv import read_nps_csv
from report.render import as_csv, as_json, as_table
from sync.nps import nps_soql, pull_nps

RENDER = {"table": as_table, "csv": as_csv, "json": as_json, "html": as_html}


def _check_config(app: App) -> None:
    rules = app.rules()
    problems = app.config.report.problems(list(rules.products), list(rules.facts))
    if problems:
        raise ConfigError("\n".join(f"{app.config.path}: {p}" for p in problems))


@click.command()
@click.option("--from", "from_", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]),
              help="First day of the period (default: 26 weeks before --to).")
@click.option("--to", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the period (default: the newest day in the history).")
@click.option("--product", metavar="P", help="Only accounts of this product.")
@click.option("--by", type=click.Choice(SPLITS), help="Split every figure by product, tier or Account owner.")
@click.option("--format", "fmt", type=click.Choice(list(RENDER)), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (html needs it).")
@pass_app
def report(app: App, from_: datetime | None, to: datetime | None, product: str | None, by: str | None, fmt: str,
           out: Path | None) -> None:
    """Onboarding completion rate within the target days, funnel, time in phase, health, alerts and NPS.

    \b
    Reads the history the sync records (one point per account on each day its
    status, phase, health or tier changed); makes no API call. The README
    defines every figure with a worked example.

    \b
    Examples:
      csops report                                   the last 26 weeks, as tables
      csops report --from 2026-04-01 --by product
      csops report --format html --out report.html   charts, one file, works offline
    """
    _check_config(app)
    rules = app.rules()
    store = app.store
    try:
        period = resolve_period(store, rules.compiled_for or date.today(), from_.date() if from_ else None,
                                to.date() if to else None)
    except ReportError as exc:
        raise click.BadParameter(str(exc), param_hint="--from") from None
    if fmt == "html" and out is None:
        raise click.BadParameter("an HTML report goes to a file: add --out report.html", param_hint="--out")
    inp = load_input(store, rules, app.config.report, period, by, product)
    text = RENDER[fmt](build(inp))
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    click.echo(f"report written to {out} ({len(inp.accounts):,} accounts, {period.start} – {period.end})", err=True)


@click.group()
def nps() -> None:
    """NPS answers for the report."""


@nps.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print what would be imported.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def nps_import(app: App, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import NPS answers from a CSV file: account,date,score[,comment] (UTF-8 or cp932).

    \b
    Every row is checked first; one bad row imports nothing and each problem is
    listed with its line. Importing a file of the same name again replaces the
    answers it brought before (a corrected export is simply imported again).
    """
    parsed = read_nps_csv(file)
    known = app.store.known_accounts()
    unknown = sorted({r[1] for r in parsed.rows} - known)
    removed = added = 0
    if not dry_run:
        removed, added = app.store.replace_nps(file.name, parsed.rows)
    summary = {"file": str(file), "encoding": parsed.encoding, "answers": len(parsed.rows), "replaced": removed,
               "imported": added, "unknown_accounts": len(unknown), "dry_run": dry_run}
    if as_json:
        emit_json(summary)
        return
    verb = "would import" if dry_run else "imported"
    click.echo(f"{file}: {verb} {len(parsed.rows)} answers ({parsed.encoding})"
               + (f", replacing {removed} from an earlier import" if removed else ""))
    if unknown:
        click.echo(f"warning: {len(unknown)} account ids are not in the store (yet), e.g. {unknown[0]}", err=True)


@nps.command("pull")
@click.option("--dry-run", is_flag=True, help="Query and check the answers; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def nps_pull(app: App, dry_run: bool, as_json: bool) -> None:
    """Read NPS answers from the Salesforce object in report.nps (one SOQL query, paged).

    \b
    Every pull replaces the answers the previous pull stored. A record without an
    Account Id, with a score outside 0-10 or without a date is listed and skipped.
    """
    src = app.config.report.nps
    if not src.object:
        raise ConfigError(f"{app.config.path}: report.nps.object is not set: name the Salesforce object holding "
                          "NPS answers (e.g. NPS_Response__c), or use csops nps import FILE")
    try:
        soql_args = (src.object, src.account_field, src.score_field, src.date_field, src.comment_field)
        nps_soql(*soql_args)
    except ValueError as exc:
        raise ConfigError(f"{app.config.path}: {exc}") from None
    pulled = pull_nps(salesforce_client(app), *soql_args)
    removed = added = 0
    if not dry_run:
        removed, added = app.store.replace_nps(f"salesforce:{src.object}", pulled.rows)
    summary = {"object": src.object, "records": pulled.records, "answers": len(pulled.rows), "replaced": removed,
               "imported": added, "skipped": len(pulled.problems), "problems": pulled.problems[:20],
               "dry_run": dry_run}
    if as_json:
        emit_json(summary)
        return
    verb = "would store" if dry_run else "stored"
    click.echo(f"{src.object}: {pulled.records} records, {verb} {len(pulled.rows)} answers, "
               f"skipped {len(pulled.problems)}")
    for problem in pulled.problems[:20]:
        click.echo(f"  skipped: {problem}", err=True)
