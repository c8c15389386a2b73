"""``csops report`` and ``csops nps import``."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from base.suggest import suggest
from csops.config import ConfigError
from csops.shell import App, emit_json, emit_text, pass_app, salesforce_client
from report.compute import build
from report.load import ReportError, load_input, resolve_period
from report.model import SPLITS
from report.nps_csv import Answer, ImportPlan, plan_import, read_nps_csv, survey_name_problem
from report.render import as_csv, as_json, as_table, table
from sync.nps import nps_soql, pull_nps


def as_html(report: dict[str, Any]) -> str:
    """Plotly is imported for an HTML report only: it costs every other csops command a tenth of a second."""
    from report.html import as_html

    return as_html(report)


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
    emit_text(RENDER[fmt](build(inp)), out, "report", f"{len(inp.accounts):,} accounts, {period.start} – {period.end}")


@click.group()
def nps() -> None:
    """NPS answers for the report."""


@nps.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--survey", metavar="NAME",
              help="The survey these answers belong to (default: a hash of the answers, never the file name).")
@click.option("--dry-run", is_flag=True, help="Check the file and print what would be imported.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def nps_import(app: App, file: Path, survey: str | None, dry_run: bool, as_json: bool) -> None:
    """Import one survey's NPS answers from a CSV file: account,date,score[,comment][,respondent].

    \b
    UTF-8 or Shift_JIS (cp932). Every row is checked first; one bad row imports
    nothing and each problem is listed with its line. A row repeating an earlier
    row exactly is listed and counted once. Importing the same survey again
    (the same --survey NAME, or the same answers) replaces it; another survey adds
    to the ones stored. To correct a survey imported without --survey, import the
    corrected file with --survey set to the name the first import printed.
    """
    if survey is not None and (problem := survey_name_problem(survey)):
        raise click.BadParameter(problem, param_hint="--survey")
    parsed = read_nps_csv(file)
    stored: dict[str, Counter[Answer]] = defaultdict(Counter)
    for answer in app.store.nps_answers():
        stored[answer.survey][(answer.account_id, answer.answered_on, answer.score, answer.comment)] += 1
    plan = plan_import(file, parsed, survey, stored)
    unknown = sorted({r.account_id for r in parsed.rows} - app.store.known_accounts())
    removed = added = 0
    if not dry_run and not plan.unchanged:
        removed, added = app.store.replace_nps(plan.survey, parsed.rows)
    summary = {"file": str(file), "survey": plan.same_as or plan.survey, "encoding": parsed.encoding,
               "answers": len(parsed.rows), "duplicates": [{"line": d, "repeats": f} for d, f in parsed.duplicates],
               "unchanged": plan.unchanged, "replaced": removed if not dry_run else plan.replaced,
               "imported": added, "overlaps": [{"survey": s, "answers": n} for s, n in plan.overlaps],
               "unknown_accounts": len(unknown), "dry_run": dry_run}
    if as_json:
        emit_json(summary)
    else:
        _print_import(file, parsed.encoding, plan, summary)
    if unknown:
        click.echo(f"warning: {len(unknown)} account ids are not in the store (yet), e.g. {unknown[0]}", err=True)


def _print_import(file: Path, encoding: str, plan: ImportPlan, summary: dict[str, Any]) -> None:
    answers = summary["answers"]
    for d in summary["duplicates"][:20]:
        click.echo(f"{file}:{d['line']}: repeats line {d['repeats']} exactly: counted once", err=True)
    if len(summary["duplicates"]) > 20:
        click.echo(f"… and {len(summary['duplicates']) - 20} more repeated lines", err=True)
    if plan.unchanged:
        click.echo(f"{file}: these {answers} answers are survey '{plan.same_as}' already: nothing changed")
        return
    verb = "would import" if summary["dry_run"] else "imported"
    replaced = summary["replaced"]
    click.echo(f"{file}: {verb} {answers} answers as survey '{plan.survey}' ({encoding})"
               + (f", replacing its {replaced} earlier answers" if replaced else ""))
    for name, n in plan.overlaps[:5]:
        fix = f"import it with --survey '{name}'" if summary["dry_run"] else \
            f"run csops nps remove '{plan.survey}', then import it with --survey '{name}'"
        click.echo(f"warning: {n} of these answers are also in survey '{name}' (same account, date, score and "
                   f"comment); if this file corrects that survey, {fix}", err=True)


@nps.command("surveys")
@click.option("--json", "as_json", is_flag=True, help="Print the surveys as JSON.")
@pass_app
def nps_surveys(app: App, as_json: bool) -> None:
    """The surveys in the store: name, answers, first and last answer date."""
    rows = [{"survey": s, "answers": n, "first": first, "last": last}
            for s, n, first, last in app.store.nps_surveys()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("no NPS answers stored: csops nps import FILE, or csops nps pull")
        return
    for line in table(["survey", "answers", "first", "last"],
                      [(r["survey"], r["answers"], r["first"], r["last"]) for r in rows]):
        click.echo(line)


@nps.command("remove")
@click.argument("survey")
@pass_app
def nps_remove(app: App, survey: str) -> None:
    """Delete every answer of one survey (the names are in csops nps surveys)."""
    names = [s.survey for s in app.store.nps_surveys()]
    if survey not in names:
        raise click.BadParameter(f"no survey '{survey}'{suggest(survey, names)}; surveys: "
                                 f"{', '.join(names) or '(none)'}", param_hint="SURVEY")
    click.echo(f"removed survey '{survey}': {app.store.remove_nps(survey)} answers")


@nps.command("pull")
@click.option("--dry-run", is_flag=True, help="Query and check the answers; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def nps_pull(app: App, dry_run: bool, as_json: bool) -> None:
    """Read NPS answers from the Salesforce object in report.nps (one SOQL query, paged).

    \b
    The answers are one survey, salesforce:OBJECT; every pull replaces the answers
    the previous pull stored. A record without an Account Id, with a score outside
    0-10 or without a date is listed and skipped.
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
    survey = f"salesforce:{src.object}"
    removed = added = 0
    if not dry_run:
        removed, added = app.store.replace_nps(survey, pulled.rows)
    summary = {"object": src.object, "survey": survey, "records": pulled.records, "answers": len(pulled.rows),
               "replaced": removed, "imported": added, "skipped": len(pulled.problems),
               "problems": pulled.problems[:20], "dry_run": dry_run}
    if as_json:
        emit_json(summary)
        return
    verb = "would store" if dry_run else "stored"
    click.echo(f"{src.object}: {pulled.records} records, {verb} {len(pulled.rows)} answers, "
               f"skipped {len(pulled.problems)}")
    for problem in pulled.problems[:20]:
        click.echo(f"  skipped: {problem}", err=True)
