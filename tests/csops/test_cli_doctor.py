"""``csops doctor`` as a person runs it when something is wrong: fast, specific, everything at once."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import Workspace


def test_a_refused_connection_is_named_at_once(ws: Workspace) -> None:
    with socket.socket() as sock:  # bound, not listening: refused, and the port stays ours
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        text = ws.config.read_text(encoding="utf-8").replace(ws.sandbox.url, url)
        ws.config.write_text(text, encoding="utf-8")
        result = ws.cli("doctor")
    assert result.exit_code == 69
    assert f"FAIL zendesk: nothing is listening at {url} (connection refused)" in result.stdout
    assert f"FAIL salesforce: nothing is listening at {url}" in result.stdout
    assert "credentials" not in result.stdout.split("FAIL zendesk")[1].split("\n")[1]
    assert "attempts" not in result.stdout


def test_each_service_is_asked_once_without_retries(ws: Workspace) -> None:
    ws.sandbox.fail_rate = 1.0
    result = ws.cli("doctor")
    assert result.exit_code == 69
    requests = ws.sandbox.stats
    zendesk = {k: n for k, n in requests.items() if k.startswith("POST /oauth/") or " /api/v2/" in k}
    assert zendesk == {"POST /oauth/tokens": 1}, requests  # the token, refused by the fault: nothing more


def test_every_unset_variable_is_listed_once(ws: Workspace) -> None:
    unset = {k: None for k in ws.env}
    result = ws.cli("doctor", env=unset)  # type: ignore[arg-type]
    assert result.exit_code == 78
    line = next(ln for ln in result.stdout.splitlines() if "FAIL environment" in ln)
    for name in ("ZENDESK_CLIENT_SECRET", "SALESFORCE_CONSUMER_SECRET"):
        assert name in line
    assert "FAIL zendesk: not checked: needs ZENDESK_CLIENT_SECRET" in result.stdout
    assert "export ZENDESK_CLIENT_SECRET=" in result.stdout
    env_file = Path(ws.path) / ".csops" / "sandbox.env"
    env_file.parent.mkdir(exist_ok=True)
    env_file.write_text("export ZENDESK_CLIENT_SECRET='x'\n", encoding="utf-8")
    again = ws.cli("doctor", env=unset)  # type: ignore[arg-type]
    assert f". {env_file}" in again.stdout


def test_login_faults_are_explained(ws: Workspace) -> None:
    result = ws.cli("doctor", env={"SALESFORCE_CONSUMER_SECRET": "not-the-secret-1234"})
    assert result.exit_code == 69
    assert "fix: invalid_client: salesforce.consumer_key or consumer_secret is wrong" in result.stdout
    text = ws.config.read_text(encoding="utf-8")
    start = text.index("  auth: client_credentials", text.index("salesforce:"))
    end = text.index("  fields:", start)
    username = next(ln for ln in text[start:end].splitlines() if "username:" in ln)
    ws.config.write_text(text[:start] + "  auth: password\n" + username + "\n  password: ${SALESFORCE_PASSWORD}\n"
                         "  security_token: ${SALESFORCE_SECURITY_TOKEN}\n" + text[end:], encoding="utf-8")
    assert ws.cli("doctor").exit_code == 0
    result = ws.cli("doctor", env={"SALESFORCE_PASSWORD": "wrong"})
    assert result.exit_code == 69
    assert "INVALID_LOGIN: INVALID_LOGIN" not in result.stdout
    assert "fix: INVALID_LOGIN: Salesforce refused the username, password or security token" in result.stdout
