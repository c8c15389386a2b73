"""``kb check --fix``: every built-in fix and every user substitution with a single replacement.

Fixes touch prose only (never code, URLs or link targets), respect suppressions and disabled rules, and are
returned as :class:`Change` records, so the CLI can print what changed or show a diff and write nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from base.files import write_file
from kb.articles import Article, Edit, Finding
from kb.model import KbSpec
from kb.suppress import Suppression, for_article
from kb.writing import RULES
from kb.writing.base import token_regex

_CODE_OR_URL = re.compile(r"(`+).+?\1|<?https?://[^\s<>()\]]+>?|\]\([^)]*\)|<!--.*?-->")
_FENCE = re.compile(r"\s*(```|~~~)")
_LIST = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


@dataclass(frozen=True)
class Change:
    path: str
    line: int
    col: int
    rule: str
    before: str
    after: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col} {self.rule} '{self.before}' → '{self.after}'"


@dataclass(frozen=True)
class Fixer:
    """One rule's fix: what it matches, what it writes, and the kinds of line it may touch."""

    rule: str
    pattern: Any  # re.Pattern, or anything with finditer (a dictionary entry)
    replace: Callable[[Any], str]
    kinds: tuple[str, ...] = ("paragraph", "list", "heading", "table")
    title: bool = False  # also fixes the front matter's title (the team's word rules)


_SCOPE_KINDS = {"heading": ("heading",), "list": ("list",), "table": ("table",), "paragraph": ("paragraph",),
                "sentence": ("paragraph", "list"), "article": ("paragraph", "list", "heading", "table")}


def fixers(spec: KbSpec) -> list[Fixer]:
    """The enabled rules' fixes (registered with each rule, in their stages' order), then the team's substitutions
    with one replacement each."""
    staged = []
    for rid, r in RULES.items():
        setting = spec.rules.get(rid)
        if r.fix is not None and (setting is None or setting.enabled):
            fix = r.fix(setting.options if setting else r.options)
            staged.append((fix.stage, Fixer(rid, fix.pattern, fix.replace)))
    out = [fixer for _, fixer in sorted(staged, key=lambda s: s[0])]
    for rule in spec.user_rules:
        if rule.kind == "dictionary":
            out += [Fixer(rule.id, _Entries(entry), _entry_replacement(entry), _SCOPE_KINDS[rule.scope], True)
                    for entry in rule.entries if entry.expected is not None]
        if rule.kind != "substitution":
            continue
        for wrong, right in rule.swap.items():
            if "|" in right:
                continue  # more than one replacement: the writer chooses
            out.append(Fixer(rule.id, token_regex(wrong, rule.ignorecase), _unless_already(right),
                             _SCOPE_KINDS[rule.scope], True))
    return out


class _Entries:
    """A dictionary entry as a fixer's pattern (``finditer``: its matches, lookarounds and all)."""

    def __init__(self, entry: Any) -> None:
        self.entry = entry

    def finditer(self, text: str) -> Iterator[Any]:
        return iter(self.entry.matches(text))


def _entry_replacement(entry: Any) -> Callable[[Any], str]:
    return lambda m: str(entry.replacement(m))


def _unless_already(right: str) -> Callable[[re.Match[str]], str]:
    def replace(m: re.Match[str]) -> str:
        return m.group(0) if m.string.startswith(right, m.start()) else right
    return replace


