"""``csops sandbox serve``: the local Zendesk + Salesforce emulator."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from base.errors import Failure
from base.files import WouldOverwrite, make_folder, write_file
from csops.starter import SANDBOX_SECRETS, SANDBOX_STORE, sandbox_config, sandbox_rules

if TYPE_CHECKING:
    from notify.channel import Emulator


@click.group()
def sandbox() -> None:
    """A local stand-in for the Zendesk and Salesforce APIs (for trying csops safely)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback).")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="Port (default: a free one).")
@click.option("--seed", default=1, show_default=True, type=int, help="Seed for the generated data.")
@click.option("--accounts", default=200, show_default=True, type=int, help="Salesforce accounts (and orgs).")
@click.option("--tickets", default=3000, show_default=True, type=int, help="Zendesk tickets.")
@click.option("--fail-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of requests answered with a 500/503 or a dropped connection.")
@click.option("--rate-limit", default="off", show_default=True,
              help="'real' (Zendesk's own per-minute limits), 'off', or N requests per --rate-window.")
@click.option("--rate-window", default=60.0, show_default=True, type=float, help="Seconds of the rate window.")
@click.option("--latency-ms", default=0, show_default=True, type=int, help="Delay added to every request.")
@click.option("--sf-daily-limit", default=100_000, show_default=True, type=int,
              help="Salesforce daily API limit (403 REQUEST_LIMIT_EXCEEDED past it).")
@click.option("--oauth-expires-in", default=1800, show_default=True, type=click.IntRange(1, 172_800),
              help="Seconds a Zendesk OAuth access token lives (Zendesk's default is 30 minutes; a few seconds "
                   "make a run renew its token).")
@click.option("--write-config", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a config pointing at this sandbox (credentials by ${VAR}; its own store, "
                   ".csops/sandbox.db; the folder's rules/onboarding.yaml and rules/notify.yaml, or the shipped "
                   "ones); never over an existing file: beside a project's csops.yaml, name it sandbox.yaml.")
def serve(host: str, port: int, seed: int, accounts: int, tickets: int, fail_rate: float, rate_limit: str,
          rate_window: float, latency_ms: int, sf_daily_limit: int, oauth_expires_in: int,
          write_config: Path | None) -> None:
    """Serve the Zendesk and Salesforce APIs on one port until interrupted.

    The credentials it accepts come from the same environment variables a
    csops.yaml written by --write-config reads (ZENDESK_CLIENT_SECRET for the
    OAuth client csops_sandbox, ZENDESK_API_TOKEN, SALESFORCE_CONSUMER_SECRET,
    SALESFORCE_PASSWORD, SALESFORCE_SECURITY_TOKEN); when unset, fresh random
    ones are written to .csops/sandbox.env (mode 600) — source that file.
    Each Slack channel of the rule files gets an incoming webhook on the
    sandbox, its URL in the variable the channel names (webhook_env), written
    there too: a URL of this sandbox already in the environment is kept.
    """
    from sandbox.server import Options, Sandbox

    if rate_limit not in ("real", "off") and not rate_limit.isdigit():
        raise click.BadParameter("use 'real', 'off' or a whole number", param_hint="--rate-limit")
    opts = Options(seed=seed, accounts=accounts, tickets=tickets, fail_rate=fail_rate, rate_limit=rate_limit,
                   rate_window=rate_window, latency_ms=latency_ms, sf_daily_limit=sf_daily_limit,
                   oauth_access_ttl=oauth_expires_in)
    if write_config and os.path.lexists(write_config):
        raise WouldOverwrite(write_config, "it exists already; --write-config writes a new file only (pick another "
                                           "name, or move it away)")
    fresh = _credentials(opts)
    rule_files = sandbox_rules(write_config.parent if write_config else Path("."))
    sb = Sandbox(opts).start(host, port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        click.echo(f"sandbox listening on {sb.url}")
        webhooks, channels = _webhooks(sb, rule_files, write_config)
        fresh.update({k: v for k, v in webhooks.items() if os.environ.get(k) != v})
        if fresh:
            _write_env(fresh)
            click.echo(f"credentials: . {ENV_FILE}")
        if write_config:
            write_file(write_config, sandbox_config(sb.url, opts.zendesk_email, opts.sf_username,
                                                    store=SANDBOX_STORE, rules=", ".join(rule_files)),
                       overwrite=False)
            click.echo(f"config written to {write_config}")
            _next_steps(write_config, bool(fresh), channels)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()


ENV_FILE = Path(".csops/sandbox.env")


def _credentials(opts: object) -> dict[str, str]:
    """The sandbox's secrets from the environment when all are set there (nothing to write), else fresh ones
    (returned, to be written to the env file). A secret from the environment is never copied into a file."""
    env = SANDBOX_SECRETS
    if all(os.environ.get(k) for k in env):
        for k, attr in env.items():
            setattr(opts, attr, os.environ[k])
        return {}
    return {k: getattr(opts, attr) for k, attr in env.items()}


def _webhooks(sb: Emulator, rule_files: list[str], write_config: Path | None) -> tuple[dict[str, str], list[str]]:
    """Environment variable → the emulator's URL for every channel of the rule files that delivers to one (Slack
    webhooks), and those channels' names. Rule files that do not load are left to ``csops rules check``: the
    sandbox serves all the same."""
    from notify.config import load

    base = write_config.parent if write_config else Path(".")
    try:
        _, spec = load([base / f for f in rule_files])
    except Failure as exc:
        click.echo(f"no Slack webhooks made: the rule files do not load ({str(exc).splitlines()[0]}…); "
                   "csops rules check shows why", err=True)
        return {}, []
    out: dict[str, str] = {}
    names = []
    for channel in spec.channels.values():
        env = channel.sandbox_env(sb, os.environ)
        out.update(env)
        names += [channel.name] if env else []
    return out, names


def _write_env(values: dict[str, str]) -> None:
    make_folder(ENV_FILE.parent, Path("."))
    write_file(ENV_FILE, "".join(f"export {k}='{v}'\n" for k, v in values.items()), perms=0o600, within=Path("."))


def _next_steps(config: Path, env_file: bool, channels: list[str]) -> None:
    """What to type next, in another terminal: the sandbox keeps this one."""
    click.echo("\nLeave this running. In another terminal, in this folder:")
    steps = [*([(f". {ENV_FILE}", "the sandbox's credentials and Slack webhooks")] if env_file else []),
             (f"csops --config {config} sync", "pull, evaluate, write back, notify"),
             *([(f"csops --config {config} notify --test {channels[0]}", "a test message to a Slack channel")]
               if channels else [])]
    wide = max(len(cmd) for cmd, _ in steps)
    for cmd, why in steps:
        click.echo(f"  {cmd:<{wide}}  # {why}")
