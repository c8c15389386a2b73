"""The team's ``existence`` rules (Vale's kind): each match of a token or pattern is a finding."""

from __future__ import annotations

from kb.model import UserRule
from kb.prose import Prose
from kb.writing.base import UserEmit, matchers, units


def run(rule: UserRule, prose: Prose, emit: UserEmit) -> None:
    rxs = matchers(rule)
    if rule.min is None and not any(rx.search(prose.all_text) for rx in rxs):
        return
    for text, at in units(prose, rule.scope):
        for rx in rxs:
            for m in rx.finditer(text):
                message = rule.message or "'{match}' should not be used"
                emit(*at(m.start()), rule, message.format(match=m.group(0)))
