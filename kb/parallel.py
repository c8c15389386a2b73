"""Work over many articles on every core: forked worker processes that inherit what the parent loaded.

Fork (not spawn) because the workers need the articles, the spec and the closures built around them, and
copying them by fork costs nothing; below ``threshold`` items, or where fork is missing, the work runs in
this process, which is also what small knowledge bases and the tests' preview get.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNKS_PER_PROCESS = 6
_JOB: Callable[[Any], Any] | None = None
_ITEMS: Sequence[Any] = ()


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _JOB is not None
    return [_JOB(item) for item in _ITEMS[bounds[0]:bounds[1]]]


def workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


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
        with multiprocessing.get_context("fork").Pool(min(procs, len(chunks))) as pool:
            parts = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        gc.unfreeze()
        _JOB, _ITEMS = None, ()
    return [r for part in parts for r in part]
