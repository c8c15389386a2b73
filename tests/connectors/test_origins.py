"""Credentials stay on their origin, whatever a remote answer says (issue 25: F8, F9, F10).

Each attack goes through the CLI against a small hostile server on this machine: a Slack webhook that
redirects, a Help Center whose ``links.next`` names another origin, a Zendesk base URL in plain http to
another machine, a base URL from ``${VAR}`` that must not be shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.server import Sandbox
from tests.conftest import Workspace, make_workspace
from tests.hostile import hostile, non_loopback_address, redirect
from tests.kb.test_publish import Site
from tests.notify.test_delivery import notify_workspace

ELSEWHERE = non_loopback_address()


def test_a_slack_webhook_that_redirects_is_not_followed(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = notify_workspace(tmp_path, sandbox)
    with hostile(ELSEWHERE or "127.0.0.1") as collector, \
            hostile(answer=redirect(f"{collector.url}/collect")) as webhook:
        url = f"{webhook.url}/services/T0000/B0000/hostile-token"
        result = ws.cli("notify", "--test", "cs-alerts", env={"SLACK_WEBHOOK_CS_ALERTS": url})
    assert result.exit_code == 69, result.output
    assert [s.path for s in webhook.seen] == ["/services/T0000/B0000/hostile-token"]
    assert collector.seen == []                              # the message went nowhere else
    assert f"answered 307, a redirect to {collector.url}: not followed and the message not sent" in result.stderr
    assert "hostile-token" not in result.output


def test_a_list_link_to_another_origin_gets_no_token(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    with hostile() as stranger:
        hc.hostile_next = stranger.url
        result = site.kb("pull", "--into", "pulled")
    assert result.exit_code == 69, result.output
    assert stranger.seen == []
    assert f"refused to send a request to {stranger.url}: the credentials belong to {hc.url} only" in result.stderr


def test_doctor_follows_no_list_link_to_another_origin(ws: Workspace) -> None:
    with hostile() as stranger:
        ws.sandbox.hostile_next = stranger.url
        result = ws.cli("doctor", "--json")
    assert stranger.seen == []
    check = next(c for c in json.loads(result.stdout) if c["name"] == "help center")
    assert not check["ok"] and f"refused to send a request to {stranger.url}" in check["message"]


@pytest.mark.skipif(ELSEWHERE is None, reason="this machine has no address besides loopback")
def test_plain_http_to_another_machine_is_refused_before_any_request(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = make_workspace(tmp_path, sandbox)
    assert ELSEWHERE is not None
    with hostile(ELSEWHERE, lambda s: (200, {"Content-Type": "application/json"}, b"{}")) as collector:
        text = ws.config.read_text(encoding="utf-8").replace(f"base_url: {sandbox.url}", f"base_url: {collector.url}")
        ws.config.write_text(text, encoding="utf-8")
        pulled, doctor = ws.cli("pull", "zendesk"), ws.cli("doctor")
        synced = ws.run("sync", "--dry-run")
    assert collector.seen == []
    assert (pulled.exit_code, doctor.exit_code, synced.returncode) == (78, 78, 78)
    assert "csops.yaml:3:3: zendesk.base_url: http:// would send the credentials unencrypted: use https://" \
        in pulled.stderr


def test_a_base_url_from_the_environment_is_never_shown(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = make_workspace(tmp_path, sandbox)
    text = ws.config.read_text(encoding="utf-8").replace(f"base_url: {sandbox.url}", "base_url: ${ZD_URL}")
    ws.config.write_text(text, encoding="utf-8")
    outputs = []
    for value in ("https://secret-host.example:abc", "secret-host.example/x", "https://u:pw@secret-host.example"):
        r = ws.cli("pull", "zendesk", env={"ZD_URL": value})
        assert r.exit_code == 78, r.output
        assert "zendesk.base_url:" in r.stderr
        outputs.append(r.output)
    doctor = ws.cli("doctor", "--json", env={"ZD_URL": "https://secret-host.invalid"})
    outputs.append(doctor.output)
    zendesk = next(c for c in json.loads(doctor.stdout) if c["name"] == "zendesk")
    assert not zendesk["ok"] and "does not resolve" in zendesk["message"]
    for out in outputs:
        assert "secret-host" not in out


def test_a_subdomain_that_would_name_another_host_is_refused(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = make_workspace(tmp_path, sandbox)
    with hostile() as stranger:
        host = stranger.url.split("//")[1]
        text = ws.config.read_text(encoding="utf-8").replace(f"base_url: {sandbox.url}", f"subdomain: {host}#")
        ws.config.write_text(text, encoding="utf-8")
        result = ws.cli("pull", "zendesk")  # https://127.0.0.1:PORT#.zendesk.com is 127.0.0.1:PORT
    assert result.exit_code == 78, result.output
    assert "zendesk.subdomain: not a Zendesk subdomain" in result.stderr
    assert stranger.seen == []
