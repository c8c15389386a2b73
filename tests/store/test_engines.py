"""`csops sync` on both store engines, and the PostgreSQL run lock, faults and secrets, through the CLI.

Real processes against the sandbox on loopback and a real PostgreSQL server (tests/pg.py's fixtures: skipped
locally without CSOPS_TEST_PG_URL, failed under CI). Nothing is mocked.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import Sandbox
from tests.conftest import Workspace, make_sandbox, make_workspace
from tests.pgcluster import Cluster
from tests.store_sql import rows, scalar
from tests.sync.test_sync import PATCH, TODAY, reference_state, sf_state

SLOW = {"accounts": 300, "tickets": 4000, "latency_ms": 80}


def on_store(ws: Workspace, url: str, lease_seconds: float | None = None) -> Workspace:
    """Point the workspace's csops.yaml at ``url`` (and a short lease, for the lock tests)."""
    text = ws.config.read_text(encoding="utf-8")
    assert "  url: sqlite:///.csops/state.db\n" in text
    line = f"  url: {url}\n" + (f"  lease_seconds: {lease_seconds}\n" if lease_seconds else "")
    ws.config.write_text(text.replace("  url: sqlite:///.csops/state.db\n", line), encoding="utf-8")
    return ws


def target(url: str) -> str | Path:
    return url if url.startswith("postgresql") else Path(url[len("sqlite:///"):])


def count(where: str | Path, table: str) -> int:
    try:
        return int(scalar(where, f"SELECT COUNT(*) FROM {table}") or 0)
    except Exception:  # not created yet
        return 0


@pytest.fixture
def slow_sandbox() -> Iterator[Sandbox]:
    sb = make_sandbox(**SLOW)
    try:
        yield sb
    finally:
        sb.stop()


def start_sync(ws: Workspace, *args: str) -> subprocess.Popen[str]:
    """A sync started as from a terminal, where ^C interrupts it.

    A pytest-xdist worker ignores SIGINT, and an ignored signal stays ignored across exec (so Python would never
    raise KeyboardInterrupt in the child, as for a background job of a shell); a handler is reset to the default.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "sync", *TODAY, *args],
                                cwd=ws.path, env={**os.environ, **ws.env}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def running_sync(ws: Workspace, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A `csops sync` process, killed if the test leaves the block while it still runs."""
    proc = start_sync(ws, *args)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for(ready: Callable[[], bool], proc: subprocess.Popen[str] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"the sync ended first (exit {proc.returncode}): {err}")
        time.sleep(0.02)
    raise AssertionError("timed out")


class Stall:
    """Hold the tickets table in SHARE mode from a connection of the test's own: the sync's next ticket page
    waits (inside its transaction, lease checked), readers do not. Makes "while the run is going" a fact, not
    a race against a fast sandbox."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.conn = psycopg.connect(url)
        self.conn.execute("LOCK TABLE tickets IN SHARE MODE")

    def wait_blocked(self, proc: subprocess.Popen[str]) -> None:
        """Until the sync's own connection waits for this lock."""
        wait_for(lambda: bool(rows(self.url, "SELECT 1 FROM pg_stat_activity WHERE application_name = 'csops' "
                                              "AND wait_event_type = 'Lock' AND datname = current_database()")),
                 proc)

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback()
        with contextlib.suppress(Exception):
            self.conn.close()


def stall_after_first_page(url: str, proc: subprocess.Popen[str]) -> Stall:
    wait_for(lambda: count(url, "tickets") >= 500, proc)
    stall = Stall(url)
    stall.wait_blocked(proc)
    return stall


def lease_row(url: str) -> tuple[Any, ...] | None:
    try:
        found = rows(url, "SELECT holder, host, pid FROM run_lease WHERE name = 'run'")
    except Exception:
        return None
    return found[0] if found else None


