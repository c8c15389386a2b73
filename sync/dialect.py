"""The SQL that differs between SQLite and PostgreSQL, in one place per engine.

Everything else the store says is the same text on both: ``?`` parameters, ``ON CONFLICT … DO UPDATE``,
``RETURNING``, ``COUNT(CASE …)``. The migrations are written once (in SQLite's words) and each dialect
turns a migration script into its own statements.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit


class StoreError(Exception):
    """The store cannot be opened or used (exit 74)."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached, or went away mid-run (exit 69)."""


class StoreConfigError(StoreError):
    """store.url or store.lease_seconds cannot be used as given, or the driver it needs is missing (exit 78)."""


class LockHeld(Exception):
    """Another run holds the run lock (exit 75)."""


def redacted(url: str) -> str:
    """``url`` with any password (in the authority or a ``password=`` option) replaced by ``***``: the only form
    of a store URL that may appear in a message, a log line or ``csops store info``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a store URL that cannot be parsed)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{hostport}"
    query = parts.query
    if query:
        pairs = [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        query = urlencode(pairs, safe="*/:")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def url_password(url: str) -> str | None:
    """The password a store URL carries, if any (so it can be registered as a secret and kept out of messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.password:
        return unquote(parts.password)
    for k, v in parse_qsl(parts.query):
        if k.lower() == "password" and v:
            return v
    return None


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_path(url: str, base_dir: Path | None = None) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise StoreConfigError(f"store.url: unsupported scheme '{parts.scheme}' (use sqlite:///path/to/state.db or "
                         "postgresql://user@host:5432/database)")
    raw = url[len("sqlite:///"):] if url.startswith("sqlite:///") else parts.path
    if raw.startswith("/") or url.startswith("sqlite:////"):
        return Path(raw if raw.startswith("/") else "/" + raw)
    p = Path(raw)
    return (base_dir / p) if base_dir and not p.is_absolute() else p


def check_url(url: str) -> None:
    """Raise StoreError when csops cannot use ``url`` at all (wrong scheme, no host or database)."""
    if is_postgres(url):
        parts = urlsplit(url)
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            raise StoreConfigError(f"store.url: {redacted(url)} names no database (postgresql://user@host:5432/database)")
        return
    sqlite_path(url)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


class SQLite:
    name = "sqlite"
    begin = "BEGIN IMMEDIATE"

    def sql(self, text: str) -> str:
        return text

    def ddl(self, script: str) -> list[str]:
        return _statements(script)

    table_bytes_sql = "SELECT SUM(pgsize) FROM dbstat WHERE name = ?"
    table_exists_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"

    def size_bytes(self, scalar: Any) -> int:
        return int(scalar("PRAGMA page_count")) * int(scalar("PRAGMA page_size"))

    @staticmethod
    def explain(where: str, exc: BaseException) -> StoreError:
        """What a SQLite failure on the store means for the person running csops, and what to do."""
        text = str(exc)
        if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
            return StoreError(f"the store at {where} is damaged or not a csops store ({text}); it was left as it "
                              "was. Move it aside and run `csops sync --full` to rebuild the state from the APIs, "
                              "or restore a backup")
        if "readonly" in text or "unable to open" in text or "disk I/O" in text:
            return StoreError(f"cannot write the store at {where} ({text}): check that the file and its folder are "
                              "writable (SQLite also writes -wal and -shm files beside it) and that the disk is not "
                              "full")
        return StoreError(f"the store at {where} failed: {text}")


#: SQLite's column types in the migrations and what PostgreSQL calls them. Zendesk ids pass 2^31, so every
#: INTEGER is 64-bit; an AUTOINCREMENT key becomes an identity column.
_PG_TYPES = [
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I),
     "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\)\s*WITHOUT\s+ROWID\b", re.I), ")"),
]

#: SQLSTATE classes and codes that mean "the server is not there (any more)": connection exceptions (08),
#: admin/crash shutdown and "cannot connect now" (57P01-57P03).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


@lru_cache(maxsize=512)
def _pg_params(text: str) -> str:
    return text.replace("%", "%%").replace("?", "%s")


class Postgres:
    name = "postgresql"
    begin = "BEGIN"
    table_bytes_sql = "SELECT pg_total_relation_size(CAST(? AS regclass))"
    table_exists_sql = ("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                        "AND table_name = ?")

    def sql(self, text: str) -> str:
        """``?`` parameters as psycopg's ``%s``, a literal ``%`` doubled."""
        return _pg_params(text)

    def ddl(self, script: str) -> list[str]:
        for pattern, replacement in _PG_TYPES:
            script = pattern.sub(replacement, script)
        return _statements(script)

    def size_bytes(self, scalar: Any) -> int:
        return int(scalar("SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                          "JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE n.nspname = current_schema() AND c.relkind = 'r'") or 0)

    @staticmethod
    def unavailable(exc: BaseException) -> bool:
        import psycopg

        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            state = getattr(exc, "sqlstate", None)
            return state is None or state.startswith(_UNAVAILABLE_STATES[0]) or state in _UNAVAILABLE_STATES[1:]
        return False

    @classmethod
    def explain(cls, where: str, exc: BaseException) -> StoreError:
        """A psycopg failure as the person running csops needs it: unavailable (69) or failed (74), no password."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if cls.unavailable(exc):
            return StoreUnavailable(
                f"the PostgreSQL store at {where} is unavailable ({text}): check that the server is running and "
                "reachable from this host (host, port, firewall, sslmode), and the user, database and password "
                "(PGPASSWORD, or ${VAR} in store.url). Nothing after the last committed step was kept; run again "
                "when the server is back")
        return StoreError(f"the PostgreSQL store at {where} failed: {text}")
