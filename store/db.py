"""The store: every table's part joined in one :class:`Store`, and :func:`open_store` for a ``store.url``."""

from __future__ import annotations

from pathlib import Path

from store.accounts import AccountTable
from store.alerts import AlertTable
from store.cursors import CursorTable
from store.dialect import is_postgres, sqlite_path
from store.evaluations import EvaluationTable
from store.facthistory import FactHistoryTables
from store.history import HistoryTables
from store.maintenance import Maintenance
from store.nps import NpsTable
from store.organizations import OrganizationTable
from store.outbox import OutboxTable
from store.owners import OwnerTable
from store.runs import RunTable
from store.sources import SourceTable
from store.status_periods import StatusPeriodTable
from store.tickets import TicketTable
from store.writelog import WriteLogTable


class Store(CursorTable, TicketTable, OrganizationTable, AccountTable, EvaluationTable, StatusPeriodTable, AlertTable,
            RunTable, HistoryTables, NpsTable, OutboxTable, WriteLogTable, OwnerTable, FactHistoryTables, SourceTable,
            Maintenance):
    """The state store (SQLite or PostgreSQL) with the schema migrated to the latest version.

    ``Store(path)`` opens a SQLite file; :func:`open_store` opens either engine from a ``store.url``. Every
    operation the rest of csops needs is a named method of one table's part (``store/<table>.py``); the SQL stays
    inside them. The parts are joined here rather than reached as ``store.tickets.…`` so that a caller needs one
    object, and a transaction spans tables without passing a connection around.
    """


def open_store(url: str, base_dir: Path | None = None, *, migrate: bool = True) -> Store:
    """The store a ``store.url`` names: ``sqlite:///path`` (relative to ``base_dir``) or ``postgresql://…``
    (``postgres://`` too; libpq options in the query string). ``migrate=False`` opens it as it is."""
    if is_postgres(url):
        return Store(url=url, migrate=migrate)
    return Store(sqlite_path(url, base_dir), migrate=migrate)
