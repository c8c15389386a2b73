"""Word lists teams already keep, read as they are: textlint's prh dictionaries (``prh.yml``) and Vale's
vocabularies (``accept.txt``, ``reject.txt``), named in kb.yaml's ``writing.dictionaries``.

prh (github.com/prh/prh): each rule has ``expected`` and ``pattern`` or ``patterns`` (text, or ``/regex/flags``;
none: ``expected`` itself in any letter case and width, ``jquery`` and ``ＪＱｕｅｒｙ`` for ``jQuery``),
``options.wordBoundary``, ``regexpMustEmpty: $N`` (a match whose group N is not empty is left alone) and
``specs`` (``from`` → ``to``: what replacing gives, checked when kb.yaml loads, as prh does: a failing spec is an
error naming its line). ``imports`` (paths, or ``{path, disableImports, ignoreRules}``) are read relative to the
file that names them, inside the project folder. A match is reported only where replacing changes the text.

Patterns run on RE2 like every pattern users write (base/regex.py). prh's dictionaries lean on lookarounds
(``/サーバ(?!ー)/``), which RE2 has not: a lookahead at the end of a pattern and a lookbehind at its start are
checked around each match instead, which is what they mean there; one anywhere else is refused with its line.

Vale (vale.sh, "Vocabularies"): a folder with ``accept.txt`` (each term in the case written: ``github`` for
``GitHub`` is reported and fixable, as Vale.Terms does) and ``reject.txt`` (each term or pattern reported, as
Vale.Avoid does); ``#`` lines are comments.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceError
from base.regex import UnsupportedPattern, user_regex
from base.yamlsrc import load_file
from kb.tokens import token_regex

MAX_IMPORTS = 32  # files one dictionary may pull in, nested imports included


@dataclass(frozen=True)
class Alternative:
    """One pattern of an entry: the RE2 core and the lookarounds checked around each of its matches."""

    core: Any
    ahead: Any = None  # a match must (positive) or must not be followed by this
    ahead_positive: bool = False
    behind: Any = None  # … preceded by this (anchored at the end of the text before the match)
    behind_positive: bool = False

    def matches(self, text: str) -> Iterator[Any]:
        for m in self.core.finditer(text):
            if m.end() == m.start():
                continue
            if self.ahead is not None and (self.ahead.match(text, m.end()) is not None) != self.ahead_positive:
                continue
            if self.behind is not None:
                before = self.behind.search(text[max(0, m.start() - 64):m.start()])
                if (before is not None) != self.behind_positive:
                    continue
            yield m


@dataclass(frozen=True)
class Entry:
    """One rule of a dictionary: what to find, what to write instead (None: only report), where it is written."""

    alternatives: tuple[Alternative, ...]
    expected: str | None
    where: str  # file:line
    must_empty: int | None = None

    def matches(self, text: str) -> list[Any]:
        """Leftmost, non-overlapping matches over every alternative (an earlier alternative wins a tie), less
        those ``regexpMustEmpty`` leaves alone."""
        found = sorted(((m.start(), i, m) for i, alt in enumerate(self.alternatives) for m in alt.matches(text)),
                       key=lambda t: (t[0], t[1]))
        out, end = [], 0
        for start, _, m in found:
            if start < end:
                continue
            if self.must_empty is not None and m.group(self.must_empty):
                continue
            out.append(m)
            end = m.end()
        return out

    def replacement(self, m: Any) -> str:
        """``expected`` with ``$1``…, ``$&`` and ``$$`` filled in from the match (JavaScript's replace)."""
        if self.expected is None:
            return str(m.group(0))

        def fill(ref: re.Match[str]) -> str:
            name = ref.group(1)
            if name == "$":
                return "$"
            if name == "&":
                return str(m.group(0))
            try:
                return str(m.group(int(name)) or "")
            except (IndexError, ValueError):
                return ref.group(0)

        return re.sub(r"\$(\d+|&|\$)", fill, self.expected)

    def replace_all(self, text: str) -> str:
        out, at = [], 0
        for m in self.matches(text):
            out += [text[at:m.start()], self.replacement(m)]
            at = m.end()
        return "".join(out) + text[at:]


@dataclass
class Dictionary:
    entries: list[Entry] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    specs: int = 0  # prh specs checked


# -- prh -------------------------------------------------------------------------------------------------------------

_REGEX = re.compile(r"^/(.*)/([a-z]*)$", re.S)
_HEAD = re.compile(r"^\(\?<([!=])(.*?)\)")
_TAIL = re.compile(r"\(\?([!=])([^()]*)\)$")


def _alternative(pattern: str, flags: str, where: str) -> Alternative:
    """A JavaScript regular expression as RE2 and lookarounds at its ends."""
    behind = ahead = None
    behind_pos = ahead_pos = False
    head = _HEAD.match(pattern)
    if head:
        behind, behind_pos = user_regex(f"(?:{head.group(2)})$"), head.group(1) == "="
        pattern = pattern[head.end():]
    tail = _TAIL.search(pattern)
    if tail and not pattern.endswith("\\)"):
        ahead, ahead_pos = user_regex(tail.group(2)), tail.group(1) == "="
        pattern = pattern[:tail.start()]
    try:
        core = user_regex(pattern, "i" in flags)
    except UnsupportedPattern as exc:
        raise SourceError(f"{exc}; prh's lookarounds work only at the start (?<!…) or end (?!…) of a pattern",
                          *_split(where)) from None
    return Alternative(core, ahead, ahead_pos, behind, behind_pos)


def _split(where: str) -> tuple[str, int]:
    file, _, line = where.rpartition(":")
    return file, int(line or 1)


def _spread(expected: str, boundary: bool) -> str:
    """prh's pattern for a rule with none: ``expected`` in any letter case and width (spreadAlphaNum)."""
    out = []
    for ch in expected:
        if ch.isascii() and ch.isalpha():
            out.append(f"[{ch.upper()}{ch.lower()}{chr(ord(ch.upper()) + 0xFEE0)}{chr(ord(ch.lower()) + 0xFEE0)}]")
        elif ch.isascii() and ch.isdigit():
            out.append(f"[{ch}{chr(ord(ch) + 0xFEE0)}]")
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    return rf"\b{body}\b" if boundary else body


def _prh_rule(raw: Any, where: str) -> Entry:
    if isinstance(raw, str):
        raw = {"expected": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("expected"), str):
        raise SourceError("a prh rule needs expected (text)", *_split(where))
    expected = raw["expected"]
    options = raw.get("options") or {}
    boundary = bool(options.get("wordBoundary")) if isinstance(options, dict) else False
    patterns = raw.get("patterns", raw.get("pattern"))
    if patterns is None:
        alternatives = [_alternative(_spread(expected, boundary), "", where)]
    else:
        alternatives = []
        for p in patterns if isinstance(patterns, list) else [patterns]:
            rx = _REGEX.match(str(p))
            if rx:
                alternatives.append(_alternative(rx.group(1), rx.group(2), where))
            else:
                text = re.escape(str(p))
                alternatives.append(_alternative(rf"\b{text}\b" if boundary else text, "", where))
    must = raw.get("regexpMustEmpty")
    must_empty = int(str(must).lstrip("$")) if must is not None and str(must).lstrip("$").isdigit() else None
    return Entry(tuple(alternatives), expected, where, must_empty)


def _ignored(entry_raw: Any, ignore: list[Any]) -> bool:
    if not isinstance(entry_raw, dict):
        return False
    for rule in ignore:
        rule = {"pattern": rule} if isinstance(rule, str) else rule
        if isinstance(rule, dict) and any(entry_raw.get(k) == v or (k == "pattern" and v in (entry_raw.get(
                "patterns") or [])) for k, v in rule.items()):
            return True
    return False


def load_prh(path: Path, project: Path, dictionary: Dictionary | None = None, ignore: list[Any] | None = None,
             imports: bool = True) -> Dictionary:
    """A prh dictionary and its imports (read once each), with every spec checked."""
    out = dictionary if dictionary is not None else Dictionary()
    real = Path(os.path.realpath(path))
    if real in out.files:
        return out
    if not real.is_relative_to(os.path.realpath(project)):
        raise SourceError(f"{path} is outside the project folder ({project}): csops reads no dictionary there")
    if len(out.files) >= MAX_IMPORTS:
        raise SourceError(f"more than {MAX_IMPORTS} dictionary files through imports", str(path))
    out.files.append(real)
    doc = load_file(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    for i, raw in enumerate(data.get("rules") or []):
        where = f"{os.path.relpath(path, project)}:{doc.pos(('rules', i))[0] or 1}"
        if _ignored(raw, ignore or []):
            continue
        entry = _prh_rule(raw, where)
        _check_specs(entry, raw, doc, i, path)
        out.specs += len(raw.get("specs") or []) if isinstance(raw, dict) else 0
        out.entries.append(entry)
    for j, imp in enumerate(data.get("imports") or [] if imports else []):
        spec = {"path": imp} if isinstance(imp, str) else imp
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise SourceError("imports: expected a path or {path: …}", str(path), doc.pos(("imports", j))[0])
        load_prh(path.parent / spec["path"], project, out, list(spec.get("ignoreRules") or []),
                 not spec.get("disableImports"))
    return out


def _check_specs(entry: Entry, raw: Any, doc: Any, i: int, path: Path) -> None:
    for k, spec in enumerate(raw.get("specs") or [] if isinstance(raw, dict) else []):
        if not isinstance(spec, dict) or "from" not in spec or "to" not in spec:
            raise SourceError("a spec needs from and to", str(path), doc.pos(("rules", i, "specs", k))[0])
        got = entry.replace_all(str(spec["from"]))
        if got != str(spec["to"]):
            line = doc.pos(("rules", i, "specs", k))[0]
            raise SourceError(f"prh spec failed for '{entry.expected}': '{spec['from']}' should become "
                              f"'{spec['to']}', got '{got}'", str(path), line)


# -- Vale vocabularies -------------------------------------------------------------------------------------------

_META = re.compile(r"[\[\](){}|*+?\\^$.]")


def _terms(path: Path) -> list[tuple[str, int]]:
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        term = line.strip()
        if term and not term.startswith("#"):
            out.append((term, n))
    return out


def _literal(term: str, ignorecase: bool) -> Any:
    return token_regex(term, ignorecase)


def load_vocabulary(folder: Path, project: Path) -> tuple[Dictionary, Dictionary]:
    """A Vale vocabulary folder: (accepted terms, each a case to keep; rejected terms and patterns)."""
    real = Path(os.path.realpath(folder))
    if not real.is_relative_to(os.path.realpath(project)):
        raise SourceError(f"{folder} is outside the project folder ({project}): csops reads no vocabulary there")
    if not real.is_dir():
        raise SourceError(f"{folder}: not a folder (a Vale vocabulary holds accept.txt and reject.txt)")
    accept, reject = Dictionary(files=[real / "accept.txt"]), Dictionary(files=[real / "reject.txt"])
    shown = Path(os.path.relpath(folder, project))
    for term, n in _terms(real / "accept.txt"):
        if not _META.search(term):  # a pattern there only widens Vale's spelling check, which kb does not run
            accept.entries.append(Entry((Alternative(_literal(term, True)),), term, f"{shown / 'accept.txt'}:{n}"))
    for term, n in _terms(real / "reject.txt"):
        where = f"{shown / 'reject.txt'}:{n}"
        try:
            matcher = _literal(term, False) if not _META.search(term) else user_regex(term)
        except UnsupportedPattern as exc:
            raise SourceError(str(exc), *_split(where)) from None
        reject.entries.append(Entry((Alternative(matcher),), None, where))
    return accept, reject
