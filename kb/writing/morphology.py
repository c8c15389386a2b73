"""The rules that need a morphological analyser (kb/morphology.py): ら抜き言葉 (no-dropping-the-ra), doubled
particles (no-doubled-joshi), double negatives (no-double-negative), over the Japanese body sentences.

Registered with ``morphology=True``: without the ``ja`` extra they do not run, and kb check says so once.
"""

from __future__ import annotations

import re

from kb import morphology
from kb.prose import Sentence
from kb.writing.base import Ctx, Doc, rule


def _report(c: Ctx, rule_id: str) -> morphology.Report:
    def report(s: Sentence, offset: int, message: str) -> None:
        c.emit(*s.pos(offset), rule_id, message if c.spec.messages != "en" else _english(rule_id, message))

    return report


def _english(rule_id: str, message: str) -> str:
    """kb/morphology.py's Japanese message in English (kb.yaml's language: en), the quoted words kept."""
    quoted = re.findall(r"「(.*?)」", message)
    if rule_id == "no-dropping-the-ra" and len(quoted) >= 2:
        return f"'{quoted[0]}' drops the ら of a potential verb: write '{quoted[1]}'"
    if rule_id == "no-doubled-joshi" and quoted:
        return f"the particle '{quoted[0]}' twice in one sentence: consider rewording it"
    return "a double negative: say it in the positive"


@rule("no-dropping-the-ra", "error", Doc(
    "ら抜き言葉（ja extra が必要）", "ら-dropped potential verbs (needs the ja extra)",
    "この画面は管理者しか見れません。", "この画面は管理者しか見られません。"),
    morphology=True, textlint=("no-dropping-the-ra",))
def no_dropping_the_ra(c: Ctx, sentences: list[Sentence]) -> None:
    morphology.no_dropping_the_ra(c.ja_body(sentences), _report(c, "no-dropping-the-ra"))


@rule("no-doubled-joshi", "warning", Doc(
    "一文の中で同じ助詞が続く（ja extra が必要）",
    "the same particle twice in a row in a sentence (needs the ja extra)",
    "設定画面で一覧で選択します。", "設定画面の一覧から選択します。"),
    options={"min_interval": 1}, morphology=True, textlint=("no-doubled-joshi",))
def no_doubled_joshi(c: Ctx, sentences: list[Sentence]) -> None:
    morphology.no_doubled_joshi(c.ja_body(sentences), _report(c, "no-doubled-joshi"),
                                int(c.opt("no-doubled-joshi", "min_interval")))


@rule("no-double-negative", "warning", Doc(
    "二重否定（ja extra が必要）", "double negatives (needs the ja extra)", "この設定は変更できないことはありません。",
    "この設定は変更できます。"), morphology=True, textlint=("no-double-negative-ja",))
def no_double_negative(c: Ctx, sentences: list[Sentence]) -> None:
    morphology.no_double_negative(c.ja_body(sentences), _report(c, "no-double-negative"))
