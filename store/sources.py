"""Rows pulled from the team's SQL fact sources: per source and account key, the row's values as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from store.connection import Database, now_iso


class SourceRow(NamedTuple):
    """One row of a source as the rules read it: its account key and its columns as a JSON object."""

    source: str
    key: str
    values: str


class SourceTable(Database):
    """The ``source_rows`` table: the last values each source gave for each key, and when they last changed."""

    def upsert_source_rows(self, rows: Iterable[SourceRow]) -> int:
        """Store rows; a row whose values are already stored is left alone (an incremental pull's look-back reads
        rows again), so ``changed_at`` moves only on a change. Returns the rows inserted or changed."""
        now = now_iso()
        return self._executemany(
            "INSERT INTO source_rows (source, key, row_values, changed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (source, key) DO UPDATE SET row_values = excluded.row_values, changed_at = "
            "excluded.changed_at WHERE source_rows.row_values <> excluded.row_values",
            [(r.source, r.key, r.values, now) for r in rows])

    def source_rows(self, source: str) -> dict[str, str]:
        """Every stored row of one source: key → its values as JSON."""
        return {key: values for key, values in self._query(
            "SELECT key, row_values FROM source_rows WHERE source = ?", (source,))}

    def source_changed_at(self, source: str) -> str | None:
        """When a value of this source last changed in the store (None: it has no row)."""
        value = self._scalar("SELECT MAX(changed_at) FROM source_rows WHERE source = ?", (source,))
        return None if value is None else str(value)

    def delete_source_rows(self, source: str, keep: set[str]) -> int:
        """Drop the stored rows of a source whose keys are not in ``keep`` (a full query no longer returns them)."""
        gone = [(source, key) for (key,) in self._query("SELECT key FROM source_rows WHERE source = ?", (source,))
                if key not in keep]
        return self._executemany("DELETE FROM source_rows WHERE source = ? AND key = ?", gone)
