"""Topics of the tickets, their trend, how well the knowledge base covers each, and articles that repeat.

Pure computation over text: the CLI reads tickets from the store and articles
from kb/, and passes them in.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from kb.gaps.coverage import ArticleWords, Judge, Judgement, TopicWords
from kb.gaps.glossary import SYNONYMS
from kb.gaps.normalize import Cleaned, Glossary, Normalizer, content_words
from kb.gaps.rules import GapsRules, fold
from kb.gaps.templates import MIN_COUNT, MIN_SHARE, layout_parts
from kb.gaps.terms import Vocabulary, background, distinctive
from kb.gaps.topics import Clustering, cluster, join_alike, join_same, relabel
from kb.gaps.vectors import CharVectorizer
from kb.parallel import forked_map
from store.tickets import TicketText  # what the analysis reads of a ticket: the store's own row

COVERED = 0.36  # share of a topic's weighed words an article says, at or above which the topic is covered
WEAK = 0.2  # … and below which it is not covered at all
DUPLICATE = 0.6  # n-gram cosine between two articles (same locale) at or above which they look like one
PARALLEL = 20_000  # tickets from which normalising forks a process per core
PREVIOUS_SAMPLE = 20_000  # previous-period tickets read for the trend; more are sampled evenly
RISING = 1.5  # a covered topic whose tickets grew this much: its article may need an update
_MD = re.compile(r"```.*?```|<!--.*?-->|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[*_`>|\[\]]+", re.S)
_HEADING = re.compile(r"(?m)^#{1,6}\s+(.+)$")
_NUMBERS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


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
    similarity: float  # the share of the topic's weighed words the article says


@dataclass
class Topic:
    id: int
    terms: list[str]
    examples: list[str]
    ticket_ids: list[int]
    previous: int
    coherence: float = 1.0
    coverage_score: float = 0.0
    coverage: str = "not covered"
    matches: list[ArticleMatch] = field(default_factory=list)
    weights: list[tuple[str, float]] = field(default_factory=list)

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
        """Tickets × how uncovered: what answering it would save."""
        return self.tickets * (1.0 - self.coverage_score)


@dataclass
class Duplicate:
    first: str
    second: str
    locale: str
    similarity: float


@dataclass
class Analysis:
    topics: list[Topic]
    tickets: int
    unassigned: int
    previous_tickets: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    documents: Documents | None = None  # how tickets became documents (for --explain)
    assignment: dict[int, int] = field(default_factory=dict)  # ticket id → topic id

    @property
    def gaps(self) -> list[Topic]:
        """Topics not or weakly covered, by tickets × how uncovered."""
        return sorted((t for t in self.topics if t.coverage != "covered"), key=lambda t: (-t.score, t.id))

    def rising_covered(self) -> list[Topic]:
        """Covered topics whose tickets keep rising: their articles may not answer the question."""
        return sorted((t for t in self.topics if t.coverage == "covered" and t.previous and t.trend >= RISING),
                      key=lambda t: -t.tickets)


class Documents:
    """Tickets as the documents topics are found in: the question's words, layouts set aside."""

    def __init__(self, rules: GapsRules | None = None) -> None:
        self.rules = rules or GapsRules()
        self.normalizer = Normalizer(self.rules)
        self.glossary = Glossary((*SYNONYMS, *self.rules.synonyms))
        self.layout_subjects: set[str] = set()
        self.layout_lines: set[str] = set()
        self.asides: set[str] = set()  # sentences said with questions of every topic (spread_sentences)
        self._words: dict[str, str] = {}
        self._shapes: dict[str, str] = {}

    def words(self, text: str) -> str:
        done = self._words.get(text)
        if done is None:
            done = content_words(text, self.glossary)
            if len(self._words) < 300_000:
                self._words[text] = done
        return done

    def clean(self, tickets: Sequence[TicketText]) -> list[Cleaned]:
        """Every ticket cut down to its question; from PARALLEL tickets on, in forked processes on every core
        (pure Python, and the larger part of a big run; on a shared machine two processes also get two
        shares of it)."""
        return forked_map(self._clean, tickets, threshold=PARALLEL)

    def _clean(self, ticket: TicketText) -> Cleaned:
        return self.normalizer.clean(ticket.subject, ticket.description)

    def shape(self, text: str) -> str:
        """A subject's or line's words without its numbers: what a layout repeats ("通話時間 10分17秒" and
        "通話時間 4分28秒", "closed after 30 minutes" and "after 15 minutes" are one)."""
        done = self._shapes.get(text)
        if done is None:
            words = self.words(text)
            done = _SPACES.sub(" ", _NUMBERS.sub(" ", words)).strip() if _NUMBERS.search(words) else words
            if len(self._shapes) < 300_000:
                self._shapes[text] = done
        return done

    def learn_layouts(self, cleaned: Sequence[Cleaned]) -> None:
        self.layout_subjects, self.layout_lines = layout_parts(
            [self.shape(c.subject) for c in cleaned], [[self.shape(x) for x in c.kept] for c in cleaned],
            CharVectorizer(min_df=2).fit_transform)

    def layout_subject(self, subject: str) -> bool:
        return bool(subject) and self.shape(subject) in self.layout_subjects

    def layout_line(self, line: str) -> bool:
        return self.shape(line) in self.layout_lines

    def unlaid(self, line: str) -> str:
        """A kept line without what is layout: nothing if the line is one, else the line without its asides."""
        if self.layout_line(line):
            return ""
        if self.asides and _SENTENCE_END.search(line):
            return " ".join(x for x in _SENTENCE_END.split(line) if x and self.shape(x) not in self.asides)
        return "" if self.shape(line) in self.asides else line

    def sentences(self, c: Cleaned) -> set[str]:
        """The shapes of the sentences of a ticket's kept lines, layouts aside."""
        return {self.shape(x) for line in c.kept if not self.layout_line(line)
                for x in (_SENTENCE_END.split(line) if _SENTENCE_END.search(line) else (line,)) if x}

    def parts(self, c: Cleaned) -> list[str]:
        """The content words of the subject (twice: it is the customer's own summary) and of each kept line,
        layouts and asides set aside."""
        subject = "" if self.layout_subject(c.subject) else self.words(c.subject)
        out = [subject, subject] if subject else []
        out += [w for w in (self.words(self.unlaid(x)) for x in c.kept) if w]
        return out

    def document(self, c: Cleaned) -> str:
        return " ".join(self.parts(c))

    def article(self, article: ArticleText) -> tuple[str, str]:
        """(title and headings, body) as content words."""
        body = _MD.sub(" ", article.body)
        heads = " ".join(_HEADING.findall(body))
        top = self.words(self.normalizer.strip_phrases(fold(f"{article.title} {heads}")))
        return top, self.words(fold(_HEADING.sub(" ", body)))


