"""Sync cost: API calls per service beside the floor, wall seconds and peak RSS, first and unchanged run.

    python bench/sync.py [--accounts 10000] [--tickets 100000]

The sandbox runs in its own process (so the sync's time and memory are its
own); each sync is a separate `csops sync` process, measured with wait4.
Floors: ceil(tickets/1000) export calls, ceil(accounts/2000) query calls,
ceil(changed/200) write calls. Targets: calls at the floor, zero write calls
on the second run, the first run under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPORT = "GET /api/v2/incremental/tickets/cursor.json"
ORGS = "GET /api/v2/incremental/organizations.json"
QUERY = ("GET /services/data/{version}/queryAll/", "GET /services/data/{version}/queryAll/{locator}")
WRITE = "PATCH /services/data/{version}/composite/sobjects"


def http(url: str, method: str = "GET") -> Any:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def run_sync(config: Path, env: dict[str, str], cwd: Path) -> tuple[dict[str, Any], float, float]:
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
    return json.loads(out), wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--tickets", type=int, default=100_000)
    args = ap.parse_args()
    env = {**os.environ, "ZENDESK_API_TOKEN": secrets.token_urlsafe(16),
           "SALESFORCE_PASSWORD": secrets.token_urlsafe(12),
           "SALESFORCE_CONSUMER_SECRET": secrets.token_urlsafe(24),
           "SALESFORCE_SECURITY_TOKEN": secrets.token_urlsafe(8),
           "PYTHONPATH": str(ROOT)}
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
            text = config.read_text()
            if "\nrules:" not in text:  # --write-config names the shipped rules when the folder has none
                config.write_text(text + f"rules:\n  files: [{ROOT / 'rules' / 'onboarding.yaml'}]\n")
            print(f"sandbox {url}: {args.accounts:,} accounts, {args.tickets:,} tickets")
            print(f"{'run':<8} {'export':>12} {'org export':>12} {'query':>10} {'write':>10} {'changed':>8} "
                  f"{'wall s':>7} {'peak RSS MB':>12}")
            for label in ("first", "second"):
                http(url + "/__sandbox/stats/reset", "POST")
                report, wall, rss = run_sync(config, env, work)
                stats = http(url + "/__sandbox/stats")["requests"]
                changed = report["writeback"]["changed"]
                floors = (math.ceil(args.tickets / 1000) if label == "first" else 1,
                          math.ceil(args.accounts / 2000), math.ceil(changed / 200),
                          math.ceil(args.accounts / 1000) if label == "first" else 1)
                export, query = stats.get(EXPORT, 0), sum(stats.get(q, 0) for q in QUERY)
                bulk = sum(n for k, n in stats.items() if "/jobs/ingest" in k)
                write = stats.get(WRITE, 0) + bulk
                orgs = stats.get(ORGS, 0)
                print(f"{label:<8} {export:>5} (≥{floors[0]:>4}) {orgs:>4} (≥{floors[3]:>4}) "
                      f"{query:>4} (≤{floors[1]:>3}) {write:>4} (≤{floors[2]:>3}) {changed:>8} {wall:>7.1f} "
                      f"{rss:>12.0f}"
                      + (f"   (Bulk API 2.0: {bulk} calls for one job)" if bulk else ""))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("floors: export = ceil(tickets/1000) on the first run, 1 when nothing changed;\n"
          "query = ceil(accounts/2000); write = ceil(changed/200) with sObject Collections; above\n"
          "salesforce.bulk_threshold (2000) one Bulk API 2.0 job (create, upload, close, poll, results)\n"
          "replaces them. Org export: the incremental organization export, 1000 per page; 1 call when\n"
          "nothing changed.")


if __name__ == "__main__":
    main()
