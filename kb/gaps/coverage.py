"""Whether an article answers a topic: the share of the topic's weighed words it says (kb/gaps/terms.py).

Two topics can share their commonest words and one article: "how do I approve a request" and "I approved
a request by mistake, how do I undo it" both weigh 承認 and 申請 most, and the article on approving says
both in its title. When a near topic (centres at cosine ≥ SIBLING) is covered better by the same article,
a topic is judged again by what sets it apart from that one (取消, 誤, 戻): an article that answers the
first does not answer the second unless it says those too, in the measure those words carry the topic's
weight: a fragment of the sibling's own topic (one phrasing of its question) weighs mostly the words the
two share, and stays covered. The better covered of the two keeps its weights, so a topic split in two
is not judged uncovered on both sides.

A topic whose own words an article already says well (FIRM, above the covered
threshold) is not judged again: when k-means and the joining leave a covered
question in two groups by phrasing (従業員を招待したい; 店長を各店舗から招待したい),
the smaller one is set apart by its phrasing, which no article repeats, and was
judged not covered (corpus B: 2 of 5 seeds had such a part of a covered topic in
the first five proposals). A near topic of its own is set apart by what it
asks, which its nearest article does not say, so its own coverage is low already.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import scipy.sparse as sp

from kb.gaps.terms import coverage, distinctive

SIBLING = 0.3  # cosine between two topics' centres at or above which one may be judged against the other
FIRM = 0.4  # a topic whose own words an article says this well is not judged again against a near topic
SIBLING_SIZE = 3  # … if the other has at least 1/SIBLING_SIZE of its tickets (a fragment, one phrasing of a
# question, does not tell a topic several times its size what sets it apart: its other phrasings would)


@dataclass
class ArticleWords:
    """An article in every locale: its title, the words of its titles and headings, of its bodies."""

    title: str
    top: set[str] = field(default_factory=set)
    body: set[str] = field(default_factory=set)
    english: bool = False  # has an English translation


@dataclass
class TopicWords:
    index: int  # the topic's row in the clustering's centres
    counts: Counter[str]  # tickets of the topic using each word
    size: int


@dataclass
class Judgement:
    weights: list[tuple[str, float]]
    scores: list[tuple[float, str, str]]  # (coverage, article key, title), best first
    sibling: int | None = None  # the topic judged against, if any

    @property
    def best(self) -> float:
        return self.scores[0][0] if self.scores else 0.0


class Judge:
    def __init__(self, articles: dict[str, ArticleWords], background: Counter[str], total: int,
                 english_only: set[str]) -> None:
        self.articles = articles
        self.background = background
        self.total = total
        self.english_only = english_only

    def score(self, weights: list[tuple[str, float]]) -> list[tuple[float, str, str]]:
        """Each article's coverage of ``weights``. English words that only English tickets use are left out
        against an article with no English translation: it could not say them."""
        japanese = [(u, w) for u, w in weights if u not in self.english_only]
        return sorted(((coverage(weights if a.english else japanese, a.top, a.body), key, a.title)
                       for key, a in self.articles.items()), key=lambda x: (-x[0], x[1]))

    def judge(self, topics: list[TopicWords], centres: sp.csr_matrix) -> dict[int, Judgement]:
        out = {}
        for t in topics:
            weights = distinctive(t.counts, t.size, self.background, self.total)
            out[t.index] = Judgement(weights, self.score(weights))
        if len(topics) < 2:
            return out
        index = [t.index for t in topics]
        sims = (centres[index] @ centres[index].T).toarray()
        for i, t in enumerate(topics):
            mine = out[t.index]
            if not mine.scores:
                continue
            article = mine.scores[0][1]
            if mine.best >= FIRM:
                continue
            rivals = [(sims[i, j], s) for j, s in enumerate(topics) if j != i and sims[i, j] >= SIBLING
                      and s.size * SIBLING_SIZE >= t.size
                      and out[s.index].scores[0][1] == article and out[s.index].best > mine.best]
            if rivals:
                _, s = max(rivals, key=lambda r: r[0])
                out[t.index] = self._against(t, s, mine)
        return out

    def _against(self, t: TopicWords, s: TopicWords, plain: Judgement) -> Judgement:
        """``t`` judged against its better covered sibling ``s``: the part of its weight that sets it apart
        (``apart``, see below) by the words that set it apart, the rest as before. A fragment of the sibling's
        own topic (one phrasing of the same question) weighs mostly the words they share, so it stays
        covered; a topic of its own weighs mostly words the sibling does not use, so the article must say
        those."""
        weights = distinctive(t.counts, t.size, self.background, self.total, (s.counts, s.size))
        share = apart(plain.weights, t, s)
        before = {key: score for score, key, _ in plain.scores}
        scores = sorted((((1 - share) * before[key] + share * score, key, title)
                         for score, key, title in self.score(weights)), key=lambda x: (-x[0], x[1]))
        return Judgement(weights if share >= 0.5 else plain.weights, scores, s.index)


def apart(weights: list[tuple[str, float]], t: TopicWords, s: TopicWords) -> float:
    """The share of ``t``'s weight carried by what ``s`` does not say as often: each word counts by how much
    less of ``s``'s tickets use it than of ``t``'s (1 when ``s`` never does, 0 when as often or more)."""
    total = sum(w for _, w in weights)
    if not total:
        return 0.0
    mine = {u: t.counts[u] / max(t.size, 1) for u, _ in weights}
    theirs = {u: s.counts[u] / max(s.size, 1) for u, _ in weights}
    return sum(w * max(0.0, 1 - theirs[u] / mine[u]) for u, w in weights if mine[u]) / total