def _kind(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("#"):
        return "heading"
    if stripped.startswith("|"):
        return "table"
    return "list" if _LIST.match(line) else "paragraph"


def fix_article(spec: KbSpec, a: Article, rules: list[Fixer],
                sups: list[Suppression] | None = None) -> tuple[str, list[Change]]:
    """The article's text with every fix applied, and the changes made (``sups``: the article's suppressions,
    when the caller has them)."""
    if sups is None:
        sups = for_article(spec, a, [])
    lines = a.text.split("\n")
    changes: list[Change] = []
    _fix_title(a, lines, [f for f in rules if f.title], changes)
    fence: str | None = None
    for i in range(a.body_line - 1, len(lines)):
        line = lines[i]
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            continue
        kind = _kind(line)
        for fixer in rules:
            if kind not in fixer.kinds or any(s.covers(Finding(a.rel, i + 1, 1, "", fixer.rule, ""))
                                              for s in sups):
                continue
            line = _fix_line(line, fixer, a.rel, i + 1, changes)
        lines[i] = line
    return "\n".join(lines), changes


def _fix_title(a: Article, lines: list[str], rules: list[Fixer], changes: list[Change]) -> None:
    """The team's word rules over the front matter's title (its text only, not the key or the quotes)."""
    at = a.title_at() if rules else None
    if at is None:
        return
    line, col = at
    raw = lines[line - 1]
    start, end = col - 1, col - 1 + len(a.title)
    title = raw[start:end]
    for fixer in rules:
        made: list[Change] = []
        title = _fix_line(title, fixer, a.rel, line, made)
        changes += [replace(c, col=c.col + start) for c in made]
    lines[line - 1] = raw[:start] + title + raw[end:]


def with_edits(spec: KbSpec, a: Article, found: list[Finding], table: list[Fixer]) -> list[Finding]:
    """The findings, each one a fix corrects carrying that fix as an :class:`Edit` on the file as it is.

    Each fixer runs alone over the original text, so every edit's columns are the file's (``--fix`` applies
    them one after another, each over the text the previous ones left). A finding takes the change of its rule
    on its line nearest its column; a finding no change answers is left as it is (not fixable)."""
    wanted = {(f.line, f.rule) for f in found}
    rules = {rule for _, rule in wanted}
    mine = [fixer for fixer in table if fixer.rule in rules]
    if not mine:
        return found
    changes = _line_changes(a, mine, wanted)
    out = []
    for f in found:
        candidates = changes.get((f.line, f.rule))
        if candidates:
            c = min(candidates, key=lambda c: abs(c.col - f.col))
            candidates.remove(c)
            f = replace(f, fix=Edit(c.line, c.col, c.col + len(c.before), c.after))
        out.append(f)
    return out


def _line_changes(a: Article, fixers_: list[Fixer], wanted: set[tuple[int, str]]) -> dict[tuple[int, str],
                                                                                         list[Change]]:
    """What each fixer alone would change on the lines that have a finding of its rule (the findings are
    already unsuppressed and outside code, so only those lines are read: the cost follows the findings)."""
    lines = a.text.split("\n")
    title = a.title_at()
    out: dict[tuple[int, str], list[Change]] = {}
    for fixer in fixers_:
        for lineno in sorted(n for n, rule in wanted if rule == fixer.rule):
            raw = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
            made: list[Change] = []
            if title is not None and lineno == title[0]:
                if fixer.title:
                    start = title[1] - 1
                    _fix_line(raw[start:start + len(a.title)], fixer, a.rel, lineno, made)
                    made = [replace(c, col=c.col + start) for c in made]
            elif lineno >= a.body_line and _kind(raw) in fixer.kinds:
                _fix_line(raw, fixer, a.rel, lineno, made)
            for c in made:
                out.setdefault((c.line, c.rule), []).append(c)
    return out


def _fix_line(line: str, fixer: Fixer, rel: str, lineno: int, changes: list[Change]) -> str:
    """The line with one fixer applied outside code, URLs, link targets and comments."""
    out, last = [], 0
    pieces = [(m.start(), m.end()) for m in _CODE_OR_URL.finditer(line)] + [(len(line), len(line))]
    for start, end in pieces:
        prose = line[last:start]
        pos = 0
        for m in fixer.pattern.finditer(prose):
            new = fixer.replace(m)
            if new != m.group(0):
                changes.append(Change(rel, lineno, last + m.start() + 1, fixer.rule, m.group(0), new))
            out.append(prose[pos:m.start()] + new)
            pos = m.end()
        out.append(prose[pos:] + line[start:end])
        last = end
    return "".join(out)


def fix_files(spec: KbSpec, articles: list[Article], write: bool = True) -> tuple[list[Change], str]:
    """Fix the articles (or only compute the fixes when ``write`` is false); the changes and a unified diff."""
    rules = fixers(spec)
    changes: list[Change] = []
    diff: list[str] = []
    for a in articles:
        fixed, made = fix_article(spec, a, rules)
        if fixed == a.text:
            continue
        changes += made
        diff += difflib.unified_diff(a.text.splitlines(keepends=True), fixed.splitlines(keepends=True),
                                     f"a/{a.rel}", f"b/{a.rel}")
        if write:  # a link among the articles stays inside the kb (kb.articles)
            write_file(a.path, fixed, named=True, newline=line_ending(a.path))
    return changes, "".join(diff)


def line_ending(path: Path) -> str:
    """The line ending most of the file's lines have on disk (the article's text has \\n: Python reads any ending
    as \\n), so a fixed file keeps its endings and a fix changes only the lines it fixes."""
    raw = path.read_bytes()
    return "\r\n" if raw.count(b"\r\n") * 2 > raw.count(b"\n") else "\n"
