"""The shell every ``csops`` command runs in: options, the App object, the error boundary.

Every command runs inside one error boundary (:class:`BoundaryGroup`): domain
exceptions become a one-line message and the exit code the README lists.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from base.files import make_named_folder, write_file
from base.redact import register_url_secrets
from connectors.http import (
    RetryPolicy,
)
from connectors.salesforce import SalesforceClient
from connectors.zendesk import ZendeskClient, zendesk_auth
from connectors.zendesk_auth import TOKEN_FILE_NAME, ZendeskAuth
from csops import __version__
from csops.config import Config, ConfigError, RulesConfig, find_config, load_config
from csops.exits import (  # noqa: F401  (re-exported: commands import them from the shell)
    EXIT_CONFIG,
    EXIT_FINDINGS,
    EXIT_IOERR,
    EXIT_MASS_CHANGE,
    EXIT_MEANINGS,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_SOFTWARE,
    EXIT_TEMPFAIL,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    BoundaryGroup,
    CsopsError,
    exit_code_epilog,
)
from csops.logs import setup_logging
from csops.progress import SyncProgress, colour_wanted
from notify.config import NotifySpec
from notify.config import load as load_rule_files
from rules.ruleset import RuleSet, compile_rules
from store import (
    DbLease,
    RunLock,
    Store,
    is_postgres,
    open_store,
    run_lock,
    sqlite_path,
)

log = logging.getLogger("csops")


@dataclass
class App:
    """What every command can reach: options, the config, the store, the run lock."""

    config_path: str | None = None
    log_format: str = "text"
    verbosity: int = 0
    no_color: bool = False
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _zendesk_auth: ZendeskAuth | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path, strict_env=False)
        return self._config

    def rule_files(self) -> list[Path]:
        """rules.files from csops.yaml; without any config, the defaults relative to this folder."""
        try:
            find_config(self.config_path)
        except ConfigError:
            return [Path(p) for p in RulesConfig().files]
        return [self.config.resolve(p) for p in self.config.rules.files]

    def load_rules(self, files: Sequence[str | Path] = ()) -> tuple[RuleSet, NotifySpec]:
        """The rule files (``files``, else rules.files) with their notify section, every problem of both
        reported together (RuleError, exit 78)."""
        return load_rule_files(files or self.rule_files())

    def rules(self, today: date | None = None) -> RuleSet:
        """The compiled rule set (compiled once per run)."""
        rs, _ = self.load_rules()
        return compile_rules(rs, today or datetime.now(rs.tz).date())

    def salesforce_fields(self) -> tuple[list[str], list[str]]:
        """Fields to pull (config + what the rules read) and the rules' writeback fields."""
        rs, _ = self.load_rules()
        fields = list(dict.fromkeys(self.config.pulled_fields() + rs.salesforce_fields()))
        return fields, list(rs.writeback)

    def store_url(self) -> str:
        """store.url, its password (if it carries one) registered as a secret so no message shows it."""
        url = self.config.store.url
        register_url_secrets(url)
        return url

    def store_path(self) -> Path:
        """The SQLite file of a sqlite:/// store.url."""
        return sqlite_path(self.store_url(), self.config.base_dir)

    def open_store(self, migrate: bool = True) -> Store:
        """A new connection to the configured store (``app.store`` is the run's shared one)."""
        return open_store(self.store_url(), self.config.base_dir, migrate=migrate)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self.open_store()
        return self._store

    def run_lock(self) -> RunLock | DbLease:
        """The file lock beside a SQLite store (taken before the file is opened), or the lease in a PostgreSQL
        store (which fences every write of this run's store)."""
        url = self.store_url()
        if is_postgres(url):
            return run_lock(self.store, lease_seconds=self.config.store.lease_seconds)
        return run_lock(url, self.config.base_dir)

    def zendesk_token_file(self) -> Path:
        """Where ``zendesk.auth: oauth`` keeps its refresh token: beside a SQLite store, else in .csops/ beside the
        config."""
        url = self.store_url()
        folder = self.config.base_dir / ".csops" if is_postgres(url) else self.store_path().parent
        return folder / TOKEN_FILE_NAME

    def zendesk_auth(self, policy: RetryPolicy | None = None, today: date | None = None) -> ZendeskAuth:
        """The run's one Zendesk auth: every Zendesk client of the command signs its requests with it (one token)."""
        if self._zendesk_auth is None:
            cfg = self.config
            self._zendesk_auth = zendesk_auth(cfg.zendesk, policy or cfg.sync.retry_policy(), None,
                                              self.zendesk_token_file(), today)
        return self._zendesk_auth

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(App)


