"""``csops sandbox serve``: the local Zendesk + Salesforce emulator."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import click

from base.files import WouldOverwrite, make_folder, write_file
from csops.starter import SANDBOX_SECRETS, packaged_rules, sandbox_config


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
              help="Write a csops.yaml pointing at this sandbox (Zendesk OAuth client credentials; credentials by "
                   "${VAR}); never over an existing file.")
def serve(host: str, port: int, seed: int, accounts: int, tickets: int, fail_rate: float, rate_limit: str,
          rate_window: float, latency_ms: int, sf_daily_limit: int, oauth_expires_in: int,
          write_config: Path | None) -> None:
    """Serve the Zendesk and Salesforce APIs on one port until interrupted.

    The credentials it accepts come from the same environment variables a
    csops.yaml written by --write-config reads (ZENDESK_CLIENT_SECRET for the
    OAuth client csops_sandbox, ZENDESK_API_TOKEN, SALESFORCE_CONSUMER_SECRET,
    SALESFORCE_PASSWORD, SALESFORCE_SECURITY_TOKEN); when unset, fresh random
    ones are written to .csops/sandbox.env (mode 600) — source that file.
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
    env_file = _credentials(opts)
    sb = Sandbox(opts).start(host, port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        click.echo(f"sandbox listening on {sb.url}")
        if env_file:
            click.echo(f"credentials: . {env_file}")
        if write_config:
            # Beside a project's own rules/onboarding.yaml the default finds it; anywhere else, the shipped one.
            own = (write_config.parent / "rules" / "onboarding.yaml").exists()
            write_file(write_config, sandbox_config(sb.url, opts.zendesk_email, opts.sf_username,
                                                    rules=None if own else str(packaged_rules())), overwrite=False)
            click.echo(f"config written to {write_config}")
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()


def _credentials(opts: object) -> Path | None:
    """Take the sandbox's credentials from the environment, or write fresh ones to a private file."""
    env = SANDBOX_SECRETS
    if all(os.environ.get(k) for k in env):
        for k, attr in env.items():
            setattr(opts, attr, os.environ[k])
        return None
    path = Path(".csops/sandbox.env")
    make_folder(path.parent, Path("."))
    write_file(path, "".join(f"export {k}='{getattr(opts, attr)}'\n" for k, attr in env.items()), perms=0o600,
               within=Path("."))
    return path
