"""Ticket text down to the question: NFKC, no quoted replies, no signature, no business boilerplate.

Japanese business mail wraps every question in the same phrases (お世話になって
おります … よろしくお願いいたします); left in, they dominate character n-gram
clusters. The default list below covers the common ones; a team adds its own
in ``<kb root>/gaps-boilerplate.txt`` (one phrase a line, ``#`` comments).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

BOILERPLATE_FILE = "gaps-boilerplate.txt"

DEFAULT_BOILERPLATE = (
    "いつも大変お世話になっております", "いつもお世話になっております", "お世話になっております", "お世話になります",
    "お疲れ様です", "お疲れさまです", "何卒よろしくお願い申し上げます", "よろしくお願い申し上げます",
    "よろしくお願いいたします", "よろしくお願い致します", "よろしくお願いします", "宜しくお願い致します",
    "お手数をおかけしますが", "お手数ですが", "ご確認のほど", "恐れ入りますが", "以上",
    "ご対応いただきありがとうございました", "お問い合わせありがとうございます", "至急", "【至急】",
    "ご確認のお願い", "ご連絡ください", "ご連絡", "問い合わせ", "お問い合わせ", "質問です", "質問", "お礼", "先日の件",
    "hello", "hi team", "hi", "dear support", "thanks", "thank you in advance", "thank you", "best regards",
    "kind regards", "regards", "follow-up", "question",
)

# A quoted reply starts at an attribution line or an "Original Message" marker; everything after it goes.
_QUOTE_START = re.compile(
    r"(?im)^(?:on .{0,120}wrote:|\d{4}年\d{1,2}月\d{1,2}日.{0,80}(?::|：)\s*$|-{2,}\s*original message\s*-{2,}|"
    r"-{2,}\s*元のメッセージ\s*-{2,}|from:\s.*$)")
# A signature starts at "--" alone on a line or a rule of dashes/equals.
_SIGNATURE = re.compile(r"(?m)^(?:--\s*|[-=_━─]{4,})$")
_QUOTED_LINE = re.compile(r"(?m)^\s*>.*$")
# "○○商事の山田です。" / "総務部 山田と申します。": who writes, not what they ask.
_NAME_INTRO = re.compile(r"^.{1,30}(?:の|\s)\S{1,8}(?:です|と申します|でございます)[。.]?$")
# A sign-off line ends the question: the name, company and contact details follow it.
_CLOSING = re.compile(r"(?im)^\s*(?:thanks|thank you|best regards|kind regards|regards|cheers|best)[,.!]?\s*$")
_PREFIX = re.compile(r"(?i)^(?:\s*(?:re|fw|fwd|転送)\s*[:：]\s*)+")
_SPACE = re.compile(r"\s+")
# What carries no topic: Japanese grammar (hiragana runs: particles, endings, です/ます) and English function words.
# Both languages share the n-grams of these with every question, which would make all tickets look alike.
_HIRAGANA = re.compile(r"[ぁ-ゖ]+|[^\w\s]+")  # and punctuation; "ー" stays: it belongs to katakana words
_LATIN = re.compile(r"[a-z]")
_MASKS = re.compile(r"<(?:email|phone|query)>|\?<query>")


def load_boilerplate(root: Path | None) -> tuple[str, ...]:
    """The default phrases plus the team's, longest first (so a long phrase is removed before its part)."""
    phrases = list(DEFAULT_BOILERPLATE)
    if root is not None and (root / BOILERPLATE_FILE).is_file():
        for line in (root / BOILERPLATE_FILE).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                phrases.append(line)
    normalised = {unicodedata.normalize("NFKC", p).lower() for p in phrases}
    return tuple(sorted(normalised, key=len, reverse=True))


class Boilerplate:
    """Removes the phrases from lower-cased NFKC text.

    Japanese phrases are plain substring replacements (a regex alternation of them tried at every
    position cost more than all the rest of the normalisation); ASCII ones match whole words only
    ("hi" must not eat "this"), and only run on text with Latin letters."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        self.literal = [p for p in phrases if not p.isascii()]
        words = [p for p in phrases if p.isascii()]
        self.words = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in words)) if words else None

    def sub(self, text: str) -> str:
        for phrase in self.literal:
            if phrase in text:
                text = text.replace(phrase, " ")
        if self.words is not None and _LATIN.search(text):
            text = self.words.sub(" ", text)
        return text


def boilerplate_pattern(phrases: tuple[str, ...]) -> Boilerplate:
    return Boilerplate(phrases)


def clean_subject(subject: str | None, boilerplate: Boilerplate) -> str:
    text = _PREFIX.sub("", unicodedata.normalize("NFKC", subject or "")).lower()
    return _SPACE.sub(" ", boilerplate.sub(text)).strip()


def clean_description(text: str | None, boilerplate: Boilerplate, limit: int = 300) -> str:
    """The question itself: before any quoted reply or signature, without greetings and sign-offs."""
    text = unicodedata.normalize("NFKC", (text or "")[:1500])
    cut = _QUOTE_START.search(text)
    if cut:
        text = text[:cut.start()]
    for marker in (_SIGNATURE, _CLOSING):
        sig = marker.search(text)
        if sig:
            text = text[:sig.start()]
    if ">" in text:
        text = _QUOTED_LINE.sub(" ", text)
    lines = [ln for ln in text.splitlines() if not _NAME_INTRO.match(ln.strip())]
    text = boilerplate.sub("\n".join(lines).lower())
    if "<" in text:
        text = _MASKS.sub(" ", text)
    return _SPACE.sub(" ", text).strip(" 、。,.")[:limit]


def content_words(text: str) -> str:
    """``text`` without hiragana runs and English stop words: the words that name a topic."""
    words = _HIRAGANA.sub(" ", text).split()
    if _LATIN.search(text):
        words = [w for w in words if w not in ENGLISH_STOP_WORDS]
    return " ".join(words)


@lru_cache(maxsize=50_000)
def _subject_words(subject: str, boilerplate: Boilerplate) -> str:
    return content_words(clean_subject(subject, boilerplate))


def ticket_document(subject: str | None, description: str | None, boilerplate: Boilerplate) -> str:
    """What the topic model reads: the subject (twice: it is the customer's own summary) and the question.

    Subjects repeat ("ログインできません" thousands of times), so their words are computed once each."""
    s = _subject_words(subject or "", boilerplate)
    return f"{s} {s} {content_words(clean_description(description, boilerplate))}".strip()
