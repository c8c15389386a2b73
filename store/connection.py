"""The connection under every table: opening either engine, migrating, transactions, and the few ways a table
module runs SQL (``_run``, ``_execute``, ``_executemany``, ``_query``, ``_rows``, ``_scalar``, ``_tuples``,
``_stream``). A table module reads rows as its own row types (NamedTuples named after what a row is), never as
bare tuples indexed by number.

Queries are written once with ``?`` parameters and portable SQL; :mod:`store.dialect` adapts them per engine.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from base.redact import redact_url
from store.dialect import Postgres, SQLite, StoreError, driver_errors, is_postgres, pg_connect
from store.schema import MIGRATION_LOCK_KEY, MIGRATIONS, SCHEMA_VERSION

SQLITE_BUSY_SECONDS = 30.0

R = TypeVar("R")

#: Runs one statement on the store's connection, inside the transaction at hand; returns the driver's cursor.
Run = Callable[[str, Sequence[Any]], Any]

#: Values per ``IN (...)`` list: SQLite before 3.32 allows 999 parameters in a statement.
IN_LIST_SIZE = 500
V = TypeVar("V")


def in_lists(values: Sequence[V]) -> Iterator[tuple[Sequence[V], str]]:
    """``values`` in slices of at most :data:`IN_LIST_SIZE`, each with its SQL list of ``?`` marks, for one
    ``... IN (marks)`` query per slice: every query over a caller's list of ids goes through here."""
    for start in range(0, len(values), IN_LIST_SIZE):
        chunk = values[start:start + IN_LIST_SIZE]
        yield chunk, ", ".join("?" for _ in chunk)


class Fence(Protocol):
    """What each write transaction checks first while a run holds the database's run lock (store.lease.DbLease)."""

    @property
    def lost(self) -> bool: ...

    def lost_error(self) -> Exception: ...

    def fence(self, run: Run) -> None:
        """Check, with ``run`` inside the transaction, that the lock is still this run's (raise if not)."""


