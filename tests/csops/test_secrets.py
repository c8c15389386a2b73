"""Secrets never reach a log line, an error message or the store."""

from __future__ import annotations

import json

from base.redact import MASK, redact, register_secret
from tests.conftest import Workspace


def assert_clean(ws: Workspace, *texts: str) -> None:
    for secret in ws.secrets():
        for text in texts:
            assert secret not in text


def test_patterns_are_masked_without_registration() -> None:
    samples = [
        "Authorization: Bearer abcdefghijklmnop1234",
        "headers={'Authorization': 'Basic dXNlcjpwYXNzd29yZA=='}",
        "<sessionId>00D5g00000SandB!AQEAQK3j2kd0sd9f8sdf9</sessionId>",
        "url?access_token=abcdef123456&x=1",
        'json {"password": "hunter22"}',
        "admin@example.com/token:zzzzzzzzzzzz",
        "session 00D5g00000SandB!AR8AQDk9cmsw0dkfnsKDJF93jsnv9s03.k2",
    ]
    for s in samples:
        out = redact(s)
        assert MASK in out, s
    assert "hunter22" not in redact('json {"password": "hunter22"}')
    assert "abcdef123456" not in redact("url?access_token=abcdef123456&x=1")


def test_registered_values_are_masked() -> None:
    register_secret("my-very-secret-token")
    assert redact("failed with my-very-secret-token in it") == f"failed with {MASK} in it"


def test_no_secret_in_logs_or_errors_across_failures(ws: Workspace) -> None:
    # Verbose JSON logs, an auth failure, retries against faults, and a normal run.
    outputs = []
    r = ws.cli("-vv", "--log-format", "json", "pull", "zendesk")
    outputs += [r.stdout, r.stderr]
    assert r.exit_code == 0, r.output
    for line in r.stderr.splitlines():
        json.loads(line)  # every log line is one JSON object
    ws.sandbox.fail_rate = 0.5
    r = ws.cli("-vv", "pull", "salesforce")
    outputs += [r.stdout, r.stderr]
    ws.sandbox.fail_rate = 0.0
    bad = ws.cli("-vv", "pull", "zendesk", env={"ZENDESK_CLIENT_SECRET": "x" + ws.env["ZENDESK_CLIENT_SECRET"]})
    assert bad.exit_code == 69 and "invalid_client" in bad.stderr
    outputs += [bad.stdout, bad.stderr]
    bad_sf = ws.cli("-vv", "doctor", env={"SALESFORCE_CONSUMER_SECRET": ws.env["SALESFORCE_CONSUMER_SECRET"] +
                                          "-wrong"})
    outputs += [bad_sf.stdout, bad_sf.stderr]
    assert "invalid_client: invalid client credentials" in bad_sf.stdout
    assert_clean(ws, *outputs)
    # wrong secrets are still secrets
    assert "x" + ws.env["ZENDESK_CLIENT_SECRET"] not in bad.stderr
    assert ws.sandbox.oauth.issued  # the runs above did use OAuth access tokens, and none of them was shown
    assert ws.env["SALESFORCE_CONSUMER_SECRET"] + "-wrong" not in bad_sf.stdout


def test_no_secret_in_the_store(ws: Workspace) -> None:
    assert ws.cli("pull", "zendesk").exit_code == 0
    assert ws.cli("pull", "salesforce").exit_code == 0
    data = (ws.path / ".csops" / "state.db").read_bytes()
    wal = ws.path / ".csops" / "state.db-wal"
    if wal.exists():
        data += wal.read_bytes()
    for secret in ws.secrets():
        assert secret.encode() not in data
