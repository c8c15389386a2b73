"""`csops sandbox serve` as a user runs it: a process that prints its URL and serves until stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path


def test_serve_prints_its_url_writes_a_config_and_stops_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "ZENDESK_CLIENT_SECRET": "zendesk-client-secret-for-test",
           "ZENDESK_API_TOKEN": "tok-for-test-1234", "SALESFORCE_PASSWORD": "pw-for-test",
           "SALESFORCE_SECURITY_TOKEN": "st-for-test", "SALESFORCE_CONSUMER_SECRET": "cs-for-test"}
    proc = subprocess.Popen([sys.executable, "-m", "csops", "sandbox", "serve", "--accounts", "12", "--tickets",
                             "30", "--seed", "7", "--write-config", "sb.yaml"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("sandbox listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1]
        # The secrets came from the environment: the env file holds only what the sandbox made (the Slack
        # webhooks of the shipped notify.yaml), never a copy of a secret.
        assert proc.stdout.readline().strip() == "credentials: . .csops/sandbox.env"
        assert proc.stdout.readline().startswith("config written to sb.yaml")
        written = (tmp_path / ".csops" / "sandbox.env").read_text(encoding="utf-8")
        assert [line.split("=")[0] for line in written.splitlines()] == ["export SLACK_WEBHOOK_CS_ALERTS",
                                                                         "export SLACK_WEBHOOK_CS_DIGEST"]
        assert f"='{url}/slack/services/" in written and "for-test" not in written
        req = urllib.request.Request(url + "/api/v2/organizations?page%5Bsize%5D=100")
        req.add_header("Authorization", "Basic " + __import__("base64").b64encode(
            b"admin@sandbox.example.com/token:tok-for-test-1234").decode())
        orgs = json.loads(urllib.request.urlopen(req, timeout=30).read())["organizations"]
        assert len(orgs) == 12
        stats = json.loads(urllib.request.urlopen(url + "/__sandbox/stats", timeout=30).read())
        assert stats["requests"] == {"GET /api/v2/organizations": 1} and stats["total"] == 1
        config = (tmp_path / "sb.yaml").read_text(encoding="utf-8")
        assert f"base_url: {url}" in config and "auth: client_credentials" in config
        assert "client_secret: ${ZENDESK_CLIENT_SECRET}" in config
        assert "tok-for-test" not in config and "zendesk-client-secret-for-test" not in config
        doctor = subprocess.run([sys.executable, "-m", "csops", "--config", "sb.yaml", "doctor"], cwd=tmp_path,
                                env=env, capture_output=True, text=True, timeout=60)
        assert "ok   zendesk" in doctor.stdout and "ok   salesforce:" in doctor.stdout
        assert "with zendesk.auth client_credentials" in doctor.stdout
        # tmp_path is outside the repository: the written config must find a rule file all the same.
        assert "ok   rules:" in doctor.stdout, doctor.stdout
        dry = subprocess.run([sys.executable, "-m", "csops", "--config", "sb.yaml", "sync", "--dry-run"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0, dry.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_serve_without_credentials_in_the_environment_writes_a_private_env_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ZENDESK_CLIENT_SECRET", "ZENDESK_API_TOKEN", "SALESFORCE_PASSWORD",
                        "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_CONSUMER_SECRET")}
    proc = subprocess.Popen([sys.executable, "-m", "csops", "sandbox", "serve", "--accounts", "2", "--tickets", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        assert proc.stdout.readline().strip() == "credentials: . .csops/sandbox.env"
        env_file = tmp_path / ".csops" / "sandbox.env"
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        assert "export ZENDESK_CLIENT_SECRET=" in env_file.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_serve_refuses_a_port_out_of_range() -> None:
    from click.testing import CliRunner

    from csops.cli import cli

    result = CliRunner().invoke(cli, ["sandbox", "serve", "--port", "99999"])
    assert result.exit_code == 2
    assert "99999 is not in the range 0<=x<=65535" in result.output
