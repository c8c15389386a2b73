"""The run lock inside a PostgreSQL store: a lease row, renewed while the run lives.

Why a lease row and not ``pg_advisory_lock``: a session-level advisory lock belongs to one server connection,
and transaction-pooling proxies (PgBouncer in its common ``pool_mode = transaction``) hand a client a different
server connection for each transaction: the lock is taken on one and "released" on another, or kept by a pooled
connection after the run died. A row with an expiry, written and read in ordinary transactions on the database's
clock, means the same through any proxy, and a host that dies without a word releases it when the lease runs out.

- Acquire: one ``INSERT … ON CONFLICT DO UPDATE … WHERE expires_at < now() RETURNING holder``; nothing returned
  means a live run holds it (LockHeld, exit 75 at once, naming its host, pid and since when).
- Renew: a daemon thread on its own autocommit connection pushes ``expires_at`` forward every third of the lease.
  A renewal that fails (connection lost, row taken over) marks the lease lost: the run stops at its next store call.
- Fence: every write transaction of the run checks, inside itself, that the row is still ours and unexpired
  (``FOR SHARE``, so it cannot be taken over until that transaction commits).
- Release: delete the row, only if it is ours.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from store.dialect import LockHeld, Postgres, StoreError, StoreUnavailable, driver_errors, pg_connect

if TYPE_CHECKING:
    from store.connection import Run
    from store.db import Store

log = logging.getLogger("csops.lease")

LEASE_NAME = "run"
DEFAULT_LEASE_SECONDS = 60.0


class LeaseHolder(NamedTuple):
    """Who holds the lease row, since when and until when (the database's clock)."""

    host: str
    pid: int
    acquired_at: datetime
    expires_at: datetime
    expired: bool


class LeaseLost(StoreUnavailable):
    """This run's lease was lost mid-run (connection gone, or taken over after it expired): the run stops (exit 69)."""


class DbLease:
    """The run lock of a PostgreSQL store (see the module's docstring)."""

    def __init__(self, store: Store, seconds: float = DEFAULT_LEASE_SECONDS, name: str = LEASE_NAME, *,
                 owns_store: bool = False) -> None:
        if store.engine != "postgresql":
            raise StoreError("the database lease is for a PostgreSQL store; a SQLite store uses the file lock")
        assert store.url is not None
        self.store = store
        self.url = store.url
        self.owns_store = owns_store
        self.seconds = float(seconds)
        self.name = name
        self.holder = str(uuid.uuid4())
        self.lost = False
        self._why = ""
        self._conn: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- acquire / release ----------------------------------------------------
    def __enter__(self) -> DbLease:
        self._conn = pg_connect(self.url, application_name="csops lease")
        held = self.store.lease_holder(self.name)
        if held is not None and not held.expired:
            self._refuse(held)
        with driver_errors(Postgres(), self.store.describe()):
            # The row may be held FOR SHARE by the holder's write transaction (its fence): an expired holder's
            # last transaction is waited for, briefly; a second run never queues behind a live one.
            self._conn.execute("SET lock_timeout = '5s'")
            try:
                row = self._acquire()
            except Exception as exc:
                if getattr(exc, "sqlstate", None) != "55P03":  # lock_not_available
                    raise
                row = None
            self._conn.execute("SET lock_timeout = 0")
        if row is None:
            self._refuse(self.store.lease_holder(self.name))
        self.store.fence_with(self)
        self._thread = threading.Thread(target=self._renew_loop, name="csops-lease", daemon=True)
        self._thread.start()
        return self

    def _acquire(self) -> tuple[Any, ...] | None:
        """One statement: insert the row, or take it over only when it has expired; the holder id when it worked."""
        row: tuple[Any, ...] | None = self._conn.execute(
            "INSERT INTO run_lease (name, holder, host, pid, acquired_at, expires_at) "
            "VALUES (%s, %s, %s, %s, now(), now() + make_interval(secs => %s)) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid, "
            "acquired_at = excluded.acquired_at, expires_at = excluded.expires_at "
            "WHERE run_lease.expires_at < now() RETURNING holder",
            (self.name, self.holder, socket.gethostname(), os.getpid(), self.seconds)).fetchone()
        return row

    def _refuse(self, held: LeaseHolder | None) -> NoReturn:
        self._close()
        if self.owns_store:
            self.store.close()
        who = (f"host {held.host}, pid {held.pid}, since {held.acquired_at} (lease until "
               f"{held.expires_at})") if held else "a run that is just finishing"
        raise LockHeld(f"another csops run holds the lock in the store {self.store.describe()}: {who}; try again "
                       "when it has finished (a run whose host died releases it when its lease runs out)")

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.seconds)
        self.store.unfence(self)
        if not self.lost:
            self._release()
        self._close()
        if self.owns_store:
            self.store.close()

    def _release(self) -> None:
        """Delete the row if it is ours; on a dropped connection try once more on a new one, else it expires."""
        for attempt in range(2):
            try:
                if attempt:
                    self._close()
                    self._conn = pg_connect(self.url, application_name="csops lease", connect_timeout=3)
                self._conn.execute("DELETE FROM run_lease WHERE name = %s AND holder = %s", (self.name, self.holder))
                return
            except Exception as exc:
                log.debug("releasing the lease: %s", exc)
        log.warning("could not release the run lock in %s; it expires within %.0f s", self.store.describe(),
                    self.seconds)

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    # -- renew / fence ----------------------------------------------------------
    def _renew_loop(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                row = self._conn.execute(
                    "UPDATE run_lease SET expires_at = now() + make_interval(secs => %s) "
                    "WHERE name = %s AND holder = %s RETURNING expires_at",
                    (self.seconds, self.name, self.holder)).fetchone()
            except Exception as exc:
                if self._stop.is_set():
                    return
                self._mark_lost(f"its connection to the database was lost while renewing it ({_first_line(exc)})")
                return
            if row is None:
                self._mark_lost("another run took it over after it expired")
                return

    def _mark_lost(self, why: str) -> None:
        self._why = why
        self.lost = True
        log.error("the run lock in %s was lost: %s", self.store.describe(), why)

    def lost_error(self) -> LeaseLost:
        return LeaseLost(f"this run lost its lock in the store {self.store.describe()} ({self._why}): it stopped "
                         "here and wrote nothing more, so two runs never write at once. Committed steps are kept; "
                         "run again (check the database's availability if this repeats)")

    def fence(self, run: Run) -> None:
        """Called first in each write transaction, with the statement runner of that transaction: the lease is still
        ours and unexpired, and stays so until commit."""
        row = run("SELECT 1 FROM run_lease WHERE name = ? AND holder = ? AND expires_at > now() FOR SHARE",
                  (self.name, self.holder)).fetchone()
        if row is None:
            if not self.lost:
                self._mark_lost("it expired or another run took it over")
            raise self.lost_error()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
