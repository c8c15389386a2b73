"""``csops sync``, ``status``, ``alerts``, ``rules explain`` and ``demo``."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import click

from csops.cmd_rules import _table, parse_today, rules
from csops.shell import (
    EXIT_CONFIG,
    EXIT_PARTIAL,
    App,
    CsopsError,
    Progress,
    cli,
    emit_json,
    pass_app,
    salesforce_client,
    zendesk_client,
)
from rules.ruleset import compile_rules, load_rules
from sync.run import SyncJob, SyncReport


@cli.command()
@click.option("--dry-run", is_flag=True, help="Pull and evaluate, then print each field that would change "
                                               "(old → new). Writes nothing; advances no cursor or bookmark.")
@click.option("--full", is_flag=True, help="Pull everything again, not only what changed since the last run.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's counts as JSON.")
@click.option("--today", metavar="YYYY-MM-DD", help="Evaluate as of this date (default: today in the rules' "
                                                    "timezone).")
@pass_app
def sync(app: App, dry_run: bool, full: bool, as_json: bool, today: str | None) -> None:
    """Pull Zendesk and Salesforce, evaluate the rules for every account, write back what changed.

    \b
    Made for cron, e.g. every hour:
      0 * * * * cd /srv/csops && .venv/bin/csops --log-format json sync >> /var/log/csops.log 2>&1
    Exit 0 ok; 3 some records were rejected (listed; the next run retries
    them); 69 a service is down or refused the credentials; 75 another run is
    going or the API budget is used up (state kept: the next run continues).
    """
    with app.run_lock():
        rs = load_rules(app.rule_files())
        compile_rules(rs, parse_today(today, rs))
        progress = Progress(not as_json)
        job = SyncJob(app.store, zendesk_client(app) if app.config.zendesk.configured else None,
                      salesforce_client(app), rs, extra_fields=app.config.salesforce.fields, progress=progress)
        report = job.run(dry_run=dry_run, full=full)
        progress.done()
    if as_json:
        out = report.summary()
        if dry_run:
            out["dry_run"] = True
            out["changes"] = [{"account_id": c.account_id, "name": c.name,
                               "fields": {f: {"old": o, "new": n} for f, (o, n) in c.fields.items()}}
                              for c in report.changes]
        if report.failures:
            out["failures"] = report.details()["failures"]
        emit_json(out)
    else:
        if dry_run:
            print_changes(report)
        print_report(report)
    if report.failures:
        raise SystemExit(EXIT_PARTIAL)


def print_changes(report: SyncReport) -> None:
    for change in report.changes:
        click.echo(f"{change.account_id}" + (f" ({change.name})" if change.name else ""))
        for fieldname, (old, new) in change.fields.items():
            click.echo(f"  {fieldname}: {_show(old)} → {_show(new)}")


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def print_report(report: SyncReport) -> None:
    z, s = report.zendesk, report.salesforce
    click.echo(f"zendesk:    {z.tickets_pulled:,} tickets ({z.tickets_deleted:,} deleted), "
               f"{z.organizations_pulled:,} organizations ({z.organizations_unlinked:,} not linked) "
               f"[{z.api_calls} API calls]")
    click.echo(f"salesforce: {s.accounts_pulled:,} accounts ({s.accounts_deleted:,} deleted) "
               f"[{s.api_calls} API calls, org usage {s.api_usage or 'unknown'}]")
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(report.status_counts.items()))
    click.echo(f"rules:      {report.accounts_evaluated:,} accounts: {counts or 'none'}")
    click.echo(f"alerts:     {len(report.alerts.new):,} new, {len(report.alerts.resolved):,} resolved, "
               f"{report.alerts.active:,} active")
    verb = "would change" if report.dry_run else "changed"
    click.echo(f"writeback:  {len(report.changes):,} accounts {verb}, {report.written:,} written, "
               f"{len(report.failures):,} failed [{report.write_api_calls} API calls]")
    for f in report.failures:
        click.echo(f"  failed: {f.id}: {f.status_code}: {f.message}" + (f" ({', '.join(f.fields)})"
                                                                         if f.fields else ""), err=True)
    for problem in report.fact_problems[:20]:
        click.echo(f"  note: {problem} (treated as empty)", err=True)
    if report.dry_run:
        click.echo("dry run: nothing written to Salesforce; no cursor or bookmark advanced")
    click.echo(f"done in {report.duration_s:.1f}s")


@cli.command()
@click.option("--runs", default=10, show_default=True, help="How many recent runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def status(app: App, runs: int, as_json: bool) -> None:
    """The last runs (counts and failures) and the onboarding funnel now."""
    store = app.store
    rows = store.query("SELECT id, command, started_at, finished_at, status, exit_code, report FROM runs "
                       "ORDER BY id DESC LIMIT ?", (runs,))
    recent = []
    for r in rows:
        rep = json.loads(r["report"]) if r["report"] else {}
        recent.append({"id": r["id"], "command": r["command"], "started_at": r["started_at"],
                       "finished_at": r["finished_at"], "status": r["status"], "exit_code": r["exit_code"],
                       "evaluated": rep.get("rules", {}).get("accounts_evaluated"),
                       "written": rep.get("writeback", {}).get("written"),
                       "failed": rep.get("writeback", {}).get("failed"),
                       "duration_s": rep.get("duration_s"), "failures": rep.get("failures", []),
                       "error": rep.get("error")})
    funnel: dict[str, dict[str, int]] = defaultdict(dict)
    for r in store.query("SELECT COALESCE(product, '(none)') AS product, status, COUNT(*) AS n FROM evaluations "
                         "WHERE account_id IN (SELECT id FROM accounts WHERE deleted = 0) "
                         "GROUP BY product, status ORDER BY product, status"):
        funnel[r["product"]][r["status"]] = r["n"]
    if as_json:
        emit_json({"runs": recent, "funnel": funnel})
        return
    if not recent:
        click.echo("no runs yet: try `csops sync --dry-run`, then `csops sync`")
        return
    table = [("run", "command", "started", "status", "exit", "evaluated", "written", "failed", "seconds")]
    for run in recent:
        table.append((str(run["id"]), run["command"], run["started_at"] or "", run["status"],
                      "" if run["exit_code"] is None else str(run["exit_code"]), _n(run["evaluated"]),
                      _n(run["written"]), _n(run["failed"]),
                      "" if run["duration_s"] is None else f"{run['duration_s']:.1f}"))
    click.echo(_table(table))
    last = recent[0]
    for f in last["failures"][:20]:
        click.echo(f"  failed in run {last['id']}: {f['account_id']}: {f['status_code']}: {f['message']}")
    if last.get("error"):
        click.echo(f"  run {last['id']} stopped: {last['error']}")
    statuses = ["not_started", "on_track", "stalled", "churn_risk", "completed", "no_phases"]
    click.echo("")
    click.echo(_table([("product", *statuses)] + [(p, *(str(c.get(s, 0)) for s in statuses))
                                                  for p, c in funnel.items()]))


def _n(v: Any) -> str:
    return "" if v is None else f"{v:,}"


@cli.command()
@click.option("--new", "only_new", is_flag=True, help="Only alerts first raised by the last sync.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def alerts(app: App, only_new: bool, as_json: bool) -> None:
    """Active alerts: account, severity and since when (most severe first)."""
    store = app.store
    last_run = store.scalar("SELECT MAX(id) FROM runs WHERE command = 'sync' AND status IN ('ok', 'partial')")
    sql = ("SELECT a.account_id, a.alert_id, a.severity, a.title, a.first_seen, a.last_seen, acc.fields "
           "FROM alerts a LEFT JOIN accounts acc ON acc.id = a.account_id WHERE a.resolved_at IS NULL")
    params: tuple[Any, ...] = ()
    if only_new:
        sql += " AND a.run_first_seen = ?"
        params = (last_run,)
    sql += (" ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.first_seen, "
            "a.account_id")
    out = []
    for r in store.query(sql, params):
        name = json.loads(r["fields"]).get("Name") if r["fields"] else None
        out.append({"account_id": r["account_id"], "account": name, "alert": r["alert_id"], "severity": r["severity"],
                    "title": r["title"], "first_seen": r["first_seen"], "last_seen": r["last_seen"]})
    if as_json:
        emit_json(out)
        return
    if not out:
        click.echo("no active alerts" + (" raised by the last sync" if only_new else ""))
        return
    click.echo(_table([("severity", "account", "name", "alert", "since", "title")] +
                      [(a["severity"], a["account_id"], a["account"] or "", a["alert"], a["first_seen"], a["title"])
                       for a in out]))


@rules.command("explain")
@click.argument("account_id")
@click.option("--json", "as_json", is_flag=True, help="The stored evaluation as JSON.")
@pass_app
def explain(app: App, account_id: str, as_json: bool) -> None:
    """Why an account has its status: facts, each phase, alerts, health and writeback, from the last run."""
    row = app.store.query("SELECT result, evaluated_on FROM evaluations WHERE account_id = ?", (account_id,))
    if not row:
        known = [r[0] for r in app.store.query("SELECT account_id FROM evaluations WHERE account_id LIKE ? LIMIT 5",
                                               (account_id[:6] + "%",))]
        hint = f" (similar: {', '.join(known)})" if known else ""
        raise CsopsError(f"no evaluation for account '{account_id}'{hint}: run `csops sync` first", EXIT_CONFIG)
    result = json.loads(row[0]["result"])
    if as_json:
        emit_json(result)
        return
    rs = load_rules(app.rule_files())
    facts = result.get("facts", {})
    labels = {f.name: f.label for f in rs.facts.values() if f.label}
    done_text = {(p, ph.id): ph.done_text for p, phases in rs.products.items() for ph in phases}
    click.echo(f"{account_id}  evaluated on {row[0]['evaluated_on']}  product: {result['product']}")
    click.echo(f"status: {result['status']}" + (f"  phase: {result['phase_name']} ({result['phase']}), "
                                                f"{result['days_overdue']} days overdue"
                                                if result.get("phase") else ""))
    for problem in result.get("problems", []):
        click.echo(f"  note: {problem}")
    click.echo("\nfacts:")
    for name, value in facts.items():
        label = f"  ({labels[name]})" if name in labels else ""
        click.echo(f"  {name} = {'null' if value is None else value}{label}")
    if result.get("phases"):
        click.echo("\nphases:")
        for ph in result["phases"]:
            cond = done_text.get((result["product"], ph["id"]), "")
            mark = "done" if ph["done"] else "not done"
            click.echo(f"  [{mark:>8}] {ph['name']} ({ph['id']}), due day {ph['due_day']} ({ph['due_date']}): {cond}")
    click.echo("\nalerts: " + (", ".join(result["alerts"]) or "none"))
    h = result["health"]
    click.echo(f"\nhealth: {h['score'] if h['score'] is not None else '-'} / {h['max']}  band: {h['band'] or '-'}")
    for c in h["components"]:
        score = "missing (" + ", ".join(c["missing"]) + ")" if c["score"] is None else f"{c['score']:.2f}"
        click.echo(f"  {c['name']} ({c['id']}), weight {c['weight']:g}: {score}")
    click.echo(f"\ntier: {result['tier'] or '-'}")
    click.echo("\nwriteback:")
    for fieldname, value in result["writeback"].items():
        click.echo(f"  {fieldname} = {_show(value)}")


@cli.command()
@click.option("--accounts", default=200, show_default=True, help="Accounts in the sandbox.")
@click.option("--tickets", default=3000, show_default=True, help="Tickets in the sandbox.")
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo's folder here (config, store).")
def demo(accounts: int, tickets: int, keep: str | None) -> None:
    """Run everything against a local sandbox: sync twice (the second writes nothing) and summarise."""
    from csops.demo import run_demo

    run_demo(accounts, tickets, keep)
