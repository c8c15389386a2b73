"""forked_map: the same results in the same order as a plain loop, from several processes when asked."""

from __future__ import annotations

import multiprocessing.pool
import os
import signal
from typing import Any

import pytest

from csops.exits import sigterm_unwinds
from kb.parallel import forked_map


def _square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_keep_their_order_over_many_chunks() -> None:
    items = list(range(1001))  # not a multiple of the chunk count
    made = forked_map(_square_with_pid, items, threshold=10, procs=2)
    assert [square for square, _ in made] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in made}  # in worker processes (how many is up to the scheduler)


def test_below_the_threshold_it_runs_here() -> None:
    assert {pid for _, pid in forked_map(_square_with_pid, [1, 2, 3], threshold=10, procs=2)} == {os.getpid()}


def _sigterm_action(_: int) -> Any:
    return signal.getsignal(signal.SIGTERM)


def test_a_worker_dies_of_sigterm_even_under_the_clis_handler() -> None:
    """The CLI turns SIGTERM into an exception (kb check under csops's boundary); a forked worker must not keep
    that handler, or a pool shutting down by SIGTERM can wait for ever on a worker that did not die of it."""
    with sigterm_unwinds():
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        actions = forked_map(_sigterm_action, list(range(40)), threshold=10, procs=2)
    assert set(actions) == {signal.SIG_DFL}


def _fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n


def test_the_pool_ends_by_closing_not_by_terminate(monkeypatch: Any) -> None:
    """Done, the workers end on the pool's end-of-work message; ``terminate()`` (SIGTERM to every worker, with the
    task queue's lock held) is kept for a job that fails."""
    terminated: list[object] = []
    terminate = multiprocessing.pool.Pool.terminate
    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate",
                        lambda pool: (terminated.append(pool), terminate(pool))[-1])
    assert [s for s, _ in forked_map(_square_with_pid, list(range(50)), threshold=10, procs=2)] == \
        [n * n for n in range(50)]
    assert terminated == []
    with pytest.raises(ValueError, match="seven"):
        forked_map(_fail_on_seven, list(range(50)), threshold=10, procs=2)
    assert len(terminated) == 1