def progress_for(app: App, as_json: bool) -> SyncProgress:
    """Bars on a terminal with text logs; none for --json output, JSON logs, cron or a pipe."""
    return SyncProgress(not as_json and app.log_format == "text", app.no_color)


def colour(app: App) -> bool:
    return app.log_format == "text" and colour_wanted(app.no_color)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit_text(text: str, out: Path | None, name: str, extent: str) -> None:
    """``text`` on standard output, or into the file ``out`` (its folder made, the file replaced whole), said on
    standard error as ``NAME written to OUT (EXTENT)``."""
    if out is None:
        click.echo(text, nl=False)
        return
    make_named_folder(out.parent)
    write_file(out, text, named=True)
    click.echo(f"{name} written to {out} ({extent})", err=True)


def parse_today(value: str | None, rs: RuleSet | None = None) -> dt.date:
    """``--today`` as a date; without it, today in the rules' time zone."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)", param_hint="--today") from None
    tz = rs.tz if rs else dt.UTC
    return dt.datetime.now(tz).date()


def common_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--config", "config_path", metavar="PATH", envvar="CSOPS_CONFIG",
                     help="csops.yaml to use (default: $CSOPS_CONFIG, then ./csops.yaml).")(f)
    f = click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                     help="json: one JSON object per line, for cron and log shippers.")(f)
    f = click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")(f)
    f = click.option("-q", "--quiet", count=True, help="Only errors.")(f)
    f = click.option("--no-color", is_flag=True, envvar="CSOPS_NO_COLOR",
                     help="No colour (also when NO_COLOR is set, or output is not a terminal).")(f)
    return f


@click.group(cls=BoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=exit_code_epilog())
@common_options
@click.version_option(__version__, prog_name="csops")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, log_format: str, verbose: int, quiet: int,
        no_color: bool) -> None:
    """csops: Zendesk + Salesforce sync with onboarding rules, for CS Ops teams.

    \b
    Typical use:
      csops doctor                 check every configured connection
      csops sync --dry-run         show what the next sync would write
      csops sync                   pull, evaluate the rules, write back (from cron)
      csops rules check            validate the team's rule files
      csops demo                   everything, against a local sandbox
    """
    setup_logging(log_format, verbose - quiet)
    app = App(config_path=config_path, log_format=log_format, verbosity=verbose - quiet, no_color=no_color)
    ctx.obj = app
    ctx.call_on_close(app.close)


def zendesk_client(app: App, policy: RetryPolicy | None = None) -> ZendeskClient:
    cfg = app.config
    cfg.require_env("zendesk")
    if not cfg.zendesk.configured:
        raise ConfigError("zendesk is not configured: set zendesk.subdomain (or zendesk.base_url) and its "
                          "credentials in csops.yaml (README: Connecting to Zendesk)", str(cfg.path) if cfg.path
                          else None)
    return ZendeskClient(cfg.zendesk, policy or cfg.sync.retry_policy(), auth=app.zendesk_auth(policy))


def salesforce_client(app: App, policy: RetryPolicy | None = None) -> SalesforceClient:
    cfg = app.config
    cfg.require_env("salesforce")
    if not cfg.salesforce.configured:
        raise ConfigError("salesforce is not configured: set salesforce.instance_url and credentials in "
                          "csops.yaml", str(cfg.path) if cfg.path else None)
    sf = cfg.salesforce
    if sf.private_key_file:
        sf.private_key_file = str(cfg.resolve(sf.private_key_file))
    return SalesforceClient(sf, policy or cfg.sync.retry_policy())
