"""The SQL that differs between SQLite and PostgreSQL, in one place per engine.

Everything else the store says is the same text on both: ``?`` parameters, ``ON CONFLICT … DO UPDATE``,
``RETURNING``, ``COUNT(CASE …)``. The migrations are written once (in SQLite's words) and each dialect
turns a migration script into its own statements.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from base.errors import InputError, StorageFailure, TryLater, Unavailable
from base.redact import redact_url


class StoreError(StorageFailure):
    """The store cannot be opened or used (exit 74)."""


class StoreUnavailable(Unavailable, StoreError):
    """The database server cannot be reached, or went away mid-run (exit 69)."""


class StoreConfigError(InputError, StoreError):
    """store.url or store.lease_seconds cannot be used as given, or the driver it needs is missing (exit 78)."""


class LockHeld(TryLater):
    """Another run holds the run lock (exit 75)."""


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
        if url.count("@") > 1 or "@" in url[len(parts.scheme) + 3 + len(parts.netloc):]:
            raise StoreConfigError(f"store.url: {redact_url(url)} cannot be read one way only: an '@', '/', '?' or "
                                   "'#' in the user name or password (or an '@' after the host) must be "
                                   "percent-encoded (%40, %2F, %3F, %23); PGPASSWORD or ~/.pgpass keep the "
                                   "password out of the URL")
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            raise StoreConfigError(f"store.url: {redact_url(url)} names no database "
                                   "(postgresql://user@host:5432/database)")
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
    def bulk_insert(conn: Any, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

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

    @staticmethod
    def bulk_insert(conn: Any, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
        """``COPY … FROM STDIN``: the rows as one stream, not a statement (and a round trip per batch) each."""
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

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


@contextmanager
def driver_errors(dialect: SQLite | Postgres, where: str) -> Iterator[None]:
    """Driver errors as StoreError (exit 74) or StoreUnavailable (exit 69), saying where the store is."""
    try:
        yield
    except StoreError:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise dialect.explain(where, exc) from None
    except Exception as exc:
        if isinstance(exc.__context__, BaseException) and not isinstance(exc.__context__, Exception):
            # Ctrl-C or SIGTERM in the middle of a driver call, and the driver's clean-up failed on the way out
            # (psycopg: "cannot exit pipeline mode while busy"): the interrupt is what happened
            raise exc.__context__ from None
        if type(exc).__module__.startswith("psycopg"):
            raise dialect.explain(where, exc) from None
        raise


def pg_connect(url: str, *, application_name: str = "csops", autocommit: bool = True,
               connect_timeout: int = 10) -> Any:
    """A new psycopg connection to the database ``url`` names (the store's, and the lease's own)."""
    try:
        import psycopg
    except ImportError:
        raise StoreConfigError("store.url is a PostgreSQL URL but psycopg is not installed: "
                               "pip install 'csops[postgres]'") from None
    extra: dict[str, Any] = {"application_name": application_name}
    if "connect_timeout" not in url:
        extra["connect_timeout"] = connect_timeout
    with driver_errors(Postgres(), redact_url(url)):
        return psycopg.connect(url, autocommit=autocommit, **extra)
