"""PostgreSQL fixtures: a fresh empty database per test on the server CSOPS_TEST_PG_URL names.

``pg_url``     a URL to a database created for this test and dropped after it (WITH FORCE, so a test that
               leaves a connection open cannot keep it alive). Skipped when CSOPS_TEST_PG_URL is unset; a
               failure instead when CI is set, so CI can never silently skip the PostgreSQL half.
``store_url``  parametrized over sqlite and postgresql: ``sqlite:///<tmp>/state.db`` or a ``pg_url``.
``pg_cluster`` the throwaway cluster (tests/pgcluster.py) behind the URL, to restart or stop the server in a
               fault test; skipped (failed under CI) when CSOPS_TEST_PG_CLUSTER is unset.

Start a server for a local run with ``eval "$(python -m tests.pgcluster start)"``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import pgcluster

START_HINT = 'start a throwaway server with: eval "$(python -m tests.pgcluster start)"'


def _missing(what: str) -> NoReturn:
    reason = f"PostgreSQL tests need {what}; {START_HINT}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what} is not: the PostgreSQL tests would be skipped. .ci/run sets it. "
                    f"{START_HINT}", pytrace=False)
    pytest.skip(reason)


def server_url() -> str:
    """CSOPS_TEST_PG_URL, or skip (fail under CI) when it is unset."""
    url = os.environ.get(pgcluster.URL_ENV, "").strip()
    if not url:
        _missing(pgcluster.URL_ENV)
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def create_database(url: str, prefix: str = "csops_t") -> str:
    """A new empty database on url's server; returns its URL."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(url, name)


def drop_database(server: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = server_url()
    url = create_database(server)
    try:
        yield url
    finally:
        drop_database(server, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    """The cluster to restart or stop; started again after the test if the test left it stopped."""
    server_url()
    if not os.environ.get(pgcluster.STATE_ENV):
        _missing(f"{pgcluster.STATE_ENV} (a cluster this run may restart)")
    cluster = pgcluster.load()
    try:
        yield cluster
    finally:
        if not cluster.running():
            cluster.start_server()
