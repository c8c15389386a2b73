"""``csops nps import FILE``: NPS answers from a survey tool's CSV export.

Columns (a header row, names case-insensitive): ``account`` (the Salesforce Account
Id, 15 or 18 characters), ``date`` (YYYY-MM-DD or YYYY/MM/DD), ``score`` (a whole
number 0-10), an optional ``comment`` and an optional ``respondent`` (an e-mail,
contact or response id: it only tells apart two people of one account who gave the
same answer on the same day, and is never stored). Japanese survey tools and Excel
often save Shift_JIS (cp932); UTF-8 with or without a BOM is read as well. Every row
is checked before anything is stored: one bad row stores nothing.

A file is one survey. A row equal to an earlier row in every column is an exact
duplicate (an export appended twice, a row copied): it is listed and counted once.
The survey's default name is a hash of its distinct answers, so the same answers
under another file name, in another encoding or order, are the same survey.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from base.csvfile import CsvFormatError, read_rows
from base.errors import InputError
from base.suggest import suggest
from store.nps import NpsLine

COLUMNS = ("account", "date", "score", "comment", "respondent")
REQUIRED = ("account", "date", "score")
HEADER = "account,date,score[,comment][,respondent]"
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
HASH_PREFIX = "sha256:"


class NpsImportError(InputError):
    """The file cannot be imported (exit 78); lists every problem with file, line and column."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__("\n".join(shown))
        self.problems = problems


@dataclass
class NpsFile:
    """The distinct answers of one file (``rows``) and the lines that repeated an earlier one."""

    rows: list[NpsLine] = field(default_factory=list)
    encoding: str = "utf-8"
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (line, the earlier line it repeats)
    _seen: dict[tuple[str, str, int, str | None, str | None], int] = field(default_factory=dict, repr=False)

    def add(self, row: NpsLine, respondent: str | None) -> None:
        line, account, day, score, comment = row
        key = (account, day, score, comment, respondent)
        first = self._seen.setdefault(key, line)
        if first == line:
            self.rows.append(row)
        else:
            self.duplicates.append((line, first))

    @property
    def content_hash(self) -> str:
        """The default survey name: a hash of the distinct answers (respondent included), in no order."""
        return survey_hash(self._seen)


def survey_hash(answers: Iterable[tuple[str, str, int, str | None, str | None]]) -> str:
    lines = sorted("\x1f".join("" if v is None else str(v) for v in a) for a in set(answers))
    digest = hashlib.sha256("\x1e".join(lines).encode("utf-8")).hexdigest()
    return HASH_PREFIX + digest[:16]


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
    try:
        return _read_rows(path, read_rows(text), encoding)
    except CsvFormatError as exc:
        raise NpsImportError([f"{path}:{exc.line}: {exc.reason}"]) from None


def _read_rows(path: Path, rows: Iterator[tuple[int, list[str]]], encoding: str) -> NpsFile:
    _, header = next(rows, (1, []))
    if not header:
        raise NpsImportError([f"{path}:1: empty file; expected a header row: {HEADER}"])
    names = [h.strip().lower() for h in header]
    problems = [f"{path}:1: unknown column '{n}'{suggest(n, COLUMNS)}" for n in names if n and n not in COLUMNS]
    problems += [f"{path}:1: missing column '{c}' (columns: {HEADER})"
                 for c in REQUIRED if c not in names]
    if problems:
        raise NpsImportError(problems)
    out = NpsFile(encoding=encoding)
    for line, row in rows:
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
    respondent = (values.get("respondent") or "").strip() or None
    out.add(NpsLine(line, id18(account), day.isoformat(), int(score_text), comment), respondent)
    return None


Answer = tuple[str, str, int, str | None]  # account id, answered on, score, comment: what the store keeps
SURVEY_NAME_MAX = 100


def survey_name_problem(name: str) -> str | None:
    """What is wrong with a survey name given with --survey, or None."""
    if not name.strip():
        return "a survey name cannot be empty"
    if len(name) > SURVEY_NAME_MAX:
        return f"a survey name has at most {SURVEY_NAME_MAX} characters"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "a survey name cannot hold control characters"
    return None


@dataclass
class ImportPlan:
    """What importing one file as ``survey`` does to the answers already stored.

    ``same_as``: a stored survey holding exactly these answers (then nothing is written);
    ``replaced``: answers of ``survey`` the import removes; ``overlaps``: other surveys
    sharing answers with the file (a corrected export imported under a new name counts
    them twice: the user is told which survey to replace instead).
    """

    survey: str
    answers: Counter[Answer]
    same_as: str | None = None
    replaced: int = 0
    overlaps: list[tuple[str, int]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return self.same_as is not None


def answers_of(rows: Iterable[NpsLine]) -> Counter[Answer]:
    return Counter((r.account_id, r.answered_on, r.score, r.comment) for r in rows)


def plan_import(path: Path, parsed: NpsFile, survey: str | None, stored: dict[str, Counter[Answer]]) -> ImportPlan:
    """Decide the survey name and what the import changes; refuse a second copy of a stored survey.

    ``survey`` None means the default name (the content hash): the same answers already
    stored under any name are then left as they are. A name given on purpose for answers
    another survey already holds would count them twice, so that is refused.
    """
    if not parsed.rows:
        raise NpsImportError([f"{path}: no answers (a header row only)"])
    name = survey if survey is not None else parsed.content_hash
    answers = answers_of(parsed.rows)
    plan = ImportPlan(name, answers, replaced=sum(stored.get(name, Counter()).values()))
    same = sorted(s for s, held in stored.items() if held == answers)
    if name in same or (same and survey is None):
        plan.same_as = name if name in same else same[0]
        return plan
    if same:
        raise NpsImportError([f"{path}: these {answers.total()} answers are already stored as survey '{same[0]}'; "
                              f"importing them as '{name}' would count them twice (to rename that survey: "
                              f"csops nps remove '{same[0]}', then import the file again)"])
    plan.overlaps = sorted(((s, (answers & held).total()) for s, held in stored.items() if s != name),
                           key=lambda o: (-o[1], o[0]))
    plan.overlaps = [o for o in plan.overlaps if o[1]]
    return plan
