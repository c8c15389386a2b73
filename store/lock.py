"""The run lock: one sync (or pull, or kb publish) at a time per store.

A SQLite store is locked by a file beside it (filelock); a PostgreSQL store by a lease row inside the database
(:mod:`store.lease`), since its hosts share no file system.
"""

from __future__ import annotations

from pathlib import Path

import filelock

from store.db import Store, open_store
from store.dialect import LockHeld, StoreError, is_postgres, sqlite_path
from store.lease import DEFAULT_LEASE_SECONDS, DbLease


def run_lock(target: Store | str | Path, base_dir: Path | None = None, *,
             lease_seconds: float = DEFAULT_LEASE_SECONDS) -> RunLock | DbLease:
    """The run lock for a store: the file lock beside a SQLite file, the lease row in a PostgreSQL database.

    Give the open :class:`Store` for PostgreSQL (the lease fences its writes); a SQLite URL or path needs no
    open store, so the lock is taken before the file is touched."""
    if isinstance(target, Store):
        if target.engine == "postgresql":
            return DbLease(target, lease_seconds)
        assert target.path is not None
        return RunLock(target.path)
    if isinstance(target, Path):
        return RunLock(target)
    if is_postgres(target):
        return DbLease(open_store(target), lease_seconds, owns_store=True)
    return RunLock(sqlite_path(target, base_dir))


class RunLock:
    """The cron run lock: one sync (or pull) at a time per store.

    Taken without waiting: a second run exits 75 at once rather than queueing
    behind a slow one and piling up under cron.
    """

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {self.path.parent} for the store and its lock "
                             f"({exc.strerror}): point store.url at a folder csops can write") from None
        self._lock = filelock.FileLock(str(self.path), timeout=0)

    def __enter__(self) -> RunLock:
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            raise LockHeld(f"another csops run holds the lock {self.path}; try again when it has finished") \
                from None
        except OSError as exc:
            raise StoreError(f"cannot create the run lock {self.path} ({exc.strerror}): check that its folder "
                             "is writable") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
