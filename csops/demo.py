"""``csops demo``: the whole job against a sandbox started in this process."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

import rules as rules_pkg


def publish_sample_kb(runner: object, config: Path, env: dict[str, str]) -> None:
    """Check the shipped knowledge base and publish it to the sandbox's Help Center, twice."""
    from click.testing import CliRunner

    import kb as kb_pkg
    from csops.kb_cli import kb

    assert isinstance(runner, CliRunner)
    root = Path(kb_pkg.__file__).parent
    base = ["--root", str(root), "--config", str(config)]
    check = runner.invoke(kb, [*base, "check", "--format", "json"], env=env)
    findings = json.loads(check.stdout or "[]")
    click.echo(f"\nkb check: {len(findings)} findings in the sample knowledge base")
    for label in ("kb publish", "kb publish again"):
        res = runner.invoke(kb, [*base, "publish", "--json"], env=env)
        if res.exit_code != 0:
            raise click.ClickException(f"{label} failed (exit {res.exit_code}): {res.output}")
        out = json.loads(res.stdout)
        click.echo(f"{label:>17}: {out['created']} created, {out['updated']} updated, {out['unchanged']} unchanged, "
                   f"{out['images_uploaded']} images, {out['api_calls']} API calls")


def run_demo(accounts: int, tickets: int, keep: str | None) -> None:
    from click.testing import CliRunner

    from csops.cmd_sandbox import sandbox_config
    from sandbox.server import Options, Sandbox

    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="csops-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    sb = Sandbox(Options(accounts=accounts, tickets=tickets)).start()
    try:
        o = sb.options
        rule_file = Path(rules_pkg.__file__).parent / "onboarding.yaml"
        config = folder / "csops.yaml"
        config.write_text(sandbox_config(sb.url, o.zendesk_email, o.sf_username, rules=str(rule_file)),
                          encoding="utf-8")
        env = {"ZENDESK_API_TOKEN": o.zendesk_token, "SALESFORCE_PASSWORD": o.sf_password,
               "SALESFORCE_SECURITY_TOKEN": o.sf_security_token}
        click.echo(f"sandbox on {sb.url}: {accounts} Salesforce accounts, {tickets} Zendesk tickets")
        click.echo(f"config and store in {folder}\n")
        from csops.cli import cli

        runner = CliRunner()
        old = os.getcwd()
        os.chdir(folder)
        try:
            results = []
            for label, args in (("dry run", ["sync", "--dry-run", "--json"]), ("first sync", ["sync", "--json"]),
                                ("second sync", ["sync", "--json"])):
                res = runner.invoke(cli, ["--config", str(config), "-q", *args], env=env)
                if res.exit_code not in (0, 3):
                    raise click.ClickException(f"{label} failed (exit {res.exit_code}): {res.output}")
                out = json.loads(res.stdout)
                results.append(out)
                wb = out["writeback"]
                click.echo(f"{label:>12}: {out['rules']['accounts_evaluated']} accounts evaluated, "
                           f"{wb['changed']} to change, {wb['written']} written in {wb['api_calls']} write calls, "
                           f"{out['rules']['alerts_new']} new alerts, {out['duration_s']}s")
            counts = results[1]["rules"]["status_counts"]
            click.echo("\nonboarding status: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            second = results[2]["writeback"]
            verdict = "nothing to write" if second["api_calls"] == 0 else f"{second['api_calls']} write calls"
            click.echo(f"second sync: {verdict} (writes come from a diff against what Salesforce holds)")
            status = runner.invoke(cli, ["--config", str(config), "alerts"], env=env)
            lines = status.output.splitlines()
            click.echo(f"\nactive alerts ({max(0, len(lines) - 1)}), first 8:")
            click.echo("\n".join(lines[:9]))
            publish_sample_kb(runner, config, env)
            click.echo(f"\nTry:  csops --config {config} status")
            click.echo(f"      csops --config {config} rules explain <account id from above>")
            if not keep:
                click.echo("      (this folder is temporary; pass --keep DIR to keep it)")
        finally:
            os.chdir(old)
    finally:
        sb.stop()
