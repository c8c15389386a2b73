"""The sync's mass-change guard counts statuses as it evaluates (sync.guard.StatusTally) instead of holding each
account's: it must hold a run exactly when, and say exactly what, the guard over every status did.

The reference is that guard as the sync ran it before: every account's status in a dict (the stored ones too when
some accounts were not evaluated), the accounts whose fields are emptied set to "out of scope", then
``check_mass_change`` over the dicts."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sync.guard import StatusTally, check_mass_change

STATUSES = ["on_track", "at_risk", "stalled", "no_phases", "completed"]


def reference(previous: dict[str, str], evaluated: dict[str, str], unchanged: int, clears: list[str],
              changes: list[tuple[str, str | None, dict[str, tuple[Any, Any]]]]) -> Any:
    previous = dict(previous)
    statuses = {**previous, **evaluated} if unchanged else dict(evaluated)
    for account_id in clears:
        previous.setdefault(account_id, "in scope")
        statuses[account_id] = "out of scope"
    return check_mass_change(previous, statuses, changes, 20.0, 10.0)


def tallied(previous: dict[str, str], evaluated: dict[str, str], unchanged: int, clears: list[str],
            changes: list[tuple[str, str | None, dict[str, tuple[Any, Any]]]]) -> Any:
    tally = StatusTally(len(previous), {a: previous.get(a) for a in clears})
    planned = {a for a, _, _ in changes}
    for account_id, status in evaluated.items():
        tally.add(account_id, previous.get(account_id), status, account_id in planned)
    return tally.check(iter(changes), unchanged, 20.0, 10.0)


def scenario(rng: random.Random) -> tuple[Any, ...]:
    n = rng.choice([0, 1, 5, 40, 120])
    ids = [f"001{i:015d}" for i in range(n)]
    stored = [a for a in ids if rng.random() < rng.choice([0.0, 0.5, 0.95])]
    previous = {a: rng.choice(STATUSES) for a in stored}
    if rng.random() < 0.2:  # stored accounts that are no longer seen (counted when some were not evaluated)
        previous.update({f"002{i:015d}": rng.choice(STATUSES) for i in range(rng.randint(1, 10))})
    skip = rng.random() < 0.5
    change_rate = rng.choice([0.05, 0.3, 0.9])
    evaluated: dict[str, str] = {}
    for a in ids:
        if skip and a in previous and rng.random() < 0.6:
            continue  # unchanged: keeps its stored status, not evaluated
        before = previous.get(a)
        evaluated[a] = rng.choice(STATUSES) if before is None or rng.random() < change_rate else before
    unchanged = sum(1 for a in ids if a in previous and a not in evaluated)
    gone = [f"003{i:015d}" for i in range(rng.choice([0, 0, 2, 30]))]  # out of scope, fields emptied
    clears = gone + [a for a in rng.sample(ids, min(len(ids), rng.choice([0, 0, 1, 3])))]  # (evaluated ones too)
    clears += [a for a in rng.sample(sorted(previous), min(len(previous), rng.choice([0, 2])))]
    clears = list(dict.fromkeys(clears))
    changes = [(a, rng.choice([None, f"名前 {a[-3:]}"]), {"Status__c": (None, "x")}) for a in clears]
    changes += [(a, None if rng.random() < 0.3 else f"Acme {a[-3:]}",
                 {"Status__c": (previous.get(a), s), **({"Health__c": (1.0, 2.5)} if rng.random() < 0.5 else {})})
                for a, s in evaluated.items() if rng.random() < 0.7]
    return previous, evaluated, unchanged, clears, changes


@pytest.mark.parametrize("seed", range(60))
def test_the_tally_holds_a_run_as_the_guard_over_every_status_did(seed: int) -> None:
    args = scenario(random.Random(seed))
    want, got = reference(*args), tallied(*args)
    assert (got is None) == (want is None)
    if want is not None:
        assert got.text() == want.text() and got == want  # counts, reasons, per field and the same examples


def test_the_scenarios_hold_runs_and_let_them_pass() -> None:
    """The comparison above is not vacuous: some scenarios hold with examples, some pass, some are first runs."""
    outcomes = [reference(*scenario(random.Random(seed))) for seed in range(60)]
    assert sum(o is None for o in outcomes) >= 10
    assert sum(o is not None and len(o.examples) == 10 for o in outcomes) >= 5
    assert sum(o is not None and 0 < len(o.examples) < 10 for o in outcomes) >= 3


def test_a_first_run_and_a_run_with_nothing_are_never_held() -> None:
    assert StatusTally(0).check([], 0, 0.0, 0.0) is None
    tally = StatusTally(0)
    tally.add("001A", None, "stalled", True)
    assert tally.check([("001A", None, {"F": (1, 2)})], 0, 0.0, 0.0) is None
    assert StatusTally(3).check([], 0, 0.0, 0.0) is None  # nothing evaluated, none kept
