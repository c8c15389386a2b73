"""The shell every ``csops`` command runs in: options, the App object, the error boundary.

Every command runs inside one error boundary (:class:`BoundaryGroup`): domain
exceptions become a one-line message and the exit code the README lists.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from connectors.http import (
    AuthenticationFailed,
    BudgetExhausted,
    RequestRejected,
    RetryPolicy,
    ServiceUnavailable,
)
from connectors.redact import redact, register_secret
from connectors.salesforce import FieldError, SalesforceClient
from connectors.slack import SlackError, WebhookURLError
from connectors.zendesk import ZendeskClient
from csops import __version__
from csops.config import Config, ConfigError, RulesConfig, find_config, load_config
from csops.logs import setup_logging
from csops.progress import SyncProgress, colour_wanted
from kb.gaps import GapsError
from kb.paths import BuildRefused, UnsafePath
from report.load import ReportError
from report.nps_csv import NpsImportError
from rules.ruleset import RuleSet, compile_rules, load_rules
from rules.yamlsrc import SourceError
from sync.dialect import is_postgres, url_password
from sync.guard import MassChangeHeld
from sync.store import (
    DbLease,
    LockHeld,
    RunLock,
    Store,
    StoreConfigError,
    StoreError,
    StoreUnavailable,
    open_store,
    run_lock,
    sqlite_path,
)

log = logging.getLogger("csops")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_MASS_CHANGE = 4
EXIT_UNAVAILABLE = 69
EXIT_SOFTWARE = 70
EXIT_IOERR = 74
EXIT_TEMPFAIL = 75
EXIT_CONFIG = 78

#: What each exit code means, for both CLIs (``csops`` and ``kb``); the README's table is checked against it.
#: Findings (a lint result) and failures never share a code, as in Vale (1 findings, 2 errors); above 63 the
#: codes follow sysexits.h, as cron wrappers and systemd expect.
EXIT_MEANINGS: dict[int, str] = {
    EXIT_OK: "ok",
    EXIT_FINDINGS: "findings: `kb check` found error-level problems in the articles (nothing crashed)",
    EXIT_USAGE: "usage error (unknown command or option, bad option value)",
    EXIT_PARTIAL: ("finished, but some records or notifications were rejected (listed; the next run retries "
                   "them)"),
    EXIT_MASS_CHANGE: "mass change held: the sync would change too many accounts at once; nothing written "
                      "(review, then `--allow-mass-change`)",
    EXIT_UNAVAILABLE: "a remote service or the PostgreSQL store is unavailable after retries, or refused the "
                      "credentials",
    EXIT_SOFTWARE: "unexpected error: a bug in csops (run with `-vv` for the traceback)",
    EXIT_IOERR: "the state store cannot be opened or written",
    EXIT_TEMPFAIL: "another run holds the lock, or the API budget is used up: try later (all state is kept)",
    EXIT_CONFIG: "configuration, rule or input data invalid",
}

EXIT_CODES: list[tuple[type[BaseException], int]] = [
    (ConfigError, EXIT_CONFIG),
    (FieldError, EXIT_CONFIG),
    (SourceError, EXIT_CONFIG),
    (WebhookURLError, EXIT_CONFIG),
    (SlackError, EXIT_UNAVAILABLE),
    (MassChangeHeld, EXIT_MASS_CHANGE),
    (LockHeld, EXIT_TEMPFAIL),
    (BudgetExhausted, EXIT_TEMPFAIL),
    (AuthenticationFailed, EXIT_UNAVAILABLE),
    (ServiceUnavailable, EXIT_UNAVAILABLE),
    (RequestRejected, EXIT_UNAVAILABLE),
    (StoreConfigError, EXIT_CONFIG),
    (StoreUnavailable, EXIT_UNAVAILABLE),
    (StoreError, EXIT_IOERR),
    (UnsafePath, EXIT_CONFIG),
    (BuildRefused, EXIT_USAGE),
    (GapsError, EXIT_CONFIG),
    (ReportError, EXIT_CONFIG),
    (NpsImportError, EXIT_CONFIG),
]


class CsopsError(click.ClickException):
    """A message for the user and the exit code that goes with it."""

    def __init__(self, message: str, exit_code: int = EXIT_SOFTWARE) -> None:
        super().__init__(redact(message))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance


def exit_code_for(exc: BaseException) -> int | None:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return None


def extra_exit_codes(pairs: list[tuple[type[BaseException], int]]) -> None:
    """Let a package register its own exception types with the boundary."""
    EXIT_CODES[:0] = pairs


def exit_code_epilog() -> str:
    """The exit-code table as --help text (both CLIs print the same one)."""
    lines = [f"  {code:>2}  {meaning.replace('`', '')}" for code, meaning in EXIT_MEANINGS.items()]
    return "\b\nExit codes:\n" + "\n".join(lines)


class BoundaryGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise SystemExit(130) from None
        except BrokenPipeError:
            # `csops … | head -1`: the reader has what it wanted. End quietly, and keep Python from complaining
            # again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(EXIT_OK) from None
        except Exception as exc:
            code = exit_code_for(exc)
            if code is None:
                log.debug("unexpected error", exc_info=True)
                hint = "" if log.isEnabledFor(logging.DEBUG) else " (run with -vv for the traceback)"
                raise CsopsError(f"unexpected error: {type(exc).__name__}: {exc}{hint}", EXIT_SOFTWARE) from None
            raise CsopsError(str(exc), code) from None


@dataclass
class App:
    """What every command can reach: options, the config, the store, the run lock."""

    config_path: str | None = None
    log_format: str = "text"
    verbosity: int = 0
    no_color: bool = False
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

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

    def rules(self, today: date | None = None) -> RuleSet:
        """The compiled rule set (compiled once per run)."""
        rs = load_rules(self.rule_files())
        return compile_rules(rs, today or datetime.now(rs.tz).date())

    def salesforce_fields(self) -> tuple[list[str], list[str]]:
        """Fields to pull (config + what the rules read) and the rules' writeback fields."""
        rs = load_rules(self.rule_files())
        fields = list(dict.fromkeys(self.config.pulled_fields() + rs.salesforce_fields()))
        return fields, list(rs.writeback)

    def store_url(self) -> str:
        """store.url, its password (if it carries one) registered as a secret so no message shows it."""
        url = self.config.store.url
        password = url_password(url)
        if password:
            register_secret(password)
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


def fail(message: str, code: int) -> NoReturn:
    raise CsopsError(message, code)


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
        raise ConfigError("zendesk is not configured: set zendesk.subdomain (or zendesk.base_url), zendesk.email "
                          "and zendesk.api_token in csops.yaml", str(cfg.path) if cfg.path else None)
    return ZendeskClient(cfg.zendesk, policy or cfg.sync.retry_policy())


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