_SENTENCE_END = re.compile(r"(?<=[。!?])\s*|(?<=\.)\s+")


def analyse(current: Sequence[TicketText], previous: Sequence[TicketText], articles: Sequence[ArticleText],
            min_tickets: int = 5, rules: GapsRules | None = None, seed: int = 0) -> Analysis:
    """Topics of ``current`` with their trend against ``previous`` and their coverage by ``articles``.

    BLAS runs on one thread: the matrices are small and thin, and on a shared two-core machine its thread
    pool spinning against other processes made a 1,300-ticket run ten times slower (20 s against 2 s)."""
    with threadpool_limits(limits=1):
        return _analyse(current, previous, articles, min_tickets, Documents(rules), seed)


@dataclass
class _Period:
    """The current period as the analysis sees it."""

    tickets: Sequence[TicketText]
    cleaned: list[Cleaned]
    docs: list[str]
    X: sp.csr_matrix
    units: list[set[str]]
    english: list[bool]


def _analyse(current: Sequence[TicketText], previous: Sequence[TicketText], articles: Sequence[ArticleText],
             min_tickets: int, documents: Documents, seed: int) -> Analysis:
    cleaned = documents.clean(current)
    documents.learn_layouts(cleaned)
    step = max(1.0, len(cleaned) / ASIDES_SAMPLE)
    spread = [int(i * step) for i in range(min(len(cleaned), ASIDES_SAMPLE))]
    period, vectorizer, judge = _prepare([current[i] for i in spread], [cleaned[i] for i in spread], articles,
                                         documents)
    clustering, judged = _topics(period, judge, seed)
    documents.asides = spread_sentences([documents.sentences(cleaned[i]) for i in spread], clustering.labels)
    if documents.asides or len(spread) < len(cleaned):  # the topics of every ticket, asides set aside
        period, vectorizer, judge = _prepare(current, cleaned, articles, documents)
        clustering, judged = _topics(period, judge, seed)
    X = period.X
    sample, scale = _sample(previous)
    before = clustering.assign(vectorizer.transform([documents.document(c) for c in documents.clean(sample)]))
    before_counts = np.rint(np.bincount(before[before >= 0], minlength=clustering.centres.shape[0]) * scale)
    topics: list[Topic] = []
    for t in range(clustering.centres.shape[0]):
        idx = np.flatnonzero(clustering.labels == t)
        if len(idx) < min_tickets:
            continue
        counts = Counter(u for i in idx for u in period.units[i])
        label = [w for w, _ in distinctive(counts, len(idx), judge.background, judge.total, how_many=5)]
        if not label:  # its tickets share no word, only pieces of characters: one-offs, not a topic
            continue
        topic = Topic(0, label, _examples(X, clustering, t, idx, current),
                      sorted(current[int(i)].id for i in idx), int(before_counts[t]),
                      round(float(clustering.coherence[t]), 3), weights=judged[t].weights)
        _cover(topic, judged[t])
        topics.append(topic)
    topics.sort(key=lambda tp: (-tp.tickets, tp.ticket_ids[0]))
    for number, topic in enumerate(topics, 1):
        topic.id = number
    assigned = sum(t.tickets for t in topics)
    assignment = {tid: topic.id for topic in topics for tid in topic.ticket_ids}
    return Analysis(topics, len(current), len(current) - assigned, len(previous), _duplicates(documents, articles),
                    documents, assignment)


