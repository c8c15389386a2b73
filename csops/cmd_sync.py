"""``csops sync``, ``status`` and ``alerts``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

import click

from base.csvfile import SpreadsheetWriter
from base.files import atomic_open
from base.terminal import printable, table
from connectors.sfid import is_valid_id, to18
from csops.display import count, local_time, plural, print_delivery, print_planned, show
from csops.jobs import TeamView, active_alerts, run_rollback, run_sync, team_view
from csops.progress import SEVERITY_STYLES, STATUS_STYLES, paint
from csops.shell import EXIT_PARTIAL, App, colour, emit_json, parse_today, pass_app, progress_for
from rules.ruleset import STATUSES
from sync.planned import PlannedChange
from sync.rollback import RollbackReport
from sync.run import SyncReport


@click.command()
@click.option("--dry-run", is_flag=True, help="Pull and evaluate, then summarise what would change (per field: "
                                               "old → new with counts). Writes nothing; advances no cursor or "
                                               "bookmark.")
@click.option("--details", is_flag=True, help="With --dry-run: also list every account and field, old → new.")
@click.option("--account", "accounts", multiple=True, metavar="ID|NAME",
              help="With --dry-run: only this account's changes (18- or 15-character Id, or part of the name; "
                   "repeatable).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="With --dry-run: write every planned change to this CSV (account_id, name, field, old, new; "
                   "UTF-8 with BOM, so Excel opens it).")
@click.option("--full", is_flag=True, help="Pull everything again, not only what changed since the last run.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's counts as JSON.")
@click.option("--today", metavar="YYYY-MM-DD", help="Evaluate as of this date (default: today in the rules' "
                                                    "timezone).")
@click.option("--allow-mass-change", is_flag=True,
              help="Write even when more than sync.max_status_change_pct of the accounts would change onboarding "
                   "status (or sync.max_no_phases_pct would become no_phases). Without it such a run writes "
                   "nothing and exits 4.")
@click.option("--rollback", "rollback_of", type=int, metavar="RUN",
              help="Put back the values run RUN replaced (csops log --run RUN), where Salesforce still holds what it "
                   "wrote; a field changed since is listed as a conflict and left alone. Try --dry-run first.")
@pass_app
def sync(app: App, dry_run: bool, details: bool, accounts: tuple[str, ...], csv_file: Path | None, full: bool,
         as_json: bool, today: str | None, allow_mass_change: bool, rollback_of: int | None) -> None:
    """Pull Zendesk and Salesforce, evaluate the rules for every account, write back what changed.

    \b
    Made for cron, e.g. every hour:
      0 * * * * cd /srv/csops && .venv/bin/csops --log-format json sync >> /var/log/csops.log 2>&1
    Exit 0 ok; 3 some records were rejected (listed; the next run retries
    them); 4 the run would change too many accounts at once and wrote nothing
    (see --allow-mass-change); 69 a service is down or refused the credentials;
    75 another run is going or the API budget is used up (state kept: the next
    run continues).
    """
    if (details or accounts or csv_file) and not dry_run:
        raise click.UsageError("--details, --account and --csv show a plan: use them with --dry-run")
    if rollback_of is not None:
        if full or today or accounts or csv_file:
            raise click.UsageError("--rollback takes --dry-run [--details], --json and --allow-mass-change only")
        rollback(app, rollback_of, dry_run, details, as_json, allow_mass_change)
        return
    progress = progress_for(app, as_json)
    try:
        report = run_sync(app, dry_run=dry_run, full=full, today=parse_today(today) if today else None,
                          progress=progress, allow_mass_change=allow_mass_change)
    finally:
        progress.done()
    changes = select_changes(report.changes, accounts) if accounts else report.changes
    if csv_file:
        write_changes_csv(csv_file, changes)
    if as_json:
        emit_json(_json_summary(report, changes, dry_run))
    else:
        if dry_run:
            _print_plan(changes, details or bool(accounts), csv_file)
        print_report(report, team_view(app), colour(app))
    if report.partial:
        raise SystemExit(EXIT_PARTIAL)


def rollback(app: App, of_run: int, dry_run: bool, details: bool, as_json: bool, allow_mass_change: bool) -> None:
    report = run_rollback(app, of_run, dry_run=dry_run, allow_mass_change=allow_mass_change)
    changes = [PlannedChange(r.account_id, r.name, r.fields) for r in report.restores]
    if as_json:
        out = report.summary()
        out["changes"] = [{"account_id": c.account_id, "name": c.name,
                           "fields": {f: {"now": o, "back": n} for f, (o, n) in c.fields.items()}} for c in changes]
        if report.mass_change is not None:
            out["mass_change"] = report.mass_change.text()
        emit_json(out)
    else:
        _print_rollback(report, changes, details)
    if report.failures:
        raise SystemExit(EXIT_PARTIAL)


def _print_rollback(report: RollbackReport, changes: Collection[PlannedChange], details: bool) -> None:
    head = f"rollback of run {report.of_run}" + ("" if report.run_id is None else f" (run {report.run_id})")
    tasks = f", {plural(len(report.tasks), 'Task')} to close or put back" if report.tasks else ""
    click.echo(f"{head}: {plural(len(changes), 'account')} to put back{tasks}, "
               f"{plural(report.already_back, 'field')} already back, {plural(len(report.conflicts), 'conflict')}")
    if details:
        print_changes(changes)
    if changes:
        lines = summarise_changes(changes)
        click.echo("\n".join(lines[1:]))
    for c in report.conflicts[:50]:
        click.echo(printable(f"  conflict, left alone: {c.text()}", one_line=True))
    if len(report.conflicts) > 50:
        click.echo(f"  … {plural(len(report.conflicts) - 50, 'more conflict')} (--json lists them all)")
    for f in report.failures:
        click.echo(f"  failed: {f.id}: {f.status_code}: {printable(f.message)}", err=True)
    if report.mass_change is not None:
        click.echo(("the real rollback would stop here: " if report.dry_run else "accepted (--allow-mass-change): ")
                   + printable(report.mass_change.text()), err=True)
    if report.dry_run:
        click.echo("dry run: nothing written to Salesforce")
    else:
        click.echo(f"written: {report.written:,} accounts, {len(report.failures):,} failed "
                   f"[{report.write_api_calls} API calls]; roll this back with csops sync --rollback {report.run_id}")


def _json_summary(report: SyncReport, changes: Collection[PlannedChange], dry_run: bool) -> dict[str, Any]:
    out = report.summary()
    if dry_run:
        out["dry_run"] = True
        out["changes"] = [{"account_id": c.account_id, "name": c.name,
                           "fields": {f: {"old": o, "new": n} for f, (o, n) in c.fields.items()}} for c in changes]
        out["notify_planned"] = [{"channel": r.channel, "kind": r.kind, "account_id": r.account_id,
                                  "alert": r.alert_id} for r in report.notify_planned]
    if report.failures:
        out["failures"] = report.details()["failures"]
    if report.scope.exits:
        out["out_of_scope_list"] = [e.as_json() for e in report.scope.exits]
    if report.mass_change is not None:
        out["mass_change"] = report.mass_change.text()
    return out


def _print_plan(changes: Collection[PlannedChange], each: bool, csv_file: Path | None) -> None:
    if each:
        print_changes(changes)
    for line in summarise_changes(changes):
        click.echo(line)
    if csv_file:
        click.echo(f"{len(changes):,} accounts' changes written to {csv_file}")
    click.echo("")


def select_changes(changes: Collection[PlannedChange], wanted: tuple[str, ...]) -> list[PlannedChange]:
    """The changes of the accounts named by Id (18 or 15 characters) or by part of their name."""
    picked: dict[str, PlannedChange] = {}
    for term in wanted:
        term = term.strip()
        key = to18(term) if is_valid_id(term) else None
        hits = [c for c in changes if c.account_id == key or (c.name and term.casefold() in c.name.casefold())]
        if not hits:
            click.echo(f"no planned change for '{term}' (no account with that Id or name would change)", err=True)
        picked.update((c.account_id, c) for c in hits)
    return list(picked.values())


def write_changes_csv(path: Path, changes: Collection[PlannedChange]) -> None:
    with atomic_open(path, encoding="utf-8-sig", newline="", named=True) as fh:
        out = SpreadsheetWriter(fh, lineterminator="\r\n")  # Excel's, with its BOM
        out.writerow(["account_id", "name", "field", "old", "new"])
        for c in changes:
            for fieldname, (old, new) in c.fields.items():
                out.writerow([c.account_id, c.name or "", fieldname, "" if old is None else show(old),
                              "" if new is None else show(new)])


def summarise_changes(changes: Collection[PlannedChange], top: int = 5) -> list[str]:
    """Per field: how many accounts change, and the most common old → new pairs with their counts."""
    per_field: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for change in changes:
        for fieldname, (old, new) in change.fields.items():
            per_field[fieldname][(show(old), show(new))] += 1
    n_values = sum(len(c.fields) for c in changes)
    lines = [f"{plural(len(changes), 'account')} would change ({plural(n_values, 'field value')}):"]
    for fieldname, pairs in sorted(per_field.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        lines.append(f"  {fieldname}: {plural(sum(pairs.values()), 'account')}")
        common = pairs.most_common(top)
        lines.append(table([(f"    {old}", "→", new, f"{n:,}") for (old, new), n in common]))
        rest = sum(pairs.values()) - sum(n for _, n in common)
        if rest:
            lines.append(f"    … {plural(rest, 'more account')} with {plural(len(pairs) - len(common), 'other change')}"
                         " (--details or --csv for all)")
    return lines


def print_changes(changes: Collection[PlannedChange]) -> None:
    for change in changes:
        click.echo(f"{change.account_id}" + (f" ({printable(change.name, one_line=True)})" if change.name else ""))
        for fieldname, (old, new) in change.fields.items():
            click.echo(printable(f"  {fieldname}: {show(old)} → {show(new)}", one_line=True))


def print_scope(report: SyncReport) -> None:
    """What becomes of the fields csops wrote on accounts out of the rules' scope (sync.scope), one line each."""
    plan = report.scope
    if not plan.exits:
        return
    counts = plan.summary()
    verb = "would clear" if report.dry_run else "cleared"
    click.echo(f"out of scope: {plural(counts['accounts'], 'account')} with fields csops wrote: {verb} "
               f"{counts['cleared']:,}, left {counts['left']:,}" + ("" if report.dry_run else " (in csops log)"))
    for e in plan.exits[:50]:
        head = f"  {e.account_id}" + (f" ({e.name})" if e.name else "") + f", {e.why}:"
        parts = [f"{verb} {f} ({show(v)})" for f, v in e.clear.items()]
        parts += [f"left {f} = {show(v)}" for f, v in e.left.items()]
        parts += [f"left {f}: changed since csops wrote {show(w)}, holds {show(n)}" for f, (w, n) in e.changed.items()]
        click.echo(printable(f"{head} {'; '.join(parts)}", one_line=True))
    if len(plan.exits) > 50:
        click.echo(f"  … {plural(len(plan.exits) - 50, 'more account')} (--json lists them all)")


