"""The words that make a topic this topic, and whether an article says them.

A topic's words are weighed by how much more often its tickets use them than
all the period's tickets do: p·log(p/q), with p the share of the topic's
tickets that use a word and q the share of all tickets (the part of the
relative entropy that word contributes). Words every topic shares (設定, エラー)
weigh little; the words of this topic (変形, 承認済, sms) weigh most.

An article covers a topic when it says what weighs most: coverage is the share
of the topic's weight whose words appear in the article's title, headings or
body. Two topics that share most words (a punch that is missing; a punch
correction that never applies) differ in the words that weigh most, so an
article about the one does not cover the other.

Words are found without a tokenizer. Japanese writes compounds without spaces
(残業申請方法), but most of their parts also stand alone somewhere in the
tickets or articles (残業, 申請, 方法): those are the vocabulary, and a longer
kanji run is read as the vocabulary words it is made of, longest first. A run
with no known part is read as overlapping pairs. Katakana runs and English
words are words as they are, and so is a kanji standing alone (届かない leaves
届). Words that name no topic (方法, 必要, 今朝) are not weighed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

_KANJI = re.compile(r"[一-龥々〆ヵヶ]+")
_KATAKANA = re.compile(r"[ァ-ヴー]{2,}")
_LATIN = re.compile(r"[a-z][a-z0-9+#]+|\d*[a-z]+\d*")
TOP = 20  # words of a topic weighed for coverage
PRIOR, PRIOR_WEIGHT = 0.01, 0.25  # a flat 1% share, a quarter of the period's weight
# Words of asking, not of a topic: how, steps, need, case, possible, this morning …
GENERIC = frozenset((
    "方法", "手順", "必要", "場合", "可能", "今朝", "昨日", "今日", "本日", "先日", "先週", "今週", "今月", "先月",
    "来月", "最近",
    "利用", "確認", "対応", "状況", "現在", "問題", "原因", "対処", "解決", "方法", "毎回", "全員", "一部", "以下",
    "以上", "件",
    "何度", "自分", "弊社", "当社", "御社", "貴社", "社内", "担当", "連絡", "回答", "返信", "至急", "急ぎ", "事前",
    "大丈夫",
    "教", "知", "思", "何", "分", "使", "今", "時", "際", "中", "後", "前", "上", "下", "内", "外", "他", "別", "方",
    "点",
    "出", "押", "見", "来", "入", "行", "言", "聞", "書", "持", "多", "少", "全", "誰", "次", "度", "回", "様", "方々",
))


class Vocabulary:
    """Words: runs of two to four kanji, or two to eight katakana, that stand alone in the texts twice."""

    def __init__(self, texts: Counter[str]) -> None:
        """``texts``: each text with how often it occurs (a ticket's lines repeat across tickets)."""
        counts: Counter[str] = Counter()
        for text, times in texts.items():
            for run in _KANJI.findall(text):
                if 2 <= len(run) <= 4:
                    counts[run] += times
            for run in _KATAKANA.findall(text):
                if len(run) <= 8:
                    counts[run] += times
        self.words = {w for w, c in counts.items() if c >= 2}
        self.katakana = {w for w in self.words if _KATAKANA.fullmatch(w)}
        self._runs: dict[str, tuple[str, ...]] = {}
        self._kana: dict[str, tuple[str, ...]] = {}
        self._units: dict[str, frozenset[str]] = {}

    def units_of(self, parts: Iterable[str]) -> set[str]:
        """The words of a document made of ``parts`` (its subject's and lines' content words), each part's
        worked out once."""
        out: set[str] = set()
        for part in parts:
            done = self._units.get(part)
            if done is None:
                done = frozenset(self.units(part))
                if len(self._units) < 300_000:
                    self._units[part] = done
            out |= done
        return out

    def split_katakana(self, run: str) -> tuple[str, ...]:
        """スマートフォンアプリ → スマートフォン, アプリ when both stand alone; else the run as it is."""
        done = self._kana.get(run)
        if done is None:
            done = (run,)
            if run not in self.katakana and len(run) >= 4:
                best: list[tuple[str, ...] | None] = [None] * (len(run) + 1)
                best[0] = ()
                for end in range(2, len(run) + 1):
                    for start in range(max(0, end - 8), end - 1):
                        prefix = best[start]
                        if prefix is not None and run[start:end] in self.katakana:
                            best[end] = (*prefix, run[start:end])
                            break
                done = best[len(run)] or (run,)
            if len(self._kana) < 100_000:
                self._kana[run] = done
        return done

    def split(self, run: str) -> tuple[str, ...]:
        """A kanji run as the vocabulary words it is made of (残業申請 → 残業, 申請 when both stand alone)."""
        done = self._runs.get(run)
        if done is not None:
            return done
        if len(run) <= 2:
            done = (run,)
        else:
            done = self._whole(run) or (self._longest(run) if run not in self.words else (run,))
        if len(self._runs) < 300_000:
            self._runs[run] = done
        return done

    def _whole(self, run: str) -> tuple[str, ...] | None:
        """``run`` cut entirely into shorter vocabulary words, or None."""
        best: list[tuple[str, ...] | None] = [None] * (len(run) + 1)
        best[0] = ()
        for end in range(2, len(run) + 1):
            for k in (2, 3):
                start = end - k
                if start >= 0 and best[start] is not None and run[start:end] in self.words and k < len(run):
                    best[end] = (*best[start], run[start:end])  # type: ignore[misc]
                    break
        return best[len(run)]

    def _longest(self, run: str) -> tuple[str, ...]:
        """The vocabulary words found in ``run``, longest first from the left; overlapping pairs if none."""
        parts, p = [], 0
        while p < len(run):
            for k in range(min(4, len(run) - p), 1, -1):
                if run[p:p + k] in self.words:
                    parts.append(run[p:p + k])
                    p += k
                    break
            else:
                p += 1
        return tuple(parts) if parts else tuple(run[i:i + 2] for i in range(len(run) - 1))

    def units(self, doc: str) -> set[str]:
        """The words of a document (content words, see normalize.content_words) for weights and coverage."""
        out: set[str] = set()
        for run in _KANJI.findall(doc):
            out.update(self.split(run))
        for run in _KATAKANA.findall(doc):
            out.update(self.split_katakana(run))
        out.update(w for w in _LATIN.findall(doc) if len(w) > 1)
        return out - GENERIC


def distinctive(counts: Counter[str], n: int, background: Counter[str], total: int,
                sibling: tuple[Counter[str], int] | None = None, how_many: int = TOP) -> list[tuple[str, float]]:
    """The ``how_many`` words most particular to a topic of ``n`` tickets whose words occur ``counts`` times,
    with their weights p·log(p/q): q is the share of all ``total`` tickets using the word (``background``),
    or of the ``sibling`` topic's tickets when higher. Against its nearest topic, a topic is what sets it
    apart: a punch correction that never applies is 修正 and 承認, not 打刻 and 反映."""
    scored = []
    for w, c in counts.items():
        if c < 2 and n > 2:
            continue
        p = c / n
        # The period's share, mixed with a little of a flat prior: a topic that is the whole period (a quiet
        # week, one question) still has its words, weighed by how often it uses them.
        q = (max(background[w], c) + PRIOR_WEIGHT * PRIOR * total) / ((1 + PRIOR_WEIGHT) * max(total, 1))
        if sibling is not None:
            q = max(q, sibling[0][w] / max(sibling[1], 1))
        weight = p * math.log(p / q) if p > q else 0.0
        if weight > 0:
            scored.append((w, weight))
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored[:how_many]


STEM = 0.5  # the share of its weight a kanji standing alone counts for in coverage (see coverage)
BODY = 0.6  # a word an article says only in its body counts this much of one in its title or a heading


def coverage(weights: Sequence[tuple[str, float]], title: set[str], body: set[str]) -> float:
    """The share of a topic's weight whose words the article says (in its body: BODY of it).

    A kanji standing alone is the stem of a verb or adjective written on in kana (忘れた, 新しい, 消えた): it
    says less of what is asked than a compound, and customers and writers pick different ones for one
    thing (パスワードを忘れた / パスワード失念, 打刻が消えた / 打刻漏れ), so it counts STEM of its weight:
    a covered question asked in other verbs is judged more by its nouns, which the article shares."""
    weights = [(u, w * STEM if len(u) == 1 and _KANJI.fullmatch(u) else w) for u, w in weights]
    total = sum(w for _, w in weights)
    said = sum(w * (1.0 if u in title else BODY if u in body else 0.0) for u, w in weights)
    return said / total if total else 0.0


def background(docs: Iterable[set[str]]) -> Counter[str]:
    return Counter(w for s in docs for w in s)
