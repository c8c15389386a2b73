"""Every config mistake is found when csops.yaml is loaded: exit 78, file:line, all of them at once."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli

BASE = """zendesk:
  base_url: http://127.0.0.1:9
  email: ops@example.com
  api_token: ${ZENDESK_API_TOKEN}
  account_link: external_id
  start_date: 2026-01-01
salesforce:
  instance_url: http://127.0.0.1:9
  login_url: http://127.0.0.1:9
  auth: password
  username: api@example.com
  password: ${SALESFORCE_PASSWORD}
  security_token: ${SALESFORCE_SECURITY_TOKEN}
  where: Type = 'Customer'
  bulk_threshold: 2000
store:
  url: sqlite:///.csops/state.db
sync:
  max_attempts: 2
"""
ENV = {"ZENDESK_API_TOKEN": "t", "SALESFORCE_PASSWORD": "p", "SALESFORCE_SECURITY_TOKEN": "s"}

# (what to replace, with what, the line it must be reported at, words of the message)
MISTAKES = [
    ("where: Type = 'Customer'", "where: Type = 'Customer'; DELETE", 14, "';' is not allowed"),
    ("where: Type = 'Customer'", "where: Type = 'Customer' LIMIT 5", 14, "'LIMIT' would change the statement"),
    ("where: Type = 'Customer'", "where: (Type = 'Customer'", 14, "unbalanced '('"),
    ("where: Type = 'Customer'", "where: Name = 'O''Brien", 14, "unterminated string"),
    ("start_date: 2026-01-01", "start_date: 2026/13/45", 6, "zendesk.start_date: not an ISO date"),
    ("start_date: 2026-01-01", "start_date: yesterday", 6, "zendesk.start_date: not an ISO date"),
    ("account_link: external_id", "account_link: externalid", 5, "zendesk.account_link: must be 'external_id'"),
    ("account_link: external_id", "account_link: organization_fields.", 5, "organization_fields.<key>"),
    ("url: sqlite:///.csops/state.db", "url: mysql://db/csops", 17, "store.url: unsupported scheme 'mysql'"),
    ("url: sqlite:///.csops/state.db", "url: mysql://x", 17, "store.url: unsupported scheme"),
    ("  email: ops@example.com\n", "", 1, "zendesk.email is missing"),
    ("auth: password", "auth: passwd", 10, "salesforce.auth: unknown mode 'passwd' (did you mean 'password'?)"),
    ("bulk_threshold: 2000", "bulk_threshold: many", 15, "salesforce.bulk_threshold: expected an integer"),
    ("max_attempts: 2", "max_attempts: [2]", 19, "sync.max_attempts: expected an integer"),
    ("  email: ops@example.com\n", "  emial: ops@example.com\n", 3, "unknown key 'zendesk.emial'"),
    ("url: sqlite:///.csops/state.db", "url: postgresql://db:5432", 17, "store.url: postgresql://db:5432 names no "
                                                                         "database"),
    ("url: sqlite:///.csops/state.db", "url: sqlite:///.csops/state.db\n  lease_seconds: 0.5", 18,
     "store.lease_seconds: 0.5 is out of range: between 1 and 3600"),
]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "csops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(path.parent)
    try:
        result = CliRunner().invoke(cli, ["--config", str(path), *args], env=ENV)
    finally:
        os.chdir(old)
    return result.exit_code, result.stderr


def test_the_base_config_is_valid(tmp_path: Path) -> None:
    code, err = run(write(tmp_path, BASE), "status")
    assert code == 0, err


@pytest.mark.parametrize(("old", "new", "line", "words"), MISTAKES)
def test_each_mistake_exits_78_at_load_with_its_line(tmp_path: Path, old: str, new: str, line: int,
                                                     words: str) -> None:
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new, 1))
    code, err = run(path, "status")  # status never touches the network: the config alone must fail
    assert code == 78, err
    assert f"csops.yaml:{line}:" in err and words in err, err


def test_all_mistakes_at_once(tmp_path: Path) -> None:
    text = BASE
    for old, new, _, _ in (MISTAKES[0], MISTAKES[4], MISTAKES[6], MISTAKES[8], MISTAKES[11]):
        text = text.replace(old, new, 1)
    code, err = run(write(tmp_path, text), "sync")
    assert code == 78
    assert re.findall(r"csops\.yaml:(\d+):", err) == ["5", "6", "10", "14", "17"]


def test_a_value_from_the_environment_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("auth: password", "auth: ${SF_AUTH}").replace(
        "url: sqlite:///.csops/state.db", "url: ${STORE_URL}"))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["--config", str(path), "status"],
                                    env={**ENV, "SF_AUTH": "hunter2-mode", "STORE_URL": "mysql://u:pw@db/x"})
    finally:
        os.chdir(old)
    assert result.exit_code == 78
    assert "csops.yaml:10:" in result.stderr and "salesforce.auth: unknown mode;" in result.stderr
    assert "csops.yaml:17:" in result.stderr and "store.url: unsupported scheme" in result.stderr
    assert "hunter2" not in result.stderr and "pw@db" not in result.stderr and "mysql" not in result.stderr
