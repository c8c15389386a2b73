"""forked_map: the same results in the same order as a plain loop, from several processes when asked."""

from __future__ import annotations

import os

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
