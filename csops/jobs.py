"""What the commands do, as functions over :class:`App`.

The ``csops`` commands and ``csops demo`` both call these; neither runs the
other (the demo used to drive the CLI through click's test runner).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from base.errors import Failure, InputError, SourceError, UsageError
from base.suggest import suggest
from connectors.salesforce import SalesforceClient
from csops.config import ConfigError
from csops.shell import App, salesforce_client, zendesk_client
from notify import ops
from notify.channel import Delivery, channel_of
from notify.config import NotifySpec
from notify.deliver import DeliveryReport, deliver
from notify.outbox import Outbox
from rules.ruleset import RuleSet, compile_rules
from store.alerts import ActiveAlert
from store.organizations import AccountName
from store.writelog import WriteEntry
from sync.rollback import RollbackJob, RollbackReport
from sync.run import Progress, SyncJob, SyncReport

log = logging.getLogger("csops.notify")

if TYPE_CHECKING:
    from kb.model import KbSpec
    from kb.publish import Publisher


def run_sync(app: App, *, dry_run: bool = False, full: bool = False, today: date | None = None,
             progress: Progress | None = None, allow_mass_change: bool = False) -> SyncReport:
    """Lock, pull both services, evaluate every account, write back what changed (or only plan it)."""
    with app.run_lock():
        rs, spec = app.load_rules()
        compile_rules(rs, today or datetime.now(rs.tz).date())
        zendesk = zendesk_client(app) if app.config.zendesk.configured else None
        sf = salesforce_client(app)
        job = SyncJob(app.store, zendesk, sf, rs, extra_fields=app.config.pulled_fields(), progress=progress,
                      max_status_change_pct=app.config.sync.max_status_change_pct,
                      max_no_phases_pct=app.config.sync.max_no_phases_pct, allow_mass_change=allow_mass_change,
                      churned_fact=app.config.report.churned_fact, owner_field=app.config.report.owner_field,
                      notify=spec, write_log_days=app.config.sync.write_log_days,
                      base_dir=app.config.base_dir)
        if spec.enabled and not dry_run:
            assert rs.compiled_for is not None
            delivery = notify_delivery(app, rs, rs.compiled_for, lambda: sf)
            job.deliver = lambda: deliver(spec, delivery)
        if dry_run or not spec.watches_runs:
            return job.run(dry_run=dry_run, full=full)
        try:
            return job.run(full=full)
        finally:
            tell_about_run(app, rs, spec)


def tell_about_run(app: App, rs: RuleSet, spec: NotifySpec) -> None:
    """After a sync, under its lock: the message about csops itself its outcome calls for (notify.ops), queued
    and delivered. Never raises: the sync's own outcome is what the command reports, and what could not be sent
    waits in the outbox."""
    try:
        runs = app.store.recent_runs(1)
        if runs and runs[0].command == "sync" and ops.after_sync(app.store, spec, runs[0]):
            deliver(spec, notify_delivery(app, rs, datetime.now(rs.tz).date()))
    except (Failure, OSError) as exc:
        log.warning("could not send the message about this run: %s", exc)


def run_rollback(app: App, of_run: int, *, dry_run: bool = False, allow_mass_change: bool = False
                 ) -> RollbackReport:
    """Under the run lock: put back what run ``of_run`` wrote, where Salesforce still holds it (sync.rollback)."""
    with app.run_lock():
        rs, spec = app.load_rules()
        job = RollbackJob(app.store, salesforce_client(app), rs,
                          max_status_change_pct=app.config.sync.max_status_change_pct,
                          max_no_phases_pct=app.config.sync.max_no_phases_pct, allow_mass_change=allow_mass_change,
                          closed_status=lambda e: closed_status(spec, e))
        return job.run(of_run, dry_run=dry_run)


def closed_status(spec: NotifySpec, written: WriteEntry) -> str:
    """The Status a rollback closes a Task with: its channel's (named in the write log row's reason)."""
    channel = spec.channels.get(channel_of(written.reason) or "")
    return (channel.closed_status if channel is not None else None) or "Completed"


def notify_delivery(app: App, rs: RuleSet, today: date,
                    salesforce: Callable[[], SalesforceClient] | None = None) -> Delivery:
    """What channels deliver with: the store's outbox, secrets from the environment, the run's Salesforce client
    (or one made on first use)."""
    if salesforce is None and app.config.salesforce.configured:
        client: list[SalesforceClient] = []

        def salesforce() -> SalesforceClient:
            if not client:
                client.append(salesforce_client(app))
            return client[0]
    return Delivery(Outbox(app.store), today, datetime.now(rs.tz), os.environ, app.config.sync.retry_policy(),
                    salesforce, app.config.salesforce.instance_url, app.store.owner_names, app.store.log_writes)


def deliver_pending(app: App) -> tuple[DeliveryReport, str | None]:
    """Under the run lock: check that the sync is not stale (notify.ops; queues the message once), then deliver
    what waits in the outbox. Returns the delivery and the state queued, if any."""
    rs, spec = app.load_rules()
    with app.run_lock():
        queued = ops.check_stale(app.store, spec) if spec.watches_runs else None
        return deliver(spec, notify_delivery(app, rs, datetime.now(rs.tz).date())), queued


def send_test_message(app: App, name: str) -> None:
    """Send a test message to one channel of the rule files' notify section (a kind that takes one)."""
    rs, spec = app.load_rules()
    channel = spec.channels.get(name)
    if channel is None:
        raise InputError(f"--test: no channel '{name}' in the rule files' notify section"
                         f"{suggest(name, spec.channels)}; channels: "
                         f"{', '.join(spec.channels) or '(none)'}")
    channel.send_test(notify_delivery(app, rs, datetime.now(rs.tz).date()))