def _prepare(current: Sequence[TicketText], cleaned: list[Cleaned], articles: Sequence[ArticleText],
             documents: Documents) -> tuple[_Period, CharVectorizer, Judge]:
    """The period's documents, their vectors and words, and the judge of coverage."""
    parts = [documents.parts(c) for c in cleaned]
    docs = [" ".join(p) for p in parts]
    vectorizer = CharVectorizer(min_df=2)
    X = vectorizer.fit_transform(docs)
    art_texts = {a: documents.article(a) for a in articles}
    vocabulary = Vocabulary(Counter([*(x for p in parts for x in p),
                                     *(t for pair in art_texts.values() for t in pair)]))
    period = _Period(current, cleaned, docs, X, [vocabulary.units_of(p) for p in parts], [_english(c) for c in cleaned])
    judge = Judge(_article_units(vocabulary, art_texts), background(period.units), len(docs), _english_only(period))
    return period, vectorizer, judge


ASIDES_SAMPLE = 5_000  # tickets asides are found in (an evenly spread sample of a bigger period)
SPREAD = 0.5  # a recurring sentence fewer than this share of whose tickets are in one topic …
SPREAD_TOPICS = 3  # … and that tickets of at least this many topics say, is an aside, not a question


def spread_sentences(sentences: Sequence[set[str]], labels: np.ndarray) -> set[str]:
    """Sentences said in tickets of many topics, no topic holding most of them: asides a customer adds to any
    question ("社員30名ほどの会社です。", "お返事お待ちしています。"), written inside the question's line, so
    the layouts of whole lines miss them. Found after a first clustering, the topics standing in for what
    tickets are about: a question's own sentence sits mostly in its topic. A sentence counts as recurring
    from as many tickets as a layout line does (kb/gaps/templates.py). Only the asides are kept of that
    clustering, so it runs on at most ASIDES_SAMPLE tickets."""
    floor = max(MIN_COUNT, int(MIN_SHARE * len(sentences)))
    topics_of: dict[str, Counter[int]] = {}
    for shapes, label in zip(sentences, labels, strict=True):
        if label >= 0:
            for x in shapes:
                topics_of.setdefault(x, Counter())[int(label)] += 1
    out = set()
    for x, topics in topics_of.items():
        total = sum(topics.values())
        if x and total >= floor and len(topics) >= SPREAD_TOPICS and max(topics.values()) < SPREAD * total:
            out.add(x)
    return out


