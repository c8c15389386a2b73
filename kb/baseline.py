"""``kb check --baseline FILE``: today's findings recorded once (``--write-baseline``), later runs report only the
new ones.

A finding is known by its file, rule, message and the text of its line (not the line's number), counted: a
paragraph added above it moves it without making it new, and editing its line makes it new (the writer is there
anyway). Two identical findings on identical lines are two entries; fixing one leaves one. The file is JSON,
sorted, one finding a line, so a change to it reads well in a pull request.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from base.errors import InputError
from base.files import write_file
from kb.articles import Finding

VERSION = 1
Key = tuple[str, str, str, str]  # path, rule, message, sha256 of the line's text (stripped)


class BaselineError(InputError):
    """The baseline file cannot be read (input error)."""


class Lines:
    """The lines of the findings' files, read once each (relative to the knowledge base's parent folder)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._files: dict[str, list[str]] = {}

    def text(self, path: str, line: int) -> str:
        if path not in self._files:
            try:
                self._files[path] = (self.base / path).read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._files[path] = []
        lines = self._files[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def key(f: Finding, lines: Lines) -> Key:
    digest = hashlib.sha256(lines.text(f.path, f.line).strip().encode("utf-8")).hexdigest()[:16]
    return f.path, f.rule, f.message, digest


def write(path: Path, findings: list[Finding], lines: Lines) -> int:
    """Record the findings; how many."""
    counts = Counter(key(f, lines) for f in findings)
    rows = [json.dumps({"path": p, "rule": r, "message": m, "line": h, "count": n}, ensure_ascii=False)
            for (p, r, m, h), n in sorted(counts.items())]
    body = ",\n".join(f"  {row}" for row in rows)
    write_file(path, f'{{"version": {VERSION}, "tool": "kb check", "findings": [\n{body}\n]}}\n', named=True)
    return len(findings)


def read(path: Path) -> Counter[Key]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline (record one with kb check --baseline {path} "
                            "--write-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a kb check baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a kb check baseline (version {VERSION} with a findings list)")
    out: Counter[Key] = Counter()
    for i, row in enumerate(data["findings"]):
        try:
            out[(str(row["path"]), str(row["rule"]), str(row["message"]), str(row["line"]))] += int(row["count"])
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: finding {i + 1} needs path, rule, message, line and count") from None
    return out


def new_findings(findings: list[Finding], known: Counter[Key], lines: Lines) -> tuple[list[Finding], int]:
    """The findings the baseline does not account for, and how many it did."""
    left = known.copy()
    out = []
    for f in findings:
        k = key(f, lines)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(f)
    return out, len(findings) - len(out)
