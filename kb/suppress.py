"""Silencing rules for a passage, a line or an article, in kb's own words and in textlint's, markdownlint's and
Vale's, so articles brought from those tools keep their suppressions.

    <!-- kb-disable RULE… -->  …  <!-- kb-enable RULE… -->      a passage (no RULE: every rule)
    <!-- kb-disable-next-line RULE… -->                          the next line
    kb: {disable: [RULE…]}                                      front matter: the whole article
    <!-- textlint-disable ja-technical-writing/max-ten -->      textlint's names, mapped to kb's
    <!-- markdownlint-disable-next-line MD045 -->              markdownlint's codes and names
    <!-- vale off --> … <!-- vale on -->                        every rule

A suppression that silences nothing is reported (level info), as ESLint's --report-unused-disable-directives
does, so stale ones do not pile up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from base.suggest import suggest
from kb.articles import Article, Finding
from kb.model import KbSpec
from kb.writing import RULES

_COMMENT = re.compile(r"<!--\s*(.*?)\s*-->")
_FENCE = re.compile(r"^\s*(```|~~~)")
_FORMS = re.compile(r"^(kb|textlint|markdownlint)-(disable-next-line|disable-line|disable|enable)\b\s*(.*)$"
                    r"|^vale\s+(off|on)$", re.DOTALL)
ALL = "*"

SUBSTITUTION = "prh"  # textlint's rule for the team's word lists: kb.yaml's substitution rules


def aliases(tool: str) -> dict[str, str]:
    """textlint's or markdownlint's rule names (lower case) → kb's rule ids, from the rules' registrations."""
    return {name.lower(): rid for rid, r in RULES.items()
            for name in (r.textlint if tool == "textlint" else r.markdownlint)}


@dataclass
class Suppression:
    line: int
    col: int
    form: str  # the comment as written, for the unused-suppression message
    rules: frozenset[str]  # kb rule ids, or {ALL}
    first: int  # the lines it covers, inclusive
    last: int
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        return self.first <= finding.line <= self.last and (ALL in self.rules or finding.rule in self.rules)


def _names(tool: str, text: str, known: set[str], substitutions: set[str],
           problems: list[Finding], where: tuple[str, int, int]) -> frozenset[str] | None:
    """kb rule ids for the names in a directive ({ALL} when none); None when none of them is one of kb's."""
    names = [n for n in re.split(r"[\s,]+", text.strip()) if n]
    if not names:
        return frozenset({ALL})
    out: set[str] = set()
    for name in names:
        if tool == "kb":
            if name in known:
                out.add(name)
            else:
                path, line, col = where
                problems.append(Finding(path, line, col, "warning", "unknown-suppression",
                                        f"kb-disable: no rule '{name}'{suggest(name, known)}"))
            continue
        bare = name.rpartition("/")[2].removeprefix("textlint-rule-").lower()
        if tool == "textlint" and bare == SUBSTITUTION:
            out |= substitutions
        elif bare in (table := aliases(tool)):
            out.add(table[bare])
    return frozenset(out) if out else None


def parse(rel: str, body: str, first_line: int, known: set[str], substitutions: set[str],
          problems: list[Finding]) -> list[Suppression]:
    """The suppressions written in an article's body (outside code blocks)."""
    out: list[Suppression] = []
    open_: dict[str, Suppression] = {}
    end = first_line + body.count("\n") + 1
    for lineno, raw in _prose_lines(body, first_line):
        for c in _COMMENT.finditer(raw):
            form = _FORMS.match(c.group(1))
            if not form:
                continue
            tool, action, names = form.group(1) or "vale", form.group(2), form.group(3) or ""
            if tool == "vale":
                action = "disable" if form.group(4) == "off" else "enable"
            rules = _names(tool, names, known, substitutions, problems, (rel, lineno, c.start() + 1))
            if rules is not None:
                _act(action, Suppression(lineno, c.start() + 1, c.group(0), rules, lineno, end), out, open_)
    return out


def _prose_lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Each line of ``body`` outside fenced code blocks, with its line number in the file."""
    fence: str | None = None
    for i, raw in enumerate(body.split("\n")):
        m = _FENCE.match(raw)
        if fence is not None:
            fence = None if raw.strip().startswith(fence) else fence
        elif m:
            fence = m.group(1)
        else:
            yield first_line + i, raw


def _act(action: str, s: Suppression, out: list[Suppression], open_: dict[str, Suppression]) -> None:
    """What one comment does: ``s`` covers from its own line to the end of the article until it is told which."""
    if action in ("disable-next-line", "disable-line"):
        s.first = s.last = s.line + 1 if action == "disable-next-line" else s.line
        out.append(s)
    elif action == "disable":
        out.append(s)
        for r in s.rules:
            open_[r] = s
    else:
        for r in list(open_) if ALL in s.rules else s.rules:
            if r in open_:
                closed = open_.pop(r)
                closed.last = min(closed.last, s.line)


def apply(findings: Iterable[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """The findings no suppression covers, then one info finding per suppression that covered none."""
    kept = []
    for f in findings:
        hit = [s for s in suppressions if s.covers(f)]
        for s in hit:
            s.used = True
        if not hit:
            kept.append(f)
    return kept


def unused(rel: str, suppressions: list[Suppression],
           say: Callable[[str, str], str] = lambda _ja, en: en) -> list[Finding]:
    return [Finding(rel, s.line, s.col, "info", "unused-suppression",
                    say(f"{s.form} は何も無効にしていません。削除します",
                        f"{s.form} suppresses nothing here: remove it"))
            for s in suppressions if not s.used]


def for_article(spec: KbSpec, a: Article, problems: list[Finding]) -> list[Suppression]:
    """The suppression comments in the body and the front matter's ``kb: {disable: […]}``."""
    known = set(spec.rules) | {r.id for r in spec.user_rules}
    substitutions = {r.id for r in spec.user_rules if r.kind in ("substitution", "dictionary")}
    sups = parse(a.rel, a.body, a.body_line, known, substitutions, problems)
    if a.disable:
        line, col = a.front_pos("kb")
        rules = set()
        for name in a.disable:
            if name in known:
                rules.add(name)
            else:
                hint = suggest(name, known)
                problems.append(Finding(a.rel, line, col, "warning", "unknown-suppression",
                                        spec.say(f"kb.disable: 「{name}」というルールはありません{hint}",
                                                 f"kb.disable: no rule '{name}'{hint}")))
        if rules:
            sups.append(Suppression(line, col, f"kb: {{disable: [{', '.join(a.disable)}]}}",
                                     frozenset(rules), 1, 1 << 30))
    return sups
