"""``csops nps import FILE``: NPS answers from a survey tool's CSV export.

Columns (a header row, names case-insensitive): ``account`` (the Salesforce Account
Id, 15 or 18 characters), ``date`` (YYYY-MM-DD or YYYY/MM/DD), ``score`` (a whole
number 0-10) and an optional ``comment``. Japanese survey tools and Excel often save
Shift_JIS (cp932); UTF-8 with or without a BOM is read as well. Every row is checked
before anything is stored: one bad row stores nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rules.yamlsrc import suggest

COLUMNS = ("account", "date", "score", "comment")
REQUIRED = ("account", "date", "score")
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class NpsImportError(Exception):
    """The file cannot be imported (exit 78); lists every problem with file, line and column."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__("\n".join(shown))
        self.problems = problems


@dataclass
class NpsFile:
    rows: list[tuple[int, str, str, int, str | None]] = field(default_factory=list)
    encoding: str = "utf-8"


def id18(account: str) -> str:
    """Salesforce's case-safe 18-character Id for a 15-character one (the 3-character checksum suffix)."""
    if len(account) == 18:
        return account
    suffix = ""
    for chunk in (account[0:5], account[5:10], account[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _SUFFIX[bits]
    return account + suffix


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (BOM or not), else cp932."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise NpsImportError([f"the file is neither UTF-8 nor Shift_JIS (cp932): byte {exc.start}"]) from None


def _parse_date(text: str) -> date:
    parts = re.split(r"[-/]", text.strip())
    if len(parts) != 3 or not all(p.isdecimal() for p in parts) or len(parts[0]) != 4:
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def read_nps_csv(path: Path) -> NpsFile:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NpsImportError([f"{path}: cannot read: {exc.strerror}"]) from None
    text, encoding = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise NpsImportError([f"{path}:1: empty file; expected a header row: account,date,score[,comment]"])
    names = [h.strip().lower() for h in header]
    problems = [f"{path}:1: unknown column '{n}'{suggest(n, COLUMNS)}" for n in names if n and n not in COLUMNS]
    problems += [f"{path}:1: missing column '{c}' (columns: account,date,score[,comment])"
                 for c in REQUIRED if c not in names]
    if problems:
        raise NpsImportError(problems)
    out = NpsFile(encoding=encoding)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(names, row, strict=False))
        problem = _check_row(values, out, line)
        if problem:
            problems.append(f"{path}:{line}: {problem}")
    if problems:
        raise NpsImportError(problems)
    return out


def _check_row(values: dict[str, str], out: NpsFile, line: int) -> str | None:
    account = values.get("account", "").strip()
    if not _ID.match(account):
        return f"account: {account!r} is not a 15- or 18-character Salesforce Account Id"
    try:
        day = _parse_date(values.get("date", ""))
    except ValueError:
        return f"date: {values.get('date', '')!r} is not a date (YYYY-MM-DD or YYYY/MM/DD)"
    score_text = values.get("score", "").strip()
    if not score_text.isdecimal() or not 0 <= int(score_text) <= 10:
        return f"score: {score_text!r} is not a whole number from 0 to 10"
    comment = (values.get("comment") or "").strip() or None
    out.rows.append((line, id18(account), day.isoformat(), int(score_text), comment))
    return None
