"""PostgreSQL fixtures: a fresh empty database per test on the server CSOPS_TEST_PG_URL names.

``pg_url``     a URL to a database created for this test and dropped after it (WITH FORCE, so a test that
               leaves a connection open cannot keep it alive). Skipped when CSOPS_TEST_PG_URL is unset; a
               failure instead when CI is set, so CI can never silently skip the PostgreSQL half.
``store_url``  parametrized over sqlite and postgresql: ``sqlite:///<tmp>/state.db`` or a ``pg_url``.
``pg_cluster`` a throwaway cluster of the test's own (tests/pgcluster.py, ``cluster.url`` an empty database), to
               restart or stop the server in a fault test without touching the shared one.

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
    """A cluster of the test's own to restart or stop, with an empty database at ``cluster.url``.

    Never the shared server: under pytest-xdist other workers' tests use that one at the same moment, and a
    restart there cut their sessions (AdminShutdown, connection refused) in tests that never asked for it.
    """
    server_url()
    cluster = pgcluster.start()  # in the system's temp folder: the server's own user cannot enter pytest's
    try:
        yield cluster
    finally:
        pgcluster.stop(cluster)
