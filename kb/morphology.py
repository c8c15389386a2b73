"""Writing rules that need a morphological analyser: ら抜き言葉, doubled particles, double negatives.

They run when the ``ja`` extra is installed (``pip install 'csops[ja]'``: fugashi with unidic-lite).
Measured with ``bench/kb_morph.py`` on the prose of 1,000 generated articles (1.1 million characters):
fugashi + unidic-lite tokenised it in 0.46 s of CPU, sudachipy + sudachidict_core in 1.11 s (2.4 times
as much); both link every ら抜き form tried to its verb (UniDic's lemma, Sudachi's normalised form: 見れる
→ 見る) and keep correct potentials (走れる, 書ける) apart, and kb's rules written on UniDic find every
labelled wrong sentence and flag no right one. So fugashi, for speed; the install is about as large
(unidic-lite 249 MB unpacked, sudachidict_core 193 MB).

Without the extra these rules are off and ``kb check`` says so once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kb.prose import MASK, Sentence

INSTALL_HINT = "pip install 'csops[ja]'"


@dataclass(frozen=True)
class Token:
    surface: str
    start: int  # offset in the sentence
    pos1: str
    pos2: str
    ctype: str
    cform: str
    lemma: str
    base: str  # the written dictionary form of this very word (orthBase)


@functools.cache
def _tagger() -> Any:
    """fugashi's Tagger over unidic-lite, or None when the ``ja`` extra is not installed."""
    try:
        import fugashi
    except ImportError:
        return None
    try:
        return fugashi.Tagger()
    except RuntimeError:  # fugashi without a dictionary
        return None


def available() -> bool:
    return _tagger() is not None


@functools.lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[Token, ...]:
    """The text's words with their offsets; cached, since the three rules read the same sentences."""
    clean = text.replace(MASK, " ").replace("\n", " ")
    out: list[Token] = []
    at = 0
    for node in _tagger().parseToNodeList(clean):
        at += len(node.white_space)
        # UniDic: pos1, pos2, pos3, pos4, cType, cForm, lForm, lemma, orth, pron, orthBase, …
        f = node.feature_raw.split(",", 11)
        if len(f) < 11:
            f += [""] * (11 - len(f))
        surface = node.surface
        out.append(Token(surface, at, f[0], f[1], _field(f[4]), _field(f[5]), f[7] or surface, f[10] or surface))
        at += len(surface)
    return tuple(out)


@dataclass(frozen=True)
class Word:
    """A word with what ``kb check --variants`` compares: its lemma, written dictionary form and reading."""

    surface: str
    start: int
    pos1: str
    pos2: str
    lemma: str
    base: str  # orthBase
    reading: str  # kanaBase: the dictionary form's reading in katakana


def words(text: str) -> list[Word]:
    """The text's words with their offsets, lemma, written form and reading (UniDic's lemma, orthBase and
    kanaBase)."""
    clean = text.replace(MASK, " ").replace("\n", " ")
    out: list[Word] = []
    at = 0
    for node in _tagger().parseToNodeList(clean):
        at += len(node.white_space)
        f = node.feature_raw.split(",")
        surface = node.surface
        if len(f) > 18 and f[7] and f[7] != "*":
            out.append(Word(surface, at, f[0], f[1], f[7], f[10], f[18]))
        at += len(surface)
    return out


def _field(value: str) -> str:
    return "" if value == "*" else value


@functools.cache
def _lemma_conjugation(lemma: str) -> str:
    """The conjugation type of a verb's lemma as the dictionary knows it (見る → 上一段-マ行)."""
    words = _tagger()(lemma)
    return str(words[0].feature.cType or "") if len(words) == 1 else ""


def _is_ra_nuki(t: Token) -> bool:
    """見れる, 来れる, 食べれる: a 一段 or カ変 verb's potential form without ら (走れる is a 五段 verb's: right)."""
    if t.pos1 != "動詞" or not t.ctype.startswith("下一段-ラ行") or not t.base.endswith("れる"):
        return False
    kind = _lemma_conjugation(t.lemma)  # しれ (知れる) and 入れる are 下一段-ラ行 verbs themselves
    return kind != t.ctype and kind.startswith(_ICHIDAN)


_ICHIDAN = ("上一段", "下一段", "カ行変格")
Report = Callable[[Sentence, int, str], None]


