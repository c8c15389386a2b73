"""The team's ``occurrence`` rules (Vale's kind): too many (max) or too few (min) matches in one unit."""

from __future__ import annotations

from kb.model import UserRule
from kb.prose import Prose
from kb.writing.base import UserEmit, matchers, units


def run(rule: UserRule, prose: Prose, emit: UserEmit) -> None:
    rxs = matchers(rule)
    if rule.min is None and not any(rx.search(prose.all_text) for rx in rxs):
        return
    found = units(prose, rule.scope)
    if rule.scope == "article":
        found = [("\n".join(t for t, _ in found), found[0][1] if found else (lambda i: (1, 1)))]
    for text, at in found:
        hits = sorted(m.start() for rx in rxs for m in rx.finditer(text))
        if rule.max is not None and len(hits) > rule.max:
            emit(*at(hits[rule.max]), rule, (rule.message or "{count} occurrences (max {max})")
                 .format(count=len(hits), max=rule.max, min=rule.min))
        if rule.min is not None and len(hits) < rule.min and text.strip():
            emit(*at(0), rule, (rule.message or "{count} occurrences (min {min})")
                 .format(count=len(hits), max=rule.max, min=rule.min))
