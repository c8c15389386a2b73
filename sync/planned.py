"""The writes a sync plans, kept on disk a chunk at a time until they are sent (and the inputs hashes it stores).

A run plans its writes while it evaluates, and needs them all later: the mass-change guard counts them before
anything is written, the write log logs them and the writer sends them (one Salesforce update), a dry run prints
them. Held in memory they grew with the accounts (about 1.5 KB an account that changes: six fields' old and new
values and their reasons), so a first run, or any run whose writes did not land, held every account's. They are
pickled to an anonymous temporary file (unlinked at once, gone with the process) a thousand at a time, and read
back a chunk at a time each time they are iterated. So is what a run stores of each account it evaluates once
it records it (its inputs hash), read back in order by :class:`InOrder` as the recording pass meets the accounts.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Collection, Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")


@dataclass
class PlannedChange:
    account_id: str
    name: str | None
    fields: dict[str, tuple[Any, Any]]
    reasons: dict[str, str] = field(default_factory=dict)  # field: the rule behind its new value (the write log)


class Spilled(Collection[T], Generic[T]):
    """Items in the order they were added, on disk a chunk at a time; iterable any number of times (nested too),
    each time from the first. In memory: the chunk being filled, and while iterating the chunk being read."""

    CHUNK = 1000

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._spilled = 0  # bytes of pickled chunks in the file
        self._chunk: list[T] = []
        self._count = 0

    def append(self, item: T) -> None:
        self._chunk.append(item)
        self._count += 1
        if len(self._chunk) >= self.CHUNK:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="csops-run-")  # noqa: SIM115  # lives with the list
        self._file.seek(self._spilled)
        pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spilled = self._file.tell()
        self._chunk = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[T]:
        offset, end = 0, self._spilled
        while offset < end:
            assert self._file is not None
            self._file.seek(offset)
            chunk: list[T] = pickle.load(self._file)  # our own file, written above
            offset = self._file.tell()
            yield from chunk
        yield from list(self._chunk)

    def __contains__(self, item: object) -> bool:
        return any(c == item for c in self)


class PlannedWrites(Spilled[PlannedChange]):
    """The planned changes in the order they were planned."""


class InOrder(Container[str], Generic[V]):
    """Which keys of ``pairs`` (key, value) a pass over a superset of them, in the order the pairs were made, meets:
    a merge, so nothing is held per key. ``key in self`` is asked once per key of that pass, in its order; when it
    is True, :attr:`value` is that key's. :meth:`done` says the pass met them all (a pass in another order, or over
    other keys, would miss some: an internal error, not a silent skip)."""

    def __init__(self, pairs: Iterable[tuple[str, V]]) -> None:
        self._pairs = iter(pairs)
        self._head = next(self._pairs, None)
        self._value: tuple[str, V] | None = None

    def __contains__(self, key: object) -> bool:
        if self._head is None or key != self._head[0]:
            return False
        self._value, self._head = self._head, next(self._pairs, None)
        return True

    @property
    def value(self) -> V:
        assert self._value is not None, "value before a key was met"
        return self._value[1]

    def done(self) -> None:
        if self._head is not None:
            raise RuntimeError(f"the recording pass did not meet account {self._head[0]} that the first pass "
                               "evaluated: the accounts were read in another order")
