"""Shared fixtures: an in-process sandbox on a loopback port and a workspace configured for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from base.redact import forget_secrets
from csops.cli import cli
from csops.starter import sandbox_config, sandbox_env
from sandbox.server import Options, Sandbox
from tests.fulldisk import tiny_disk  # noqa: F401  (a full file system: tests/fulldisk.py)
from tests.pg import pg_cluster, pg_url, store_url  # noqa: F401  (PostgreSQL fixtures: tests/pg.py)

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "onboarding.yaml"
TODAY = date(2026, 11, 23)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow (several seconds each: real processes killed and run again, PostgreSQL restarted,
    Chromium, Hypothesis) at the head of each worker's share, the rest in their order.

    ``make test`` runs with ``--dist worksteal``, which gives each of the N workers one contiguous share of the
    collection (share k: what is left divided by the workers left) and later moves tests from the end of a busy
    worker's queue to an idle one. With the slow tests dealt round-robin to the heads of the shares, every worker
    starts on its slow ones at once and the short ones fill in around them, instead of the slow ones (most in
    tests/store, tests/sync and tests/test_*.py, last in file order) finishing alone while the other workers wait."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    ordered: list[pytest.Item] = []
    for k in range(workers):
        share = (len(items) - len(ordered)) // (workers - k)
        heads = slow[k::workers]
        ordered += heads + rest[:share - len(heads)]
        del rest[:share - len(heads)]
    items[:] = ordered + rest


@pytest.fixture(autouse=True)
def _clean_secrets() -> Iterator[None]:
    yield
    forget_secrets()


@dataclass
class Workspace:
    """A folder with csops.yaml pointing at a sandbox, and the environment holding its secrets."""

    path: Path
    sandbox: Sandbox
    env: dict[str, str]

    @property
    def config(self) -> Path:
        return self.path / "csops.yaml"

    def secrets(self) -> list[str]:
        """Every credential of the sandbox, and every OAuth access and refresh token it has issued so far."""
        o = self.sandbox.options
        return [o.zendesk_token, o.zendesk_client_secret, o.sf_password, o.sf_security_token, o.sf_consumer_secret,
                *self.sandbox.oauth.issued]

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run ``csops`` in-process through click's CliRunner."""
        runner = CliRunner()
        full_env = {**self.env, **(env or {})}
        old = os.getcwd()
        os.chdir(self.path)
        try:
            return runner.invoke(cli, ["--config", str(self.config), *args], env=full_env, catch_exceptions=False)
        finally:
            os.chdir(old)
            forget_secrets()

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
            check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run ``csops`` as a separate process, as cron would."""
        full_env = {**os.environ, **self.env, **(env or {})}
        proc = subprocess.run([sys.executable, "-m", "csops", "--config", str(self.config), *args], cwd=self.path,
                              env=full_env, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"csops {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        result = self.cli(*args, "--json", env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def store_rows(self, sql: str) -> list[tuple[Any, ...]]:
        import sqlite3

        conn = sqlite3.connect(self.path / ".csops" / "state.db")
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


def make_sandbox(**kw: Any) -> Sandbox:
    kw.setdefault("today", TODAY)
    kw.setdefault("accounts", 40)
    kw.setdefault("tickets", 1500)
    return Sandbox(Options(**kw)).start()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    params = getattr(request, "param", {}) or {}
    sb = make_sandbox(**params)
    try:
        yield sb
    finally:
        sb.stop()


def make_workspace(path: Path, sb: Sandbox, extra: str = "") -> Workspace:
    o = sb.options
    text = sandbox_config(sb.url, o.zendesk_email, o.sf_username, rules=str(RULES))
    text = text.replace("  max_retry_wait_seconds: 60\n", "  max_retry_wait_seconds: 60\n  connect_timeout_seconds: 5\n"
                                                                "  retry_backoff_seconds: 0.02\n")
    (path / "csops.yaml").write_text(text + extra, encoding="utf-8")
    env = sandbox_env(o)
    return Workspace(path, sb, env)


@pytest.fixture
def ws(tmp_path: Path, sandbox: Sandbox) -> Workspace:
    return make_workspace(tmp_path, sandbox)
