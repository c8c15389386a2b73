"""What in a ticket is not the customer's question, and which words mean the same: built in, and the team's own.

``kb gaps`` strips what every support inbox carries (greetings and closings,
signatures, form fields that name the customer, phone-memo headers, chat
system lines) before grouping tickets. A team adds its own in ``kb/gaps.yaml``::

    boilerplate: [弊社規定により本メールは機密です]      # phrases removed wherever they appear
    drop_lines: ['^このメールは.*自動送信']             # a line matching one is dropped (RE2)
    cut_at: ['^={5,}$']                                # the text from a matching line on is dropped (RE2)
    form_labels:
      drop: [店舗コード]                              # field whose value is not the question: label and value go
      keep: [ご相談内容]                              # field whose value is the question: the label goes
    agents: [クラウド勤怠サポート]                     # chat speakers on the support side: their lines go
    synonyms:                                         # one term each: the first is what the others become
      - [ログイン, サインイン, login, log in, sign in]

Patterns run on RE2 (linear time in the text, no backreferences or
lookarounds), each at most MAX_PATTERN characters, against the NFKC-normalised,
lower-cased line. ``kb/gaps-boilerplate.txt`` (one phrase a line) is still read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2

from base.errors import SourceError, SourceErrors
from base.suggest import suggest
from base.yamlsrc import Document, PathKey, load_file

RULES_FILE = "gaps.yaml"
BOILERPLATE_FILE = "gaps-boilerplate.txt"
MAX_PATTERN = 500
MAX_ENTRIES = 2000
KEYS = ("boilerplate", "drop_lines", "cut_at", "form_labels", "agents", "synonyms")

_RE2 = re2.Options()
_RE2.log_errors = False
_RE2.max_mem = 8 << 20
_RE2.case_sensitive = False


class GapsRulesError(SourceErrors):
    """Mistakes in kb/gaps.yaml (exit 78)."""


@dataclass
class GapsRules:
    """The team's additions; the built-in lists live in kb/gaps/normalize.py."""

    boilerplate: list[str] = field(default_factory=list)
    drop_lines: list[Any] = field(default_factory=list)  # compiled RE2 patterns
    cut_at: list[Any] = field(default_factory=list)
    drop_labels: list[str] = field(default_factory=list)
    keep_labels: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the files read, for --explain


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


def load_rules(root: Path | None) -> GapsRules:
    """The team's rules from ``root`` (the kb folder), or none."""
    rules = GapsRules()
    if root is None:
        return rules
    legacy = root / BOILERPLATE_FILE
    if legacy.is_file():
        rules.sources.append(str(legacy))
        for line in legacy.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                rules.boilerplate.append(fold(line))
    path = root / RULES_FILE
    if path.is_file():
        rules.sources.append(str(path))
        _read(load_file(path), rules)
    return rules


def _read(doc: Document, rules: GapsRules) -> None:
    problems: list[SourceError] = []
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise GapsRulesError([doc.error((), "gaps.yaml: expected a mapping with " + ", ".join(KEYS))])
    for key in data:
        if key not in KEYS:
            problems.append(doc.error((key,), f"unknown key '{key}' in gaps.yaml{suggest(str(key), KEYS)}"))
    rules.boilerplate += [fold(p) for p in _strings(doc, data.get("boilerplate"), ("boilerplate",), problems)]
    rules.agents += [fold(p) for p in _strings(doc, data.get("agents"), ("agents",), problems)]
    for key, target in (("drop_lines", rules.drop_lines), ("cut_at", rules.cut_at)):
        for i, pattern in enumerate(_strings(doc, data.get(key), (key,), problems)):
            compiled = _compile(doc, (key, i), pattern, problems)
            if compiled is not None:
                target.append(compiled)
    _labels(doc, data.get("form_labels"), rules, problems)
    _synonyms(doc, data.get("synonyms"), rules, problems)
    if problems:
        raise GapsRulesError(problems)


def _labels(doc: Document, labels: Any, rules: GapsRules, problems: list[SourceError]) -> None:
    if labels is None:
        return
    if not isinstance(labels, dict):
        problems.append(doc.error(("form_labels",), "form_labels: expected a mapping with drop and keep"))
        return
    for key in labels:
        if key not in ("drop", "keep"):
            problems.append(doc.error(("form_labels", key), f"unknown key '{key}' in form_labels"
                                                            f"{suggest(str(key), ('drop', 'keep'))}"))
    rules.drop_labels += [fold(x) for x in _strings(doc, labels.get("drop"), ("form_labels", "drop"), problems)]
    rules.keep_labels += [fold(x) for x in _strings(doc, labels.get("keep"), ("form_labels", "keep"), problems)]


def _synonyms(doc: Document, groups: Any, rules: GapsRules, problems: list[SourceError]) -> None:
    if groups is None:
        return
    if not isinstance(groups, list):
        problems.append(doc.error(("synonyms",), "synonyms: expected a list of lists of terms"))
        return
    for i, group in enumerate(groups):
        terms = _strings(doc, group, ("synonyms", i), problems)
        if len(terms) < 2:
            problems.append(doc.error(("synonyms", i), "synonyms: each entry lists at least two terms that mean "
                                                       "the same"))
        else:
            rules.synonyms.append([fold(t) for t in terms])


def any_of(patterns: list[Any]) -> Any:
    """One RE2 program matching where any of ``patterns`` does (each was checked on its own when loaded), or
    None: one pass over a line instead of one per pattern."""
    if not patterns:
        return None
    return re2.compile("|".join(f"(?:{p.pattern})" for p in patterns), _RE2)


def _strings(doc: Document, value: Any, path: PathKey, problems: list[SourceError]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(doc.error(path, f"{path[0]}: expected a list"))
        return []
    if len(value) > MAX_ENTRIES:
        problems.append(doc.error(path, f"{path[0]}: more than {MAX_ENTRIES} entries"))
        return []
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(doc.error((*path, i), f"{'.'.join(str(p) for p in path)}[{i}]: expected text"))
        else:
            out.append(item)
    return out


def _compile(doc: Document, path: PathKey, pattern: str, problems: list[SourceError]) -> Any:
    if len(pattern) > MAX_PATTERN:
        problems.append(doc.error(path, f"{path[0]}[{path[1]}]: pattern longer than {MAX_PATTERN} characters"))
        return None
    try:
        return re2.compile(unicodedata.normalize("NFKC", pattern), _RE2)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        problems.append(doc.error(path, f"{path[0]}[{path[1]}]: {pattern!r} is not a pattern RE2 accepts "
                                        f"({reason}); backreferences and lookarounds are not supported"))
        return None
