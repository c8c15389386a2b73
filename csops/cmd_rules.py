"""``csops rules check|eval|explain``: the team's rules, tried and explained without touching any API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from base.errors import InputError, SourceError
from base.suggest import suggest
from base.terminal import printable, table
from csops.display import fact_value, number, plural, show, status_label
from csops.factsfile import FactsFileError, read_facts
from csops.jobs import one_account
from csops.shell import App, emit_json, parse_today, pass_app
from notify.config import NotifySpec
from rules.engine import Engine, Evaluation, FactValueError, convert
from rules.expr import Scope
from rules.ruleset import COMPUTED, RuleError, RuleSet, compile_rules
from rules.why import why_false


def compile_rules_for(app: App, files: tuple[str, ...] | list[str], today: str | None) -> RuleSet:
    return compile_with_notify(app, files, today)[0]


def compile_with_notify(app: App, files: tuple[str, ...] | list[str], today: str | None
                        ) -> tuple[RuleSet, NotifySpec]:
    rs, spec = app.load_rules(files)
    return compile_rules(rs, parse_today(today, rs)), spec


@click.group()
def rules() -> None:
    """Check, try and explain the onboarding rules (rules/*.yaml)."""


@rules.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--salesforce", "against_org", is_flag=True,
              help="Also check against the org's describe: every field exists (any letter case; a suggestion "
                   "when not) and every writeback value fits its field (picklist values, length, type).")
@click.option("--offline", is_flag=True, help="Do not connect to the SQL sources (their columns go unchecked).")
@pass_app
def rules_check(app: App, files: tuple[str, ...], against_org: bool, offline: bool) -> None:
    """Validate rule files: syntax, unknown facts, type errors, unknown keys.

    Every problem is printed as FILE:LINE:COL: message, with a suggestion where
    a close name exists. Exit 78 when there is any. Without FILES, checks
    rules.files from csops.yaml (default rules/onboarding.yaml). Each SQL source
    the facts read is connected to (read-only) and its query run on its first
    rows: every column a fact names must be there with values of the fact's type
    (--offline skips this).
    """
    rs, spec = compile_with_notify(app, files, None)
    if not offline:
        _check_sources(app, rs)
    if against_org:
        _check_against_org(app, rs)
    n_phases = sum(len(p) for p in rs.products.values())
    click.echo(f"ok: {', '.join(rs.files)}: {len(rs.facts)} facts, {len(rs.products)} products, "
               f"{n_phases} phases, {len(rs.alerts)} alerts, {len(rs.components)} health components, "
               f"{len(rs.tiers)} tiers, {len(rs.writeback)} writeback fields"
               + (f", {len(spec.channels)} notify channels, {len(spec.routes)} routes"
                  if spec.channels or spec.routes else ""))
    for line in component_lines(rs):
        click.echo(line)


def _check_sources(app: App, rs: RuleSet) -> None:
    from sync.sources import SAMPLE, check_source

    problems: list[SourceError] = []
    for source in rs.sources.values():
        facts = rs.source_facts(source.name)
        if not facts:
            continue
        columns, found = check_source(rs, source, app.config.base_dir)
        problems += found
        if not found:
            click.echo(f"source {source.name}: {len(columns)} columns; {', '.join(f.name for f in facts)} read as "
                       f"their types on its first {SAMPLE} rows"
                       + ("; incremental by :since" if source.incremental else "; a full query each run"))
    if problems:
        raise RuleError(problems)


def component_lines(rs: RuleSet) -> list[str]:
    """Each health component with the inputs that decide whether it can be scored (README "Semantics")."""
    if not rs.components:
        return []
    out = ["health components and their inputs (left out only when every input is a null fact):"]
    for c in rs.components:
        inputs = ", ".join(f"{n} (computed)" if n in COMPUTED else n for n in c.inputs) or "none"
        kind = f"linear over {c.linear_fact}" if c.linear_fact else "ladder"
        note = "; always scored" if c.always_scored else ""
        out.append(f"  {c.id} ({kind}, weight {number(c.weight)}): inputs {inputs}{note}")
    return out


def _check_against_org(app: App, rs: RuleSet) -> None:
    from csops.sf_checks import salesforce_findings
    from csops.shell import salesforce_client

    findings = salesforce_findings(salesforce_client(app), rs, app.config.salesforce.fields)
    bad = [f for f in findings if not f.ok]
    for f in findings:
        click.echo(f"{'salesforce' if f.ok else 'FAIL salesforce'}: {f.message}", err=not f.ok)
        if f.fix:
            click.echo(f"  fix: {f.fix}", err=True)
    if bad:
        raise InputError(f"{len(bad)} problem(s) against the Salesforce org")


def _column_problems(columns: Any, known: set[str], where: str, rs: RuleSet) -> list[str]:
    out = []
    for col in columns:
        if col in known or str(col).startswith("_"):
            continue
        hint = suggest(str(col), rs.facts)
        if hint:
            out.append(f"{where}: column '{col}' is not a fact{hint}")
    return out


def _typed_facts(engine: Engine, where: str, raw: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    """The row's facts, or None after adding one problem per cell that does not fit its fact's type."""
    raw, bad = dict(raw), False
    while True:
        try:
            facts = engine.facts(raw)
        except FactValueError as exc:
            problems.append(f"{where}: column '{exc.fact}': {exc.value!r} is not a valid {exc.kind}"
                            + (" (dates as 2026-11-22 or 2026/11/22)" if exc.kind in ("date", "datetime") else ""))
            raw[exc.fact], bad = None, True
            continue
        return None if bad else facts


def evaluate_file(rs: RuleSet, path: Path) -> tuple[list[Evaluation], str]:
    """Every account in the file evaluated, and the encoding it was read in; every bad row is one problem."""
    try:
        facts_file = read_facts(path)
    except FactsFileError as exc:
        raise InputError(str(exc)) from None
    engine = Engine(rs)
    known = set(rs.facts) | {"id", "name"}
    problems = list(facts_file.problems)
    columns: set[str] = set()
    out = []
    for where, account_id, raw in facts_file.rows:
        new_columns = set(raw) - columns
        if new_columns:
            problems += _column_problems(sorted(new_columns, key=list(raw).index), known,
                                         f"{path}:1" if path.suffix.lower() != ".json" else where, rs)
            columns |= new_columns
        facts = _typed_facts(engine, where, raw, problems)
        if facts is not None:
            out.append(engine.evaluate(account_id, facts))
    if problems:
        raise InputError(str(FactsFileError(problems)))
    return out, facts_file.encoding


@rules.command("eval")
@click.option("--facts", "facts_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Accounts as a JSON list of objects or a CSV with a header: 'id' plus fact values. CSV as "
                   "Excel saves it: UTF-8 (with or without BOM) or Shift_JIS, dates as 2026-11-22 or 2026/11/22, "
                   "numbers as \"3,600,000\" in quotes.")
@click.option("--today", metavar="YYYY-MM-DD", help="Evaluate as of this date (default: today in the rules' "
                                                    "timezone).")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(dir_okay=False),
              help="Rule files (default: rules.files from csops.yaml).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
@pass_app
def rules_eval(app: App, facts_file: Path, today: str | None, rule_paths: tuple[str, ...], as_json: bool) -> None:
    """Evaluate the rules for accounts given in a file, with no API at all.

    \b
    Example accounts.csv:
      id,product,contract_start,kickoff_on,setup_done_on,licensed_users,active_users
      001A,勤怠管理,2026-09-01,2026-09-05,,100,45
    """
    rs = compile_rules_for(app, rule_paths, today)
    out, encoding = evaluate_file(rs, facts_file)
    click.echo(f"{facts_file}: {plural(len(out), 'account')}, read as {encoding}", err=True)
    if as_json:
        emit_json([ev.summary() for ev in out])
        return
    click.echo(f"as of {rs.compiled_for} ({rs.timezone})")
    header = ("id", "product", "status", "phase", "overdue", "health", "band", "tier", "alerts")
    rows = [header] + [(ev.id, ev.product or "-", status_label(ev.status, rs.status_labels), ev.phase_name or "-",
                        "-" if ev.days_overdue is None else str(ev.days_overdue),
                        "-" if ev.health.score is None else f"{ev.health.score:g}/{ev.health.max:g}",
                        ev.health.band or "-", ev.tier or "-", ",".join(ev.alerts) or "-") for ev in out]
    click.echo(table(rows))
    for ev in out:
        for problem in ev.problems:
            click.echo(f"note: {ev.id}: {problem}", err=True)


@rules.command("explain")
@click.argument("account")
@click.option("--json", "as_json", is_flag=True, help="The stored evaluation as JSON.")
@pass_app
def explain(app: App, account: str, as_json: bool) -> None:
    """Why an account has its status: facts, each phase, alerts, health and writeback, from the last run.

    ACCOUNT is an 18- or 15-character Salesforce Id, or part of the account's
    name. For each phase not done, the part of its condition that failed is
    shown with the values that made it fail.
    """
    account_id, name = one_account(app, account)
    stored = app.store.evaluation(account_id)
    if stored is None:
        raise InputError(f"{account_id} ({name}) has no evaluation yet: it was pulled but not evaluated; run "
                         "`csops sync`")
    result, evaluated_on = stored
    if as_json:
        emit_json(result)
        return
    rs = compile_rules(app.load_rules()[0], dt.date.fromisoformat(evaluated_on))
    for line in explain_lines(rs, account_id, name, result, evaluated_on):
        click.echo(printable(line))  # names and fact values come from Salesforce


def explain_lines(rs: RuleSet, account_id: str, name: str | None, result: dict[str, Any],
                  evaluated_on: str) -> list[str]:
    types = rs.symbol_types(4)
    tz = rs.tz
    facts = {k: convert(k, types[k], v, tz) if k in types else v for k, v in result.get("facts", {}).items()}

    def shown(fact: str, value: Any) -> str:
        return fact_value(value, types.get(fact, ""), tz)

    products = _products(result)
    several = f"  (the worst of its {len(products)} products)" if len(products) > 1 else ""
    out = [f"{account_id}" + (f" ({name})" if name else "") + f"  evaluated on {evaluated_on} ({rs.timezone})  "
           f"product: {result['product']}",
           f"status: {_status_text(rs, result)}{several}"]
    out += [f"  note: {problem}" for problem in result.get("problems", [])]
    labels = {f.name: f.label for f in rs.facts.values() if f.label}
    origins = {f.name: f"from source {f.source}" + (f", column {f.column}" if f.column else "")
               for f in rs.facts.values() if f.source}
    out.append("\nfacts:")
    out += [f"  {k} = {shown(k, v)}" + "".join(f"  ({n[k]})" for n in (labels, origins) if k in n)
            for k, v in facts.items()]
    if result.get("history"):  # the facts from history the rules could read (null: no history that far back)
        out.append("\nfrom history:")
        out += [f"  {k} = {'null' if v is None else shown(k, v)}" for k, v in result["history"].items()]
    for p in products:
        if len(products) > 1:
            deadline = f"  deadline {p['target_date']}" if p.get("target_date") else ""
            out.append(f"\nproduct {p['product']}: {_status_text(rs, p)}{deadline}")
        out += _phase_lines(rs, p, facts, shown, "  " if len(products) > 1 else "")
    out.append("\nalerts: " + (", ".join(result["alerts"]) or "none"))
    h = result["health"]
    score = "-" if h["score"] is None else number(h["score"])
    out.append(f"\nhealth: {score} / {number(h['max'])}  band: {h['band'] or '-'}")
    for c in h["components"]:
        part = "left out: " + ", ".join(c["missing"]) + " null" if c["score"] is None else number(c["score"])
        out.append(f"  {c['name']} ({c['id']}), weight {number(c['weight'])}: {part}")
    out.append(f"\ntier: {result['tier'] or '-'}")
    out.append("\nwriteback:")
    out += [f"  {f} = {show(v)}" for f, v in result["writeback"].items()]
    return out


def _products(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each product's onboarding in a stored result (one made before products were evaluated apart: itself)."""
    return result.get("products") or [{k: result.get(k) for k in ("product", "status", "phase", "phase_name",
                                                                   "days_overdue", "phases")}]


def _status_text(rs: RuleSet, part: dict[str, Any]) -> str:
    status = status_label(part["status"], rs.status_labels)
    if not part.get("phase"):
        return status
    return f"{status}  phase: {part['phase_name']}, {plural(part['days_overdue'], 'day')} overdue"


def _phase_lines(rs: RuleSet, product: dict[str, Any], facts: dict[str, Any], shown: Callable[[str, Any], str],
                 indent: str) -> list[str]:
    """One product's phases: done or not, and for one not done the part of its condition that failed."""
    if not product.get("phases"):
        return []
    assert rs.compiled_for is not None
    scope = Scope(rs.symbol_types(1), rs.compiled_for, rs.tz)
    done_text = {ph.id: ph.done_text for ph in rs.products.get(product["product"] or "", [])}
    out = [f"{'' if indent else chr(10)}{indent}phases:"]
    for ph in product["phases"]:
        mark = "done" if ph["done"] else "not done"
        cond = done_text.get(ph["id"], "")
        out.append(f"{indent}  [{mark:>8}] {ph['name']} ({ph['id']}), due day {ph['due_day']} ({ph['due_date']}): "
                   f"{cond}")
        if not ph["done"] and cond and product["status"] != "not_started":
            out += [f"{indent}             because {why}" for why in why_false(cond, scope, facts, shown)]
    return out
