"""Phrases to write another way: weak ones (weak-phrase), redundant ones (redundant-expression)."""

from __future__ import annotations

import re

from kb.prose import Sentence, has_ja
from kb.writing.base import WORDS, Ctx, Doc, Fix, has_any, rule, token_regex

_WEAK_TOKENS = ("かもしれません", "かもしれない", "と思います", "と思われます", "ような気がします", "おそらく",
                "might", "I think", "probably", "perhaps")
_WEAK = re.compile("|".join(token_regex(t).pattern for t in _WEAK_TOKENS) + r"|(?<![A-Za-z])may be(?![A-Za-z])")
_REDUNDANT = [(re.compile(p), p_show, better) for p, p_show, better in (
    (r"することができ(る|ます)", "することができる", "できる"),
    (r"することが可能(です|だ|である)?", "することが可能", "できる"),
    (r"を行(?:う|い|います|いました|った|って|える|えます)", "を行う", "（動詞で直接書く）"),
    (r"(?<![A-Za-z])in order to(?![A-Za-z])", "in order to", "to"),
    (r"(?<![A-Za-z])is able to(?![A-Za-z])", "is able to", "can"))]


# Every match holds one of these (see has_any).
_WEAK_LITERALS = (*_WEAK_TOKENS, "may be")
_REDUNDANT_LITERALS = ("することが", "を行", "in order to", "is able to")


@rule("weak-phrase", "suggestion", Doc(
    "弱い表現（かもしれません、と思います）", "weak phrases (might, I think)",
    "反映されるかもしれません。", "反映されます。",
    wrong_en="The export might fail.", right_en="The export fails."), textlint=("ja-no-weak-phrase",))
def weak_phrase(c: Ctx, sentences: list[Sentence]) -> None:
    if not has_any(c.prose.all_text, _WEAK_LITERALS):
        return
    for s in sentences:
        if not has_any(s.text, _WEAK_LITERALS):
            continue
        for m in _WEAK.finditer(s.text):
            token = m.group(0)
            c.emit(*s.pos(m.start()), "weak-phrase",
                   c.spec.say(f"「{token}」は弱い表現です。言い切れるなら言い切ります",
                              f"'{token}' is a weak phrase; say it plainly if you can", has_ja(token)))


_ANY_REDUNDANT = re.compile("|".join(f"(?:{rx.pattern})" for rx, _, _ in _REDUNDANT))
_CAN_DO = re.compile(r"することができ(?=る|ます|ない|ません|た|れば)")  # the fix: 出力することができます → 出力できます


@rule("redundant-expression", "warning", Doc(
    "冗長な表現（することができる）", "redundant expressions (in order to)", "データを出力することができます。",
    "データを出力できます。", wrong_en="Open the page in order to export.", right_en="Open the page to export."),
    fix=Fix(_CAN_DO, lambda m: "でき", WORDS), textlint=("ja-no-redundant-expression",))
def redundant_expression(c: Ctx, sentences: list[Sentence]) -> None:
    if not has_any(c.prose.all_text, _REDUNDANT_LITERALS):
        return
    for s in sentences:
        if not has_any(s.text, _REDUNDANT_LITERALS) or not _ANY_REDUNDANT.search(s.text):
            continue
        for rx, shown, better in _REDUNDANT:
            for m in rx.finditer(s.text):
                c.emit(*s.pos(m.start()), "redundant-expression",
                       c.spec.say(f"「{m.group(0)}」は冗長です。「{better}」と書けます",
                                  f"'{m.group(0)}' is redundant: write '{better}'", has_ja(shown)))

