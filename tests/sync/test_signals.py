"""How a sync ends is what its run record says (issue 25): SIGTERM and Ctrl-C end it cleanly (F14), and the
exit code in `runs` is the process's own (F21). Real `csops sync` processes against the sandbox, on SQLite and a
real PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from base.exits import EXIT_INTERRUPTED, EXIT_TERMINATED
from sandbox.server import Sandbox
from tests.conftest import RULES, Workspace, make_workspace
from tests.csops.test_cli_files import run_limited
from tests.fulldisk import mount_tiny
from tests.store.test_engines import (  # noqa: F401  (slow_sandbox: a fixture)
    count,
    lease_row,
    on_store,
    running_sync,
    slow_sandbox,
    target,
    wait_for,
)
from tests.store_sql import rows
from tests.sync.test_sync import TODAY


def runs(where: str | Path) -> list[tuple[Any, ...]]:
    return rows(where, "SELECT id, status, exit_code FROM runs ORDER BY id")


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, EXIT_INTERRUPTED)])
def test_a_signal_mid_sync_ends_it_cleanly(tmp_path: Path, slow_sandbox: Sandbox, store_url: str,  # noqa: F811
                                           sig: signal.Signals, code: int) -> None:
    """F14: SIGTERM (cron's and systemd's stop signal) killed the sync outright: the PostgreSQL lease stayed held
    for its 60 s and the run stayed 'running'. Now: lease released at once, run recorded, exit 143 (130 for ^C)."""
    ws = on_store(make_workspace(tmp_path, slow_sandbox), store_url, lease_seconds=60)
    where = target(store_url)
    with running_sync(ws) as proc:
        wait_for(lambda: count(where, "tickets") >= 500, proc)  # the first page is in: the run is under way
        assert proc.poll() is None, "the sync ended before the signal"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert runs(where)[-1][1:] == ("interrupted", code)
    if store_url.startswith("postgresql"):
        assert lease_row(store_url) is None  # not left to expire
    again = ws.run("sync", *TODAY)  # the lock is free and the next run takes up where this one stopped
    assert again.returncode == 0, again.stderr
    assert [r[1:] for r in runs(where)] == [("interrupted", code), ("ok", 0)]


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, EXIT_INTERRUPTED)])
def test_a_signal_during_a_postgresql_statement_is_recorded(tmp_path: Path, sandbox: Sandbox, pg_url: str,
                                                            sig: signal.Signals, code: int) -> None:
    """The signal lands while a statement runs on the server (here: waits for a table the test holds locked).
    psycopg cancels the statement for Ctrl-C only; SIGTERM's Terminated left it running, so the run's end could
    not be recorded ("another command is already in progress"): the run stayed 'running'."""
    import psycopg

    ws = on_store(make_workspace(tmp_path, sandbox), pg_url, lease_seconds=60)
    assert ws.run("store", "migrate").returncode == 0
    with psycopg.connect(pg_url) as holder:
        holder.execute("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
        with running_sync(ws) as proc:
            wait_for(lambda: bool(rows(pg_url, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                                               "current_database() AND wait_event_type = 'Lock'")[0][0]), proc)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=60)
        holder.rollback()
    assert proc.returncode == code, err
    assert runs(pg_url)[-1][1:] == ("interrupted", code)
    assert lease_row(pg_url) is None


CRASH = """\
import rules.engine


def _crash(self, account_id, facts, past=()):
    raise ZeroDivisionError("injected crash")


rules.engine.Engine.evaluate = _crash
"""


def typo_in_a_field(ws: Workspace) -> tuple[dict[str, str], Any]:
    """A rule naming a Salesforce field the org does not have (exit 78); the undo puts the rule file back."""
    typo = ws.path / "rules.yaml"
    typo.write_text(RULES.read_text(encoding="utf-8").replace("field: Product__c,", "field: Prodcut__c,"),
                    encoding="utf-8")
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(typo)), encoding="utf-8")
    return {}, lambda: ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(typo), str(RULES)),
                                            encoding="utf-8")


def crash_mid_run(ws: Workspace) -> tuple[dict[str, str], Any]:
    """A bug once the run is under way (exit 70): a sitecustomize on PYTHONPATH breaks the rules engine in the
    csops process; the next run goes without it."""
    hook = ws.path / "crash"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASH, encoding="utf-8")
    return {"PYTHONPATH": str(hook)}, lambda: None


def a_rejected_record(ws: Workspace) -> tuple[dict[str, str], Any]:
    """Salesforce refuses one account's update (exit 3, the run 'partial'); the undo lets it through."""
    reject = ws.sandbox.salesforce.reject
    reject[sorted(ws.sandbox.data.accounts)[0]] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "変更できません")
    return {}, reject.clear


@pytest.mark.slow
@pytest.mark.parametrize(("cause", "code", "status", "shown"), [
    (typo_in_a_field, 78, "failed", "Prodcut__c"), (crash_mid_run, 70, "failed", "ZeroDivisionError: injected crash"),
    (a_rejected_record, 3, "partial", "FIELD_CUSTOM_VALIDATION_EXCEPTION")])
def test_the_run_record_has_the_exit_code_of_the_process(tmp_path: Path, sandbox: Sandbox, store_url: str,
                                                         cause: Any, code: int, status: str, shown: str) -> None:
    """F21, issue 26: sync/run.py had its own except-ladder: a failure it did not list was recorded as 1 whatever
    the process exited with (70 for a crash), a field Salesforce does not have as 69 (the process exited 78). Now
    both come from the exception's outcome class (base.errors)."""
    ws = on_store(make_workspace(tmp_path, sandbox), store_url)
    env, undo = cause(ws)
    failed = ws.run("sync", *TODAY, env=env)
    assert failed.returncode == code, failed.stderr
    assert shown in failed.stderr
    undo()
    ok = ws.run("sync", *TODAY)
    assert ok.returncode == 0, ok.stderr
    assert [r[1:] for r in runs(target(store_url))] == [(status, code), ("ok", 0)]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="mounting a tmpfs needs root")
def test_a_sync_failing_on_a_full_disk_records_74(tmp_path: Path, sandbox: Sandbox) -> None:
    """F21 as the attack pass found it: the store's disk fills mid-sync; the process exits 74, the record said 1."""
    disk = tmp_path / "disk"
    assert mount_tiny(disk, "600k")
    try:
        ws = make_workspace(tmp_path, sandbox)
        on_store(ws, f"sqlite:///{disk}/state.db")
        result = ws.run("sync", *TODAY)
        assert result.returncode == 74, result.stderr
        assert "disk is full" in result.stderr
        assert runs(disk / "state.db")[-1][1:] == ("failed", 74)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.slow
def test_a_sync_failing_past_the_file_size_limit_records_74(tmp_path: Path, sandbox: Sandbox) -> None:
    """F21 without a privilege to mount (CI may not run as root): RLIMIT_FSIZE stops the store's file from growing
    (EFBIG, SQLite's "disk I/O error"), as a full disk would. The process exits 74 and so does the record; the next
    run, unlimited, goes on."""
    ws = make_workspace(tmp_path, sandbox)
    store = tmp_path / "state.db"
    on_store(ws, f"sqlite:///{store}")
    result = run_limited(ws, ["sync", *TODAY], limit=400 * 1024)
    assert result.returncode == 74, result.stderr
    assert f"cannot write the store at {store}" in result.stderr and "unexpected" not in result.stderr
    again = ws.run("sync", *TODAY)
    assert again.returncode == 0, again.stderr
    assert [r[1:] for r in runs(store)] == [("failed", 74), ("ok", 0)]
