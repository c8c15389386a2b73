"""The one CSV reader for files people made, and the one CSV writer for what people open in a spreadsheet
(``sync --dry-run --csv``, ``report --format csv``, ``orgs --csv``, ``kb gaps --format csv``).

Names and labels come from Zendesk, Salesforce and ticket text, so anyone who can name an account can put
``=HYPERLINK(…)`` in a cell. Following OWASP's CSV injection guidance, a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'``: the spreadsheet shows it as text and runs nothing.
Numbers stay numbers: an int or float, and text that is only a number (``-5``, ``+3.5``, ``1e3``), which a
spreadsheet reads as that number and nothing else.

Not for the CSV csops sends to an API (Salesforce Bulk API 2.0 ingest): there the cell is the value to store.

Reading (``rules eval --facts``, ``nps import``): the line endings any spreadsheet saves (CRLF, LF, and CR alone
from Excel's "CSV (Macintosh)"), and a malformed file — a cell past the size limit, a stray quote — is a
:class:`CsvFormatError` with the line, never a crash.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from base.errors import InputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class CsvFormatError(InputError, ValueError):
    """The text is not CSV that can be read, at ``line``."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def read_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of ``text`` with the line it ends on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvFormatError(reader.line_num, _explain(exc)) from None
        yield reader.line_num, row


def _explain(exc: csv.Error) -> str:
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return f"a cell is longer than {csv.field_size_limit():,} characters, the most csops reads in one cell"
    return f"not valid CSV ({text})"


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
