"""The writes a sync plans, kept on disk a chunk at a time until they are sent.

A run plans its writes while it evaluates, and needs them all later: the mass-change guard counts them before
anything is written, the write log logs them and the writer sends them (one Salesforce update), a dry run prints
them. Held in memory they grew with the accounts (about 1.5 KB an account that changes: six fields' old and new
values and their reasons), so a first run, or any run whose writes did not land, held every account's. They are
pickled to an anonymous temporary file (unlinked at once, gone with the process) a thousand at a time, and read
back a chunk at a time each time they are iterated.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass
class PlannedChange:
    account_id: str
    name: str | None
    fields: dict[str, tuple[Any, Any]]
    reasons: dict[str, str] = field(default_factory=dict)  # field: the rule behind its new value (the write log)


class PlannedWrites(Collection[PlannedChange]):
    """The planned changes in the order they were added; iterable any number of times (nested too), each time from
    the first. In memory: the chunk being filled, and while iterating the chunk being read."""

    CHUNK = 1000

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._spilled = 0  # bytes of pickled chunks in the file
        self._chunk: list[PlannedChange] = []
        self._count = 0

    def append(self, change: PlannedChange) -> None:
        self._chunk.append(change)
        self._count += 1
        if len(self._chunk) >= self.CHUNK:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="csops-planned-")  # noqa: SIM115  # lives with the plan
        self._file.seek(self._spilled)
        pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spilled = self._file.tell()
        self._chunk = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[PlannedChange]:
        offset, end = 0, self._spilled
        while offset < end:
            assert self._file is not None
            self._file.seek(offset)
            chunk: list[PlannedChange] = pickle.load(self._file)  # our own file, written above
            offset = self._file.tell()
            yield from chunk
        yield from list(self._chunk)

    def __contains__(self, item: object) -> bool:
        return any(c == item for c in self)
