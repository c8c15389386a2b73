"""Tickets into topics that are one topic each.

k-means on an SVD of the n-gram vectors cuts the tickets into many small
groups, quickly. Groups are then joined by average linkage computed exactly in
the n-gram space: two groups join while the mean cosine between a ticket of one
and a ticket of the other is at least JOIN. Every mean is read off sums of unit
vectors (the mean cosine of A and B is S_A·S_B / |A||B|), so joining a thousand
groups costs a thousand-square matrix, not a pass over the tickets. A group
whose own tickets are less alike than SPLIT (a k-means cell straddling two
topics) is cut in two before joining; a finished topic whose tickets are, on
average, less alike than COHERENT is a bag of one-offs and is dropped; and a
ticket far from its topic's centre is left unassigned rather than dilute it.
The mean cosine within a topic is reported as its coherence: a purity measure
that needs no labels.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize

from kb.gaps.templates import pairwise_mean

JOIN = 0.30  # mean cosine between two groups' tickets at or above which they are one topic
RELATED = 0.20  # … at or above which two topics an article answers alike are one (join_alike)
SPLIT = 0.20  # a k-means group less alike than this inside is cut in two first
SAME = 0.3  # cosine between two gap topics' centres at or above which they are one question (join_same)
COHERENT = 0.15  # a topic whose tickets are less alike than this on average is not a topic
MEMBER = 0.12  # a ticket whose cosine to its topic's centre is below this is left out of it
PER_GROUP = 6  # tickets per k-means group, at most MAX_GROUPS groups
MAX_GROUPS = 300
DIMS = 80
SVD_SAMPLE = 20_000


@dataclass
class Clustering:
    labels: np.ndarray  # topic index per ticket, -1 when unassigned
    centres: sp.csr_matrix  # per topic, the unit-length mean of its tickets (n-gram space)
    coherence: np.ndarray  # per topic, the mean cosine between two of its tickets

    def assign(self, X: sp.csr_matrix, minimum: float = MEMBER) -> np.ndarray:
        """The nearest topic of each row of ``X`` (other tickets, e.g. the previous period), or -1."""
        if X.shape[0] == 0 or self.centres.shape[0] == 0:
            return np.full(X.shape[0], -1)
        sims = (X @ self.centres.T).toarray()
        best = sims.argmax(axis=1)
        return np.where(sims[np.arange(len(best)), best] >= minimum, best, -1)


def cluster(X: sp.csr_matrix, seed: int = 0) -> Clustering:
    """Topics of the rows of ``X`` (L2-normalised n-gram vectors; empty rows belong to none)."""
    n = X.shape[0]
    labels = np.full(n, -1)
    live = np.flatnonzero(np.diff(X.indptr) > 0)
    if len(live) < 2:
        return _finish(X, labels)
    groups = _groups(X[live], seed)
    groups = [g for part in groups for g in _split(X[live], part, seed)]
    topics = _join(X[live], groups)
    for t, members in enumerate(topics):
        labels[live[members]] = t
    return _finish(X, labels)


def _groups(X: sp.csr_matrix, seed: int) -> list[np.ndarray]:
    """Small groups of near tickets: k-means on an SVD of ``X``."""
    n = X.shape[0]
    k = int(min(MAX_GROUPS, max(2, n // PER_GROUP)))
    if n <= k:
        return [np.array([i]) for i in range(n)]
    with warnings.catch_warnings():  # identical tickets: no variance to explain, fewer distinct groups: fine
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        if X.shape[1] <= 3:
            reduced = normalize(X.toarray())
        else:
            dims = max(2, min(DIMS, X.shape[1] - 1, n - 1))
            svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=4, random_state=seed)
            if n > SVD_SAMPLE:  # the directions of the words come out the same from an evenly spread part
                svd.fit(X[np.linspace(0, n - 1, SVD_SAMPLE).astype(int)])
                reduced = normalize(svd.transform(X))
            else:
                reduced = normalize(svd.fit_transform(X))
        if n <= 5000:
            cells = KMeans(n_clusters=k, random_state=seed, n_init=1).fit_predict(reduced)
        else:
            cells = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=1,
                                    max_no_improvement=30).fit_predict(reduced)
    order = np.argsort(cells, kind="stable")
    return [g for g in np.split(order, np.cumsum(np.bincount(cells, minlength=k))[:-1]) if len(g)]


def _cohesion(X: sp.csr_matrix, members: np.ndarray) -> float:
    s = np.asarray(X[members].sum(axis=0)).ravel()
    return float(pairwise_mean(np.array([s @ s]), np.array([len(members)]))[0])


def _split(X: sp.csr_matrix, members: np.ndarray, seed: int, depth: int = 0) -> list[np.ndarray]:
    """``members`` as they are, or cut in two (and again) while the group is less alike than SPLIT."""
    if len(members) < 4 or depth > 6 or _cohesion(X, members) >= SPLIT:
        return [members]
    rows = X[members]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        halves = KMeans(n_clusters=2, random_state=seed, n_init=2).fit_predict(
            normalize(rows.toarray()) if rows.shape[1] < 4096 else _dense(rows, seed))
    if halves.min() == halves.max():
        return [members]
    return [g for h in (0, 1) for g in _split(X, members[halves == h], seed, depth + 1)]


def _dense(rows: sp.csr_matrix, seed: int) -> np.ndarray:
    dims = max(1, min(32, rows.shape[0] - 1, rows.shape[1] - 1))
    return normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(rows))


def _join(X: sp.csr_matrix, groups: list[np.ndarray], threshold: float = JOIN,
          kinds: np.ndarray | None = None, centres: bool = False,
          allowed: np.ndarray | None = None) -> list[np.ndarray]:
    """Average linkage over the groups, exact in n-gram space, stopping below ``threshold``; with ``kinds``,
    only groups of the same kind join; with ``centres``, by the cosine of the groups' centres instead of the
    mean cosine of their tickets; with ``allowed`` (a boolean matrix over the groups), only groups every one
    of whose parts may join every part of the other."""
    sizes = np.array([len(g) for g in groups], dtype=float)
    rows = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)])
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, np.concatenate(groups))), shape=(len(groups), X.shape[0]))
    sums = incidence @ X
    gram = (sums @ sums.T).toarray()
    apart = kinds[:, None] != kinds[None, :] if kinds is not None else np.zeros(gram.shape, dtype=bool)
    if allowed is not None:
        apart = apart | ~allowed
    members = [list(g) for g in groups]
    alive = np.ones(len(groups), dtype=bool)
    while True:
        scale = np.sqrt(np.maximum(np.diag(gram), 1e-12)) if centres else sizes
        between = gram / np.outer(scale, scale)
        np.fill_diagonal(between, -1.0)
        between[~alive, :] = -1.0
        between[:, ~alive] = -1.0
        between[apart] = -1.0
        a, b = np.unravel_index(int(between.argmax()), between.shape)
        if between[a, b] < threshold:
            break
        gram[a, :] += gram[b, :]
        gram[:, a] += gram[:, b]
        apart[a, :] |= apart[b, :]
        apart[:, a] |= apart[:, b]
        sizes[a] += sizes[b]
        members[a] += members[b]
        alive[b] = False
    return [np.array(sorted(members[i])) for i in np.flatnonzero(alive)]


def join_alike(X: sp.csr_matrix, clustering: Clustering, kinds: np.ndarray, threshold: float = RELATED) -> Clustering:
    """Topics of one kind (say, all not covered) joined while the mean cosine between their tickets is at
    least ``threshold``: a topic asked two ways is one proposal, while two near topics of which an article
    answers only one stay apart."""
    topics = [np.flatnonzero(clustering.labels == t) for t in range(clustering.centres.shape[0])]
    if len(topics) < 2:
        return clustering
    return _joined(X, clustering, _join(X, topics, threshold, kinds))


def join_same(X: sp.csr_matrix, clustering: Clustering, gaps: np.ndarray, allowed: np.ndarray,
              threshold: float = SAME) -> Clustering:
    """Gap topics (``gaps`` true) joined while their centres' cosine is at least ``threshold`` and ``allowed``
    says their words are alike too: one question asked in phrasings whose tickets share too few n-grams for
    the mean cosine (join_alike) is one proposal."""
    topics = [np.flatnonzero(clustering.labels == t) for t in range(clustering.centres.shape[0])]
    if int(gaps.sum()) < 2:
        return clustering
    kinds = np.where(gaps, 0, np.arange(1, len(topics) + 1))
    return _joined(X, clustering, _join(X, topics, threshold, kinds, centres=True, allowed=allowed))


def _joined(X: sp.csr_matrix, clustering: Clustering, joined: list[np.ndarray]) -> Clustering:
    """The clustering whose topics are ``joined`` (each a list of ticket rows); itself when nothing joined."""
    if len(joined) == clustering.centres.shape[0]:
        return clustering
    labels = np.full(len(clustering.labels), -1)
    for t, members in enumerate(joined):
        labels[members] = t
    return _finish(X, labels)


def relabel(X: sp.csr_matrix, labels: np.ndarray) -> Clustering:
    """The clustering of ``labels`` (after topics were joined): centres and coherence again."""
    return _finish(X, labels)


def _finish(X: sp.csr_matrix, labels: np.ndarray) -> Clustering:
    """Drop incoherent topics and far tickets; centres and coherence of what is left, topics renumbered."""
    centres: list[np.ndarray] = []
    coherence: list[float] = []
    final = np.full(len(labels), -1)
    topics = [np.flatnonzero(labels == t) for t in range(int(labels.max(initial=-1)) + 1)]
    for members in topics:
        if len(members) < 2:
            continue
        s = np.asarray(X[members].sum(axis=0)).ravel()
        centre = s / (np.linalg.norm(s) or 1.0)
        near = members[np.asarray(X[members] @ centre).ravel() >= MEMBER]
        if len(near) < 2:
            continue
        h = _cohesion(X, near)
        if h < COHERENT:
            continue
        s = np.asarray(X[near].sum(axis=0)).ravel()
        final[near] = len(centres)
        centres.append(s / (np.linalg.norm(s) or 1.0))
        coherence.append(h)
    matrix = sp.csr_matrix(np.vstack(centres)) if centres else sp.csr_matrix((0, X.shape[1]))
    return Clustering(final, matrix, np.array(coherence))
