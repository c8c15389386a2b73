"""Cursors and bookmarks: where each incremental pull goes on from."""

from __future__ import annotations

from store.connection import Database, now_iso


class CursorTable(Database):
    """The ``cursors`` table."""

    def get_cursor(self, name: str) -> str | None:
        value = self._scalar("SELECT value FROM cursors WHERE name = ?", (name,))
        return None if value is None else str(value)

    def set_cursor(self, name: str, value: str) -> None:
        self._execute(
            "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, now_iso()),
        )
