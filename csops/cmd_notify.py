"""``csops notify``: deliver what waits in the outbox, show it, or send a test message."""

from __future__ import annotations

from dataclasses import asdict

import click

from base.errors import InputError
from base.terminal import table
from csops.display import print_delivery
from csops.jobs import deliver_pending, send_test_message
from csops.shell import EXIT_PARTIAL, App, emit_json, pass_app
from notify.outbox import Outbox


@click.command()
@click.option("--pending", "show_pending", is_flag=True, help="List what waits in the outbox; send nothing.")
@click.option("--test", "test_channel", metavar="CHANNEL", help="Send a test message to a channel of the rule "
                                                                "file's notify section (Slack).")
@click.option("--check-stale", is_flag=True,
              help="Only this (and deliver): is the last successful sync older than the notify section's "
                   "stale_after hours? Posts 'stale' once to the run: routes' channels. Any csops notify checks it.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def notify(app: App, show_pending: bool, test_channel: str | None, check_stale: bool, as_json: bool) -> None:
    """Deliver the alert notifications waiting in the outbox (a sync does this itself).

    \b
    csops notify --pending        what waits, per channel, and the last error
    csops notify --test CHANNEL   send a test message to a channel (Slack)
    csops notify                  deliver what waits now (e.g. after fixing a webhook)
    csops notify --check-stale    from a cron line of its own: notices a sync
                                  that no longer runs (run: [stale] route)
    Exit 3 when a channel could not be delivered (it stays pending).
    """
    if test_channel:
        send_test_message(app, test_channel)
        click.echo(f"sent a test message to '{test_channel}'")
        return
    if show_pending:
        _show_pending(app, as_json)
        return
    if check_stale and not app.load_rules()[1].watches_runs:
        raise InputError("--check-stale: no route in the notify section sends messages about runs; add e.g. "
                         "- {run: [failed, held, partial, stale], to: CHANNEL} (README: Alerts about csops itself)")
    report, queued = deliver_pending(app)
    if as_json:
        emit_json({"channels": report.summary(), "run_state_queued": queued} if check_stale else report.summary())
    else:
        if queued:
            click.echo(f"queued a '{queued}' message about csops's runs")
        elif check_stale:
            click.echo("not stale: a sync succeeded within notify.stale_after hours (or it was announced already)")
        if report.channels:
            print_delivery(report)
        elif not check_stale:
            click.echo("nothing to deliver")
    if report.failed:
        raise SystemExit(EXIT_PARTIAL)


def _show_pending(app: App, as_json: bool) -> None:
    notices = Outbox(app.store).pending()
    if as_json:
        emit_json([asdict(n) for n in notices])
        return
    if not notices:
        click.echo("nothing pending")
        return
    lines = [("channel", "kind", "account", "name", "alert", "since", "attempts", "last error")]
    for n in notices:
        lines.append((n.channel, n.kind, n.account_id, str(n.payload.get("account") or ""), n.alert_id,
                      n.occurrence, str(n.attempts), (n.last_error or "")[:80]))
    click.echo(table(lines))
