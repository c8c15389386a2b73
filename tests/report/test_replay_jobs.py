"""``csops rules replay --jobs N`` shares the accounts among worker processes: the answer is the very one a single
process gives (tables and JSON), over generated fact histories and the history real syncs wrote; a worker that
fails or dies stops the replay at once with a clear error and a non-zero exit, showing nothing."""

from __future__ import annotations

import json
import os
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import report.replay
from notify.config import load
from report.replay import replay
from store import Store, StoreError, open_store
from tests.conftest import RULES, Workspace
from tests.report.helpers import grow_history
from tests.report.test_replay_days import DAYS, FIRST, raw_facts, rules_with

NOTIFY = Path(__file__).resolve().parents[2] / "rules" / "notify.yaml"
WEEKLY = ("2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19")
ACCOUNTS = 30


def filled(s: Store) -> Store:
    """A generated history (logins daily or seldom, milestones, figures crossing the rules' constants)."""
    history = raw_facts(random.Random(7), ACCOUNTS)
    for d in range(DAYS):
        with s.transaction():
            s.record_facts({a: days[d][1] for a, days in history.items()}, (FIRST + timedelta(days=d)).isoformat())
    return s


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return filled(Store(tmp_path_factory.mktemp("jobs") / "state.db"))


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the worker processes started (a replay on one process starts none)."""
    started: list[int] = []
    run_all = report.replay.run_all

    def counted(work: Any, tasks: Any) -> Any:
        started.append(len(tasks))
        return run_all(work, tasks)

    monkeypatch.setattr(report.replay, "run_all", counted)
    return started


@pytest.mark.parametrize("variant", ["shipped", "login_8", "history", "timezone"])
def test_shared_among_workers_the_replay_is_the_one_of_one_process(store: Store, tmp_path: Path, variant: str,
                                                                   workers: list[int]) -> None:
    from tests.report.test_replay_days import VARIANTS

    current = load([RULES, NOTIFY])
    old, new = VARIANTS[variant]
    proposed = current if variant == "shipped" else rules_with(tmp_path, f"{variant}.yaml", old, new)
    end = FIRST + timedelta(days=DAYS - 1)
    alone = replay(store, current, proposed, FIRST, end)
    assert workers == []
    for jobs in (2, 3, 7):
        shared = replay(store, current, proposed, FIRST, end, jobs=jobs, shard_min=1)
        assert json.dumps(shared, sort_keys=True) == json.dumps(alone, sort_keys=True)
    assert workers == [2, 3, 7]
    totals = alone["totals"]["current"]
    assert totals["slack_messages"] > 0 and totals["tasks_created"] > 0 and totals["alerts_raised"] > 0
    assert alone["backtest"]["current"]["events"] > 0  # the workers' backtest tallies add up to it
    # a channel posts once a day over all the accounts: the workers' posts of a day are not added up
    per_day = sum(len(w["current"]["messages"]) * 7 for w in alone["weeks"])
    assert totals["slack_messages"] <= per_day


def test_few_accounts_are_replayed_in_one_process(store: Store, workers: list[int]) -> None:
    current = load([RULES, NOTIFY])
    end = FIRST + timedelta(days=30)
    assert replay(store, current, current, FIRST, end, jobs=4, shard_min=ACCOUNTS // 2 + 1)["accounts"] == ACCOUNTS
    assert workers == []
    assert replay(store, current, current, FIRST, end, jobs=4, shard_min=ACCOUNTS // 2)["accounts"] == ACCOUNTS
    assert workers == [2]


def test_each_worker_reads_its_own_accounts_on_both_engines(store_url: str) -> None:
    """The shares are ranges of account ids: together every account once, in id order, on SQLite and PostgreSQL."""
    s = filled(open_store(store_url))
    end = (FIRST + timedelta(days=DAYS - 1)).isoformat()
    every = [a for a, _, _ in s.fact_history_by_account(end)]
    for parts in (1, 2, 3, 7, ACCOUNTS, ACCOUNTS + 5):
        count, bounds = s.fact_account_bounds(parts)
        assert count == ACCOUNTS and len(bounds) == min(parts, ACCOUNTS) - 1
        edges: list[str | None] = [None, *bounds, None]
        shares = [[a for a, _, _ in s.fact_history_by_account(end, edges[k], edges[k + 1])]
                  for k in range(len(edges) - 1)]
        assert [a for share in shares for a in share] == every and all(shares)
        assert max(map(len, shares)) - min(map(len, shares)) <= 1
    current = load([RULES, NOTIFY])
    day = FIRST + timedelta(days=DAYS - 1)
    assert replay(s, current, current, FIRST, day, jobs=3, shard_min=1) == replay(s, current, current, FIRST, day)
    s.close()


@pytest.fixture
def synced(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    grow_history(ws, WEEKLY)
    text = ws.config.read_text(encoding="utf-8")
    ws.config.write_text(text.replace(f"files: [{RULES}]", f"files: [{RULES}, {NOTIFY}]"), encoding="utf-8")
    monkeypatch.setattr(report.replay, "SHARD_MIN", 1)  # the sandbox's few accounts shared all the same
    return ws


def test_the_cli_gives_the_same_tables_and_json_for_any_jobs(synced: Workspace, tmp_path: Path,
                                                             workers: list[int]) -> None:
    lower = tmp_path / "lower.yaml"
    lower.write_text(RULES.read_text(encoding="utf-8").replace('when: "days_since_last_login >= 14"',
                                                               'when: "days_since_last_login >= 8"'), encoding="utf-8")
    outputs = {}
    for jobs in ("1", "3"):
        for fmt in ("json", "table"):
            result = synced.cli("rules", "replay", "--rules", str(lower), "--format", fmt, "--jobs", jobs)
            assert result.exit_code == 0, result.output
            outputs[jobs, fmt] = result.stdout
    assert outputs["1", "json"] == outputs["3", "json"] and outputs["1", "table"] == outputs["3", "table"]
    assert workers == [3, 3]  # --jobs 1: none
    out = json.loads(outputs["3", "json"])
    assert out["weeks_changed"] > 0 and out["accounts"] == len(synced.sandbox.data.accounts)
    bad = synced.cli("rules", "replay", "--rules", str(lower), "--jobs", "0")
    assert bad.exit_code == 2 and "--jobs" in bad.output


def failing(how: str, pids: Path) -> Any:
    """A worker that fails (``how``) for the first share of accounts once all three have started, and one that
    would take two minutes for the others (it is killed); each notes its process id in ``pids``."""
    def work(task: Any) -> Any:
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        if task.first is not None:
            time.sleep(120)
        while len(pids.read_text().split()) < 3:  # the others are at work: they are what must be stopped
            time.sleep(0.05)
        if how == "raise":
            raise KeyError("no such fact")
        if how == "store":
            raise StoreError("database disk image is malformed")
        os._exit(9)
    return work


@pytest.mark.parametrize("how, code, says", [
    ("raise", 70, "failed (KeyError: 'no such fact'); nothing is shown"),
    ("store", 74, "database disk image is malformed"),
    ("die", 70, "ended (exit code 9) without its result"),
])
def test_a_failing_worker_stops_the_replay_with_its_error(synced: Workspace, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, how: str, code: int,
                                                          says: str) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setattr(report.replay, "_replay_range", failing(how, pids))
    began = time.monotonic()
    result = synced.cli("rules", "replay", "--rules", str(RULES), "--jobs", "3", "--json")
    assert time.monotonic() - began < 60  # not the two minutes of the others: they were killed
    assert result.exit_code == code, result.output
    assert says in result.stderr and result.stdout == ""  # no half result
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 3
    for pid in started:  # every worker is gone (killed and reaped)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    if how == "raise":
        assert "the accounts from the first to " in result.stderr