def _topics(period: _Period, judge: Judge, seed: int) -> tuple[Clustering, dict[int, Judgement]]:
    """Topics and how the articles cover each: clustered, English sides joined, then topics an article
    answers alike (both covered, or both not) joined when related."""
    clustering = cluster(period.X, seed)
    clustering = _join_languages(period.X, clustering, period.units, period.english)
    judged = _judge_all(judge, clustering, period.units)
    covered = np.array([judged[t].best >= COVERED for t in range(clustering.centres.shape[0])])
    joined = join_alike(period.X, clustering, covered)
    if joined is not clustering:
        clustering = joined
        judged = _judge_all(judge, clustering, period.units)
    gaps = np.array([judged[t].best < COVERED for t in range(clustering.centres.shape[0])])
    same = join_same(period.X, clustering, gaps, _words_alike(clustering, period.units, judge) >= SAME_WORDS)
    if same is not clustering:
        clustering = same
        judged = _judge_all(judge, clustering, period.units)
    return clustering, judged


SAME_WORDS = 0.22  # cosine of two topics' word shares (see _words_alike) at or above which they may be one


def _words_alike(clustering: Clustering, doc_units: list[set[str]], judge: Judge) -> np.ndarray:
    """Cosine between topics of the share of their tickets using each word, a word weighed by how rare it
    is in the period (log of all tickets over those using it): two phrasings of one question share the
    words that name it; a topic and its neighbour (a trial; extending a trial) share the words around it,
    not the ones that set the neighbour apart."""
    topics = range(clustering.centres.shape[0])
    members = [np.flatnonzero(clustering.labels == t) for t in topics]
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for t, idx in enumerate(members):
        for u, c in Counter(u for i in idx for u in doc_units[i]).items():
            rows.append(t)
            cols.append(vocab.setdefault(u, len(vocab)))
            vals.append(c / len(idx) * math.log(max(judge.total, 1) / max(judge.background[u], 1)))
    shares = sp.csr_matrix((vals, (rows, cols)), shape=(len(members), max(len(vocab), 1)))
    norms = np.sqrt(np.asarray(shares.multiply(shares).sum(axis=1)).ravel())
    unit = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ shares
    return np.asarray((unit @ unit.T).todense())


def _english_only(period: _Period) -> set[str]:
    """English words no Japanese ticket of the period uses (not the glossary's: those are Japanese terms)."""
    english = background(u for u, e in zip(period.units, period.english, strict=True) if e)
    japanese = background(u for u, e in zip(period.units, period.english, strict=True) if not e)
    return {u for u in english if u.isascii() and u not in japanese}


def _sample(previous: Sequence[TicketText]) -> tuple[Sequence[TicketText], float]:
    """The previous period's tickets, or an evenly spread PREVIOUS_SAMPLE of them and the factor that scales
    their counts back: the previous period only gives each topic's trend."""
    if len(previous) <= PREVIOUS_SAMPLE:
        return previous, 1.0
    step = len(previous) / PREVIOUS_SAMPLE
    return [previous[int(i * step)] for i in range(PREVIOUS_SAMPLE)], step


def _examples(X: sp.csr_matrix, clustering: Clustering, t: int, idx: np.ndarray,
              current: Sequence[TicketText], how_many: int = 2) -> list[str]:
    """The distinct subjects of the tickets nearest the topic's centre."""
    sims = np.asarray((X[idx] @ clustering.centres[t].T).todense()).ravel()
    out: list[str] = []
    for i in idx[np.argsort(-sims)]:
        s = (current[int(i)].subject or "").strip()
        if s and s not in out:
            out.append(s)
        if len(out) == how_many:
            break
    return out


