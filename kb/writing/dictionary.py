"""The rules kb.yaml's ``writing.dictionaries`` makes of prh dictionaries and Vale vocabularies (kb/dictionaries.py):
each entry's matches, where writing its replacement would change the text (or every match, for a term to avoid).

kb check --fix applies the replacements (kb/fix.py)."""

from __future__ import annotations

from kb.model import UserRule
from kb.prose import Prose
from kb.writing.base import UserEmit, units


def run(rule: UserRule, prose: Prose, emit: UserEmit) -> None:
    live = [e for e in rule.entries if any(True for _ in e.matches(prose.all_text))]
    if not live:
        return
    for text, at in units(prose, rule.scope):
        for entry in live:
            for m in entry.matches(text):
                replacement = entry.replacement(m)
                if entry.expected is not None and replacement == m.group(0):
                    continue
                emit(*at(m.start()), rule, rule.message.format(match=m.group(0), replacement=replacement,
                                                               where=entry.where))
