"""kb gaps quality and speed: precision@5 of the proposed gaps, recall of the uncovered topics, seconds and peak memory.

    python bench/gaps.py [--tickets 100000] [--eval 2400]

Quality is measured on the labelled evaluation set (tests/kb/gaps_eval.py: Japanese and English tickets with
boilerplate, signatures, typos and mixed widths; topics the sample KB covers and topics it does not) at
--eval tickets and at --tickets tickets. Speed is the whole of `kb gaps` but the printing: reading 2 × 90
days of tickets from a SQLite store, normalising, vectorising, clustering, the previous period, coverage
against kb/articles. Peak memory is the process's maximum resident set size, measured in a fresh process
per size so one run does not count another's. Targets: precision@5 ≥ 0.8, recall ≥ 0.8, 100,000 tickets
in under 30 s and 1 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(n: int) -> dict[str, float]:
    from kb.gaps.report import build_report, render
    from kb.spec import load_spec
    from sync.store import Store
    from tests.kb.gaps_eval import NOW, generate, score

    tickets = generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "state.db")
        with store.transaction():
            store.upsert_tickets([(t.id, None, "open", None, None, t.subject, "[]", None, t.created_at,
                                   t.created_at, 0, t.description) for t in tickets])
        truth = {t.id: t.topic for t in tickets}
        del tickets
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        report = build_report(load_spec(ROOT / "kb"), store, 90, 5, NOW.date())
        seconds = time.perf_counter() - start
        json.loads(render(report, "json"))
        store.close()
    a = report.analysis
    precision, recall = score([t.ticket_ids for t in a.gaps], truth, 5, _current_ids(n, str(report.since)))
    return {"tickets": a.tickets, "topics": len(a.topics), "gaps": len(a.gaps), "precision_at_5": precision,
            "recall_uncovered": recall, "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_mb": rss_before}


def _current_ids(n: int, since: str) -> set[int]:
    from tests.kb.gaps_eval import generate

    return {t.id for t in generate(n) if t.created_at >= since}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--eval", type=int, default=2400)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    print(f"{'tickets (2 periods)':>20} {'in period':>9} {'topics':>6} {'gaps':>5} {'p@5':>5} {'recall':>6} "
          f"{'seconds':>8} {'peak MB':>8}")
    for n in (args.eval, args.tickets):
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{n:>20,} {r['tickets']:>9,} {r['topics']:>6} {r['gaps']:>5} {r['precision_at_5']:>5.2f} "
              f"{r['recall_uncovered']:>6.2f} {r['seconds']:>8.1f} {r['peak_rss_mb']:>8.0f}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; peak MB is the whole process "
          "(Python, numpy, scikit-learn and the generated tickets included)")


if __name__ == "__main__":
    main()