ENGLISH = 0.6  # a topic this share of whose tickets are in English may be the English side of another
SAME_TOPIC = 0.5  # … which it joins when their translated words are this alike (cosine of word shares)
_JAPANESE = re.compile(r"[ぁ-んァ-ヴ一-龥]")
_LETTER = re.compile(r"[a-zA-Zぁ-んァ-ヴ一-龥]")


def _english(c: Cleaned) -> bool:
    letters = len(_LETTER.findall(c.text))
    return letters > 0 and len(_JAPANESE.findall(c.text)) < 0.2 * letters


def _join_languages(X: sp.csr_matrix, clustering: Clustering, doc_units: list[set[str]],
                    english: list[bool]) -> Clustering:
    """English tickets about a topic join its Japanese tickets when the clustering kept them apart.

    The words the two can share are those the glossary gives English tickets (ログイン for sign in):
    the non-ASCII words of English tickets. Over those, a mostly English topic is compared with each
    mostly Japanese one by the share of tickets using each word."""
    is_en = np.array(english, dtype=bool)
    topics = range(clustering.centres.shape[0])
    members = {t: np.flatnonzero(clustering.labels == t) for t in topics}
    shared = {u for i in np.flatnonzero(is_en) for u in doc_units[i] if not u.isascii()}
    if not shared:
        return clustering
    vocab = {u: k for k, u in enumerate(sorted(shared))}
    shares = np.zeros((len(members), len(vocab)))
    for t, idx in members.items():
        for i in idx:
            for u in doc_units[i]:
                k = vocab.get(u)
                if k is not None:
                    shares[t, k] += 1.0 / len(idx)
    unit = shares / np.maximum(np.linalg.norm(shares, axis=1, keepdims=True), 1e-12)
    en_share = np.array([is_en[idx].mean() if len(idx) else 0.0 for idx in members.values()])
    labels = clustering.labels.copy()
    japanese = np.flatnonzero(en_share < 1 - ENGLISH)
    joined = False
    for t in (int(x) for x in np.flatnonzero(en_share >= ENGLISH)):
        if not len(japanese):
            break
        sims = unit[japanese] @ unit[t]
        best = int(sims.argmax())
        if sims[best] >= SAME_TOPIC:
            labels[members[t]] = japanese[best]
            joined = True
    return relabel(X, labels) if joined else clustering


def _judge_all(judge: Judge, clustering: Clustering, doc_units: list[set[str]]) -> dict[int, Judgement]:
    """Every topic judged, small ones too (whether two topics join depends on it)."""
    words = []
    for t in range(clustering.centres.shape[0]):
        idx = np.flatnonzero(clustering.labels == t)
        words.append(TopicWords(t, Counter(u for i in idx for u in doc_units[i]), len(idx)))
    return judge.judge(words, clustering.centres)


def _article_units(vocabulary: Vocabulary, texts: dict[ArticleText, tuple[str, str]]) -> dict[str, ArticleWords]:
    out: dict[str, ArticleWords] = {}
    for a, (top, body) in texts.items():
        words = out.setdefault(a.key, ArticleWords(a.title))
        words.top |= vocabulary.units(top)
        words.body |= vocabulary.units(body)
        words.english |= a.locale.lower().startswith("en")
    return out


def _cover(topic: Topic, judgement: Judgement) -> None:
    topic.matches = [ArticleMatch(key, title, round(score, 3)) for score, key, title in judgement.scores[:3]]
    best = judgement.best
    topic.coverage_score = round(best, 3)
    topic.coverage = "covered" if best >= COVERED else "weakly covered" if best >= WEAK else "not covered"


def _duplicates(documents: Documents, articles: Sequence[ArticleText]) -> list[Duplicate]:
    """Pairs of articles (same locale, different keys) whose text is nearly the same."""
    if len(articles) < 2:
        return []
    texts = [" ".join(documents.article(a)) for a in articles]
    A = CharVectorizer(min_df=1).fit_transform(texts)
    sims = (A @ A.T).toarray()
    out = []
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            a, b = articles[i], articles[j]
            if a.key != b.key and a.locale == b.locale and sims[i, j] >= DUPLICATE:
                out.append(Duplicate(a.key, b.key, a.locale, round(float(sims[i, j]), 3)))
    return sorted(out, key=lambda d: -d.similarity)
