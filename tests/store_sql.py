"""Test-only: look at a store's tables directly, to assert on what the code under test left there.

Production code never does this (tests/test_sql_in_store.py keeps SQL inside the store); tests may,
through a connection of their own, so a check does not go through the code it checks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def rows(target: str | Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (``?`` parameters) on a SQLite file or a postgresql:// URL."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(text, autocommit=True) as conn:
            cur = conn.execute(sql.replace("%", "%%").replace("?", "%s"), params)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
    path = Path(text[len("sqlite:///"):] if text.startswith("sqlite:///") else text)
    conn = sqlite3.connect(path)
    try:
        with conn:
            return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def scalar(target: str | Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    found = rows(target, sql, params)
    return found[0][0] if found else None