def no_dropping_the_ra(sentences: list[Sentence], report: Report) -> None:
    for s in sentences:
        if "れ" not in s.text:
            continue
        words = tokens(s.text)
        for i, t in enumerate(words):
            # かけ + れる: a 一段 verb followed by the passive/potential れる (the right form takes られる)
            split = (i > 0 and t.pos1 == "助動詞" and t.lemma == "れる" and words[i - 1].pos1 == "動詞"
                     and words[i - 1].ctype.startswith(_ICHIDAN) and words[i - 1].start + len(words[i - 1].surface)
                     == t.start)
            # かけれます: analysed as the 仮定形 かけれ, which only ever takes ば (かければ)
            conditional = (t.pos1 == "動詞" and t.ctype.startswith(_ICHIDAN) and t.cform.startswith("仮定形")
                           and t.surface.endswith("れ") and i + 1 < len(words)
                           and words[i + 1].surface not in ("ば", "ど", "ども"))
            if split or conditional or _is_ra_nuki(t):
                verb = words[i - 1] if split else t
                report(s, verb.start, f"ら抜き言葉「{verb.surface}{t.surface if split else ''}」です。"
                                      f"「{verb.base[:-2] if _is_ra_nuki(verb) else verb.base[:-1]}られ…」と書きます")


# Particles allowed twice in a row: の (既存のコードの利用), を, も…も, や, か, と (並立), て (接続: 試していただいて).
_JOSHI_ALLOWED = {"の", "を", "も", "や", "か", "と", "て", "で:接続助詞"}
_COMMAS = {"、", "，", ","}


def _joshi_runs(words: tuple[Token, ...]) -> Iterator[tuple[str, int, int]]:
    """(key, offset, index) for each run of particles (に+は = には); a comma counts as one step apart."""
    index = 0
    i = 0
    while i < len(words):
        t = words[i]
        if t.surface in _COMMAS:
            index += 1
        elif t.pos1 == "助詞":
            j = i
            while j + 1 < len(words) and words[j + 1].pos1 == "助詞":
                j += 1
            surface = "".join(w.surface for w in words[i:j + 1])
            key = surface if j > i else f"{surface}:{t.pos2}"
            yield key, t.start, index
            index += 1
            i = j
        i += 1


def no_doubled_joshi(sentences: list[Sentence], report: Report, min_interval: int = 1) -> None:
    for s in sentences:
        for start, message in _doubled_joshi(s.text, min_interval):
            report(s, start, message)


@functools.lru_cache(maxsize=4096)
def _doubled_joshi(text: str, min_interval: int) -> tuple[tuple[int, str], ...]:
    """(offset, message) of each doubled particle in a sentence; cached with the tokens, as a manual's
    sentences repeat (steps, notes, boilerplate)."""
    out = []
    last: dict[str, int] = {}
    for key, start, index in _joshi_runs(tokens(text)):
        surface = key.partition(":")[0]
        if surface in _JOSHI_ALLOWED or key in _JOSHI_ALLOWED:
            continue
        if key in last and index - last[key] <= min_interval:
            out.append((start, f"一文に助詞「{surface}」が続けて使われています。言い換えを検討してください"))
        last[key] = index
    return tuple(out)


_NEGATIVE = {"ない", "ぬ", "ず", "ん"}


def _is_negative(t: Token) -> bool:
    return (t.pos1 == "助動詞" and t.lemma in _NEGATIVE) or (t.pos1 == "形容詞" and t.lemma in ("無い", "ない"))


def no_double_negative(sentences: list[Sentence], report: Report) -> None:
    """〜ないことはない, 〜なくもない, 〜ないわけではない, 〜ないでもない (and their です・ます forms)."""
    for s in sentences:
        if not any(n in s.text for n in ("な", "ず", "ぬ")):
            continue
        words = tokens(s.text)
        for i, t in enumerate(words):
            if not _is_negative(t):
                continue
            j = i + 1
            if j < len(words) and words[j].surface in ("こと", "わけ", "訳", "の"):
                j += 1
            if j < len(words) and words[j].surface == "で":
                j += 1
            if j < len(words) and words[j].surface in ("は", "も"):
                j += 1
            else:
                continue
            rest = words[j:j + 3]
            if rest and (_is_negative(rest[0]) or (rest[0].lemma in ("有る", "ある") and
                                                   any(w.surface == "ん" for w in rest[1:]))):
                report(s, t.start, "二重否定です。肯定の形で言い切ります")
                break