def print_report(report: SyncReport, team: TeamView, on: bool = False) -> None:
    z, s = report.zendesk, report.salesforce
    click.echo(f"zendesk:    {z.tickets_pulled:,} tickets ({z.tickets_deleted:,} deleted), "
               f"{z.organizations_pulled:,} organizations ({z.organizations_unlinked:,} not linked, "
               f"{z.organizations_unlinked_new:,} new: csops orgs --unlinked) "
               f"[{z.api_calls} API calls]")
    left_filter = f", {s.accounts_left_filter:,} left salesforce.where" if s.accounts_left_filter else ""
    click.echo(f"salesforce: {s.accounts_pulled:,} accounts ({s.accounts_deleted:,} deleted{left_filter}) "
               f"[{s.api_calls} API calls, org usage {s.api_usage or 'unknown'}]")
    counts = ", ".join(f"{paint(team.status(k), STATUS_STYLES.get(k), on)} {v:,}"
                       for k, v in sorted(report.status_counts.items(),
                                                                     key=lambda kv: STATUSES.index(kv[0])))
    unchanged = f" ({report.accounts_unchanged:,} unchanged since their last evaluation)" \
        if report.accounts_unchanged else ""
    click.echo(f"rules:      {report.accounts_evaluated + report.accounts_unchanged:,} accounts{unchanged}: "
               f"{counts or 'none'}")
    click.echo(f"alerts:     {report.alerts.new_count:,} new, {report.alerts.resolved_count:,} resolved, "
               f"{report.alerts.active:,} active")
    verb = "would change" if report.dry_run else "changed"
    click.echo(f"writeback:  {len(report.changes):,} accounts {verb}, {report.written:,} written, "
               f"{len(report.failures):,} failed [{report.write_api_calls} API calls]")
    for f in report.failures:
        click.echo(f"  failed: {f.id}: {f.status_code}: {printable(f.message)}" + (f" ({', '.join(f.fields)})"
                                                                         if f.fields else ""), err=True)
    print_scope(report)
    for problem in report.fact_problems[:20]:
        click.echo(f"  note: {printable(problem)} (treated as empty)", err=True)
    print_delivery(report.notify)
    if report.mass_change is not None:
        click.echo(("the real run would stop here: " if report.dry_run else "accepted (--allow-mass-change): ")
                   + printable(report.mass_change.text()), err=True)
    if report.dry_run:
        print_planned(report.notify_planned)
        click.echo("dry run: nothing written to Salesforce; no cursor or bookmark advanced")
    click.echo(f"done in {report.duration_s:.1f}s")


