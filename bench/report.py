"""Report cost and store growth: a year of daily runs for 10,000 accounts, then ``csops report``'s work.

    python bench/report.py [--accounts 10000] [--days 365]

Each simulated day goes through the sync's own record step (``record_evaluations``:
evaluations, status periods, alerts, the history points) with the rule engine's
evaluations of accounts that progress through their phases (the sandbox's
timeline, with contract starts spread over the year). To keep the run in
minutes, 1,000 accounts are evaluated each day and the others are copies of
them under their own ids (the store holds 10,000 accounts' rows all the same). Their admins log in daily, but
a third of them stop for 10 to 24 days in every 60 (``login_day``), so that the replay's what-if (the no-login
alert at 8 days instead of 14) differs from week to week. No HTTP: pulls and writes
are measured by bench/sync.py. Prints the store size (total and the history
table), the growth per year scaled to 10,000 accounts against the 50 MB bound,
and the seconds to read the store and compute the report (target: under 5 s), and the HTML's bytes beside the
same page with the wheel's full plotly.js.

Each day also keeps the accounts' raw facts in the fact history (``Store.record_facts``, as the sync does): its
size and growth are printed, and ``csops rules replay``'s work (the shipped rules and one threshold changed, both
rule sets) is timed over every account, in wall and CPU seconds with the load average (the machine may be shared;
target: 10,000 accounts × 1 year under 10 s); then the plain day-by-day path on ``--replay-accounts`` accounts,
given for all at that rate. ``--store PATH`` keeps the simulated store, and times a kept one again;
``--replay-only`` with it times the replay alone, as ``csops rules replay`` runs it (``--jobs N`` worker processes,
default one per CPU):

    python bench/report.py --store KEPT.db --replay-only [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plotly.offline import get_plotlyjs  # noqa: E402

from base.processes import usable_cpus  # noqa: E402
from notify.config import load  # noqa: E402
from report.compute import build  # noqa: E402
from report.html import as_html, plotly_js  # noqa: E402
from report.load import load_input  # noqa: E402
from report.model import Period  # noqa: E402
from report.replay import SHARD_MIN, Replayer, fact_changes, replay  # noqa: E402
from report.settings import ReportConfig  # noqa: E402
from rules.engine import Engine, Evaluation  # noqa: E402
from rules.ruleset import compile_rules, load_rules  # noqa: E402
from sandbox.data import generate, sf_id  # noqa: E402
from sandbox.timeline import _as_of  # noqa: E402
from store import Store  # noqa: E402
from sync.record import record_evaluations  # noqa: E402

END = date(2026, 11, 23)
DATED = ("Contract_Start_Date__c", "Kickoff_Date__c", "Setup_Completed_Date__c", "Training_Completed_Date__c",
         "Go_Live_Date__c")


def plans(n: int, days: int) -> dict[str, dict[str, Any]]:
    """The sandbox's accounts, each moved back by up to ``days`` so that starts spread over the whole year."""
    out = {}
    for i, (account_id, acc) in enumerate(generate(7, n, 0, END).accounts.items()):
        back = timedelta(days=(i * 7919) % max(1, days - 150))
        plan = dict(acc)
        for f in DATED:
            if plan.get(f):
                plan[f] = (date.fromisoformat(plan[f]) - back).isoformat()
        out[account_id] = plan
    return out


class Copy(Evaluation):
    """A template's evaluation under another account id; ``full()`` reuses the template's (asdict is slow)."""

    template_full: dict[str, Any]

    def full(self) -> dict[str, Any]:
        return {**self.template_full, "id": self.id}


def login_day(i: int, day: date) -> date:
    """The day whose login the ``i``-th template shows on ``day``: its admins log in daily (the sandbox's last
    login, as many days back as on the sandbox's today), but a third of the templates stop for 10 to 24 days in
    every 60, and their last login stands still meanwhile (its days_since grows across the rules' 7, 8 and 14)."""
    if i % 3:
        return day
    k = (day.toordinal() + 17 * i) % 60
    return day - timedelta(days=k) if k < 10 + i % 15 else day