def active_alerts(app: App, only_new: bool = False) -> list[ActiveAlert]:
    """Open alerts, most severe first, with the account's name (``only_new``: raised by the last sync)."""
    return app.store.active_alerts(only_new, app.config.report.owner_field)


@dataclass
class TeamView:
    """How the team reads statuses and times: the rule file's labels and time zone."""

    labels: dict[str, str] = field(default_factory=dict)
    tz: dt.tzinfo = dt.UTC
    timezone: str = "UTC"

    def status(self, status: str) -> str:
        return self.labels.get(status, status)


def team_view(app: App) -> TeamView:
    """Labels and time zone from the rule files; UTC and status ids when they cannot be read (status must work)."""
    try:
        rs, _ = app.load_rules()
    except SourceError:
        return TeamView()
    return TeamView(dict(rs.status_labels), rs.tz, rs.timezone)


def find_accounts(app: App, term: str) -> list[AccountName]:
    """Accounts a person means by ``term``: an 18- or 15-character Id (as Salesforce shows both), or part of a name."""
    from connectors.sfid import is_valid_id, to18

    term = term.strip()
    if is_valid_id(term) and len(term) == 15:
        term = to18(term)
    return app.store.find_accounts(term)


def one_account(app: App, term: str) -> tuple[str, str | None]:
    """The one account ``term`` names (Id or part of the name); several or none is an error saying which."""
    matches = find_accounts(app, term)
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "\n".join(f"  {i}  {n or ''}" for i, n in matches)
        many = f"{'at least ' if len(matches) >= 10 else ''}{len(matches)}"
        raise UsageError(f"'{term}' matches {many} accounts; give one Id:\n{listed}")
    if app.store.count_evaluations() == 0:
        raise InputError(f"no account '{term}': nothing has been evaluated yet; run `csops sync` first")
    raise InputError(f"no account with the Id or a name containing '{term}' (an Id has 15 or 18 characters, as "
                     "in the Salesforce URL)")


def kb_publisher(app: App, spec: KbSpec, progress: Callable[[str], None] | None = None) -> Publisher:
    """A Help Center publisher for ``spec`` with the Zendesk connection and defaults from csops.yaml."""
    from connectors.zendesk import HelpCenter
    from kb.publish import Publisher

    cfg = app.config
    if not cfg.zendesk.configured:
        raise ConfigError("kb publish needs zendesk.subdomain (or base_url) and its credentials in csops.yaml "
                          "(README: Connecting to Zendesk)")
    client = zendesk_client(app)
    pg = spec.permission_group_id if spec.permission_group_id is not None else cfg.kb.permission_group_id
    us = spec.user_segment_id if spec.user_segment_id is not None else cfg.kb.user_segment_id
    return Publisher(spec, HelpCenter(client), cfg.kb.brand_url or cfg.zendesk.url, pg, us, progress)

