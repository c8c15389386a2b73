"""Notification cost: API calls to deliver N new alerts as Slack messages and Salesforce Tasks.

    python bench/notify.py [--alerts 1000]

A sandbox with N accounts and a bench rule file that raises one critical alert
on every account, routed to a Slack channel and to a Task channel.  Prints the
calls of the first sync (N new alerts) by kind, beside the floor: 1 Slack
message per channel, ceil(N/200) Task lookup queries plus one User query per
200 distinct owners (which are inactive: their Tasks go to the fallback owner
in the same calls), and ceil(N/200) Task create calls; then the second sync (nothing new: 0 calls) and a third
after every alert cleared (ceil(N/200) lookups, ceil(N/200) completion calls).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from csops.cli import cli  # noqa: E402
from csops.starter import sandbox_config, sandbox_env  # noqa: E402
from sandbox.salesforce_tasks import FALLBACK_USER  # noqa: E402
from sandbox.server import Options, Sandbox  # noqa: E402

CREATE = "POST /services/data/{version}/composite/sobjects"
PATCH = "PATCH /services/data/{version}/composite/sobjects"
QUERY = ("GET /services/data/{version}/query/", "GET /services/data/{version}/query/{locator}")
SLACK = "POST /slack/services/{team}/{bot}/{token}"

BENCH_RULES = f"""\
alerts:
  - id: bench_every_account
    title: ベンチマーク用アラート
    severity: critical
    when: "days_since_contract_start >= -100000 or days_since_contract_start == null"
notify:
  channels:
    cs-alerts: {{type: slack, webhook_env: SLACK_WEBHOOK_BENCH, resolved: true}}
    owner-task: {{type: salesforce_task, fallback_owner: {FALLBACK_USER}}}
  routes:
    - {{alert: bench_every_account, to: [cs-alerts, owner-task]}}
"""


def sync(config: Path, env: dict[str, str], sb: Sandbox) -> tuple[dict[str, int], float]:
    sb.reset_stats()
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["--config", str(config), "-q", "sync", "--today", "2026-11-23"], env=env)
    wall = time.monotonic() - started
    if result.exit_code not in (0, 3):
        raise SystemExit(f"csops sync failed ({result.exit_code}):\n{result.output}")
    with sb.lock:
        stats = dict(sb.stats)
    counts = {"slack messages": stats.get(SLACK, 0), "Task lookups": sum(stats.get(q, 0) for q in QUERY),
              "Task creates": stats.get(CREATE, 0), "Collections PATCH": stats.get(PATCH, 0)}
    return counts, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alerts", type=int, default=1000)
    args = ap.parse_args()
    n = args.alerts
    sb = Sandbox(Options(accounts=n, tickets=10)).start()
    try:
        folder = Path(tempfile.mkdtemp(prefix="csops-bench-notify-"))
        (folder / "bench.yaml").write_text(BENCH_RULES, encoding="utf-8")
        rules = f"{ROOT / 'rules' / 'onboarding.yaml'}, {folder / 'bench.yaml'}"
        o = sb.options
        config = folder / "csops.yaml"
        config.write_text(sandbox_config(sb.url, o.zendesk_email, o.sf_username, rules=rules), encoding="utf-8")
        env = {**sandbox_env(o),
               "SLACK_WEBHOOK_BENCH": sb.slack.add_webhook("#bench")}
        floor = math.ceil(n / 200)
        print(f"{n} accounts, one new critical alert each, routed to Slack and to a Task for the owner")
        first, wall = sync(config, env, sb)
        tasks = len(sb.tasks.tasks)
        print(f"first sync ({n} new alerts, {wall:.1f}s): {first}  -> {tasks} Tasks, "
              f"{len(sb.slack.messages('#bench'))} Slack message")
        print(f"  floor: 1 slack message, {floor} Task lookups + 1 User query, {floor} creates; the writeback's "
              f"own PATCH calls: {floor}")
        second, wall = sync(config, env, sb)
        print(f"second sync (nothing new, {wall:.1f}s): {second}")
        cleared = BENCH_RULES.replace("days_since_contract_start >= -100000 or days_since_contract_start == null",
                                      "days_since_contract_start < -100000")
        (folder / "bench.yaml").write_text(cleared, encoding="utf-8")
        third, wall = sync(config, env, sb)
        open_tasks = len(sb.tasks.open_tasks())
        print(f"third sync (all {n} resolved, {wall:.1f}s): {third}  -> {open_tasks} Tasks still open")
    finally:
        sb.stop()


if __name__ == "__main__":
    main()
