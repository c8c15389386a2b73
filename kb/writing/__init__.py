"""Writing rules over an article's prose: the built-ins and the team's own, one module per rule kind (Vale's
layout; the interface is in kb/writing/base.py).

    sentences.py    sentence-length, max-ten                     sentence metrics
    endings.py      style, ja-period                             how body sentences end
    characters.py   no-exclamation-question, no-hankaku-kana,    characters that do not belong
                    no-fullwidth-alnum, spacing, no-nfd, no-invisible-chars
    pairs.py        unmatched-pair                               brackets and quotes
    phrases.py      weak-phrase, redundant-expression            phrases to write another way
    morphology.py   no-dropping-the-ra, no-doubled-joshi,        rules that need a morphological analyser
                    no-double-negative                           (kb/morphology.py)
    existence.py, substitution.py, occurrence.py, consistency.py, conditional.py: the kinds of kb.yaml's
    user_rules
"""

from __future__ import annotations

from kb.prose import Prose
from kb.spec import KbSpec, UserRule
from kb.writing import (
    characters,
    conditional,
    consistency,
    endings,
    existence,
    morphology,
    occurrence,
    pairs,
    phrases,
    sentences,
    substitution,
)
from kb.writing.base import Check, Ctx, Emit, UserCheck, UserEmit, token_regex

__all__ = ["BUILTINS", "KINDS", "Emit", "run_builtin", "run_user_rules", "token_regex"]

#: Every built-in writing rule, by id (kb.yaml's ``rules`` turn them on or off and set their options).
BUILTINS: dict[str, Check] = {}
for _kind in (sentences, endings, characters, pairs, phrases, morphology):
    BUILTINS.update(_kind.RULES)

#: The kinds of the team's rules (kb.yaml's ``user_rules``), as Vale names them.
KINDS: dict[str, UserCheck] = {
    "existence": existence.run, "substitution": substitution.run, "occurrence": occurrence.run,
    "consistency": consistency.run, "conditional": conditional.run,
}


def run_builtin(spec: KbSpec, prose: Prose, emit: Emit) -> None:
    c = Ctx(spec, prose, emit)
    found = prose.sentences()
    for rid, check in BUILTINS.items():
        if spec.rules[rid].enabled:
            check(c, found)


def run_user_rules(rules: list[UserRule], prose: Prose, emit: UserEmit) -> None:
    for rule in rules:
        KINDS[rule.kind](rule, prose, emit)