def evaluate_day(engine: Engine, templates: dict[str, dict[str, Any]], day: date, mapping: list[tuple[str, str]],
                 raws: list[dict[str, Any]] | None = None) -> list[tuple[Evaluation, dict[str, Any]]]:
    """Each template evaluated on ``day``; its raw facts (what the sync keeps in the fact history) into ``raws``."""
    out = []
    for i, (account_id, plan) in enumerate(templates.items()):
        fields = {**plan, **_as_of(plan, day, END - login_day(i, day))}
        raw: dict[str, Any] = {name: fields.get(field) for name, field in mapping}
        raw.update({"tickets_open": 0, "urgent_open": 0, "tickets_last_30d": 0, "csat_bad_30d": 0})
        if raws is not None:
            raws.append(raw)
        facts = engine.facts(raw)
        out.append((engine.evaluate(account_id, facts), facts))
    return out


def simulate(store: Store, n: int, days: int, distinct: int) -> float:
    """``days`` daily runs of the sync's record step for ``n`` accounts (``distinct`` of them evaluated, the
    rest copies of those under other ids: same history size, a tenth of the engine time)."""
    rules_files = [ROOT / "rules" / "onboarding.yaml"]
    base = load_rules(rules_files)
    templates = plans(min(n, distinct), days)
    ids = [sf_id("001", 5_000_000 + i * 7919) for i in range(n)]
    mapping = [(f.name, f.field) for f in base.facts.values() if f.field]
    started = time.monotonic()
    first = END - timedelta(days=days - 1)
    for k in range(days):
        day = first + timedelta(days=k)
        rules = compile_rules(base, day)  # compiling again for another day replaces every condition
        raws: list[dict[str, Any]] = []
        evaluated = evaluate_day(Engine(rules), templates, day, mapping, raws)
        fulls = [ev.full() for ev, _ in evaluated]
        evaluations: list[tuple[Evaluation, dict[str, Any]]] = []
        for i, account_id in enumerate(ids):
            ev, facts = evaluated[i % len(evaluated)]
            copy = Copy(**{f.name: getattr(ev, f.name) for f in fields(ev)})
            copy.id = account_id
            copy.template_full = fulls[i % len(evaluated)]
            evaluations.append((copy, facts))
        run_id = store.start_run("bench")
        record_evaluations(store, run_id, rules, evaluations, day)
        with store.transaction():
            store.record_facts({a: raws[i % len(raws)] for i, a in enumerate(ids)}, day.isoformat())
        store.finish_run(run_id, "ok", 0, {})
        if k % 30 == 0 or k == days - 1:
            print(f"  day {k + 1}/{days} ({day}): {time.monotonic() - started:.0f}s, "
                  f"store {store.size_bytes() / 1e6:.1f} MB", flush=True)
    return time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--distinct", type=int, default=1000, help="accounts evaluated by the engine each day")
    ap.add_argument("--replay-accounts", type=int, default=300,
                    help="accounts the replay timing evaluates (the figure for all is extrapolated)")
    ap.add_argument("--store", type=Path, help="keep the simulated store here; if it exists, only time the report")
    ap.add_argument("--replay-only", action="store_true",
                    help="with a kept --store: time only the replay (the whole store, --days up to the bench's last "
                         "day), as csops rules replay runs it")
    ap.add_argument("--jobs", type=int, help="the replay's worker processes (default: as csops rules replay, one "
                                             "per CPU this process may use)")
    args = ap.parse_args()
    if args.replay_only:
        if args.store is None or not args.store.exists():
            ap.error("--replay-only times a kept store: give --store FILE (made by this bench)")
        store = Store(args.store)
        time_replay(store, args.days, 0, args.jobs or usable_cpus())
        store.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "state.db"
        exists = path.exists()
        store = Store(path)
        sim = 0.0
        if not exists:
            print(f"simulating {args.days} daily runs for {args.accounts:,} accounts …")
            sim = simulate(store, args.accounts, args.days, args.distinct)
            store.compact()
        total = store.size_bytes()
        hist = store.table_bytes("account_history")
        rows = store.row_count("account_history")
        alerts = store.row_count("alerts")
        scale = (10_000 / args.accounts) * (365 / args.days)
        print(f"simulated in {sim:.0f}s")
        print(f"store: {total / 1e6:.1f} MB total; account_history {rows:,} points"
              + (f", {hist / 1e6:.1f} MB ({hist / max(rows, 1):.0f} bytes/point)" if hist is not None else ""))
        growth = (hist if hist is not None else total) * scale
        print(f"history growth per year at 10,000 accounts: {growth / 1e6:.1f} MB (bound: 50 MB); "
              f"{rows * scale / 10_000:.0f} points per account per year; alert periods {alerts:,}")
        rules = compile_rules(load_rules([ROOT / "rules" / "onboarding.yaml"]), END)
        period = Period(END - timedelta(days=args.days - 1), END)
        for by in (None, "product"):
            t0 = time.monotonic()
            inp = load_input(store, rules, ReportConfig(), period, by)
            t1 = time.monotonic()
            rep = build(inp)
            t2 = time.monotonic()
            html = as_html(rep)
            t3 = time.monotonic()
            print(f"report --by {by or '(none)'}: read {t1 - t0:.2f}s + compute {t2 - t1:.2f}s = "
                  f"{t2 - t0:.2f}s (target < 5 s); html render {t3 - t2:.2f}s, {html_size(html)}")
        fact_growth(store, args.accounts, args.days)
        time_replay(store, args.days, args.replay_accounts, args.jobs or usable_cpus())
        store.close()


