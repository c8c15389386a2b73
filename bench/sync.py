"""Sync cost: API calls per service beside the floor, wall seconds, peak RSS and store size, first and unchanged run.

    python bench/sync.py [--accounts 10000] [--tickets 100000] [--store postgresql://user@host:5432/db ...]
    python bench/sync.py --synthetic 1000000 [--store postgresql://…]   # the accounts straight into the store

The sandbox runs in its own process (so the sync's time and memory are its
own); each sync is a separate `csops sync` process, measured with wait4.
Each store gets its own fresh sandbox. SQLite (a new file) always runs; each
--store PostgreSQL URL names a server where the bench creates a database of its
own for the run (dropped after, unless --keep), so every figure starts empty.
A password in the URL reaches csops through PGPASSWORD, never the config file.
Store size: Store.size_bytes() after each run (SQLite: the file and its WAL;
PostgreSQL: the csops tables with their indexes and TOAST).
Write log: the seconds each run spent keeping it (logging, settling, pruning; targets under 10% of the first
run's wall time) and its size with its indexes per 10,000 field writes (target under 5 MB).
Floors: ceil(tickets/1000) export calls, ceil(accounts/2000) query calls,
ceil(changed/200) write calls. Targets: calls at the floor, zero write calls
on the second run, the first run under 60 s on a 2-core machine; at 100,000
accounts and 1,000,000 tickets a peak RSS under 400 MB on both engines and an
unchanged (second) run under 15 s (issue 29).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this file is named sync.py too: the package must win

from csops.starter import SANDBOX_STORE  # noqa: E402

EXPORT = "GET /api/v2/incremental/tickets/cursor.json"
ORGS = "GET /api/v2/incremental/organizations.json"
QUERY = ("GET /services/data/{version}/queryAll/", "GET /services/data/{version}/queryAll/{locator}")
WRITE = "PATCH /services/data/{version}/composite/sobjects"


def http(url: str, method: str = "GET") -> Any:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def run_sync(config: Path, env: dict[str, str], cwd: Path) -> tuple[dict[str, Any], float, float, float]:
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(config), "-q", "sync", "--json",
                             "--today", "2026-11-23"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"csops sync failed:\n{err}")
    return json.loads(out), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


@contextmanager
def fresh_store(spec: str, work: Path, keep: bool) -> Iterator[tuple[str, dict[str, str]]]:
    """A store URL with nothing in it, and the environment csops needs to reach it."""
    from base.redact import redact_url

    if spec == "sqlite":
        yield f"sqlite:///{work / 'state.db'}", {}
        return
    parts = urlsplit(spec)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SystemExit(f"--store {redact_url(spec)}: use a postgresql:// URL (SQLite always runs)")
    import psycopg

    name = f"csops_bench_{secrets.token_hex(4)}"
    with psycopg.connect(spec, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {"PGPASSWORD": parts.password} if parts.password else {}
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    try:
        yield urlunsplit(parts._replace(netloc=netloc, path="/" + name)), env
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(spec, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store_mb(url: str, base: Path) -> float:
    from store import open_store

    store = open_store(url, base, migrate=False)
    try:
        return store.size_bytes() / 1e6
    finally:
        store.close()


def write_log_figures(url: str, base: Path) -> tuple[int, float, int | None]:
    """The last run's write log: rows it logged, seconds it spent keeping the log, and the log's bytes now."""
    from store import open_store

    store = open_store(url, base, migrate=False)
    try:
        cost = store.recent_runs(1)[0].report.get("write_log", {})
        return int(cost.get("rows", 0)), float(cost.get("seconds", 0.0)), store.write_log_bytes()
    finally:
        store.close()


def bench_store(args: argparse.Namespace, spec: str, env: dict[str, str]) -> None:
    from base.redact import redact_url
    from csops.demo import environment

    with tempfile.TemporaryDirectory(prefix="csops-bench-") as tmp:
        work = Path(tmp)
        config = work / "csops.yaml"
        server = subprocess.Popen([sys.executable, "-m", "csops", "sandbox", "serve", "--accounts", str(args.accounts),
                                   "--tickets", str(args.tickets), "--write-config", str(config)],
                                  cwd=work, env=env, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            url = line.strip().rsplit(" ", 1)[-1]
            while not config.exists():
                time.sleep(0.1)
            with fresh_store(spec, work, args.keep) as (store_url, store_env):
                text = config.read_text()
                text = text.replace(f"  url: {SANDBOX_STORE}\n", f"  url: {store_url}\n")
                # The sync's own calls against the floor: the shipped notify.yaml's channels stay out.
                text = re.sub(r", [^,\]]*notify\.yaml\]", "]", text)
                assert "notify.yaml" not in text, "the sandbox config's rules line moved"
                assert f"  url: {store_url}\n" in text, "the sandbox config's store.url line moved"
                config.write_text(text)
                engine = urlsplit(store_url).scheme
                where = (store_url if engine == "sqlite"
                         else f"{redact_url(spec)} (database {urlsplit(store_url).path[1:]})")
                print(f"\n{engine} store {where}; sandbox {url}: "
                      f"{args.accounts:,} accounts, {args.tickets:,} tickets")
                print(f"{'run':<8} {'export':>12} {'org export':>12} {'query':>10} {'write':>10} {'changed':>8} "
                      f"{'wall s':>7} {'CPU s':>6} {'peak RSS MB':>12} {'store MB':>9}  load average")
                logged: list[tuple[str, float, int, float, int | None]] = []
                for label in ("first", "second"):
                    http(url + "/__sandbox/stats/reset", "POST")
                    report, wall, cpu, rss = run_sync(config, {**env, **store_env}, work)
                    stats = http(url + "/__sandbox/stats")["requests"]
                    changed = report["writeback"]["changed"]
                    floors = (math.ceil(args.tickets / 1000) if label == "first" else 1,
                              math.ceil(args.accounts / 2000), math.ceil(changed / 200),
                              math.ceil(args.accounts / 1000) if label == "first" else 1)
                    export, query = stats.get(EXPORT, 0), sum(stats.get(q, 0) for q in QUERY)
                    bulk = sum(n for k, n in stats.items() if "/jobs/ingest" in k)
                    write = stats.get(WRITE, 0) + bulk
                    orgs = stats.get(ORGS, 0)
                    with environment(store_env):
                        size = store_mb(store_url, work)
                        logged.append((label, wall, *write_log_figures(store_url, work)))
                    print(f"{label:<8} {export:>5} (≥{floors[0]:>4}) {orgs:>4} (≥{floors[3]:>4}) "
                          f"{query:>4} (≤{floors[1]:>3}) {write:>4} (≤{floors[2]:>3}) {changed:>8} {wall:>7.1f} "
                          f"{cpu:>6.1f} {rss:>12.0f} {size:>9.1f}  {load()}"
                          + (f"   (Bulk API 2.0: {bulk} calls for one job)" if bulk else ""))
                print_write_log(logged)
        finally:
            stop_sandbox(server)


def print_write_log(logged: list[tuple[str, float, int, float, int | None]]) -> None:
    """The write log's cost per run: its seconds against the run's wall time (target < 10% of the first run's),
    and its size per 10,000 field writes (target < 5 MB)."""
    for label, wall, rows, seconds, size in logged:
        per = "" if size is None or not rows else f", {size / 1e6 * 10_000 / rows:.2f} MB per 10,000 writes"
        print(f"  write log, {label} run: {rows:,} field writes logged in {seconds:.2f} s "
              f"({100 * seconds / wall:.1f}% of {wall:.1f} s; load average {os.getloadavg()[0]:.1f})"
              + ("" if size is None else f"; the log takes {size / 1e6:.2f} MB{per}"))


def load() -> str:
    """The load average (1, 5, 15 min) as a run ends: wall seconds mean little on a shared machine without it; CPU
    seconds (the sync process's user + system time) and peak RSS are the sync's own."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def stop_sandbox(server: subprocess.Popen[Any]) -> None:
    """Stop the sandbox; with a million tickets in memory on a busy machine it can take a while to go."""
    server.terminate()
    try:
        server.wait(timeout=120)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


SYNTHETIC_TODAY = "2026-11-23"


def synthetic_bench(args: argparse.Namespace, spec: str, env: dict[str, str]) -> None:
    """``--synthetic N``: N generated accounts put straight into a fresh store (no tickets, no API), then the sync's
    evaluate-and-record pass run on them twice, each in its own process measured with wait4: the part of a sync
    whose time and memory grow with the accounts, at sizes the sandbox cannot serve."""
    from base.redact import redact_url

    with tempfile.TemporaryDirectory(prefix="csops-bench-") as tmp, \
            fresh_store(spec, Path(tmp), args.keep) as (store_url, store_env):
        engine = urlsplit(store_url).scheme
        print(f"\n{engine} store {store_url if engine == 'sqlite' else redact_url(spec)}: {args.synthetic:,} synthetic "
              "accounts already pulled, no tickets, no API: csops sync's evaluate-and-record pass alone")
        print(f"{'step':<30} {'evaluated':>10} {'rewritten':>10} {'changed':>8} {'wall s':>7} {'CPU s':>6} "
              f"{'peak RSS MB':>12}  load average")
        for step, label in (("fill", "fill the store (not the sync)"), ("run", "first run"),
                            ("run", "second run, nothing changed")):
            started = time.monotonic()
            proc = subprocess.Popen([sys.executable, __file__, "--child", step, "--synthetic", str(args.synthetic),
                                     "--child-store", store_url], cwd=tmp, env={**env, **store_env},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            out, err = proc.communicate()
            wall = time.monotonic() - started
            if proc.returncode:
                raise SystemExit(f"{label} failed:\n{err}")
            got = json.loads(out or "{}")
            cpu, rss = got["cpu_s"], got["peak_rss_mb"]
            print(f"{label:<30} {got.get('evaluated', ''):>10} {got.get('rewritten', ''):>10} "
                  f"{got.get('changed', ''):>8} {wall:>7.1f} {cpu:>6.1f} {rss:>12.0f}  {load()}")


def synthetic_child(step: str, n: int, store_url: str) -> None:
    """One step of :func:`synthetic_bench`, in its own process; prints its figures as JSON."""
    import datetime as dt
    import resource

    from rules.ruleset import load_and_compile
    from sandbox.data import account_records
    from sandbox.salesforce_api import FIELDS, describe_field
    from store import open_store
    from store.accounts import AccountRow
    from sync.run import SyncJob, SyncReport

    today = dt.date.fromisoformat(SYNTHETIC_TODAY)
    store = open_store(store_url, Path.cwd())
    figures: dict[str, Any] = {}
    if step == "fill":  # the sandbox's accounts, generated and stored 5,000 at a time (not all held at once)
        records = account_records(7, n, today)
        while rows := [AccountRow(i, json.dumps(a, ensure_ascii=False), a["SystemModstamp"], 0)
                       for i, a in itertools.islice(records, 5000)]:
            with store.transaction():
                store.upsert_accounts(rows)
    else:
        rules = load_and_compile([ROOT / "rules" / "onboarding.yaml"], today)
        describe = {name: describe_field(name) for name in FIELDS}
        job = SyncJob(store, None, None, rules)  # type: ignore[arg-type]  # this pass calls no API
        report = SyncReport(run_id=store.start_run("bench"))
        assert report.run_id is not None
        job.evaluate_and_record(report, today, describe)
        store.finish_run(report.run_id, "ok", 0, {})
        figures = {"evaluated": report.accounts_evaluated, "rewritten": report.evaluations_written,
                   "changed": len(report.changes)}
    store.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({**figures, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--store", action="append", default=[], metavar="URL",
                    help="a PostgreSQL server to run on as well (a fresh database is created there); repeatable")
    ap.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases the bench created")
    ap.add_argument("--synthetic", type=int, metavar="N", help="instead: N generated accounts straight into the "
                    "store, no tickets, no API; the sync's evaluate-and-record pass, first and unchanged")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-store", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        synthetic_child(args.child, args.synthetic, args.child_store)
        return
    env = {**os.environ, "ZENDESK_CLIENT_SECRET": secrets.token_urlsafe(24),
           "ZENDESK_API_TOKEN": secrets.token_urlsafe(16),
           "SALESFORCE_PASSWORD": secrets.token_urlsafe(12),
           "SALESFORCE_CONSUMER_SECRET": secrets.token_urlsafe(24),
           "SALESFORCE_SECURITY_TOKEN": secrets.token_urlsafe(8),
           "PYTHONPATH": str(ROOT)}
    specs = ([] if args.no_sqlite else ["sqlite"]) + [s for s in args.store if s != "sqlite"]
    for spec in specs:
        (synthetic_bench if args.synthetic else bench_store)(args, spec, env)
    if args.synthetic:
        return
    print("\nfloors: export = ceil(tickets/1000) on the first run, 1 when nothing changed;\n"
          "query = ceil(accounts/2000); write = ceil(changed/200) with sObject Collections; above\n"
          "salesforce.bulk_threshold (2000) one Bulk API 2.0 job (create, upload, close, poll, results)\n"
          "replaces them. Org export: the incremental organization export, 1000 per page; 1 call when\n"
          "nothing changed.")


if __name__ == "__main__":
    main()
