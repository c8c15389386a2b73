"""The state store: SQLite by default (WAL), versioned migrations, transactions, the run lock.

SQL here stays portable (no SQLite-only functions in queries, ``?`` parameters
translated per driver) so a PostgreSQL URL can be added without touching callers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import filelock


class StoreError(Exception):
    """The store cannot be opened or used."""


class LockHeld(Exception):
    """Another run holds the run lock (exit 75)."""


MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    CREATE TABLE cursors (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        organization_id INTEGER,
        status TEXT NOT NULL,
        priority TEXT,
        type TEXT,
        subject TEXT,
        tags TEXT,
        satisfaction TEXT,
        created_at TEXT,
        updated_at TEXT,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tickets_org ON tickets (organization_id);
    CREATE TABLE organizations (
        id INTEGER PRIMARY KEY,
        name TEXT,
        account_id TEXT,
        link_problem TEXT,
        updated_at TEXT
    );
    CREATE INDEX organizations_account ON organizations (account_id);
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        fields TEXT NOT NULL,
        system_modstamp TEXT,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        exit_code INTEGER,
        report TEXT
    );
    """),
    (2, """
    CREATE TABLE evaluations (
        account_id TEXT PRIMARY KEY,
        run_id INTEGER,
        evaluated_on TEXT NOT NULL,
        product TEXT,
        status TEXT,
        phase TEXT,
        health_score REAL,
        result TEXT NOT NULL
    );
    CREATE TABLE status_history (
        account_id TEXT NOT NULL,
        status TEXT NOT NULL,
        since TEXT NOT NULL,
        until TEXT,
        PRIMARY KEY (account_id, since, status)
    );
    CREATE TABLE alerts (
        account_id TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        severity TEXT,
        title TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved_at TEXT,
        run_first_seen INTEGER
    );
    CREATE INDEX alerts_open ON alerts (account_id, alert_id, resolved_at);
    CREATE TABLE write_failures (
        account_id TEXT NOT NULL,
        field TEXT,
        status_code TEXT,
        message TEXT,
        run_id INTEGER
    );
    """),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sqlite_path(url: str, base_dir: Path | None = None) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise StoreError(f"store.url: unsupported scheme '{parts.scheme}' (use sqlite:///path/to/state.db)")
    raw = url[len("sqlite:///"):] if url.startswith("sqlite:///") else parts.path
    if raw.startswith("/") or url.startswith("sqlite:////"):
        return Path(raw if raw.startswith("/") else "/" + raw)
    p = Path(raw)
    return (base_dir / p) if base_dir and not p.is_absolute() else p


class Store:
    """A connection to the state store with the schema migrated to the latest version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                                        check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    @classmethod
    def open(cls, url: str, base_dir: Path | None = None) -> Store:
        return cls(sqlite_path(url, base_dir))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------
    def version(self) -> int:
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = self.conn.execute("SELECT MAX(version) AS v FROM schema_version").fetchone()
        return int(row["v"] or 0)

    def migrate(self) -> None:
        with self.transaction():
            current = self.version()
            if current > SCHEMA_VERSION:
                raise StoreError(f"the store at {self.path} has schema version {current}, newer than "
                                 f"this csops ({SCHEMA_VERSION}): upgrade csops")
            for version, script in MIGRATIONS:
                if version > current:
                    for statement in _statements(script):
                        self.conn.execute(statement)
                    self.conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    # -- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All statements inside commit together, or none do. Nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- cursors and bookmarks ---------------------------------------------
    def get_cursor(self, name: str) -> str | None:
        value = self.scalar("SELECT value FROM cursors WHERE name = ?", (name,))
        return None if value is None else str(value)

    def set_cursor(self, name: str, value: str) -> None:
        self.execute(
            "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, now_iso()),
        )

    def delete_cursor(self, name: str) -> None:
        self.execute("DELETE FROM cursors WHERE name = ?", (name,))

    # -- runs ---------------------------------------------------------------
    def start_run(self, command: str) -> int:
        """Record a run's start. Call it holding the run lock: any run still 'running' then was killed."""
        with self.transaction():
            self.execute("UPDATE runs SET status = 'killed', finished_at = ? WHERE status = 'running'",
                         (now_iso(),))
            cur = self.execute("INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running')",
                               (command, now_iso()))
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, exit_code: int, report: dict[str, Any]) -> None:
        with self.transaction():
            self.execute("UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, report = ? WHERE id = ?",
                         (now_iso(), status, exit_code, json.dumps(report, ensure_ascii=False), run_id))


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


class RunLock:
    """The cron run lock: one sync (or pull) at a time per store.

    Taken without waiting: a second run exits 75 at once rather than queueing
    behind a slow one and piling up under cron.
    """

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = filelock.FileLock(str(self.path), timeout=0)

    def __enter__(self) -> RunLock:
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            raise LockHeld(f"another csops run holds the lock {self.path}; try again when it has finished") \
                from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
