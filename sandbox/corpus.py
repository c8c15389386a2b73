"""Labelled ticket corpora for ``kb gaps``: what each corpus module provides, and tickets spread over time.

A corpus module (``sandbox/ticket_corpus.py``, ``sandbox/ticket_corpus_b.py``) knows its topics, its
companies and its layouts, and writes one ticket as a customer or an agent would. The label of each
ticket (its topic, ``oneoff-N`` or ``spam``) is returned beside the text, never inside it: the text is
what Zendesk would hold, the label is the evaluation's side of it.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Topic:
    """One reason customers write, in both languages, and the sample KB article that answers it (or None)."""

    id: str
    article: str | None
    ja_subjects: tuple[str, ...]
    ja_questions: tuple[str, ...]
    en_subjects: tuple[str, ...]
    en_questions: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class LabelledTicket:
    id: int
    created_at: str
    subject: str
    description: str
    label: str  # a topic id, "oneoff-N" or "spam"
    deleted: bool = False


# (subject, description) of a ticket with this label in this language
Writer = Callable[[str, str, random.Random], tuple[str, str]]


@dataclass(frozen=True)
class Corpus:
    name: str
    topics: tuple[Topic, ...]
    oneoffs: int  # how many distinct one-off questions the writer knows
    write: Writer
    english: float  # share of tickets in English
    oneoff_share: float = 0.08
    spam_share: float = 0.015
    rising: frozenset[str] = frozenset()  # topics with more tickets in the recent period

    def uncovered(self) -> set[str]:
        return {t.id for t in self.topics if t.article is None}

    def covered(self) -> dict[str, str]:
        return {t.id: t.article for t in self.topics if t.article is not None}


def generate(corpus: Corpus, n: int, now: datetime, seed: int = 7, days: int = 90,
             first_day: bool = False) -> list[LabelledTicket]:
    """``n`` tickets over the last 2 × ``days`` days (only the last ``days`` with ``first_day``: a team's first
    pull), with a long tail of topic volumes in a seeded order, rising topics more recent."""
    rng = random.Random(seed)
    topics = list(corpus.topics)
    order = sorted(range(len(topics)), key=lambda i: rng.random())
    weights = [0.0] * len(topics)
    for rank, i in enumerate(order):
        weights[i] = topics[i].weight / (1 + 0.22 * rank)
    out = []
    for tid in range(1, n + 1):
        roll = rng.random()
        if roll < corpus.spam_share:
            label = "spam"
        elif roll < corpus.spam_share + corpus.oneoff_share:
            label = f"oneoff-{rng.randrange(corpus.oneoffs)}"
        else:
            label = rng.choices(topics, weights=weights)[0].id
        recent = first_day or rng.random() < (0.72 if label in corpus.rising else 0.5)
        age = rng.uniform(0, days) if recent else rng.uniform(days, 2 * days)
        lang = "en" if rng.random() < corpus.english else "ja"
        subject, description = corpus.write(label, lang, rng)
        created = (now - timedelta(days=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
        deleted = label == "spam" and rng.random() < 0.5
        out.append(LabelledTicket(tid, created, subject, description, label, deleted))
    return out


def pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]


def typo(text: str, rng: random.Random) -> str:
    """One dropped, doubled or swapped character, as hurried writers do."""
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1:]
    if kind < 0.7:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def full_width(text: str) -> str:
    """ＣＳＶ, ＳＳＯ: ASCII as full-width, as pasted from Japanese word processors."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def half_width_kana(text: str) -> str:
    """ﾛｸﾞｲﾝ: katakana as half-width, as old systems and some phones write it."""
    out = []
    for c in text:
        decomposed = unicodedata.normalize("NFD", c)
        base, marks = decomposed[0], decomposed[1:]
        name = unicodedata.name(base, "")
        if not name.startswith("KATAKANA LETTER") and c != "ー":
            out.append(c)
            continue
        try:
            half = "ｰ" if c == "ー" else unicodedata.lookup("HALFWIDTH " + name)
        except KeyError:
            out.append(c)
            continue
        out.append(half + marks.replace("\u3099", "ﾞ").replace("\u309a", "ﾟ"))
    return "".join(out)


def ask(topic: Topic, en: bool, rng: random.Random, before: Sequence[str], after: Sequence[str],
        joiner: str) -> str:
    """A customer's question about ``topic`` in one language: one of its questions (now and then a second one,
    introduced by ``joiner``), after a sentence of background from ``before`` and before a closing line from
    ``after`` (either may be ""), with the slips of a hurried writer: a typo, or half-width katakana or full-width
    ASCII in Japanese, or all lower case in English."""
    questions = topic.en_questions if en else topic.ja_questions
    core = pick(rng, questions)
    if rng.random() < 0.14:
        more = pick(rng, questions)
        core = core if more == core else f"{core}\n{joiner}{more}"
    text = f"{pick(rng, before)}{core}{pick(rng, after)}".strip()
    roll = rng.random()
    if roll < 0.13:
        return typo(text, rng)
    if en:
        return text.lower() if roll < 0.2 else text
    if roll < 0.19:
        return half_width_kana(text)
    return full_width(text) if roll < 0.24 else text
