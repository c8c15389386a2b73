"""Sentence metrics: a sentence too long (sentence-length), too many commas in one (max-ten)."""

from __future__ import annotations

from kb.prose import MASK, Sentence
from kb.writing.base import BODY, Check, Ctx


def sentence_length(c: Ctx, sentences: list[Sentence]) -> None:
    limit, words_limit = int(c.opt("sentence-length", "max")), int(c.opt("sentence-length", "max_words"))  # type: ignore[call-overload]
    for s in sentences:
        if s.kind not in BODY:
            continue
        text = s.text.replace(MASK, "")
        if s.ja:
            n = len(text.replace("\n", ""))
            if n > limit:
                c.emit(*s.pos(), "sentence-length",
                       f"文が長すぎます（{n}文字、上限{limit}文字）。分けられないか検討してください")
        else:
            n = len(text.split())
            if n > words_limit:
                c.emit(*s.pos(), "sentence-length",
                       f"sentence is {n} words long (max {words_limit}); consider splitting it")


def max_ten(c: Ctx, sentences: list[Sentence]) -> None:
    limit = int(c.opt("max-ten", "max"))  # type: ignore[call-overload]
    for s in sentences:
        text = s.text
        if text.count("、") + text.count("，") + text.count(",") <= limit:
            continue
        ja = s.ja
        marks = [i for i, ch in enumerate(text) if ch in ("、，" if ja else ",")]
        if len(marks) > limit:
            msg = (f"一文の読点「、」が{len(marks)}個あります（上限{limit}個）" if ja else
                   f"{len(marks)} commas in one sentence (max {limit})")
            c.emit(*s.pos(marks[limit]), "max-ten", msg)


RULES: dict[str, Check] = {"sentence-length": sentence_length, "max-ten": max_ten}
