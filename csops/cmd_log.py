"""``csops log``: what csops wrote to Salesforce, field by field, from the write log."""

from __future__ import annotations

import io
from typing import Any

import click

from base.csvfile import SpreadsheetWriter
from base.errors import InputError, UsageError
from base.terminal import table
from csops.display import local_time, show
from csops.jobs import one_account, team_view
from csops.shell import App, emit_json, pass_app
from store.writelog import WriteEntry

COLUMNS = ["run", "time", "sobject", "record_id", "account_id", "field", "old", "new", "result", "error", "reason"]
RESULTS = {"ok": "ok", "rejected": "rejected", "sent": "unconfirmed", "left": "left"}


@click.command("log")
@click.argument("account", required=False, metavar="[ACCOUNT]")
@click.option("--run", "run_id", type=int, metavar="N", help="Every write of run N (see `csops status`).")
@click.option("--limit", type=int, default=200, show_default=True, help="With ACCOUNT: at most this many writes.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print as CSV (UTF-8), e.g. for a spreadsheet.")
@pass_app
def log(app: App, account: str | None, run_id: int | None, limit: int, as_json: bool, as_csv: bool) -> None:
    """What csops wrote to Salesforce: an account's writes newest first, or one run's.

    \b
    ACCOUNT is an 18- or 15-character Id or part of the name. Each line is one
    field of one record (an account field, or the Status of a Task a notify
    channel created or completed): the run, the time, the value Salesforce
    held before, the value sent, the result (ok, rejected with Salesforce's
    error, or unconfirmed when the run was stopped before Salesforce answered)
    and the rule behind it. A field csops left as it wrote it on an account
    that left the rules' scope reads "left", with the reason. Kept
    sync.write_log_days (default 400) days.
    """
    if (account is None) == (run_id is None):
        raise UsageError("name an ACCOUNT (Id or part of the name) or give --run N")
    store = app.store
    if run_id is not None:
        entries = store.run_writes(run_id)
        if not entries and store.find_run(run_id) is None:
            raise InputError(f"--run {run_id}: no such run (see `csops status --runs 50`)")
        heading = f"run {run_id}: {len(entries):,} writes"
    else:
        assert account is not None
        known = store.account_fields([account])  # an Id, of a live account or one out of scope (deleted)
        account_id, name = (account, known[account].get("Name")) if account in known else one_account(app, account)
        entries = store.account_writes(account_id, limit)
        heading = f"{account_id} ({name or '?'}): {len(entries):,} writes, newest first"
    rows = [as_row(e) for e in entries]
    if as_json:
        emit_json(rows)
    elif as_csv:
        out = io.StringIO()
        writer = SpreadsheetWriter(out)
        writer.writerow(COLUMNS)
        writer.writerows(["" if r[c] is None else (show(r[c]) if c in ("old", "new") else r[c]) for c in COLUMNS]
                         for r in rows)
        click.echo(out.getvalue(), nl=False)
    else:
        _print(app, heading, entries, by_account=run_id is not None)


def as_row(e: WriteEntry) -> dict[str, Any]:
    return {"run": e.run_id, "time": e.written_at, "sobject": e.sobject, "record_id": e.record_id,
            "account_id": e.account_id, "field": e.field, "old": e.old, "new": e.new,
            "result": RESULTS.get(e.result, e.result), "error": e.error, "reason": e.reason}


def _print(app: App, heading: str, entries: list[WriteEntry], by_account: bool) -> None:
    click.echo(heading)
    if not entries:
        return
    tz = team_view(app).tz
    head = ["run", "time", *(["account"] if by_account else []), "field", "old → new", "result", "reason"]
    lines = [head]
    for e in entries:
        what = e.field if e.sobject == "Account" else f"{e.sobject} {e.record_id} {e.field}"
        result = RESULTS.get(e.result, e.result) + (f": {e.error}" if e.error else "")
        lines.append([str(e.run_id), local_time(e.written_at, tz), *([e.account_id] if by_account else []), what,
                      f"{show(e.old)} → {show(e.new)}", result, e.reason or ""])
    click.echo(table(lines))
