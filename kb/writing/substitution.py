"""The team's ``substitution`` rules (Vale's kind, textlint's prh): a word to write another way.

kb check --fix applies the ones with a single replacement (kb/fix.py).
"""

from __future__ import annotations

from kb.model import UserRule
from kb.prose import Prose
from kb.writing.base import UserEmit, token_regex, units


def could_swap(rule: UserRule, key: str, text: str) -> bool:
    """Whether the key can be in the text at all (a substring test, before any pattern)."""
    return key in text or (rule.ignorecase and key.lower() in text.lower())


def run(rule: UserRule, prose: Prose, emit: UserEmit) -> None:
    swaps = [(token_regex(k, rule.ignorecase), v) for k, v in rule.swap.items() if could_swap(rule, k, prose.all_text)]
    if not swaps:
        return
    for text, at in units(prose, rule.scope):
        for rx, repl in swaps:
            for m in rx.finditer(text):
                if text.startswith(repl, m.start()):
                    continue  # サーバー already contains サーバ: the text is right
                emit(*at(m.start()), rule, (rule.message or "use '{replacement}' instead of '{match}'")
                     .format(match=m.group(0), replacement=repl))
