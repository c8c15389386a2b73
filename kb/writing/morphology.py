"""The rules that need a morphological analyser (kb/morphology.py): ら抜き言葉 (no-dropping-the-ra), doubled
particles (no-doubled-joshi), double negatives (no-double-negative), over the Japanese body sentences."""

from __future__ import annotations

from kb import morphology
from kb.prose import Sentence
from kb.writing.base import Check, Ctx


def _rule(rule: str) -> Check:
    """The rule from kb.morphology; nothing when the ``ja`` extra is missing (kb check says so once)."""

    def run(c: Ctx, sentences: list[Sentence]) -> None:
        if not morphology.available():
            return
        body = c.ja_body(sentences)

        def report(s: Sentence, offset: int, message: str) -> None:
            c.emit(*s.pos(offset), rule, message)

        if rule == "no-doubled-joshi":
            morphology.no_doubled_joshi(body, report, int(c.opt(rule, "min_interval")))  # type: ignore[call-overload]
        elif rule == "no-dropping-the-ra":
            morphology.no_dropping_the_ra(body, report)
        else:
            morphology.no_double_negative(body, report)

    return run


RULES: dict[str, Check] = {rule: _rule(rule) for rule in morphology.MORPHOLOGY_RULES}
