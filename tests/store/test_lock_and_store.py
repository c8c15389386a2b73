"""The run lock (exit 75 at once for a second run) and the store's migrations and transactions, on both engines."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from store import MIGRATIONS, SCHEMA_VERSION, LockHeld, RunLock, Store, StoreError, open_store, run_lock
from store.alerts import AlertKey, AlertRow
from store.dialect import Postgres
from store.history import HistoryPoint
from tests.conftest import Workspace
from tests.store_sql import rows, scalar


def test_second_process_gets_exit_75_at_once(ws: Workspace) -> None:
    store = ws.path / ".csops" / "state.db"
    store.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from store import RunLock\n"
         f"with RunLock(Path({str(store)!r})):\n    print('held', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        proc = ws.run("pull", "zendesk")
        elapsed = time.monotonic() - started
        assert proc.returncode == 75, proc.stderr
        assert "another csops run holds the lock" in proc.stderr
        assert elapsed < 60  # a run that queued behind the holder would wait its 120 s; start-up under load is slow
    finally:
        holder.kill()
        holder.wait()
    assert ws.run("pull", "zendesk").returncode == 0


def test_lock_is_released_after_use(store_url: str) -> None:
    with open_store(store_url) as store:
        with run_lock(store, lease_seconds=5), pytest.raises(LockHeld), open_store(store_url) as other:
            run_lock(other, lease_seconds=5).__enter__()
        with run_lock(store, lease_seconds=5):
            pass


def test_run_lock_kinds(store_url: str) -> None:
    with open_store(store_url) as store:
        lock = run_lock(store)
        assert isinstance(lock, RunLock) == (store.engine == "sqlite") == store_url.startswith("sqlite")
        assert store.describe() == (store_url if store.engine == "postgresql" else store_url[len("sqlite:///"):])


def test_migrations_are_applied_once(store_url: str) -> None:
    with open_store(store_url) as s:
        assert s.version() == SCHEMA_VERSION
        for table in ("cursors", "tickets", "organizations", "accounts", "runs", "evaluations", "alerts"):
            assert s.row_count(table) == 0
    assert rows(target(store_url), "SELECT name FROM run_lease") == []
    with open_store(store_url) as s:
        assert s.migrate() == 0
    assert scalar(target(store_url), "SELECT COUNT(*) FROM schema_version") == SCHEMA_VERSION
    with pytest.raises(Exception):  # noqa: B017  (the driver's own error: the table is gone)
        rows(target(store_url), "SELECT COUNT(*) FROM write_failures")


def test_sqlite_store_is_wal(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    Store(db).close()
    assert scalar(db, "PRAGMA journal_mode") == "wal"


def target(url: str) -> str | Path:
    return url if url.startswith("postgresql") else Path(url[len("sqlite:///"):])


def test_transaction_rolls_back_everything(store_url: str) -> None:
    with open_store(store_url) as s:
        with pytest.raises(RuntimeError), s.transaction():
            s.set_cursor("a", "1")
            s.upsert_tickets([(1, None, "open", None, None, None, "[]", None, None, None, 0, None)])
            raise RuntimeError("crash")
        assert s.get_cursor("a") is None
        assert s.row_count("tickets") == 0
        with s.transaction():
            s.set_cursor("a", "2")
        assert s.get_cursor("a") == "2"


def test_zendesk_ids_past_2_to_the_31_fit(store_url: str) -> None:
    big = 2**31 + 12345
    with open_store(store_url) as s:
        s.upsert_tickets([(big, big + 1, "open", None, None, "件名", "[]", None, "2026-01-01T00:00:00Z",
                           "2026-01-01T00:00:00Z", 0, "100% done")])
        assert list(s.ticket_texts("2025-01-01")) == [(big, "2026-01-01T00:00:00Z", "件名", "100% done")]


def test_newer_schema_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    rows(target(store_url), "INSERT INTO schema_version (version) VALUES (999)")
    with pytest.raises(StoreError, match="newer than this csops"):
        open_store(store_url)


def older_store(url: str, version: int) -> None:
    """A store as csops left it at schema ``version``, with a ticket in it, made without the code under test."""
    where = target(url)
    pg = isinstance(where, str)
    statements = ["CREATE TABLE schema_version (version INTEGER NOT NULL)"]
    for v, script in MIGRATIONS:
        if v <= version:
            statements += Postgres().ddl(script) if pg else [s for s in script.split(";") if s.strip()]
            statements.append(f"INSERT INTO schema_version (version) VALUES ({v})")
    statements.append("INSERT INTO tickets (id, status, subject, created_at) VALUES (7, 'open', 'old', '2026-01-01')")
    if pg:
        for statement in statements:
            rows(where, statement)
    else:
        conn = sqlite3.connect(where)
        conn.executescript(";\n".join(statements) + ";")
        conn.close()


@pytest.mark.parametrize("version", [4, 6])
def test_an_older_store_is_migrated_and_keeps_its_rows(store_url: str, version: int) -> None:
    older_store(store_url, version)
    with open_store(store_url, migrate=False) as s:
        assert s.version() == version
    with open_store(store_url) as s:
        assert s.version() == SCHEMA_VERSION
        assert list(s.ticket_texts("2025-01-01")) == [(7, "2026-01-01", "old", None)]


def test_two_stores_migrating_at_once_do_not_collide(store_url: str) -> None:
    import threading

    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            open_store(store_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert scalar(target(store_url), "SELECT COUNT(*) FROM schema_version") == SCHEMA_VERSION


def test_csops_refuses_a_store_newer_than_itself(ws: Workspace, store_url: str) -> None:
    open_store(store_url).close()
    rows(target(store_url), "INSERT INTO schema_version (version) VALUES (999)")
    text = ws.config.read_text(encoding="utf-8")
    ws.config.write_text(text.replace("  url: sqlite:///.csops/state.db\n", f"  url: {store_url}\n"), encoding="utf-8")
    proc = ws.run("status")
    assert proc.returncode == 74, proc.stderr
    assert "schema version 999, newer than this csops" in proc.stderr and "upgrade csops" in proc.stderr
    assert scalar(target(store_url), "SELECT MAX(version) FROM schema_version") == 999  # left as it was


def test_an_unchanged_account_is_not_rewritten(store_url: str) -> None:
    with open_store(store_url) as s:
        a = ("001A", '{"Name": "A"}', "2026-01-01T00:00:00.000+0000", 0)
        b = ("001B", '{"Name": "B"}', None, 0)
        assert s.upsert_accounts([a, b]) == 2
        assert s.upsert_accounts([a, b]) == 0
        assert s.upsert_accounts([a, ("001B", '{"Name": "B2"}', None, 0)]) == 1
        # the stamp moved alone (csops's own write, read back): the row is left as it is
        assert s.upsert_accounts([a, ("001B", '{"Name": "B2"}', "2026-01-02T00:00:00.000+0000", 0)]) == 0
        assert s.upsert_accounts([(*a[:3], 1)]) == 1
        assert s.account_fields(["001B"]) == {"001B": {"Name": "B2"}}
        assert s.live_account_ids() == {"001B"}
        # an Id given twice: the last row wins, as if each were stored in turn
        assert s.upsert_accounts([("001B", '{"Name": "B3"}', None, 0), ("001B", '{"Name": "B2"}', None, 0)]) == 0
        assert s.upsert_accounts([("001C", '{"Name": "C"}', None, 0), ("001C", '{"Name": "C2"}', None, 0)]) == 1
        assert s.account_fields(["001B", "001C"]) == {"001B": {"Name": "B2"}, "001C": {"Name": "C2"}}
        # more rows at once than an IN list takes (PostgreSQL reads them as one array)
        many = [(f"001M{i:05d}", f'{{"Name": "M{i}"}}', None, 0) for i in range(1201)]
        assert s.upsert_accounts(many) == 1201
        many[700] = (many[700][0], '{"Name": "changed"}', None, 0)
        assert s.upsert_accounts([*many, b]) == 2
        assert s.upsert_accounts(many) == 0


def _with_accounts_not_live(s: Store) -> None:
    """Accounts live, marked deleted, deleted then live again, and never stored, each with alerts (some resolved)
    and two days of history."""
    s.upsert_accounts([("001LIVE", "{}", None, 0), ("001GONE", "{}", None, 1), ("001BACK", "{}", None, 0)])
    s.mark_accounts_deleted(["001BACK"])
    s.upsert_accounts([("001BACK", '{"Name": "back"}', None, 0)])  # deleted, then live again
    ids = ["001LIVE", "001GONE", "001BACK", "001NEVER"]
    s.add_alerts([AlertRow(i, a, "warning", a, "2026-11-01", "2026-11-02", None) for i in ids for a in ("x", "y")])
    s.resolve_alerts("2026-11-03", [("001GONE", "y"), ("001NEVER", "x")])
    s.write_history([HistoryPoint(i, d, None, "on track", None, None, None, None, None) for i in ids
                     for d in ("2026-11-01", "2026-11-02")])


def test_the_accounts_not_live_are_those_without_a_live_row(store_url: str) -> None:
    """Open alerts and newest history points of the accounts the store does not hold as live (marked deleted, or
    never stored), against the same picked out in Python; NOT EXISTS gives what NOT IN gave, on both engines."""
    with open_store(store_url) as s:
        _with_accounts_not_live(s)
        live = s.live_account_ids()
        open_keys = s.open_alerts()
        assert live == {"001LIVE", "001BACK"}
        assert s.open_alerts(not_live=True) == {k for k in open_keys if k.account_id not in live} == {
            AlertKey("001GONE", "x"), AlertKey("001NEVER", "y")}
        assert s.open_alerts(of=["001GONE", "001LIVE"], not_live=True) == {AlertKey("001GONE", "x")}
        gone = s.latest_history(not_live=True)
        assert sorted(gone) == ["001GONE", "001NEVER"] and {p.day for p in gone.values()} == {"2026-11-02"}
        assert sorted(s.latest_history(not_live=True, of=["001NEVER", "001BACK"])) == ["001NEVER"]


@pytest.mark.parametrize("read", ["open_alerts", "latest_history"])
def test_not_live_reads_are_anti_joins_on_postgresql(pg_url: str, read: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same reads are planned as anti-joins (EXPLAIN: an Anti Join, no SubPlan). ``NOT IN (SELECT id FROM
    accounts ...)`` gave the same rows, but PostgreSQL hashes such a subquery only while it fits in work_mem: at
    100,000 accounts a sync's open-alerts read scanned the accounts again for every alert (minutes). The plan is
    the check that fails when the SQL goes back; a timed test would not."""
    with open_store(pg_url) as s:
        _with_accounts_not_live(s)
        seen: list[tuple[str, Any]] = []
        query = s._query

        def recording(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
            seen.append((sql, params))
            return query(sql, params)

        monkeypatch.setattr(s, "_query", recording)
        getattr(s, read)(not_live=True)
        monkeypatch.undo()
        assert seen
        for sql, params in seen:
            plan = "\n".join(r[0] for r in s._query(f"EXPLAIN {sql}", params))
            assert "SubPlan" not in plan and "Anti Join" in plan, plan


def test_no_store_query_uses_not_in_over_a_subquery() -> None:
    """The same trap anywhere in the store's SQL (its only home)."""
    store = Path(__file__).resolve().parents[2] / "store"
    found = [f"{p.name}:{n}" for p in sorted(store.glob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"NOT\s+IN\s*\(\s*SELECT", line.split("#", 1)[0], re.IGNORECASE)]
    assert not found, f"NOT IN (SELECT ...) in {found}: use NOT EXISTS (store.accounts.NOT_LIVE)"
