"""Sentence metrics: a sentence too long (sentence-length), too many commas in one (max-ten)."""

from __future__ import annotations

from kb.prose import MASK, Sentence
from kb.writing.base import BODY, Ctx, Doc, rule


@rule("sentence-length", "warning", Doc(
    "一文が長すぎる（日本語は文字数、英語は語数）",
    "a sentence longer than the limit (characters in Japanese, words in English)",
    "この機能を使うと" + "勤怠データを出力して給与計算ソフトに取り込み" * 5 + "ます。",
    "この機能で勤怠データを出力します。出力したデータを給与計算ソフトに取り込みます。"),
    options={"max": 100, "max_words": 40}, textlint=("sentence-length",))
def sentence_length(c: Ctx, sentences: list[Sentence]) -> None:
    limit, words_limit = int(c.opt("sentence-length", "max")), int(c.opt("sentence-length", "max_words"))
    for s in sentences:
        if s.kind not in BODY:
            continue
        text = s.text.replace(MASK, "")
        if s.ja:
            n = len(text.replace("\n", ""))
            if n > limit:
                c.emit(*s.pos(), "sentence-length",
                       c.spec.say(f"文が長すぎます（{n}文字、上限{limit}文字）。分けられないか検討してください",
                                  f"sentence is {n} characters long (max {limit}); consider splitting it", True))
        else:
            n = len(text.split())
            if n > words_limit:
                c.emit(*s.pos(), "sentence-length",
                       c.spec.say(f"文が長すぎます（{n}語、上限{words_limit}語）。分けられないか検討してください",
                                  f"sentence is {n} words long (max {words_limit}); consider splitting it"))


@rule("max-ten", "warning", Doc(
    "一文の読点「、」が多すぎる", "too many commas in one sentence",
    "設定を開き、項目を選び、値を入力し、保存を押して、完了します。",
    "設定を開いて項目を選びます。値を入力し、保存します。",
    wrong_en="Open it, select it, change it, save it, and close it.",
    right_en="Open it and select it. Change it, then save it."),
    options={"max": 3}, textlint=("max-ten", "max-comma"))
def max_ten(c: Ctx, sentences: list[Sentence]) -> None:
    limit = int(c.opt("max-ten", "max"))
    for s in sentences:
        text = s.text
        if text.count("、") + text.count("，") + text.count(",") <= limit:
            continue
        ja = s.ja
        marks = [i for i, ch in enumerate(text) if ch in ("、，" if ja else ",")]
        if len(marks) > limit:
            msg = c.spec.say(f"一文の読点「、」が{len(marks)}個あります（上限{limit}個）",
                             f"{len(marks)} commas in one sentence (max {limit})", ja)
            c.emit(*s.pos(marks[limit]), "max-ten", msg)
