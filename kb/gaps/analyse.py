"""Topics of the tickets, their trend, and how well the knowledge base covers each.

Pure computation over text: the CLI reads tickets from the store and articles
from kb/, and passes them in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from kb.gaps.normalize import boilerplate_pattern, clean_subject, content_words, load_boilerplate, ticket_document
from kb.gaps.topics import cluster, representatives, top_terms
from kb.gaps.vectors import CharVectorizer

COVERED = 0.45  # similarity of a topic to its nearest article at or above which it counts as covered
WEAK = 0.30  # … and below which it is not covered at all
_MD = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[#*_`>|\[\]-]+|<!--.*?-->", re.S)


@dataclass(frozen=True)
class TicketText:
    id: int
    created_at: str
    subject: str | None
    description: str | None


@dataclass(frozen=True)
class ArticleText:
    key: str  # category/section/slug
    locale: str
    title: str
    body: str


@dataclass
class ArticleMatch:
    key: str
    title: str
    similarity: float


@dataclass
class Topic:
    id: int
    terms: list[str]
    examples: list[str]
    ticket_ids: list[int]
    previous: int
    coverage: str = "not covered"
    matches: list[ArticleMatch] = field(default_factory=list)

    @property
    def tickets(self) -> int:
        return len(self.ticket_ids)

    @property
    def label(self) -> str:
        return " / ".join(self.terms[:3]) + (f" — {' | '.join(self.examples)}" if self.examples else "")

    @property
    def trend(self) -> float:
        """This period's tickets over the previous period's (a new topic counts as doubling)."""
        return self.tickets / self.previous if self.previous else 2.0

    @property
    def score(self) -> float:
        """Tickets × trend, the trend held between ½ and 2 so one quiet period cannot bury a big topic."""
        return self.tickets * min(2.0, max(0.5, self.trend))


@dataclass
class Analysis:
    topics: list[Topic]
    tickets: int
    unassigned: int

    @property
    def gaps(self) -> list[Topic]:
        """Topics not (or weakly) covered, most pressing first."""
        rank = {"not covered": 0, "weakly covered": 1}
        return sorted((t for t in self.topics if t.coverage in rank),
                      key=lambda t: (rank[t.coverage], -t.score, t.id))

    def rising_covered(self) -> list[Topic]:
        """Covered topics whose tickets keep rising: their articles may not answer the question."""
        return sorted((t for t in self.topics if t.coverage == "covered" and t.previous and t.trend >= 1.5),
                      key=lambda t: -t.score)


def article_document(article: ArticleText) -> str:
    title = content_words(clean_subject(article.title, boilerplate_pattern(("\0",))))
    body = content_words(unicodedata.normalize("NFKC", _MD.sub(" ", article.body)).lower())
    return f"{title} {title} {title} {body[:1500]}"


def analyse(current: Sequence[TicketText], previous: Sequence[TicketText], articles: Sequence[ArticleText],
            min_tickets: int = 5, boilerplate: Sequence[str] | None = None, seed: int = 0) -> Analysis:
    """Topics of ``current`` with their trend against ``previous`` and their coverage by ``articles``.

    BLAS runs on one thread: the matrices are small and thin, and on a shared two-core machine its thread
    pool spinning against other processes made a 1,300-ticket run ten times slower (20 s against 2 s)."""
    with threadpool_limits(limits=1):
        return _analyse(current, previous, articles, min_tickets, boilerplate, seed)


def _analyse(current: Sequence[TicketText], previous: Sequence[TicketText], articles: Sequence[ArticleText],
             min_tickets: int, boilerplate: Sequence[str] | None, seed: int) -> Analysis:
    pattern = boilerplate_pattern(tuple(boilerplate) if boilerplate is not None else load_boilerplate(None))
    docs = [ticket_document(t.subject, t.description, pattern) for t in current]
    vectorizer = CharVectorizer(min_df=2)
    X = vectorizer.fit_transform(docs)
    clustering = cluster(X, seed)
    before = clustering.assign(vectorizer.transform(
        [ticket_document(t.subject, t.description, pattern) for t in previous]))
    before_counts = np.bincount(before[before >= 0], minlength=len(clustering.centres))
    subjects = [clean_subject(t.subject, pattern) or (t.subject or "") for t in current]
    labels = clustering.labels
    kept = [t for t in range(len(clustering.centres)) if int((labels == t).sum()) >= min_tickets]
    members = [np.flatnonzero(labels == t) for t in kept]
    terms = top_terms(subjects, members)
    art_matrix = vectorizer.transform([article_document(a) for a in articles]) if articles else None
    reduced = normalize(clustering.svd.transform(X)) if clustering.svd is not None else None
    raw_subjects = [t.subject or "" for t in current]
    topics = []
    for number, (t, idx, words) in enumerate(zip(kept, members, terms, strict=True), 1):
        sims = reduced[idx] @ clustering.centres[t] if reduced is not None else np.zeros(len(idx))
        topic = Topic(number, words, representatives(sims, idx, raw_subjects),
                      sorted(current[int(i)].id for i in idx), int(before_counts[t]))
        if art_matrix is not None:
            _cover(topic, normalize(np.asarray(X[idx].mean(axis=0))).ravel(), art_matrix, articles)
        topics.append(topic)
    assigned = sum(t.tickets for t in topics)
    return Analysis(topics, len(current), len(current) - assigned)


def _cover(topic: Topic, centre: np.ndarray, art_matrix: object, articles: Sequence[ArticleText]) -> None:
    sims = np.asarray(art_matrix @ centre).ravel()
    best: dict[str, ArticleMatch] = {}
    for i in np.argsort(-sims):
        a = articles[int(i)]
        if a.key not in best:
            best[a.key] = ArticleMatch(a.key, a.title, round(float(sims[i]), 3))
        if len(best) == 3:
            break
    topic.matches = list(best.values())
    top = topic.matches[0].similarity if topic.matches else 0.0
    topic.coverage = "covered" if top >= COVERED else "weakly covered" if top >= WEAK else "not covered"
