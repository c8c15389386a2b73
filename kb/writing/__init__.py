"""Writing rules over an article: the built-ins and the team's own, one module per rule kind (Vale's layout; the
interface and the registry are in kb/writing/base.py).

    sentences.py    sentence-length, max-ten                     sentence metrics
    endings.py      style, ja-period                             how body sentences end
    characters.py   no-exclamation-question, no-hankaku-kana,    characters that do not belong
                    no-fullwidth-alnum, spacing, no-nfd, no-invisible-chars
    pairs.py        unmatched-pair                               brackets and quotes
    phrases.py      weak-phrase, redundant-expression            phrases to write another way
    morphology.py   no-dropping-the-ra, no-doubled-joshi,        rules that need a morphological analyser
                    no-double-negative                           (kb/morphology.py)
    placeholders.py placeholder                                  text left from a kb new skeleton
    structure.py    title-length, heading-structure,             the article's shape
                    required-sections, raw-marker
    links.py        image-alt, empty-link, internal-link,        links and images
                    image-exists
    existence.py, substitution.py, occurrence.py, consistency.py, conditional.py: the kinds of kb.yaml's
    user_rules; dictionary.py: the rules of its writing.dictionaries (prh, Vale vocabularies)
"""

from __future__ import annotations

from kb import morphology as _morphology
from kb.model import KbSpec, UserRule
from kb.prose import Prose
from kb.writing import (
    characters,
    conditional,
    consistency,
    dictionary,
    endings,
    existence,
    links,
    morphology,
    occurrence,
    pairs,
    phrases,
    placeholders,
    sentences,
    structure,
    substitution,
)
from kb.writing.base import RULES, Check, Corpus, Ctx, Doc, Emit, Fix, Rule, UserCheck, UserEmit, rule, token_regex

__all__ = ["KINDS", "KIND_MODULES", "RULES", "Check", "Corpus", "Ctx", "Doc", "Emit", "Fix", "Rule", "enabled",
           "morphology_rules", "rule", "run_builtin", "run_user_rules", "token_regex"]

#: The built-in rules' modules, imported for their registrations; their rules run, are listed by ``kb rules``
#: and documented in this order (each module's in the order it registers them).
KIND_MODULES = (sentences, endings, characters, pairs, phrases, morphology, placeholders, structure, links)
_ORDER = {m.__name__: i for i, m in enumerate(KIND_MODULES)}
for _rid, _rule in sorted(RULES.items(), key=lambda kv: _ORDER.get(kv[1].check.__module__, len(_ORDER))):
    RULES[_rid] = RULES.pop(_rid)

#: The kinds of the team's rules (kb.yaml's ``user_rules``), as Vale names them.
KINDS: dict[str, UserCheck] = {
    "existence": existence.run, "substitution": substitution.run, "occurrence": occurrence.run,
    "consistency": consistency.run, "conditional": conditional.run, "dictionary": dictionary.run,
}


def enabled(spec: KbSpec) -> list[Rule]:
    """The rules kb.yaml leaves on (a locked rule always is), in order."""
    return [r for r in RULES.values() if r.id not in spec.rules or spec.rules[r.id].enabled]


def morphology_rules(spec: KbSpec) -> list[str]:
    """The enabled rules that need the ``ja`` extra."""
    return [r.id for r in enabled(spec) if r.morphology]


def run_builtin(c: Ctx, rules: list[Rule]) -> None:
    """The rules over one article; those that need morphology only when the ``ja`` extra is installed."""
    found = c.prose.sentences()
    for r in rules:
        if not r.morphology or _morphology.available():
            r.check(c, found)


def run_user_rules(rules: list[UserRule], prose: Prose, emit: UserEmit) -> None:
    for user_rule in rules:
        KINDS[user_rule.kind](user_rule, prose, emit)
