"""Moving a store between engines (``csops store copy``) and proving the copy is faithful; what ``store info`` and
``store migrate`` report.

A copy reads every csops table of the source (``schema_version`` and the run lease excepted: the target is migrated
to this csops's schema first, and a lock belongs to its own store) and inserts the rows as they are, ids included,
in batches, in one transaction on the target: a copy that fails leaves the target as it was. Identity columns on
PostgreSQL go on from the highest id copied (``Store.insert_rows``), so later syncs insert after it.

The verification reads both stores again and compares, per table, the row count and a checksum that does not
depend on row order or engine: each row is canonicalised in Python (NULL, numbers by value — an integral float
equals the integer, other floats by their shortest round-trip repr — text as UTF-8, bytes as they are), hashed
with BLAKE2b, and the 128-bit hashes are summed modulo 2**128 (a sum, not a XOR, so duplicate rows still count).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from store.db import Store
from store.dialect import StoreConfigError, StoreError, StoreUnavailable
from store.schema import MIGRATIONS, SCHEMA_VERSION, TABLES

BATCH = 5000
_MOD = 1 << 128


class CopyRefused(StoreConfigError):
    """The copy cannot start: the target holds rows (and no --replace), it is the source, the source's schema is
    not this csops's (exit 78)."""


def _canon(value: Any) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        data, tag = str(value).encode(), b"i"
    elif isinstance(value, float):
        data, tag = repr(value).encode(), b"f"
    elif isinstance(value, str):
        data, tag = value.encode("utf-8", "surrogatepass"), b"s"
    elif isinstance(value, bytes | bytearray | memoryview):
        data, tag = bytes(value), b"b"
    else:
        data, tag = str(value).encode(), b"o"
    return tag + str(len(data)).encode() + b":" + data


def row_hash(row: Sequence[Any]) -> int:
    """A row's 128-bit hash over its canonical values (the same row gives the same hash on either engine)."""
    return int.from_bytes(hashlib.blake2b(b"".join(_canon(v) for v in row), digest_size=16).digest(), "big")


class Checksum:
    """Order-independent checksum of a set of rows: the sum of their hashes modulo 2**128, and their count."""

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        total, n = self.total, 0
        for row in rows:
            total += row_hash(row)
            n += 1
        self.total = total % _MOD
        self.rows += n

    @property
    def hex(self) -> str:
        return f"{self.total:032x}"


@dataclass
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "source_rows": self.source_rows, "target_rows": self.target_rows,
                "source_checksum": self.source_sum, "target_checksum": self.target_sum, "ok": self.ok}


Progress = Callable[[str, int, int], None]
"""progress(table, rows done, rows in the table)"""


def row_counts(store: Store) -> dict[str, int | None]:
    """Rows per csops table; None for a table the store does not have (an older schema, or an empty database)."""
    counts: dict[str, int | None] = {}
    for table in TABLES:
        try:
            counts[table] = store.row_count(table)
        except StoreUnavailable:
            raise
        except StoreError:
            counts[table] = None
    return counts


def check_source(source: Store) -> None:
    version = source.version()
    if version != SCHEMA_VERSION:
        what = "is empty (no csops schema)" if version == 0 else f"has schema version {version}"
        fix = ("run `csops store migrate` on it first" if 0 < version < SCHEMA_VERSION
               else "use the csops that wrote it" if version > SCHEMA_VERSION else "point --from at a csops store")
        raise CopyRefused(f"the source store {source.describe()} {what}; this csops copies schema version "
                          f"{SCHEMA_VERSION}: {fix}")


def check_target(source: Store, target: Store, replace: bool) -> dict[str, int]:
    """The target's non-empty tables (refused unless ``replace``)."""
    filled = {t: n for t, n in row_counts(target).items() if n}
    if filled and not replace:
        listed = ", ".join(f"{t} ({n:,})" for t, n in filled.items())
        raise CopyRefused(f"the target store {target.describe()} is not empty: {listed}. Nothing was copied; add "
                          "--replace to delete its rows and copy over them")
    return filled


def copy_tables(source: Store, target: Store, *, replace: bool, progress: Progress | None = None
                ) -> dict[str, Checksum]:
    """Copy every table in one target transaction; returns the source's checksum per table (computed as read)."""
    sums: dict[str, Checksum] = {}
    with target.transaction():
        if replace:
            for table in reversed(TABLES):
                target.clear_table(table)
        for table in TABLES:
            columns = source.table_columns(table)
            total = source.row_count(table)
            check = sums[table] = Checksum()
            if progress:
                progress(table, 0, total)
            batch: list[tuple[Any, ...]] = []
            for row in source.table_rows(table, columns):
                batch.append(row)
                if len(batch) >= BATCH:
                    _flush(target, table, columns, batch, check)
                    if progress:
                        progress(table, check.rows, total)
            _flush(target, table, columns, batch, check)
            if progress and total:
                progress(table, check.rows, total)
    return sums


def _flush(target: Store, table: str, columns: list[str], batch: list[tuple[Any, ...]], check: Checksum) -> None:
    if batch:
        target.insert_rows(table, columns, batch)
        check.add(batch)
        batch.clear()


def table_checksum(store: Store, table: str) -> Checksum:
    check = Checksum()
    check.add(store.table_rows(table, store.table_columns(table)))
    return check


def verify(source_sums: dict[str, Checksum], target: Store) -> list[TableCheck]:
    out = []
    for table, src in source_sums.items():
        dst = table_checksum(target, table)
        out.append(TableCheck(table, src.rows, dst.rows, src.hex, dst.hex))
    return out


def compare(source: Store, target: Store) -> list[TableCheck]:
    """Counts and checksums of every table on both stores, read now."""
    return verify({t: table_checksum(source, t) for t in TABLES}, target)


# -- migrations ----------------------------------------------------------------------------------------------------
_WHAT = re.compile(r"^\s*((?:CREATE|DROP)\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?\w+"
                   r"|ALTER\s+TABLE\s+\w+\s+ADD\s+COLUMN\s+\w+)", re.I)


def pending_migrations(version: int) -> list[tuple[int, list[str]]]:
    """Migrations a store at ``version`` lacks: (version, the gist of each statement: its verb and object)."""
    out = []
    for number, script in MIGRATIONS:
        if number > version:
            steps = []
            for statement in (s.strip() for s in script.split(";")):
                m = _WHAT.match(statement)
                if m:
                    steps.append(" ".join(m.group(1).split()))
                elif statement:
                    steps.append(" ".join(statement.split())[:60])
            out.append((number, steps))
    return out