def _journal_mode_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (it stays so once switched).

    While another connection switches a new file at the same moment, SQLite answers
    "database is locked" at once, without waiting in its busy handler as other
    statements do: two csops commands opening a new store together then failed.
    Such a switch takes milliseconds, so this waits for it as the busy timeout would.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Database:
    """A connection to the state store (SQLite or PostgreSQL) with the schema migrated to the latest version.

    The table modules (``store/tickets.py``, ``store/alerts.py``, …) build on this class; :class:`store.Store`
    is all of them together.
    """

    def __init__(self, path: Path | None = None, *, url: str | None = None, migrate: bool = True) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._lease: Fence | None = None  # the lease fencing this store's writes, while a run holds it
        self._cursors = 0
        self.url = url
        self.path = path
        self._dialect: SQLite | Postgres
        if url is not None and is_postgres(url):
            self._dialect = Postgres()
            self._where = redact_url(url)
            self._conn = pg_connect(url)
        else:
            assert path is not None, "Store needs a path or a url"
            self._dialect = SQLite()
            self._where = str(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {path.parent} for the store ({exc.strerror}): point "
                                 "store.url at a folder csops can write") from None
            with self._errors():
                self._conn = sqlite3.connect(str(path), timeout=SQLITE_BUSY_SECONDS, isolation_level=None,
                                             check_same_thread=False)
                _journal_mode_wal(self._conn)
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA foreign_keys=ON")
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.close()
                raise

    def recover(self) -> None:
        """Make the connection usable again after an interrupt (Ctrl-C, SIGTERM) unwound through a statement, so
        the run can still record how it ended. psycopg cancels the statement for KeyboardInterrupt only: SIGTERM's
        Terminated leaves it running ("another command is already in progress"), and a cancel the server does not
        honour within 5 s (a loaded machine) closes the connection. A connection not idle (a statement running,
        a batch still in pipeline mode, a transaction left open: it holds the lease row FOR SHARE, so the lock's
        release would wait on it for ever) is cancelled and replaced by a new one. The fence stays."""
        with self._lock:
            self._depth = 0
            if self.engine == "sqlite":
                if self._conn.in_transaction:
                    self._run("ROLLBACK")
                return
            from psycopg.pq import TransactionStatus

            if self._conn.pgconn.transaction_status != TransactionStatus.IDLE:
                with contextlib.suppress(Exception):
                    self._conn.cancel_safe(timeout=2.0)
                self.close()
                assert self.url is not None
                with self._errors():
                    self._conn = pg_connect(self.url)

    @property
    def engine(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._dialect.name

    def describe(self) -> str:
        """Where the store is, for messages: the file's path, or the URL without its password."""
        return self._where if self.engine == "sqlite" else redact_url(self.url or "")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a connection the server dropped is closed already
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        """Driver errors as StoreError (exit 74) or StoreUnavailable (exit 69), with where the store is."""
        return driver_errors(self._dialect, self._where)

    def fence_with(self, lease: Fence) -> None:
        """Have every later write transaction check ``lease`` first (a run took the database's run lock)."""
        self._lease = lease

    def unfence(self, lease: Fence) -> None:
        """Stop checking ``lease`` (the run let go of it); another lease fencing this store is left alone."""
        if self._lease is lease:
            self._lease = None

    def _check_lease(self) -> None:
        if self._lease is not None and self._lease.lost:
            raise self._lease.lost_error()

    def version(self) -> int:
        """The schema version the store holds (0 for an empty database)."""
        if not self._scalar(self._dialect.table_exists_sql, ("schema_version",)):
            return 0
        return int(self._scalar("SELECT MAX(version) FROM schema_version") or 0)

    def migrate(self) -> int:
        """Bring the schema to this csops's version; returns how many migrations ran. The same migrations run on
        both engines; on PostgreSQL a transaction-scoped advisory lock keeps two hosts from migrating at once."""
        applied = 0
        with self.transaction(fence=False):
            if self.engine == "postgresql":
                self._run("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))
            self._run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self.version()
            if current > SCHEMA_VERSION:
                raise StoreError(f"the store at {self.describe()} has schema version {current}, newer than "
                                 f"this csops ({SCHEMA_VERSION}): upgrade csops")
            for version, script in MIGRATIONS:
                if version > current:
                    for statement in self._dialect.ddl(script):
                        self._run(statement)
                    self._run("INSERT INTO schema_version (version) VALUES (?)", (version,))
                    applied += 1
        return applied

    @contextmanager
    def transaction(self, *, fence: bool = True) -> Iterator[Self]:
        """All statements inside commit together, or none do. Nested calls join the outer one.

        While a run holds the database lease (PostgreSQL), each transaction first checks, inside itself, that the
        lease is still this run's and unexpired (and keeps the row from being taken until it commits): a run that
        lost its lease stops here instead of writing unlocked."""
        with self._lock:
            self._check_lease()
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._run(self._dialect.begin)
            self._depth = 1
            try:
                if fence and self._lease is not None:
                    self._lease.fence(self._run)
                yield self
            except BaseException:
                with contextlib.suppress(Exception):
                    self._conn.execute("ROLLBACK")
                raise
            else:
                if self._lease is not None and self._lease.lost:  # lost while this transaction ran
                    with contextlib.suppress(Exception):
                        self._conn.execute("ROLLBACK")
                    raise self._lease.lost_error()
                self._run("COMMIT")
            finally:
                self._depth = 0

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """One statement as it is (inside a transaction or not); the driver's cursor."""
        with self._errors():
            return self._conn.execute(self._dialect.sql(sql), params)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """One writing statement, in its own transaction unless one is open (so every write is fenced)."""
        with self.transaction():
            return self._run(sql, params)

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """One writing statement over many rows (batched by the driver); rows changed."""
        rows = list(rows)
        if not rows:
            return 0
        with self.transaction(), self._errors():
            cur = self._conn.cursor()
            cur.executemany(self._dialect.sql(sql), rows)
            return max(int(cur.rowcount), 0)

    def _bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """New rows into one table, as many as a run makes at once (the write log's): COPY on PostgreSQL,
        ``executemany`` on SQLite (the dialect's ``bulk_insert``); how many."""
        rows = list(rows)
        if rows:
            with self.transaction(), self._errors():
                self._dialect.bulk_insert(self._conn, table, columns, rows)
        return len(rows)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._check_lease()
        with self._errors():
            return [tuple(r) for r in self._conn.execute(self._dialect.sql(sql), params).fetchall()]

    def _rows(self, kind: Callable[..., R], sql: str, params: Sequence[Any] = ()) -> list[R]:
        """Every row of ``sql`` as a ``kind`` (a table module's row type, its fields in the SELECT's order)."""
        return [kind(*r) for r in self._query(sql, params)]

    def _stream(self, kind: Callable[..., R], sql: str, params: Sequence[Any] = ()) -> Iterator[R]:
        """The rows of ``sql`` as ``kind``, streamed as :meth:`_tuples` streams them."""
        for r in self._tuples(sql, params):
            yield kind(*r)

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self._query(sql, params)
        return rows[0][0] if rows else None

    def _tuples(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows as plain tuples, streamed: a server-side cursor on PostgreSQL (the report and the facts read
        hundreds of thousands), so memory stays flat and other statements can run between rows."""
        self._check_lease()
        if self.engine == "sqlite":
            with self._errors():
                cur = self._conn.execute(sql, params)
            while True:
                with self._errors():
                    batch = cur.fetchmany(2000)
                if not batch:
                    return
                yield from batch
        self._cursors += 1
        with self._errors():
            cur = self._conn.cursor(name=f"csops_stream_{self._cursors}", withhold=not self._depth)
            cur.itersize = 5000
        try:
            with self._errors():
                cur.execute(self._dialect.sql(sql), params)
            while True:
                with self._errors():
                    batch = cur.fetchmany(5000)
                if not batch:
                    return
                yield from (tuple(r) for r in batch)
        finally:
            with contextlib.suppress(Exception):
                cur.close()
