"""Work over many articles on every core: forked worker processes that inherit what the parent loaded.

Fork (not spawn) because the workers need the articles, the spec and the closures built around them, and
copying them by fork costs nothing; below ``threshold`` items, or where fork is missing, the work runs in
this process, which is also what small knowledge bases and the tests' preview get.

The pool is closed and joined when the work is done: its workers end on the end-of-work message, with no signal.
``Pool.__exit__`` would call ``terminate()`` instead, which holds the task queue's lock and SIGTERMs the workers;
a worker that outlives that signal waits on the lock for ever, and the parent waits on the worker. That happened
once in nine runs of ``make test`` (2026-12-07, in ``kb check``): the stuck worker carried the CLI's SIGTERM handler
(csops.exits.sigterm_unwinds, inherited through fork), had not run it, and died of the next SIGTERM sent by hand.
So the workers also put SIGTERM back to its default action first (the kernel ends them, whatever Python is doing),
and ``terminate()`` is kept for a job that fails.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from base.processes import usable_cpus

T = TypeVar("T")
R = TypeVar("R")

CHUNKS_PER_PROCESS = 6
_JOB: Callable[[Any], Any] | None = None
_ITEMS: Sequence[Any] = ()


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _JOB is not None
    return [_JOB(item) for item in _ITEMS[bounds[0]:bounds[1]]]


def _worker_start() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def workers() -> int:
    return min(usable_cpus(), 8)


def forked_map(job: Callable[[T], R], items: Sequence[T], threshold: int = 200, procs: int | None = None) -> list[R]:
    """[job(item) for item in items], split over ``procs`` forked processes (default: the usable cores)."""
    global _JOB, _ITEMS
    procs = procs or workers()
    if procs < 2 or len(items) < threshold or "fork" not in multiprocessing.get_all_start_methods():
        return [job(item) for item in items]
    # Several chunks per process, handed out as processes free up: on a machine shared with other work, a process
    # that gets less CPU takes fewer chunks instead of holding back the whole map with a fixed half.
    size = -(-len(items) // (procs * CHUNKS_PER_PROCESS))
    chunks = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    _JOB, _ITEMS = job, items
    # What the workers inherit is moved out of the collector's reach, so a collection in a worker does not
    # touch (and so copy) every page of the parent's heap.
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(min(procs, len(chunks)), initializer=_worker_start)
        try:
            parts = pool.map(_run_chunk, chunks, chunksize=1)
        except BaseException:
            pool.terminate()
            raise
        pool.close()
        pool.join()
    finally:
        gc.unfreeze()
        _JOB, _ITEMS = None, ()
    return [r for part in parts for r in part]
