"""What ``csops store info``, ``copy`` and ``compact`` need: sizes, rows, columns, raw copies, the lease holder."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from store.connection import Database
from store.dialect import StoreError
from store.lease import LEASE_NAME, LeaseHolder
from store.schema import known_table


class Maintenance(Database):
    """Whole-store operations over any of csops's tables."""

    def size_bytes(self) -> int:
        """The store's size: SQLite's pages in use; on PostgreSQL, csops's tables with their indexes and TOAST."""
        return self._dialect.size_bytes(self._scalar)

    def table_bytes(self, table: str) -> int | None:
        """Bytes one table takes (None when the engine cannot tell: SQLite's dbstat is optional)."""
        known_table(table)
        try:
            return int(self._scalar(self._dialect.table_bytes_sql, (table,)) or 0)
        except StoreError:
            return None

    def row_count(self, table: str) -> int:
        """Rows in one of csops's tables."""
        return int(self._scalar(f"SELECT COUNT(*) FROM {known_table(table)}") or 0)

    def table_columns(self, table: str) -> list[str]:
        """The columns of one of csops's tables, in their order."""
        with self._errors():
            cur = self._conn.execute(f"SELECT * FROM {known_table(table)} WHERE 1 = 0")
            return [d[0] for d in cur.description]

    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Every row of a table (these columns), streamed, ordered by all its columns so two stores compare."""
        known = set(self.table_columns(table))
        bad = [c for c in columns if c not in known]
        if bad:
            raise StoreError(f"no column {', '.join(bad)} in table {table}")
        cols = ", ".join(columns)
        yield from self._tuples(f"SELECT {cols} FROM {known_table(table)} ORDER BY {cols}")

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert rows as they are (ids included) into a table; returns how many."""
        known = set(self.table_columns(table))
        bad = [c for c in columns if c not in known]
        if bad:
            raise StoreError(f"no column {', '.join(bad)} in table {table}")
        marks = ", ".join("?" for _ in columns)
        n = self._executemany(f"INSERT INTO {known_table(table)} ({', '.join(columns)}) VALUES ({marks})", rows)
        if self.engine == "postgresql" and "id" in columns and table in ("runs", "notify_outbox", "write_log"):
            # identity columns go on from the highest id copied in
            self._run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                      f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
        return n

    def lease_holder(self, name: str = LEASE_NAME) -> LeaseHolder | None:
        """Who holds the run lock in the database (PostgreSQL); None when no run holds it (or the store is SQLite:
        its lock is the file beside it)."""
        if self.engine != "postgresql":
            return None
        found = self._rows(LeaseHolder, "SELECT host, pid, acquired_at, expires_at, expires_at < now() FROM "
                           "run_lease WHERE name = ?", (name,))
        return found[0] if found else None

    def clear_table(self, table: str) -> int:
        """Delete every row of one of csops's tables (``csops store copy --replace``); returns how many."""
        return int(self._execute(f"DELETE FROM {known_table(table)}").rowcount)

    def compact(self) -> None:
        """Give the space of deleted rows back (VACUUM, outside any transaction)."""
        self._run("VACUUM")
