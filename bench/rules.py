"""Rules engine speed: microseconds per account with the example rules, beside a plain-Python floor.

    python bench/rules.py [--sizes 10000,100000]

The floor is the same logic as rules/onboarding.yaml written by hand in Python
(no expression language): the least any engine could cost.  Target: 100k
accounts with the example rules in under 2 s on a 2-core machine (issue 29). Wall seconds, this process's
CPU seconds and the load average are printed: on a shared machine the CPU seconds are the figure to compare.

The timed loops keep no evaluation, as the sync keeps none (it records them a chunk at a time): holding 100,000
evaluations made Python's garbage collector walk them all again and again, about 0.4 of the CPU seconds at 100k, a
cost of this benchmark's list, not of evaluating. The engine and the floor are timed alike, and their agreement is
checked on a second, untimed pass. Within a run the engine remembers results that depend on few values
(rules.engine.Engine), so the figure is a run's, over accounts as varied as the synthetic ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.engine import Engine
from rules.ruleset import load_and_compile

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[1]


def synthetic(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = TODAY - dt.timedelta(days=rng.randint(-10, 150))

        def maybe(days: int, start: dt.date = start) -> str | None:
            d = start + dt.timedelta(days=rng.randint(0, days * 2))
            return d.isoformat() if d <= TODAY and rng.random() < 0.75 else None

        licensed = rng.choice([20, 50, 100, 300])
        out.append({
            "product": rng.choice(["勤怠管理", "経費精算", "Analytics"]),
            "contract_start": start.isoformat(), "kickoff_on": maybe(7), "setup_done_on": maybe(30),
            "training_done_on": maybe(60), "go_live_on": maybe(90),
            "last_login": f"{(TODAY - dt.timedelta(days=rng.randint(0, 40))).isoformat()}T03:00:00.000+0000",
            "licensed_users": licensed, "active_users": rng.randint(0, licensed) if rng.random() > 0.05 else None,
            "active_admins": rng.randint(0, 4), "arr": rng.choice([600_000, 3_600_000, 12_000_000]),
            "tickets_open": rng.randint(0, 5), "urgent_open": rng.choice([0, 0, 0, 1]),
            "tickets_last_30d": rng.randint(0, 15), "csat_bad_30d": 0, "id": f"A{i}",
        })
    return out


def floor(raw: dict[str, Any]) -> tuple[Any, ...]:
    """The example rules by hand: the cost floor for the same decisions."""
    def d(v: str | None) -> dt.date | None:
        return dt.date.fromisoformat(v[:10]) if v else None
    start = d(raw["contract_start"])
    kickoff, setup, training, golive = (d(raw[k]) for k in ("kickoff_on", "setup_done_on", "training_done_on",
                                                            "go_live_on"))
    users, lic = raw["active_users"], raw["licensed_users"]
    ratio = users / lic if users is not None and lic else None
    login = d(raw["last_login"])
    since_login = (TODAY - login).days if login else None
    phases = {"勤怠管理": [("kickoff", 7, kickoff is not None), ("setup", 30, setup is not None),
                          ("training", 60, training is not None),
                          ("go_live", 90, golive is not None and (ratio or 0) >= 0.5)],
              "経費精算": [("kickoff", 7, kickoff is not None), ("setup", 21, setup is not None),
                          ("go_live", 60, golive is not None)]}.get(raw["product"])
    status, overdue = _status(phases, start)
    score = _score(raw, ratio, since_login)
    band = "green" if score >= 140 else "yellow" if score >= 80 else "red"
    arr = raw["arr"]
    tier = "S" if arr >= 10_000_000 and score >= 140 else "A" if arr >= 3_000_000 else "B" if arr >= 1_000_000 else "C"
    late = overdue is not None and overdue > 0
    alerts = [name for name, raised in (
        ("setup_not_done_30d", status in ("on_track", "stalled", "churn_risk") and start is not None
         and (TODAY - start).days > 30 and setup is None),
        ("no_login_14d", since_login is not None and since_login >= 14),
        ("usage_anomaly", golive is not None and ratio is not None and ratio < 0.3),
        ("urgent_tickets", raw["urgent_open"] > 0),
        ("onboarding_stalled", status in ("stalled", "churn_risk") and late),
        ("onboarding_churn_risk", status == "churn_risk" and late)) if raised]
    return status, overdue, score, band, tier, alerts


def _status(phases: list[tuple[str, int, bool]] | None, start: dt.date | None) -> tuple[str, int | None]:
    if not phases:
        return "no_phases", None
    if start is None or start > TODAY:
        return "not_started", None
    cur = next((p for p in phases if not p[2]), None)
    if cur is None:
        return "completed", None
    overdue = (TODAY - (start + dt.timedelta(days=cur[1]))).days
    return ("churn_risk" if overdue > 30 else "stalled" if overdue > 0 else "on_track"), overdue


def _score(raw: dict[str, Any], ratio: float | None, since_login: int | None) -> float:
    parts = []
    if ratio is not None:
        parts.append((100, 1.0 if ratio >= 0.8 else 0.7 if ratio >= 0.5 else 0.4 if ratio >= 0.2 else 0.1))
    admins = raw["active_admins"]
    if admins is not None and since_login is not None:
        parts.append((60, 1.0 if admins >= 2 and since_login <= 7 else 0.6 if admins >= 1 and since_login <= 14
                      else 0.2))
    parts.append((40, min(1.0, max(0.0, (raw["tickets_last_30d"] - 10) / -10))))
    return round(200 * sum(w * s for w, s in parts) / sum(w for w, _ in parts), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    compile_start = time.perf_counter()
    engine = Engine(load_and_compile([ROOT / "rules" / "onboarding.yaml"], TODAY))
    compile_s = time.perf_counter() - compile_start
    print(f"compile example rules: {compile_s * 1000:.0f} ms (once per run); load average {load()}")
    print(f"{'accounts':>9}  {'engine µs/acct':>15}  {'engine total s':>14}  {'CPU s':>6}  {'floor µs/acct':>14}  "
          f"{'CPU ratio':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        data = synthetic(n)
        t, c = time.perf_counter(), time.process_time()
        for r in data:  # as the sync evaluates: one account after another, none kept (see the docstring)
            engine.evaluate(r["id"], engine.facts(r))
        eng, eng_cpu = time.perf_counter() - t, time.process_time() - c
        results = [engine.evaluate(r["id"], engine.facts(r)) for r in data]
        t, c = time.perf_counter(), time.process_time()
        for r in data:
            floor(r)
        fl, fl_cpu = time.perf_counter() - t, time.process_time() - c
        floors = [floor(r) for r in data]
        agree = sum(1 for e, f in zip(results, floors, strict=True)
                    if (e.status, e.days_overdue, e.health.score, e.health.band, e.tier, e.alerts) == f)
        print(f"{n:>9}  {eng / n * 1e6:>15.1f}  {eng:>14.2f}  {eng_cpu:>6.2f}  {fl / n * 1e6:>14.1f}  "
              f"{eng_cpu / fl_cpu:>8.1f}x   (engine and floor agree on {agree}/{n}; load average {load()})")


def load() -> str:
    """The load average (1, 5, 15 min): wall seconds on a shared machine mean little without it; CPU seconds are
    this process's own."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())

if __name__ == "__main__":
    main()
