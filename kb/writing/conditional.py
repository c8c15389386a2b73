"""The team's ``conditional`` rules (Vale's kind): a term used (first) but never defined (second) in the article."""

from __future__ import annotations

from base.regex import user_regex
from kb.model import UserRule
from kb.prose import Prose
from kb.writing.base import UserEmit


def run(rule: UserRule, prose: Prose, emit: UserEmit) -> None:
    first, second = user_regex(rule.first or ""), user_regex(rule.second or "")
    firsts = [(b, m) for b in prose.blocks for m in first.finditer(b.text)]
    if firsts and not any(second.search(b.text) for b in prose.blocks):
        b, m = firsts[0]
        emit(*b.at(m.start()), rule, (rule.message or "'{match}' is used but never defined")
             .format(match=m.group(0)))