def cpu_seconds() -> float:
    """CPU seconds of this process and of its ended child processes (the replay's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def html_size(page: str) -> str:
    """The page's bytes, and what the same page weighs with the wheel's full plotly.js instead of the bundle."""
    size = len(page.encode())
    full = size - len(plotly_js().encode()) + len(get_plotlyjs().encode())
    return f"{size / 1e6:.2f} MB (with the full plotly.js: {full / 1e6:.2f} MB)"


def fact_growth(store: Store, accounts: int, days: int) -> None:
    """The fact history's size (the facts kept on the days they change), per year at 10,000 accounts."""
    scale = (10_000 / accounts) * (365 / days)
    rows = store.row_count("fact_history")
    size = sum(store.table_bytes(t) or 0 for t in ("fact_history", "fact_state"))
    print(f"fact history: {rows:,} change rows, {size / 1e6:.1f} MB with fact_state; growth per year at 10,000 "
          f"accounts: {size * scale / 1e6:.1f} MB, {rows * scale / 10_000:.0f} change days per account")


def time_replay(store: Store, days: int, sample: int, jobs: int) -> None:
    """csops rules replay's work (both rule sets, every account, the whole year) as the command does it: only on
    the days an evaluation can change (report.replay_days), the accounts shared among ``jobs`` worker processes;
    wall and CPU seconds (this process's and its workers'), the load average before and after. Then the plain
    day-by-day path on ``sample`` accounts, for comparison, with the time for all of them at its rate."""
    files = [ROOT / "rules" / "onboarding.yaml", ROOT / "rules" / "notify.yaml"]
    current = load(files)
    text = files[0].read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        proposed_file = Path(tmp) / "proposed.yaml"
        proposed_file.write_text(text.replace('"days_since_last_login >= 14"', '"days_since_last_login >= 8"'),
                                 encoding="utf-8")
        proposed = load([proposed_file, files[1]])
    start, end = END - timedelta(days=days - 1), END
    load_before = os.getloadavg()[0]
    t0, c0 = time.monotonic(), cpu_seconds()
    result = replay(store, current, proposed, start, end, jobs=jobs)
    took, cpu = time.monotonic() - t0, cpu_seconds() - c0
    total = result["accounts"]
    evals = sum(result["evaluations"].values())
    share = 100 * evals / max(1, 2 * total * days)
    used = max(1, min(jobs, total // SHARD_MIN))  # as report.replay_jobs shares them
    processes = f"{used} process{'es' if used > 1 else ''} (--jobs {jobs})"
    print(f"rules replay: {total:,} accounts × {days} days × 2 rule sets in {took:.1f}s wall (target < 10 s), "
          f"{cpu:.1f} CPU seconds (all processes), {processes}, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs): {evals:,} evaluations of {2 * total * days:,} "
          f"account-days ({share:.1f}%), {result['weeks_changed']} of {len(result['weeks'])} weeks differ")
    if not sample:
        return
    sets = [Replayer(current[0], start, None, current[1], fast=False),
            Replayer(proposed[0], start, None, proposed[1], fast=False)]
    t0, c0 = time.monotonic(), time.process_time()
    n = 0
    for account_id, changes in fact_changes(store, end):
        if n == sample:
            break
        n += 1
        for r in sets:
            r.account(account_id, changes, start, end)
    plain, cpu = time.monotonic() - t0, time.process_time() - c0
    print(f"  the plain day-by-day path on {n:,} accounts: {plain:.1f}s, {cpu:.1f} CPU seconds "
          f"({1e6 * cpu / max(2 * n * days, 1):.0f} CPU µs an evaluation); all {total:,} at that rate: "
          f"{plain * total / max(n, 1):.0f}s ({cpu * total / max(n, 1):.0f} CPU seconds)")


if __name__ == "__main__":
    main()
