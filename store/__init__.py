"""The state store: every table csops keeps, on SQLite (the default) or PostgreSQL, and the run lock.

The rest of csops asks the store for what it needs by name (``store.upsert_tickets(rows)``,
``store.history(until)``); no SQL and no connection leave this package (tests/test_sql_in_store.py).

- :mod:`store.db`: :class:`Store`, every table's part joined, and :func:`open_store` for a ``store.url``
- one module per table (or pair of tables kept together): :mod:`store.cursors`, :mod:`store.tickets`,
  :mod:`store.organizations`, :mod:`store.accounts`, :mod:`store.evaluations`, :mod:`store.status_periods`,
  :mod:`store.alerts`, :mod:`store.runs`, :mod:`store.history`, :mod:`store.nps`, :mod:`store.outbox`, and
  :mod:`store.maintenance` for whole-store operations (sizes, raw copies, the lease holder)
- :mod:`store.connection`: the connection every part builds on (engines, migrations, transactions)
- :mod:`store.schema`: the migrations and the list of tables
- :mod:`store.dialect`: what differs between SQLite and PostgreSQL, and the store's errors
- :mod:`store.lock`: the run lock (a file beside SQLite, :mod:`store.lease`'s row in PostgreSQL)
- :mod:`store.copy`: copying a store between engines and verifying it (``csops store copy``)
- :mod:`store.ticket_text`: ticket text as it may enter the store or the screen (capped, personal data masked)
"""

from store.db import Store, open_store
from store.dialect import LockHeld, StoreConfigError, StoreError, StoreUnavailable, check_url, is_postgres, sqlite_path
from store.lease import DbLease, LeaseLost
from store.lock import RunLock, run_lock
from store.schema import MIGRATIONS, SCHEMA_VERSION, TABLES

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "TABLES", "DbLease", "LeaseLost", "LockHeld", "RunLock", "Store",
           "StoreConfigError", "StoreError", "StoreUnavailable", "check_url", "is_postgres", "open_store", "run_lock",
           "sqlite_path"]
