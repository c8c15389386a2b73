"""The one CSV writer for what people open in a spreadsheet (``sync --dry-run --csv``, ``report --format csv``,
``orgs --csv``, ``kb gaps --format csv``).

Names and labels come from Zendesk, Salesforce and ticket text, so anyone who can name an account can put
``=HYPERLINK(…)`` in a cell. Following OWASP's CSV injection guidance, a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'``: the spreadsheet shows it as text and runs nothing.
Numbers stay numbers: an int or float, and text that is only a number (``-5``, ``+3.5``, ``1e3``), which a
spreadsheet reads as that number and nothing else.

Not for the CSV csops sends to an API (Salesforce Bulk API 2.0 ingest): there the cell is the value to store.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class _Sink(Protocol):
    def write(self, s: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may open it: text that would start a formula is quoted as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SpreadsheetWriter:
    """:func:`csv.writer` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, sink: _Sink, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(sink, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
