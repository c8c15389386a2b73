"""``kb check --variants``: 表記ゆれ across the whole knowledge base — one word written two ways (サーバ and サーバー,
問合せ and 問い合わせ, 取消し and 取り消し, 下さい and ください), found without anyone listing the pair.

Every Japanese article's prose (headings, paragraphs, lists, tables; code and URLs are masked as for every rule)
is read by the morphological analyser of the ``ja`` extra (fugashi with unidic-lite, offline). UniDic gives each
word its lemma (語彙素), the one entry its spellings share: サーバ and サーバー are both サーバー-server, 問合せ and
問い合わせ both 問い合わせ. Spellings of a lemma (its written dictionary form, so 下さい and 下さる count once) are
counted over the whole knowledge base; where a lemma is written more than one way, every occurrence of a form
other than the commonest is reported with the counts and the commonest suggested. An uninflected word is
fixable (``--fix`` writes the commonest form).

Left out, to keep to real variants: numerals, pronouns, particles and auxiliaries, forms that differ only in
width (no-fullwidth-alnum's business), words the dictionary does not know, and ASCII.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from kb.articles import Article, Edit, Finding
from kb.model import KbSpec
from kb.parallel import forked_map
from kb.prose import extract, has_ja

RULE = "variants"
CONTENT = frozenset({"名詞", "動詞", "形容詞", "副詞", "形状詞"})
SKIP_POS2 = frozenset({"数詞", "固有名詞", "代名詞"})


@dataclass(frozen=True)
class Occurrence:
    path: str  # the article's, as findings name it
    line: int
    col: int
    surface: str
    form: str  # the written dictionary form, NFKC
    inflected: bool


Key = tuple[str, str, str]


def _occurrences(a: Article) -> list[tuple[Key, Occurrence]]:
    """Each content word of the article with its group: lemma, part of speech and reading (long vowels aside:
    サーバ and サーバー read alike; 使える and 使う share a lemma but are not one word written two ways)."""
    from kb.morphology import words

    out = []
    for b in extract(a.body, a.body_line).blocks:
        if not has_ja(b.text):
            continue
        for w in words(b.text):
            if w.pos1 not in CONTENT or w.pos2 in SKIP_POS2 or w.surface.isascii():
                continue
            line, col = b.at(w.start)
            form = unicodedata.normalize("NFKC", w.base)
            key = (w.lemma, w.pos1, w.reading.replace("ー", ""))
            out.append((key, Occurrence(a.rel, line, col, w.surface, form, w.surface != w.base)))
    return out


def find(spec: KbSpec, articles: list[Article], report_on: set[str] | None = None) -> list[Finding]:
    """The 表記ゆれ findings over ``articles`` (the whole knowledge base: the counts are its), reported on the
    articles whose paths are in ``report_on`` (None: all). The analyser runs on every core (kb.parallel)."""
    groups: dict[Key, list[Occurrence]] = {}
    japanese = [a for a in articles if a.locale.split("-")[0] == "ja"]
    for found in forked_map(_occurrences, japanese):
        for key, occ in found:
            groups.setdefault(key, []).append(occ)
    out = []
    for occs in groups.values():
        counts = Counter(o.form for o in occs)
        if len(counts) < 2:
            continue
        top, top_n = max(counts.items(), key=lambda kv: (kv[1], len({o.path for o in occs if o.form == kv[0]}),
                                                         kv[0]))
        written = _commonest_surface(occs, top)
        for o in occs:
            if o.form == top or (report_on is not None and o.path not in report_on):
                continue
            fix = Edit(o.line, o.col, o.col + len(o.surface), written) if written and not o.inflected else None
            out.append(Finding(o.path, o.line, o.col, "warning", RULE,
                               _message(spec, o.form, counts[o.form], top, top_n), fix))
    return out


def _commonest_surface(occs: list[Occurrence], form: str) -> str | None:
    uninflected = Counter(o.surface for o in occs if o.form == form and not o.inflected)
    return uninflected.most_common(1)[0][0] if uninflected else None


def _message(spec: KbSpec, form: str, n: int, top: str, top_n: int) -> str:
    if spec.language == "ja":
        return (f"表記ゆれ: 「{form}」（{n}件）と「{top}」（{top_n}件）。ナレッジベースで多い「{top}」に揃えます")
    return f"spelling variant: '{form}' ({n}) and '{top}' ({top_n}) across the knowledge base; write '{top}'"
