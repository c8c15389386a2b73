"""What the commands do, as functions over :class:`App`.

The ``csops`` commands and ``csops demo`` both call these; neither runs the
other (the demo used to drive the CLI through click's test runner).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from csops.config import ConfigError
from csops.shell import App, salesforce_client, zendesk_client
from rules.ruleset import compile_rules, load_rules
from sync.run import Progress, SyncJob, SyncReport

if TYPE_CHECKING:
    from kb.publish import Publisher
    from kb.spec import KbSpec


def run_sync(app: App, *, dry_run: bool = False, full: bool = False, today: date | None = None,
             progress: Progress | None = None) -> SyncReport:
    """Lock, pull both services, evaluate every account, write back what changed (or only plan it)."""
    with app.run_lock():
        rs = load_rules(app.rule_files())
        compile_rules(rs, today or datetime.now(rs.tz).date())
        zendesk = zendesk_client(app) if app.config.zendesk.configured else None
        job = SyncJob(app.store, zendesk, salesforce_client(app), rs, extra_fields=app.config.salesforce.fields,
                      progress=progress)
        return job.run(dry_run=dry_run, full=full)


def active_alerts(app: App, only_new: bool = False) -> list[dict[str, Any]]:
    """Open alerts, most severe first, with the account's name (``only_new``: raised by the last sync)."""
    return app.store.active_alerts(only_new)


def kb_publisher(app: App, spec: KbSpec, progress: Callable[[str], None] | None = None) -> Publisher:
    """A Help Center publisher for ``spec`` with the Zendesk connection and defaults from csops.yaml."""
    from connectors.zendesk import HelpCenter
    from kb.publish import Publisher

    cfg = app.config
    if not cfg.zendesk.configured:
        raise ConfigError("kb publish needs zendesk.subdomain (or base_url), email and api_token in csops.yaml")
    client = zendesk_client(app)
    pg = spec.permission_group_id if spec.permission_group_id is not None else cfg.kb.permission_group_id
    us = spec.user_segment_id if spec.user_segment_id is not None else cfg.kb.user_segment_id
    return Publisher(spec, HelpCenter(client), cfg.kb.brand_url or cfg.zendesk.url, pg, us, progress)

