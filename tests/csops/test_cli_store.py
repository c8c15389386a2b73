"""`csops store info`, `store migrate` and `store copy` through the CLI, on real SQLite files and a real PostgreSQL
server (tests/pg.py: skipped locally without CSOPS_TEST_PG_URL, failed under CI), stores filled by real syncs
against the sandbox on loopback. Nothing is mocked."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from store import SCHEMA_VERSION, TABLES, open_store, run_lock
from store.copy import compare, row_hash
from tests.conftest import Workspace

TODAY = ("--today", "2026-11-23")
EXPORT = "GET /api/v2/incremental/tickets/cursor.json"


def on_store(ws: Workspace, url: str) -> Workspace:
    text = ws.config.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("  url: "))
    ws.config.write_text(text.replace(old + "\n", f"  url: {url}\n"), encoding="utf-8")
    return ws


def synced(ws: Workspace) -> Workspace:
    result = ws.cli("sync", *TODAY)
    assert result.exit_code == 0, result.output
    return ws


def copy_json(ws: Workspace, *args: str) -> dict[str, Any]:
    result = ws.cli("store", "copy", *args, "--json")
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_copy_sqlite_to_postgresql_and_back_keeps_every_row(ws: Workspace, pg_url: str, tmp_path: Path) -> None:
    synced(ws)
    there = copy_json(ws, "--to", pg_url)
    assert there["ok"] and [t["table"] for t in there["tables"]] == list(TABLES)
    by_table = {t["table"]: t for t in there["tables"]}
    assert by_table["tickets"]["source_rows"] == len(ws.sandbox.data.tickets)
    assert by_table["accounts"]["source_rows"] > 0 and by_table["runs"]["source_rows"] == 1
    for t in there["tables"]:
        assert (t["source_rows"], t["source_checksum"]) == (t["target_rows"], t["target_checksum"]), t

    back_file = tmp_path / "back" / "state.db"
    back = copy_json(ws, "--from", pg_url, "--to", sqlite_url(back_file))
    assert back["ok"]
    assert [(t["target_rows"], t["target_checksum"]) for t in back["tables"]] == \
        [(t["source_rows"], t["source_checksum"]) for t in there["tables"]]
    original = ws.path / ".csops" / "state.db"
    for table in ("tickets", "accounts", "evaluations", "cursors", "runs"):
        assert dump(original, table) == dump(back_file, table)
    with open_store(sqlite_url(original), migrate=False) as a, open_store(sqlite_url(back_file), migrate=False) as b:
        assert all(c.ok for c in compare(a, b))


def dump(path: Path, table: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    finally:
        conn.close()


def test_a_sync_on_the_copied_postgresql_store_goes_on_from_its_cursors(ws: Workspace, pg_url: str) -> None:
    synced(ws)
    result = ws.cli("store", "copy", "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert "copied and verified" in result.stdout and "ok" in result.stdout
    assert "copying" in result.stderr and "tickets:" in result.stderr  # progress on stderr
    on_store(ws, pg_url)
    ws.sandbox.reset_stats()
    again = ws.json("sync", *TODAY)
    assert again["writeback"]["changed"] == 0
    assert ws.sandbox.stats.get(EXPORT, 0) == 1  # one incremental page: the cursor came along, no full re-pull
    runs = ws.json("status")["runs"]
    assert [(r["id"], r["status"]) for r in runs] == [(2, "ok"), (1, "ok")]  # identity went on past the copied id


def test_copy_refuses_a_target_that_holds_rows_unless_replace(ws: Workspace, pg_url: str) -> None:
    synced(ws)
    assert ws.cli("store", "copy", "--to", pg_url).exit_code == 0
    refused = ws.cli("store", "copy", "--to", pg_url)
    assert refused.exit_code == 78, refused.output
    assert "is not empty" in refused.output and "tickets (1,500)" in refused.output and "--replace" in refused.output
    replaced = copy_json(ws, "--to", pg_url, "--replace")
    assert replaced["ok"]
    assert {t["table"]: t["target_rows"] for t in replaced["tables"]}["tickets"] == 1500


def test_copy_onto_itself_or_from_an_old_schema_is_refused(ws: Workspace, tmp_path: Path) -> None:
    synced(ws)
    same = ws.cli("store", "copy", "--to", sqlite_url(ws.path / ".csops" / "state.db"))
    assert same.exit_code == 78 and "the source store itself" in same.output
    empty = tmp_path / "empty.db"
    open_store(sqlite_url(empty), migrate=False).close()
    old = ws.cli("store", "copy", "--from", sqlite_url(empty), "--to", sqlite_url(tmp_path / "x.db"))
    assert old.exit_code == 78 and "no csops schema" in old.output
    assert not (tmp_path / "x.db").exists()


def test_copy_dry_run_says_what_and_writes_nothing(ws: Workspace, store_url: str, tmp_path: Path) -> None:
    synced(ws)
    target = store_url if store_url.startswith("postgresql") else sqlite_url(tmp_path / "copy.db")
    result = ws.cli("store", "copy", "--to", target, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would copy from" in result.stdout and "tickets" in result.stdout and "1,500" in result.stdout
    assert "nothing copied" in result.stdout
    if target.startswith("sqlite"):
        assert "a new SQLite file" in result.stdout and not (tmp_path / "copy.db").exists()
    else:
        with open_store(target, migrate=False) as s:
            assert s.version() == 0


def test_info_shows_engine_version_rows_and_the_lock_holder(ws: Workspace, store_url: str) -> None:
    on_store(ws, store_url)
    synced(ws)
    info = ws.json("store", "info")
    assert info["engine"] == store_url.split(":")[0]
    assert (info["schema_version"], info["latest_schema_version"]) == (SCHEMA_VERSION, SCHEMA_VERSION)
    assert info["tables"]["tickets"] == 1500 and info["size_bytes"] > 0
    assert info["lock"] == {"state": "free"}
    assert "password" not in json.dumps(info)

    with open_store(store_url, ws.path) as store, run_lock(store, ws.path):
        held = ws.run("store", "info", "--json", check=True)  # another process, as an operator would look
        lock = json.loads(held.stdout)["lock"]
        assert lock["state"] == "held"
        if store_url.startswith("postgresql"):
            assert lock["pid"] == os.getpid() and lock["host"] and lock["since"] and lock["expires"]
        text = ws.run("store", "info", check=True).stdout
        assert "run lock" in text and "held" in text
    assert ws.json("store", "info")["lock"] == {"state": "free"}


def test_info_without_a_store_yet(ws: Workspace) -> None:
    result = ws.cli("store", "info")
    assert result.exit_code == 0 and "no store yet" in result.stdout
    assert not (ws.path / ".csops" / "state.db").exists()


def test_migrate_dry_run_lists_then_migrate_applies(ws: Workspace, store_url: str) -> None:
    on_store(ws, store_url)
    open_store(store_url, ws.path, migrate=False).close()  # an empty store: every migration pending
    dry = ws.cli("store", "migrate", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"from schema version 0 to {SCHEMA_VERSION}" in dry.stdout
    assert "1: CREATE TABLE cursors; CREATE TABLE tickets" in dry.stdout and "nothing changed" in dry.stdout
    with open_store(store_url, ws.path, migrate=False) as s:
        assert s.version() == 0
    done = ws.cli("store", "migrate")
    assert done.exit_code == 0 and f"done: schema version {SCHEMA_VERSION}" in done.stdout
    again = ws.cli("store", "migrate")
    assert again.exit_code == 0 and "nothing to do" in again.stdout
    assert ws.json("store", "info")["schema_version"] == SCHEMA_VERSION


def test_checksum_canonicalises_values_the_same_on_both_engines() -> None:
    assert row_hash((1, 2.0, "x", None)) == row_hash((1, 2, "x", None))
    assert row_hash((1,)) != row_hash(("1",))
    assert row_hash((None,)) != row_hash(("",))
    assert row_hash(("ab", "c")) != row_hash(("a", "bc"))
    assert row_hash((0.1,)) == row_hash((float("0.1"),)) != row_hash((0.1000000001,))


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_compare_sees_a_changed_row(ws: Workspace, engine: str, tmp_path: Path, request: pytest.FixtureRequest
                                    ) -> None:
    synced(ws)
    target = request.getfixturevalue("pg_url") if engine == "postgresql" else sqlite_url(tmp_path / "c.db")
    assert ws.cli("store", "copy", "--to", target).exit_code == 0
    with open_store(sqlite_url(ws.path / ".csops" / "state.db")) as src, open_store(target) as dst:
        assert all(c.ok for c in compare(src, dst))
        dst.set_cursor("zendesk_tickets", "changed-after-the-copy")
        bad = [c.table for c in compare(src, dst) if not c.ok]
    assert bad == ["cursors"]


def test_a_password_in_the_url_is_never_shown(ws: Workspace, pg_url: str) -> None:
    secret = "s3cret-Pa55-in-url"
    with_password = pg_url.replace("postgresql://csops@", f"postgresql://csops:{secret}@")
    assert secret in with_password
    synced(ws)
    for args in (("store", "copy", "--to", with_password, "--dry-run"), ("store", "copy", "--to", with_password),
                 ("store", "copy", "--to", with_password)):  # the last one is refused: the message names the URL
        result = ws.cli(*args)
        assert result.exit_code in (0, 78), result.output
        assert secret not in result.output and "csops:***@" in result.output
    on_store(ws, with_password)
    for args in (("store", "info"), ("store", "info", "--json"), ("store", "migrate", "--dry-run")):
        result = ws.cli(*args)
        assert result.exit_code == 0, result.output
        assert secret not in result.output and "***" in result.output


def fragments(secret: str, size: int = 3) -> set[str]:
    """Every piece of a secret ``size`` characters long: none may show."""
    return {secret[i:i + size] for i in range(len(secret) - size + 1)}


def test_a_password_with_url_delimiters_never_shows_a_fragment(ws: Workspace, pg_url: str) -> None:
    """Issue 25, F1: urllib and libpq end the credentials at the first '/' and show the rest as a path."""
    raw, encoded = "pa/ss@w:rd", "pa%2Fss%40w%3Ard"
    server_and_db = pg_url.removeprefix("postgresql://csops@")
    shown = fragments(raw) | fragments(encoded, 4)  # '%2F' alone is in the hint

    on_store(ws, f"postgresql://csops:{raw}@{server_and_db}")  # ambiguous as written: refused, nothing shown
    for args in (("store", "info"), ("store", "migrate"), ("status",), ("doctor",), ("sync", "--dry-run"),
                 ("--log-format", "json", "sync")):
        result = ws.cli(*args)
        assert result.exit_code == 78, (args, result.output)
        assert "store.url: postgresql://csops:***@" in result.output and "percent-encoded" in result.output
        assert not {f for f in shown if f in result.output}, (args, result.output)

    on_store(ws, f"postgresql://csops:{encoded}@{server_and_db}")  # as RFC 3986 wants it: used, and masked
    outputs = []
    for args, code in ((("store", "info"), 0), (("store", "info", "--json"), 0), (("store", "migrate", "--dry-run"), 0),
                       (("-vv", "--log-format", "json", "sync", *TODAY), 0), (("status",), 0),
                       (("sync", "--dry-run", *TODAY), 0), (("doctor",), 0),
                       (("store", "copy", "--to", f"postgresql://csops:{raw}@{server_and_db}x"), 78)):
        result = ws.cli(*args)
        outputs.append(result.output)
        assert result.exit_code == code, (args, result.output)
        assert not {f for f in shown if f in result.output}, (args, result.output)
    assert "postgresql://csops:***@" in outputs[0] and "csops:***@" in outputs[-1]