@click.command()
@click.option("--runs", default=10, show_default=True, help="How many recent runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def status(app: App, runs: int, as_json: bool) -> None:
    """The last runs (counts and failures) and the onboarding funnel now."""
    store = app.store
    recent = []
    for r in store.recent_runs(runs):
        rep = r.report
        recent.append({"id": r.id, "command": r.command, "started_at": r.started_at,
                       "finished_at": r.finished_at, "status": r.status, "exit_code": r.exit_code,
                       "evaluated": rep.get("rules", {}).get("accounts_evaluated"),
                       "written": rep.get("writeback", {}).get("written"),
                       "failed": rep.get("writeback", {}).get("failed"),
                       "duration_s": rep.get("duration_s"), "failures": rep.get("failures", []),
                       "error": rep.get("error")})
    funnel: dict[str, dict[str, int]] = defaultdict(dict)
    for product, state, n in store.status_funnel():
        funnel[product][state] = n
    if as_json:
        emit_json({"runs": recent, "funnel": funnel})
        return
    if not recent:
        click.echo("no runs yet: try `csops sync --dry-run`, then `csops sync`")
        return
    team = team_view(app)
    lines: list[tuple[str, ...]] = [("run", "command", f"started ({team.timezone})", "status", "exit", "evaluated",
                                     "written", "failed", "seconds")]
    for run in recent:
        lines.append((str(run["id"]), run["command"], local_time(run["started_at"], team.tz), run["status"],
                      "" if run["exit_code"] is None else str(run["exit_code"]), count(run["evaluated"]),
                      count(run["written"]), count(run["failed"]),
                      "" if run["duration_s"] is None else f"{run['duration_s']:.1f}"))
    click.echo(table(lines))
    last = recent[0]
    for f in last["failures"][:20]:
        click.echo(f"  failed in run {last['id']}: {f['account_id']}: {f['status_code']}: {printable(f['message'])}")
    if last.get("error"):
        click.echo(f"  run {last['id']} stopped: {printable(last['error'])}")
    statuses = list(STATUSES)
    click.echo("")
    click.echo(table([("product", *(team.status(s) for s in statuses))] + [(p, *(str(c.get(s, 0)) for s in statuses))
                                                  for p, c in funnel.items()]))


@click.command()
@click.option("--new", "only_new", is_flag=True, help="Only alerts first raised by the last sync.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def alerts(app: App, only_new: bool, as_json: bool) -> None:
    """Active alerts: account, severity and since when (most severe first)."""
    out = active_alerts(app, only_new)
    if as_json:
        emit_json([a._asdict() for a in out])
        return
    if not out:
        click.echo("no active alerts" + (" raised by the last sync" if only_new else ""))
        return
    on = colour(app)

    def severity(column: int, cell: str, padded: str) -> str:
        return paint(padded, SEVERITY_STYLES.get(cell), on) if column == 0 else padded

    click.echo(table([("severity", "account", "name", "owner", "alert", "since", "title")] +
                     [(a.severity, a.account_id, a.account or "", a.owner or "", a.alert, a.first_seen, a.title)
                      for a in out], paint=severity))
