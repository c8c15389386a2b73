"""The schema: the migrations that build it (written once, in SQLite's words; :mod:`store.dialect` turns them
into PostgreSQL's) and the tables csops keeps."""

from __future__ import annotations

from store.dialect import StoreError

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
    (12, """
    CREATE TABLE write_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL,
        written_at TEXT NOT NULL,
        sobject TEXT NOT NULL,
        record_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        result TEXT NOT NULL,
        error TEXT,
        reason TEXT
    );
    CREATE INDEX write_log_account ON write_log (account_id);
    CREATE INDEX write_log_run ON write_log (run_id);
    """),
    (13, """
    CREATE TABLE write_batches (
        run_id INTEGER NOT NULL,
        sobject TEXT NOT NULL,
        settled_at TEXT NOT NULL,
        PRIMARY KEY (run_id, sobject)
    );
    """),
    (14, """
    CREATE TABLE owners (
        id TEXT PRIMARY KEY,
        name TEXT,
        fetched_on TEXT NOT NULL
    );
    """),
    (15, """
    CREATE TABLE source_rows (
        source TEXT NOT NULL,
        key TEXT NOT NULL,
        row_values TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        PRIMARY KEY (source, key)
    );
    """),
    (16, """
    ALTER TABLE evaluations ADD COLUMN result_hash TEXT;
    """),
    (17, """
    CREATE TABLE fact_history (
        account_id TEXT NOT NULL,
        day TEXT NOT NULL,
        changes TEXT NOT NULL,
        PRIMARY KEY (account_id, day)
    ) WITHOUT ROWID;
    CREATE TABLE fact_state (
        account_id TEXT PRIMARY KEY,
        facts TEXT NOT NULL
    );
    """),
    (18, """
    ALTER TABLE account_history ADD COLUMN components TEXT;
    """),
    (19, """
    ALTER TABLE runs ADD COLUMN rules_hash TEXT;
    ALTER TABLE runs ADD COLUMN rules_day TEXT;
    """),
    (20, """
    ALTER TABLE evaluations ADD COLUMN inputs_hash TEXT;
    """),
    (21, """
    DROP INDEX tickets_org;
    CREATE INDEX tickets_by_organization ON tickets (organization_id, deleted, status, priority, satisfaction,
                                                     created_at, updated_at);
    """),
    (22, """
    CREATE TABLE ticket_aggregates (
        account_id TEXT PRIMARY KEY,
        tickets_open INTEGER NOT NULL,
        tickets_last_7d INTEGER NOT NULL,
        tickets_last_30d INTEGER NOT NULL,
        urgent_open INTEGER NOT NULL,
        last_ticket_at TEXT,
        csat_bad_30d INTEGER NOT NULL
    );
    CREATE TABLE ticket_aggregate_marks (
        account_id TEXT PRIMARY KEY
    );
    """),
    (23, """
    CREATE INDEX accounts_deleted ON accounts (id) WHERE deleted = 1;
    """),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]

#: The tables csops keeps (for sizes, row counts and copies), in an order that respects nothing but reading.
TABLES = ("cursors", "tickets", "organizations", "accounts", "runs", "evaluations", "evaluation_products",
          "status_history", "alerts", "account_history", "product_history", "nps_responses", "notify_outbox",
          "write_log", "write_batches", "owners",
          "source_rows", "fact_history", "fact_state", "ticket_aggregates", "ticket_aggregate_marks")


def known_table(table: str) -> str:
    """``table`` when it is one of csops's tables (it goes into SQL text as a name), else a StoreError."""
    if table not in TABLES:
        raise StoreError(f"no table '{table}' in the store (one of {', '.join(TABLES)})")
    return table