@pytest.mark.slow
def test_sync_writes_the_same_on_both_engines(tmp_path: Path, sandbox: Sandbox, store_url: str) -> None:
    reference = reference_state(tmp_path / "ref")
    ws = on_store(make_workspace(tmp_path, sandbox), store_url)
    first = ws.run("sync", *TODAY, "--json")
    assert first.returncode == 0, first.stderr
    assert sf_state(sandbox) == reference
    assert max(sandbox.salesforce.field_writes.values()) == 1
    assert count(target(store_url), "tickets") == len(sandbox.data.tickets)
    sandbox.reset_stats()
    again = ws.json("sync", *TODAY)
    assert again["writeback"] == {"changed": 0, "written": 0, "failed": 0, "api_calls": 0}
    assert sandbox.stats[PATCH] == 0
    status = ws.json("status")
    assert [r["status"] for r in status["runs"]] == ["ok", "ok"]
    # one onboarding per product: an account with two products counts under each
    onboardings = sum(len(a["Product__c"].split(";")) for a in sandbox.data.accounts.values())
    assert sum(sum(c.values()) for c in status["funnel"].values()) == onboardings > len(sandbox.data.accounts)
    assert ws.json("alerts")
    report = ws.run("report", "--format", "json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)
    return_and_compare = ws.run("pull", "zendesk")
    assert return_and_compare.returncode == 0, return_and_compare.stderr


def sqlite_reference(tmp_path: Path) -> dict[str, Any]:
    """`csops report --format json` after one sync on a SQLite store (the other engine must print the same)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    sb = make_sandbox()
    try:
        ws = make_workspace(tmp_path, sb)
        assert ws.cli("sync", *TODAY).exit_code == 0
        out = ws.run("report", "--format", "json")
        assert out.returncode == 0, out.stderr
        return dict(json.loads(out.stdout))
    finally:
        sb.stop()


def test_the_report_reads_the_same_from_postgresql(tmp_path: Path, sandbox: Sandbox, pg_url: str) -> None:
    expected = sqlite_reference(tmp_path / "ref")
    ws = on_store(make_workspace(tmp_path, sandbox), pg_url)
    assert ws.cli("sync", *TODAY).exit_code == 0
    out = ws.run("report", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == expected


def test_without_psycopg_a_postgresql_url_says_what_to_install(ws: Workspace) -> None:
    on_store(ws, "postgresql://csops@127.0.0.1:5432/csops")
    code = ("import sys; sys.modules['psycopg'] = None  # as when the postgres extra is not installed\n"
            "from csops.cli import main; sys.argv = ['csops', '--config', sys.argv[1], 'status']; main()")
    proc = subprocess.run([sys.executable, "-c", code, str(ws.config)], cwd=ws.path, env={**os.environ, **ws.env},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 78, proc.stderr
    assert "pip install 'csops[postgres]'" in proc.stderr


@contextlib.contextmanager
def lease_waits(url: str) -> Iterator[list[int]]:
    """Watches PostgreSQL while the block runs: each sample, the lease connections opened since the block began that
    are waiting on a lock. A wait on the holder's row lasts the lease's 5 s lock_timeout, so 20 samples a second
    see it on any machine; a wall-clock bound would have to guess how slow a loaded machine starts csops."""
    import psycopg

    seen: list[int] = []
    stop = threading.Event()
    with psycopg.connect(url, autocommit=True) as conn:
        since = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]

        def watch() -> None:
            while not stop.wait(0.05):
                seen.append(conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'csops lease' "
                    "AND wait_event_type = 'Lock' AND backend_start >= %s", (since,)).fetchone()[0])  # type: ignore[index]

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            yield seen
        finally:
            stop.set()
            watcher.join()


@pytest.mark.slow
def test_two_syncs_on_two_hosts_one_runs_the_other_exits_75(tmp_path: Path, slow_sandbox: Sandbox,
                                                              pg_url: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = on_store(make_workspace(tmp_path / "a", slow_sandbox), pg_url)
    b = on_store(make_workspace(tmp_path / "b", slow_sandbox), pg_url)
    with running_sync(a) as first:
        stall = stall_after_first_page(pg_url, first)
        with lease_waits(pg_url) as waits:
            second = b.run("sync", *TODAY)
        stall.release()
        assert second.returncode == 75, second.stderr
        assert "another csops run holds the lock" in second.stderr
        assert f"pid {first.pid}" in second.stderr and socket.gethostname() in second.stderr
        assert waits and max(waits) == 0  # refused at once: it never queued behind the live holder's row
        assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert lease_row(pg_url) is None  # released at the end
    assert b.run("sync", *TODAY).returncode == 0


@pytest.mark.slow
def test_a_killed_holder_releases_within_the_lease(tmp_path: Path, slow_sandbox: Sandbox, pg_url: str) -> None:
    reference = reference_state(tmp_path / "ref", **SLOW)
    # 30 s: the refused run must start while the dead run's lease still holds, however slow start-up is under load.
    ws = on_store(make_workspace(tmp_path, slow_sandbox), pg_url, lease_seconds=30)
    proc = start_sync(ws)
    stall = stall_after_first_page(pg_url, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stall.release()
    blocked = ws.run("sync", *TODAY)
    assert blocked.returncode == 75, blocked.stderr
    assert f"pid {proc.pid}" in blocked.stderr
    left = rows(pg_url, "SELECT EXTRACT(EPOCH FROM expires_at - now()) FROM run_lease WHERE name = 'run'")[0][0]
    time.sleep(max(0.0, float(left)) + 0.5)  # the dead run's lease runs out (read on the database's clock)
    done = ws.run("sync", *TODAY, "--json")
    assert done.returncode == 0, done.stderr
    assert sf_state(slow_sandbox) == reference
    assert max(slow_sandbox.salesforce.field_writes.values()) == 1
    assert count(pg_url, "tickets") == len(slow_sandbox.data.tickets)
    assert [r[0] for r in rows(pg_url, "SELECT status FROM runs ORDER BY id")] == ["killed", "ok"]


def test_a_lease_taken_over_stops_the_run_before_its_next_write(tmp_path: Path, slow_sandbox: Sandbox,
                                                                  pg_url: str) -> None:
    ws = on_store(make_workspace(tmp_path, slow_sandbox), pg_url, lease_seconds=30)
    with running_sync(ws) as proc:
        stall = stall_after_first_page(pg_url, proc)
        stall.release()
        # Another host's run takes the row over (as after an expiry); the run's in-flight transaction holds
        # the row FOR SHARE, so this waits for that commit: nothing the run writes after it may land.
        rows(pg_url, "UPDATE run_lease SET holder = 'another-run', host = 'elsewhere', pid = 1 WHERE name = 'run'")
        tickets = count(pg_url, "tickets")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 69, err
    assert "lost its lock" in err and "took it over" in err and "unexpected error" not in err
    assert count(pg_url, "tickets") == tickets < len(slow_sandbox.data.tickets)
    assert slow_sandbox.stats[PATCH] == 0
    assert lease_row(pg_url) == ("another-run", "elsewhere", 1)  # not deleted by the run that lost it


@pytest.mark.slow
def test_a_lost_lease_connection_stops_the_run(tmp_path: Path, slow_sandbox: Sandbox, pg_url: str) -> None:
    ws = on_store(make_workspace(tmp_path, slow_sandbox), pg_url, lease_seconds=3)
    with running_sync(ws) as proc:
        stall = stall_after_first_page(pg_url, proc)
        tickets = count(pg_url, "tickets")
        killed = rows(pg_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = 'csops lease' AND datname = current_database()")
        assert killed == [(True,)]
        time.sleep(2 * 3)  # the renewal (every second) finds its connection gone
        stall.release()  # the page the run was storing may not commit now
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 69, err
    assert "lost its lock" in err and "connection" in err
    assert count(pg_url, "tickets") == tickets
    assert slow_sandbox.stats[PATCH] == 0


@pytest.mark.slow
def test_the_database_restarting_mid_run_exits_69_and_the_next_run_resumes(
        tmp_path: Path, slow_sandbox: Sandbox, pg_cluster: Cluster) -> None:
    pg_url = pg_cluster.url
    reference = reference_state(tmp_path / "ref", **SLOW)
    ws = on_store(make_workspace(tmp_path, slow_sandbox), pg_url, lease_seconds=3)
    with running_sync(ws) as proc:
        stall = stall_after_first_page(pg_url, proc)
        pg_cluster.restart()
        stall.release()
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 69, err
    assert "PostgreSQL store" in err and "127.0.0.1" in err and "unexpected error" not in err
    assert slow_sandbox.stats[PATCH] == 0
    deadline = time.monotonic() + 30
    while True:  # a lease the dead run could not release expires in 3 s
        done = ws.run("sync", *TODAY, "--json")
        if done.returncode != 75 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert done.returncode == 0, done.stderr
    assert sf_state(slow_sandbox) == reference
    assert max(slow_sandbox.salesforce.field_writes.values()) == 1
    assert count(pg_url, "tickets") == len(slow_sandbox.data.tickets)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [("status",), ("sync", "--dry-run"), ("doctor",)])
def test_an_unreachable_server_exits_69_without_the_password(ws: Workspace, command: tuple[str, ...]) -> None:
    port = closed_port()
    on_store(ws, f"postgresql://csops:${{CSOPS_DB_PASSWORD}}@127.0.0.1:{port}/csops?sslmode=disable")
    proc = ws.run(*command, env={"CSOPS_DB_PASSWORD": "Sekr3t-pw"})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 69, out
    assert f"127.0.0.1:{port}" in out and "Sekr3t-pw" not in out
    assert "unexpected error" not in out
