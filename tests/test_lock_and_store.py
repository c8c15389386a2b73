"""The run lock (exit 75 at once for a second run) and the store's migrations and transactions."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.store import SCHEMA_VERSION, LockHeld, RunLock, Store
from tests.conftest import Workspace
from tests.store_sql import rows, scalar


def test_second_process_gets_exit_75_at_once(ws: Workspace) -> None:
    store = ws.path / ".csops" / "state.db"
    store.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from sync.store import RunLock\n"
         f"with RunLock(Path({str(store)!r})):\n    print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        proc = ws.run("pull", "zendesk")
        elapsed = time.monotonic() - started
        assert proc.returncode == 75, proc.stderr
        assert "another csops run holds the lock" in proc.stderr
        assert elapsed < 10
    finally:
        holder.kill()
        holder.wait()
    assert ws.run("pull", "zendesk").returncode == 0


def test_lock_is_released_after_use(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with RunLock(db), pytest.raises(LockHeld):
        RunLock(db).__enter__()
    with RunLock(db):
        pass


def test_migrations_are_applied_once(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with Store(db) as s:
        assert s.version() == SCHEMA_VERSION
    tables = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cursors", "tickets", "organizations", "accounts", "runs", "evaluations", "alerts"} <= tables
    assert "write_failures" not in tables
    assert scalar(db, "PRAGMA journal_mode") == "wal"
    with Store(db) as s:
        assert s.version() == SCHEMA_VERSION
    assert scalar(db, "SELECT COUNT(*) FROM schema_version") == SCHEMA_VERSION


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as s:
        with pytest.raises(RuntimeError), s.transaction():
            s.set_cursor("a", "1")
            s.upsert_tickets([(1, None, "open", None, None, None, "[]", None, None, None, 0, None)])
            raise RuntimeError("crash")
        assert s.get_cursor("a") is None
        assert s.row_count("tickets") == 0
        with s.transaction():
            s.set_cursor("a", "2")
        assert s.get_cursor("a") == "2"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    Store(db).close()
    rows(db, "INSERT INTO schema_version (version) VALUES (999)")
    from sync.store import StoreError

    with pytest.raises(StoreError, match="newer than this csops"):
        Store(db)
