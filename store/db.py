"""The state store: SQLite by default (WAL), or PostgreSQL; versioned migrations, transactions.

All of csops's SQL is in this package (:mod:`store.dialect` holds what differs per engine, :mod:`store.lease` the
database run lock); a guard test keeps it so. Queries are written once with ``?`` parameters and portable SQL.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.redact import redact_url
from store.dialect import (
    Postgres,
    SQLite,
    StoreConfigError,
    StoreError,
    is_postgres,
    sqlite_path,
)
from store.lease import LEASE_NAME

#: pg_advisory_xact_lock key for migrations: two hosts starting at once migrate one after the other.
MIGRATION_LOCK_KEY = 0x6373_6F70_73  # "csops"

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
    (3, """
    CREATE TABLE account_history (
        account_id TEXT NOT NULL,
        day TEXT NOT NULL,
        product TEXT,
        status TEXT,
        phase TEXT,
        health_score REAL,
        health_band TEXT,
        tier TEXT,
        PRIMARY KEY (account_id, day)
    ) WITHOUT ROWID;
    CREATE TABLE nps_responses (
        account_id TEXT NOT NULL,
        answered_on TEXT NOT NULL,
        score INTEGER NOT NULL,
        comment TEXT,
        source TEXT NOT NULL,
        PRIMARY KEY (account_id, answered_on, source)
    );
    """),
    (4, """
    CREATE TABLE notify_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        account_id TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        occurrence TEXT NOT NULL,
        payload TEXT NOT NULL,
        run_id INTEGER,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        UNIQUE (channel, kind, account_id, alert_id, occurrence)
    );
    CREATE INDEX notify_outbox_pending ON notify_outbox (delivered_at, channel);
    """),
    (5, """
    ALTER TABLE tickets ADD COLUMN description TEXT;
    CREATE INDEX tickets_created ON tickets (created_at);
    """),
    (6, """
    DROP TABLE nps_responses;
    CREATE TABLE nps_responses (
        source TEXT NOT NULL,
        line INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        answered_on TEXT NOT NULL,
        score INTEGER NOT NULL,
        comment TEXT,
        PRIMARY KEY (source, line)
    );
    """),
    (7, """
    DROP TABLE write_failures;
    """),
    (8, """
    CREATE TABLE run_lease (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        acquired_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    );
    """),
    (9, """
    ALTER TABLE nps_responses RENAME COLUMN source TO survey;
    """),
    (10, """
    CREATE INDEX notify_outbox_alert ON notify_outbox (account_id, alert_id, kind);
    """),
    (11, """
    ALTER TABLE account_history ADD COLUMN gone TEXT;
    CREATE TABLE product_history (
        account_id TEXT NOT NULL,
        product TEXT NOT NULL,
        day TEXT NOT NULL,
        status TEXT,
        phase TEXT,
        PRIMARY KEY (account_id, product, day)
    ) WITHOUT ROWID;
    INSERT INTO product_history (account_id, product, day, status, phase)
        SELECT account_id, COALESCE(product, ''), day, status, phase FROM account_history;
    CREATE TABLE evaluation_products (
        account_id TEXT NOT NULL,
        product TEXT NOT NULL,
        status TEXT NOT NULL,
        phase TEXT,
        PRIMARY KEY (account_id, product)
    );
    INSERT INTO evaluation_products (account_id, product, status, phase)
        SELECT account_id, COALESCE(product, ''), status, phase FROM evaluations WHERE status IS NOT NULL;
    """),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]

#: The tables csops keeps (for sizes, row counts and copies), in an order that respects nothing but reading.
TABLES = ("cursors", "tickets", "organizations", "accounts", "runs", "evaluations", "evaluation_products",
          "status_history", "alerts", "account_history", "product_history", "nps_responses", "notify_outbox")

_OUTBOX_COLUMNS = ("id", "channel", "kind", "account_id", "alert_id", "occurrence", "payload", "created_at",
                   "attempts", "last_error")


SQLITE_BUSY_SECONDS = 30.0


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


class Store:
    """A connection to the state store (SQLite or PostgreSQL) with the schema migrated to the latest version.

    ``Store(path)`` opens a SQLite file; :func:`open_store` opens either engine from a ``store.url``. Every
    operation the rest of csops needs is a named method here; the SQL stays inside.
    """

    def __init__(self, path: Path | None = None, *, url: str | None = None, migrate: bool = True) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._lease: Any = None  # the DbLease fencing this store's writes, while a run holds it
        self._cursors = 0
        self.url = url
        self.path = path
        self._dialect: SQLite | Postgres
        if url is not None and is_postgres(url):
            self._dialect = Postgres()
            self._where = redact_url(url)
            self._conn = self._pg_connect()
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

    def _pg_connect(self, *, application_name: str = "csops", autocommit: bool = True,
                    connect_timeout: int = 10) -> Any:
        """A new psycopg connection to this store's database (the lease keeps one of its own)."""
        try:
            import psycopg
        except ImportError:
            raise StoreConfigError("store.url is a PostgreSQL URL but psycopg is not installed: "
                              "pip install 'csops[postgres]'") from None
        assert self.url is not None
        extra: dict[str, Any] = {"application_name": application_name}
        if "connect_timeout" not in self.url:
            extra["connect_timeout"] = connect_timeout
        with self._errors():
            return psycopg.connect(self.url, autocommit=autocommit, **extra)

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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors as StoreError (exit 74) or StoreUnavailable (exit 69), with where the store is."""
        try:
            yield
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise self._dialect.explain(self._where, exc) from None
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                raise self._dialect.explain(self._where, exc) from None
            raise

    def _check_lease(self) -> None:
        if self._lease is not None and self._lease.lost:
            raise self._lease.lost_error()

    # -- schema -------------------------------------------------------------
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

    # -- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self, *, fence: bool = True) -> Iterator[Store]:
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
                    self._lease.fence(self)
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

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._check_lease()
        with self._errors():
            return [tuple(r) for r in self._conn.execute(self._dialect.sql(sql), params).fetchall()]

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

    # -- cursors and bookmarks ---------------------------------------------
    def get_cursor(self, name: str) -> str | None:
        value = self._scalar("SELECT value FROM cursors WHERE name = ?", (name,))
        return None if value is None else str(value)

    def set_cursor(self, name: str, value: str) -> None:
        self._execute(
            "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, now_iso()),
        )

    # -- tickets --------------------------------------------------------------
    def upsert_tickets(self, rows: Iterable[Sequence[Any]]) -> None:
        """Upsert (id, organization_id, status, priority, type, subject, tags, satisfaction, created_at,
        updated_at, deleted, description). A deleted ticket arrives with few fields: what we knew is kept.
        A NULL subject or description on a live ticket (text storage turned off) clears the stored text."""
        self._executemany(
            "INSERT INTO tickets (id, organization_id, status, priority, type, subject, tags, satisfaction, "
            "created_at, updated_at, deleted, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET "
            "organization_id = COALESCE(excluded.organization_id, tickets.organization_id), "
            "status = excluded.status, "
            "priority = CASE WHEN excluded.deleted = 1 THEN tickets.priority ELSE excluded.priority END, "
            "type = CASE WHEN excluded.deleted = 1 THEN tickets.type ELSE excluded.type END, "
            "subject = CASE WHEN excluded.deleted = 1 THEN tickets.subject ELSE excluded.subject END, "
            "tags = CASE WHEN excluded.deleted = 1 THEN tickets.tags ELSE excluded.tags END, "
            "satisfaction = CASE WHEN excluded.deleted = 1 THEN tickets.satisfaction ELSE excluded.satisfaction END, "
            "created_at = COALESCE(excluded.created_at, tickets.created_at), updated_at = excluded.updated_at, "
            "deleted = excluded.deleted, "
            "description = CASE WHEN excluded.deleted = 1 THEN tickets.description ELSE excluded.description END",
            rows)

    def ticket_texts(self, since: str) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(id, created_at, subject, description) of every live ticket created at or after ``since``."""
        yield from self._tuples(
            "SELECT id, created_at, subject, description FROM tickets WHERE deleted = 0 AND created_at >= ? "
            "AND (subject IS NOT NULL OR description IS NOT NULL) ORDER BY id", (since,))

    def ticket_text(self, ticket_id: int) -> tuple[int, str, str | None, str | None] | None:
        """(id, created_at, subject, description) of one live ticket, or None."""
        for row in self._tuples("SELECT id, created_at, subject, description FROM tickets WHERE id = ? AND "
                                "deleted = 0", (ticket_id,)):
            return row
        return None

    # -- runs ---------------------------------------------------------------
    def active_alerts(self, only_new: bool = False) -> list[dict[str, Any]]:
        """Open alerts, most severe first, with the account's name; ``only_new``: raised by the last sync."""
        sql = ("SELECT a.account_id, a.alert_id, a.severity, a.title, a.first_seen, a.last_seen, acc.fields "
               "FROM alerts a LEFT JOIN accounts acc ON acc.id = a.account_id WHERE a.resolved_at IS NULL")
        params: tuple[Any, ...] = ()
        if only_new:
            # Raised since the sync before the last one that finished: alerts first recorded by a run
            # that was killed in between are new too, and shown once that later run finishes.
            sql += (" AND a.run_first_seen <= (SELECT MAX(id) FROM runs WHERE command = 'sync' "
                    "AND status IN ('ok', 'partial')) AND a.run_first_seen > COALESCE((SELECT MAX(id) FROM runs "
                    "WHERE command = 'sync' AND status IN ('ok', 'partial') AND id < (SELECT MAX(id) FROM runs "
                    "WHERE command = 'sync' AND status IN ('ok', 'partial'))), 0)")
        sql += (" ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.first_seen, "
                "a.account_id, a.alert_id")
        return [{"account_id": r[0], "account": json.loads(r[6]).get("Name") if r[6] else None,
                 "alert": r[1], "severity": r[2], "title": r[3], "first_seen": r[4],
                 "last_seen": r[5]} for r in self._query(sql, params)]

    # -- organizations --------------------------------------------------------
    def upsert_organizations(self, rows: Iterable[Sequence[Any]]) -> None:
        """(id, name, account_id, link_problem, updated_at) rows."""
        self._executemany("INSERT INTO organizations (id, name, account_id, link_problem, updated_at) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                         "account_id = excluded.account_id, link_problem = excluded.link_problem, "
                         "updated_at = excluded.updated_at", rows)

    def delete_organizations(self, ids: Iterable[int] | None = None) -> None:
        """Forget these organizations (all of them with ``ids=None``)."""
        if ids is None:
            self._execute("DELETE FROM organizations")
        else:
            self._executemany("DELETE FROM organizations WHERE id = ?", [(i,) for i in ids])

    def unlinked_organizations(self) -> list[tuple[int, str | None, str]]:
        """(id, name, why) of every organization that names no valid Salesforce Account Id."""
        return [(r[0], r[1], r[2]) for r in self._query(
            "SELECT id, name, link_problem FROM organizations WHERE link_problem IS NOT NULL ORDER BY id")]

    def accounts_without_organization(self) -> list[tuple[str, str | None]]:
        """(account id, name) of live accounts that no organization links to."""
        rows = self._query("SELECT a.id, a.fields FROM accounts a WHERE a.deleted = 0 AND NOT EXISTS "
                          "(SELECT 1 FROM organizations o WHERE o.account_id = a.id) ORDER BY a.id")
        return [(r[0], json.loads(r[1]).get("Name")) for r in rows]

    # -- accounts -------------------------------------------------------------
    def upsert_accounts(self, rows: Iterable[Sequence[Any]]) -> int:
        """Upsert (id, fields JSON, system_modstamp, deleted) rows as Salesforce returned them. A row that is
        already as given is left alone: the incremental pull's look-back re-reads accounts, and on PostgreSQL
        every update leaves a dead row version behind until vacuum. Returns the rows inserted or changed."""
        return self._executemany(
            "INSERT INTO accounts (id, fields, system_modstamp, deleted) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET fields = excluded.fields, system_modstamp = "
            "excluded.system_modstamp, deleted = excluded.deleted "
            "WHERE accounts.fields <> excluded.fields OR accounts.deleted <> excluded.deleted "
            "OR COALESCE(accounts.system_modstamp, '') <> COALESCE(excluded.system_modstamp, '')", rows)

    def live_account_ids(self) -> set[str]:
        """Ids of the accounts not marked deleted."""
        return {r[0] for r in self._query("SELECT id FROM accounts WHERE deleted = 0")}

    def mark_accounts_deleted(self, ids: Iterable[str]) -> None:
        """Mark accounts deleted (a full pull no longer sees them); their history stays."""
        self._executemany("UPDATE accounts SET deleted = 1 WHERE id = ?", [(i,) for i in ids])

    def live_accounts(self) -> Iterator[tuple[str, str]]:
        """(id, fields JSON) of every live account, ordered by id."""
        yield from self._tuples("SELECT id, fields FROM accounts WHERE deleted = 0 ORDER BY id")

    def ticket_aggregates(self, open_statuses: Sequence[str], since_7d: str, since_30d: str
                          ) -> dict[str, dict[str, Any]]:
        """Per linked Salesforce Account Id, aggregates of its organizations' live tickets (one grouped query):
        tickets_open, tickets_last_7d, tickets_last_30d, urgent_open, last_ticket_at, csat_bad_30d."""
        marks = ", ".join("?" for _ in open_statuses)
        rows = self._query(
            f"""
            SELECT o.account_id,
                   COUNT(CASE WHEN t.status IN ({marks}) THEN 1 END),
                   COUNT(CASE WHEN t.created_at >= ? THEN 1 END),
                   COUNT(CASE WHEN t.created_at >= ? THEN 1 END),
                   COUNT(CASE WHEN t.priority = 'urgent' AND t.status IN ({marks}) THEN 1 END),
                   MAX(t.created_at),
                   COUNT(CASE WHEN t.satisfaction = 'bad' AND t.updated_at >= ? THEN 1 END)
            FROM tickets t JOIN organizations o ON o.id = t.organization_id
            WHERE t.deleted = 0 AND o.account_id IS NOT NULL
            GROUP BY o.account_id
            """,
            (*open_statuses, since_7d, since_30d, *open_statuses, since_30d))
        names = ("tickets_open", "tickets_last_7d", "tickets_last_30d", "urgent_open", "last_ticket_at",
                 "csat_bad_30d")
        return {r[0]: dict(zip(names, r[1:], strict=True)) for r in rows}

    # -- evaluations, status periods, alerts ----------------------------------
    def open_alerts(self) -> set[tuple[str, str]]:
        """(account id, alert id) of every alert not resolved."""
        return {(r[0], r[1]) for r in self._query("SELECT account_id, alert_id FROM alerts WHERE resolved_at IS NULL")}

    def current_statuses(self) -> dict[str, str]:
        """Per account, the status of its open status period."""
        return {r[0]: r[1] for r in self._query("SELECT account_id, status FROM status_history WHERE until IS NULL")}

    def replace_evaluation_products(self, account_ids: Iterable[str], rows: Iterable[Sequence[Any]]) -> None:
        """The last evaluation's onboarding per product of these accounts: (account_id, product, status, phase)
        rows replace what the accounts had ('' is an account without a product)."""
        with self.transaction():
            self._executemany("DELETE FROM evaluation_products WHERE account_id = ?", [(a,) for a in account_ids])
            self._executemany("INSERT INTO evaluation_products (account_id, product, status, phase) "
                              "VALUES (?, ?, ?, ?)", rows)

    def upsert_evaluations(self, rows: Iterable[Sequence[Any]]) -> None:
        """Keep the last evaluation per account: (account_id, run_id, evaluated_on, product, status, phase,
        health_score, result JSON)."""
        self._executemany(
            "INSERT INTO evaluations (account_id, run_id, evaluated_on, product, status, phase, health_score, result) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET run_id = excluded.run_id, "
            "evaluated_on = excluded.evaluated_on, product = excluded.product, status = excluded.status, "
            "phase = excluded.phase, health_score = excluded.health_score, result = excluded.result", rows)

    def close_status_periods(self, rows: Iterable[tuple[str, str]]) -> None:
        """End the open status period of each (day, account id) on that day."""
        self._executemany("UPDATE status_history SET until = ? WHERE account_id = ? AND until IS NULL", rows)

    def open_status_periods(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Start a status period per (account id, status, since); one already there (a rerun the same day) is
        opened again."""
        self._executemany("INSERT INTO status_history (account_id, status, since) VALUES (?, ?, ?) "
                          "ON CONFLICT (account_id, since, status) DO UPDATE SET until = NULL", rows)

    def touch_alerts(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(day, account id, alert id): the open alert was seen again on that day."""
        self._executemany("UPDATE alerts SET last_seen = ? WHERE account_id = ? AND alert_id = ? "
                          "AND resolved_at IS NULL", rows)

    def add_alerts(self, rows: Iterable[Sequence[Any]]) -> None:
        """New alert periods: (account_id, alert_id, severity, title, first_seen, last_seen, run_first_seen)."""
        self._executemany("INSERT INTO alerts (account_id, alert_id, severity, title, first_seen, last_seen, "
                          "run_first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def resolve_alerts(self, day: str, keys: Iterable[tuple[str, str]]) -> None:
        """Close the open period of each (account id, alert id) on ``day``."""
        self._executemany("UPDATE alerts SET resolved_at = ? WHERE account_id = ? AND alert_id = ? "
                          "AND resolved_at IS NULL", [(day, a, i) for a, i in keys])

    # -- status command --------------------------------------------------------
    def recent_runs(self, limit: int) -> list[dict[str, Any]]:
        """The last ``limit`` runs, newest first: id, command, started_at, finished_at, status, exit_code and
        the stored report (decoded; {} when none)."""
        rows = self._query("SELECT id, command, started_at, finished_at, status, exit_code, report FROM runs "
                           "ORDER BY id DESC LIMIT ?", (limit,))
        keys = ("id", "command", "started_at", "finished_at", "status", "exit_code")
        return [{**dict(zip(keys, r[:6], strict=True)), "report": json.loads(r[6]) if r[6] else {}} for r in rows]

    def clock_marks(self) -> tuple[str | None, str | None]:
        """The day the last recorded run evaluated for, and the start of the newest run (UTC), if any."""
        day = self._scalar("SELECT MAX(evaluated_on) FROM evaluations")
        started = self._scalar("SELECT MAX(started_at) FROM runs")
        return (str(day) if day else None), (str(started) if started else None)

    def status_funnel(self) -> list[tuple[str, str, int]]:
        """(product or '(none)', status, onboardings) over the last evaluation of each live account: an account
        with two products counts once under each, with that product's status."""
        return [(r[0], r[1], int(r[2])) for r in self._query(
            "SELECT CASE WHEN product = '' THEN '(none)' ELSE product END, status, COUNT(*) "
            "FROM evaluation_products WHERE account_id IN (SELECT id FROM accounts WHERE deleted = 0) "
            "GROUP BY CASE WHEN product = '' THEN '(none)' ELSE product END, status ORDER BY 1, 2")]

    def merge_account_fields(self, updates: dict[str, dict[str, Any]]) -> None:
        """Overwrite some fields of stored accounts (formula fields re-read), keeping the others."""
        stored = self.account_fields(updates)
        rows = []
        for account_id, fields in stored.items():
            fields.update(updates[account_id])
            rows.append((json.dumps(fields, ensure_ascii=False), account_id))
        self._executemany("UPDATE accounts SET fields = ? WHERE id = ?", rows)

    def last_statuses(self) -> dict[str, str]:
        """Onboarding status per live account as the last recorded evaluation left it (the guard's baseline)."""
        rows = self._query("SELECT e.account_id, e.status FROM evaluations e JOIN accounts a ON a.id = e.account_id "
                          "WHERE a.deleted = 0")
        return {r[0]: r[1] for r in rows}

    def evaluation(self, account_id: str) -> tuple[dict[str, Any], str] | None:
        """The last stored evaluation of an account and the date it was made for."""
        row = self._query("SELECT result, evaluated_on FROM evaluations WHERE account_id = ?", (account_id,))
        return (json.loads(row[0][0]), row[0][1]) if row else None

    def count_live_accounts(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM accounts WHERE deleted = 0") or 0)

    def count_evaluations(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM evaluations") or 0)

    def find_accounts(self, term: str, limit: int = 10) -> list[tuple[str, str | None]]:
        """(id, name) of live accounts whose Id is ``term`` (18 characters) or whose name contains it (any case)."""
        row = self._query("SELECT id, fields FROM accounts WHERE id = ? AND deleted = 0", (term,))
        if row:
            return [(row[0][0], json.loads(row[0][1]).get("Name"))]
        needle = term.casefold()
        out: list[tuple[str, str | None]] = []
        for account_id, fields in self.live_accounts():
            name = json.loads(fields).get("Name")
            if isinstance(name, str) and needle in name.casefold():
                out.append((account_id, name))
                if len(out) >= limit:
                    break
        return out

    def start_run(self, command: str) -> int:
        """Record a run's start. Call it holding the run lock: any run still 'running' then was killed."""
        with self.transaction():
            self._execute("UPDATE runs SET status = 'killed', finished_at = ? WHERE status = 'running'",
                         (now_iso(),))
            cur = self._execute("INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running') "
                                "RETURNING id", (command, now_iso()))
            return int(cur.fetchone()[0])

    def finish_run(self, run_id: int, status: str, exit_code: int, report: dict[str, Any]) -> None:
        with self.transaction():
            self._execute("UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, report = ? WHERE id = ?",
                         (now_iso(), status, exit_code, json.dumps(report, ensure_ascii=False), run_id))

    # -- history and report inputs -------------------------------------------
    def latest_history(self) -> dict[str, tuple[Any, ...]]:
        """Per account, its newest history point as (day, product, status, phase, score, band, tier, gone)."""
        rows = self._query(
            "SELECT h.account_id, h.day, h.product, h.status, h.phase, h.health_score, h.health_band, h.tier, "
            "h.gone FROM account_history h JOIN (SELECT account_id, MAX(day) AS day FROM account_history "
            "GROUP BY account_id) m ON m.account_id = h.account_id AND m.day = h.day")
        return {r[0]: tuple(r[1:]) for r in rows}

    def write_history(self, rows: Iterable[Sequence[Any]]) -> None:
        """Upsert (account_id, day, product, status, phase, score, band, tier, gone): one point per account per
        day; ``gone`` is 'churned' or 'deleted' from the day the account left, else NULL."""
        self._executemany(
            "INSERT INTO account_history (account_id, day, product, status, phase, health_score, health_band, tier, "
            "gone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, day) DO UPDATE SET "
            "product = excluded.product, status = excluded.status, phase = excluded.phase, "
            "health_score = excluded.health_score, health_band = excluded.health_band, tier = excluded.tier, "
            "gone = excluded.gone",
            rows)

    def history(self, until: str | None = None) -> Iterator[tuple[Any, ...]]:
        """Every history point up to ``until`` (a day, inclusive), ordered by account and day: (account_id, day,
        product, status, phase, score, band, tier, gone)."""
        sql = ("SELECT account_id, day, product, status, phase, health_score, health_band, tier, gone "
               "FROM account_history")
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._tuples(sql + " ORDER BY account_id, day", params)

    def latest_product_history(self) -> dict[tuple[str, str], tuple[Any, ...]]:
        """Per (account, product), its newest onboarding point as (day, status, phase)."""
        rows = self._query(
            "SELECT h.account_id, h.product, h.day, h.status, h.phase FROM product_history h "
            "JOIN (SELECT account_id, product, MAX(day) AS day FROM product_history GROUP BY account_id, product) m "
            "ON m.account_id = h.account_id AND m.product = h.product AND m.day = h.day")
        return {(r[0], r[1]): tuple(r[2:]) for r in rows}

    def write_product_history(self, rows: Iterable[Sequence[Any]]) -> None:
        """Upsert (account_id, product, day, status, phase): one point per product onboarding per day ('' is an
        account without a product)."""
        self._executemany(
            "INSERT INTO product_history (account_id, product, day, status, phase) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id, product, day) DO UPDATE SET status = excluded.status, phase = excluded.phase",
            rows)

    def product_history(self, until: str | None = None) -> Iterator[tuple[Any, ...]]:
        """Every onboarding point up to ``until`` (inclusive): (account_id, product, day, status, phase), ordered
        by account, product and day."""
        sql = "SELECT account_id, product, day, status, phase FROM product_history"
        params: tuple[Any, ...] = ()
        if until is not None:
            sql += " WHERE day <= ?"
            params = (until,)
        yield from self._tuples(sql + " ORDER BY account_id, product, day", params)

    def evaluated_accounts(self) -> Iterator[tuple[str, str | None, str, str | None]]:
        """(account id, product, the last evaluation's result JSON, the account's fields JSON) per account."""
        yield from self._tuples(
            "SELECT e.account_id, e.product, e.result, a.fields FROM evaluations e "
            "LEFT JOIN accounts a ON a.id = e.account_id ORDER BY e.account_id")

    def alert_periods(self) -> list[tuple[str, str, str, str | None]]:
        """(account id, alert id, first seen, resolved on or None) for every alert period."""
        return [tuple(r) for r in self._query(
            "SELECT account_id, alert_id, first_seen, resolved_at FROM alerts ORDER BY first_seen")]

    def replace_nps(self, survey: str, rows: Iterable[Sequence[Any]]) -> tuple[int, int]:
        """Replace every answer of ``survey`` by ``rows`` of (line, account_id, answered_on, score, comment).

        A survey is one file (or one Salesforce object); several people of one account
        may answer on one day, so an answer is keyed by its survey and line. Importing a
        survey again replaces its earlier answers. Returns (answers removed, answers added).
        """
        rows = list(rows)
        with self.transaction():
            removed = self._execute("DELETE FROM nps_responses WHERE survey = ?", (survey,)).rowcount
            self._executemany("INSERT INTO nps_responses (survey, line, account_id, answered_on, score, comment) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(survey, *r) for r in rows])
        return removed, len(rows)

    def remove_nps(self, survey: str) -> int:
        """Delete every answer of ``survey``; returns how many."""
        with self.transaction():
            return int(self._execute("DELETE FROM nps_responses WHERE survey = ?", (survey,)).rowcount)

    def known_accounts(self) -> set[str]:
        return {r[0] for r in self._query("SELECT id FROM accounts")}

    def nps_responses(self) -> list[tuple[str, str, str, int]]:
        """(survey, account id, answered on, score) for every NPS answer."""
        return [tuple(r) for r in self._query(
            "SELECT survey, account_id, answered_on, score FROM nps_responses ORDER BY answered_on, survey, line")]

    def nps_answers(self) -> list[tuple[str, str, str, int, str | None]]:
        """(survey, account id, answered on, score, comment) for every NPS answer: what an import compares."""
        return [tuple(r) for r in self._query(
            "SELECT survey, account_id, answered_on, score, comment FROM nps_responses")]

    def nps_surveys(self) -> list[tuple[str, int, str, str]]:
        """(survey, answers, first answered on, last answered on) per survey, oldest first."""
        return [tuple(r) for r in self._query(
            "SELECT survey, COUNT(*), MIN(answered_on), MAX(answered_on) FROM nps_responses GROUP BY survey "
            "ORDER BY MIN(answered_on), survey")]

    def size_bytes(self) -> int:
        """The store's size: SQLite's pages in use; on PostgreSQL, csops's tables with their indexes and TOAST."""
        return self._dialect.size_bytes(self._scalar)

    def table_bytes(self, table: str) -> int | None:
        """Bytes one table takes (None when the engine cannot tell: SQLite's dbstat is optional)."""
        _known_table(table)
        try:
            return int(self._scalar(self._dialect.table_bytes_sql, (table,)) or 0)
        except StoreError:
            return None

    def row_count(self, table: str) -> int:
        """Rows in one of csops's tables."""
        return int(self._scalar(f"SELECT COUNT(*) FROM {_known_table(table)}") or 0)

    # -- copying a store (csops store copy) and its lock holder (csops store info) ----------------
    def table_columns(self, table: str) -> list[str]:
        """The columns of one of csops's tables, in their order."""
        with self._errors():
            cur = self._conn.execute(f"SELECT * FROM {_known_table(table)} WHERE 1 = 0")
            return [d[0] for d in cur.description]

    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Every row of a table (these columns), streamed, ordered by all its columns so two stores compare."""
        known = set(self.table_columns(table))
        bad = [c for c in columns if c not in known]
        if bad:
            raise StoreError(f"no column {', '.join(bad)} in table {table}")
        cols = ", ".join(columns)
        yield from self._tuples(f"SELECT {cols} FROM {_known_table(table)} ORDER BY {cols}")

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert rows as they are (ids included) into a table; returns how many."""
        known = set(self.table_columns(table))
        bad = [c for c in columns if c not in known]
        if bad:
            raise StoreError(f"no column {', '.join(bad)} in table {table}")
        marks = ", ".join("?" for _ in columns)
        n = self._executemany(f"INSERT INTO {_known_table(table)} ({', '.join(columns)}) VALUES ({marks})", rows)
        if self.engine == "postgresql" and "id" in columns and table in ("runs", "notify_outbox"):
            # identity columns go on from the highest id copied in
            self._run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                      f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
        return n

    def lease_holder(self, name: str = LEASE_NAME) -> dict[str, Any] | None:
        """Who holds the run lock in the database (PostgreSQL): host, pid, acquired_at, expires_at, expired;
        None when no run holds it (or the store is SQLite: its lock is the file beside it)."""
        if self.engine != "postgresql":
            return None
        found = self._query("SELECT host, pid, acquired_at, expires_at, expires_at < now() FROM run_lease "
                            "WHERE name = ?", (name,))
        if not found:
            return None
        host, pid, acquired, expires, expired = found[0]
        return {"host": host, "pid": pid, "acquired_at": acquired, "expires_at": expires, "expired": bool(expired)}

    def compact(self) -> None:
        """Give the space of deleted rows back (VACUUM, outside any transaction)."""
        self._run("VACUUM")

    # -- notification outbox -------------------------------------------------
    def account_fields(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored Salesforce fields of these accounts (name, owner, ...)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._query(f"SELECT id, fields FROM accounts WHERE id IN ({marks})", chunk):
                out[row[0]] = json.loads(row[1])
        return out

    def alert_announcements(self, keys: Iterable[tuple[str, str]], day: str
                            ) -> dict[tuple[str, str], tuple[str, list[str]]]:
        """Per (account, alert) ending on ``day``: the occurrence that ends (its first_seen) and the channels
        its announcement was queued for (the outbox's ``new`` rows, kept after delivery for this).

        The occurrence is the newest alert period still open or resolved on ``day``: the one a
        sync resolving it today (or a dry run about to) closes. An alert no channel announced
        (raised before notify was set up, or routed nowhere) maps to an empty list.
        """
        wanted = set(keys)
        accounts = sorted({a for a, _ in wanted})
        occurrences: dict[tuple[str, str], str] = {}
        channels: dict[tuple[str, str, str], list[str]] = {}
        for start in range(0, len(accounts), 500):
            chunk = accounts[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for a, i, first in self._query(
                    f"SELECT account_id, alert_id, MAX(first_seen) FROM alerts WHERE account_id IN ({marks}) "
                    "AND (resolved_at IS NULL OR resolved_at = ?) GROUP BY account_id, alert_id", (*chunk, day)):
                if (a, i) in wanted:
                    occurrences[(a, i)] = first
            for a, i, occurrence, channel in self._query(
                    f"SELECT account_id, alert_id, occurrence, channel FROM notify_outbox WHERE account_id IN "
                    f"({marks}) AND kind = 'new' ORDER BY id", chunk):
                channels.setdefault((a, i, occurrence), []).append(channel)
        return {k: (first, channels.get((*k, first), [])) for k, first in occurrences.items()}

    def enqueue_notifications(self, rows: Iterable[tuple[str, str, str, str, str, dict[str, Any]]],
                              run_id: int | None) -> int:
        """Add (channel, kind, account, alert, occurrence, payload) rows; one already there is kept as it is."""
        now = now_iso()
        return self._executemany(
            "INSERT INTO notify_outbox (channel, kind, account_id, alert_id, occurrence, payload, run_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, kind, account_id, alert_id, occurrence) DO NOTHING",
            [(c, k, a, i, o, json.dumps(p, ensure_ascii=False), run_id, now) for c, k, a, i, o, p in rows])

    def pending_notifications(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Undelivered outbox rows, oldest first, payload decoded."""
        sql = f"SELECT {', '.join(_OUTBOX_COLUMNS)} FROM notify_outbox WHERE delivered_at IS NULL"
        params: tuple[Any, ...] = ()
        if channel is not None:
            sql += " AND channel = ?"
            params = (channel,)
        out = []
        for row in self._query(sql + " ORDER BY id", params):
            item = dict(zip(_OUTBOX_COLUMNS, row, strict=True))
            item["payload"] = json.loads(item["payload"])
            out.append(item)
        return out

    def mark_delivered(self, ids: Iterable[int]) -> None:
        now = now_iso()
        with self.transaction():
            self._executemany("UPDATE notify_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                             "WHERE id = ? AND delivered_at IS NULL", [(now, i) for i in ids])

    def mark_failed(self, ids: Iterable[int], error: str) -> None:
        with self.transaction():
            self._executemany("UPDATE notify_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                             [(error[:500], i) for i in ids])

    def last_delivery(self, channel: str) -> str | None:
        """When anything was last delivered to ``channel`` (UTC ISO), or None."""
        value = self._scalar("SELECT MAX(delivered_at) FROM notify_outbox WHERE channel = ?", (channel,))
        return None if value is None else str(value)


def _known_table(table: str) -> str:
    if table not in TABLES:
        raise StoreError(f"no table '{table}' in the store (one of {', '.join(TABLES)})")
    return table


def open_store(url: str, base_dir: Path | None = None, *, migrate: bool = True) -> Store:
    """The store a ``store.url`` names: ``sqlite:///path`` (relative to ``base_dir``) or ``postgresql://…``
    (``postgres://`` too; libpq options in the query string). ``migrate=False`` opens it as it is."""
    if is_postgres(url):
        return Store(url=url, migrate=migrate)
    return Store(sqlite_path(url, base_dir), migrate=migrate)
