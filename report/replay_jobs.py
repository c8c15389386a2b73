"""``csops rules replay --jobs N``: the worker processes the accounts are shared among (:func:`run_all`); what
each one does is :func:`report.replay.replay_shared`'s. Accounts are replayed each on its own, so each worker reads
one range of account ids from the store (its own connection) and replays it under both rule sets; the parent adds
their figures up (:meth:`report.replay.Replayer.take`), which gives what one process gives.

A worker that fails stops the replay: the others are killed and the parent raises its error (a store error keeps
its own exit code; anything else is :class:`ReplayFailed`, exit 70), or says which worker ended without a result
(killed, or out of memory). Nothing half-done is shown.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from base.errors import Failure

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger("csops")


class ReplayFailed(Failure):
    """A replay worker process failed or ended without its result (exit 70)."""


class _Worker(Generic[T]):
    def __init__(self, ctx: Any, work: Callable[[T], Any], task: T) -> None:
        self.task = task
        self.pipe, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_child, args=(work, task, send), daemon=True)
        self.process.start()
        send.close()


def run_all(work: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
    """``work`` of each task, each in its own process at once; the results in the tasks' order. The first failure
    kills the other processes and is raised (see the module's docstring); so is Ctrl-C or a stop signal here."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # fork: nothing to import again
    workers: list[_Worker[T]] = []
    results: dict[int, R] = {}
    try:
        for task in tasks:
            workers.append(_Worker(ctx, work, task))
        while len(results) < len(workers):
            waiting = [w for k, w in enumerate(workers) if k not in results]
            wait([w.pipe for w in waiting] + [w.process.sentinel for w in waiting])
            for w in waiting:
                if w.pipe.poll():
                    results[workers.index(w)] = _received(w)
                elif not w.process.is_alive():
                    raise _ended(w)
    finally:
        for w in workers:
            if w.process.is_alive():
                w.process.kill()
            w.process.join()
            w.pipe.close()
    return [results[k] for k in range(len(workers))]


def _received(w: _Worker[Any]) -> Any:
    try:
        ok, payload = w.pipe.recv()
    except EOFError:  # it ended before sending (all of) its result
        raise _ended(w) from None
    if ok:
        return payload
    if isinstance(payload, Failure):  # a store or input error: its own message and exit code
        raise payload
    summary, trace = payload
    log.debug("the replay worker's traceback:\n%s", trace)
    raise ReplayFailed(f"rules replay: the worker process for {w.task} failed ({summary}); nothing is shown")


def _ended(w: _Worker[Any]) -> ReplayFailed:
    w.process.join()
    return ReplayFailed(f"rules replay: the worker process for {w.task} ended (exit code {w.process.exitcode}) "
                        "without its result (killed, or out of memory?); nothing is shown. Try again, or with "
                        "--jobs 1")


def _child(work: Callable[[Any], Any], task: Any, send: Connection) -> None:
    """Run in the worker: Ctrl-C is the parent's to handle (it kills the workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        answer: tuple[bool, Any] = (True, work(task))
    except Exception as exc:  # sent to the parent, which raises it
        answer = (False, exc if isinstance(exc, Failure) and _picklable(exc) else
                  (f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    send.send(answer)
    send.close()


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True
