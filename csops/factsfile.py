"""Accounts' facts from a file a person made: JSON, or CSV as Excel saves it.

Excel in Japan saves CSV as Shift_JIS (cp932) unless told otherwise, writes
dates as ``2026/11/8`` and numbers as ``"3,600,000"``; a row whose unquoted
``3,600,000`` became three cells shifts every later column, so a row with
more cells than the header is an error, never read. Every bad row is
reported, up to a cap, and an id given twice is an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.bounds import MAX_JSON_DEPTH, json_too_deep
from base.csvfile import CsvFormatError, read_rows
from base.errors import InputError

ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS (cp932)"))
MAX_PROBLEMS = 50


class FactsFileError(InputError):
    """A facts file that cannot be read: every problem found, each with its file:line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = f"\n… and {len(problems) - len(shown)} more problems" if len(problems) > len(shown) else ""
        super().__init__("\n".join(shown) + more)


@dataclass
class FactsFile:
    rows: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    encoding: str = "UTF-8"
    problems: list[str] = field(default_factory=list)


def decode(path: Path) -> tuple[str, str]:
    """The text of ``path`` and the encoding it was in (UTF-8 with or without BOM, or Shift_JIS)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FactsFileError([f"{path}: file not found"]) from None
    for codec, name in ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        bom = " with BOM" if codec == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else ""
        return text, name + bom
    raise FactsFileError([f"{path}: neither UTF-8 nor Shift_JIS text (save the CSV as UTF-8)"])


def read_facts(path: Path) -> FactsFile:
    text, encoding = decode(path)
    out = FactsFile(encoding=encoding)
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        _read_json(path, text, out)
    else:
        _read_csv(path, text, out)
    seen: dict[str, str] = {}
    for where, account_id, _ in out.rows:
        if account_id in seen:
            out.problems.append(f"{where}: id '{account_id}' is given twice (first at {seen[account_id]})")
        else:
            seen[account_id] = where
    return out


def _read_json(path: Path, text: str, out: FactsFile) -> None:
    deep = json_too_deep(text)
    if deep is not None:
        raise FactsFileError([f"{path}:{deep[0]}:{deep[1]}: nested more than {MAX_JSON_DEPTH} levels deep: a facts "
                              "file is a list of flat objects"])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FactsFileError([f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"]) from None
    if not isinstance(data, list):
        raise FactsFileError([f"{path}: expected a JSON list of objects"])
    for i, item in enumerate(data):
        where = f"{path}: item {i + 1}"
        if not isinstance(item, dict):
            out.problems.append(f"{where}: expected an object")
            continue
        _add(out, where, item)


def _read_csv(path: Path, text: str, out: FactsFile) -> None:
    try:
        _read_rows(path, read_rows(text), out)
    except CsvFormatError as exc:
        raise FactsFileError([*out.problems, f"{path}:{exc.line}: {exc.reason}"]) from None


def _read_rows(path: Path, rows: Iterator[tuple[int, list[str]]], out: FactsFile) -> None:
    _, header = next(rows, (1, []))
    if not header or not any(h.strip() for h in header):
        raise FactsFileError([f"{path}:1: the CSV has no header row"])
    header = [h.strip() for h in header]
    for line, cells in rows:
        where = f"{path}:{line}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            out.problems.append(f"{where}: {len(cells)} cells but the header has {len(header)}: a number with "
                                "thousands separators must be quoted (\"3,600,000\"), or the row has an extra comma")
            continue
        _add(out, where, dict(zip(header, cells, strict=False)))


def _add(out: FactsFile, where: str, item: dict[str, Any]) -> None:
    value = item.get("id")
    if value is None or str(value).strip() == "":
        out.problems.append(f"{where}: 'id' is missing")
        return
    out.rows.append((where, str(value).strip(), item))
