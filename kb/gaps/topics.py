"""Tickets into topics: SVD of the n-gram vectors, k-means over-clustering, then near clusters merged.

k-means with more clusters than there are topics finds tight groups even when
volumes differ by a factor of twenty; merging clusters whose centres point the
same way (average-linkage on cosine distance) then joins a topic split in two
(Japanese and English askings, a subject asked two ways). Tickets far from every
merged centre stay unassigned rather than diluting a topic.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

MERGE_DISTANCE = 0.55  # cosine distance between cluster centres joined into one topic
MIN_SIMILARITY = 0.35  # a ticket this far from its topic's centre is left unassigned
KDIV, KMAX = 15, 200  # fine clusters: one per 15 tickets, at most 200, before merging
_WORD = re.compile(r"[一-龥々〆ヵヶ]{2,}|[ァ-ヴー]{2,}|[a-z][a-z0-9+#.-]{1,}", re.IGNORECASE)
_STOP = {"the", "to", "of", "and", "in", "on", "for", "how", "is", "my", "we", "our", "can", "do", "not", "with",
         "from", "what", "are", "it", "an", "be", "does", "this", "that", "there", "re", "fw", "方法", "について"}


@dataclass
class Clustering:
    labels: np.ndarray  # topic index per ticket, -1 when unassigned
    centres: np.ndarray  # per topic, its centre in the reduced space (unit length)
    svd: TruncatedSVD | None

    def assign(self, X: sp.csr_matrix) -> np.ndarray:
        """The nearest topic of each row of ``X`` (other tickets, e.g. the previous period), or -1."""
        if self.svd is None or not len(self.centres) or X.shape[0] == 0:
            return np.full(X.shape[0], -1)
        reduced = normalize(self.svd.transform(X))
        sims = reduced @ self.centres.T
        best = sims.argmax(axis=1)
        return np.where(sims[np.arange(len(best)), best] >= MIN_SIMILARITY, best, -1)


def cluster(X: sp.csr_matrix, seed: int = 0) -> Clustering:
    n = X.shape[0]
    if n < 3:
        return Clustering(np.full(n, -1), np.zeros((0, 1)), None)
    dims = max(2, min(96, X.shape[1] - 1, n - 1))
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=4, random_state=seed)
    reduced = normalize(svd.fit_transform(X))
    # A ticket with nothing left after normalisation (only boilerplate) belongs to no topic.
    has_text = np.flatnonzero(np.linalg.norm(reduced, axis=1) > 0)
    labels = np.full(n, -1)
    if len(has_text) < 3:
        return Clustering(labels, np.zeros((0, dims)), svd)
    points = reduced[has_text]
    k = int(min(len(points), max(8, min(KMAX, len(points) // KDIV))))
    km = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=1, max_no_improvement=20)
    fine = km.fit_predict(points)
    centres = normalize(np.vstack([points[fine == c].mean(axis=0) if (fine == c).any() else km.cluster_centers_[c]
                                   for c in range(k)]))
    live = np.flatnonzero(np.linalg.norm(centres, axis=1) > 0)
    merged = np.full(k, -1)
    if len(live) > 1:
        merged[live] = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                               distance_threshold=MERGE_DISTANCE).fit_predict(centres[live])
    else:
        merged[live] = 0
    coarse = merged[fine]
    topics = np.unique(coarse[coarse >= 0])
    topic_centres = normalize(np.vstack([points[coarse == t].mean(axis=0) for t in topics]))
    remap = np.full(int(coarse.max(initial=0)) + 1, -1)
    remap[topics] = np.arange(len(topics))
    point_labels = np.where(coarse >= 0, remap[np.maximum(coarse, 0)], -1)
    sims = np.einsum("ij,ij->i", points, topic_centres[np.maximum(point_labels, 0)])
    point_labels[(sims < MIN_SIMILARITY) | (point_labels < 0)] = -1
    labels[has_text] = point_labels
    return Clustering(labels, topic_centres, svd)


def top_terms(subjects: list[str], members: list[np.ndarray], how_many: int = 5) -> list[list[str]]:
    """Per topic, the words of its subjects most particular to it (a class-based TF-IDF over word runs).

    Words are runs of kanji, of katakana or of Latin letters: readable, and
    found without a tokenizer."""
    words = [[w.lower() for w in _WORD.findall(s) if w.lower() not in _STOP] for s in subjects]
    per_topic = [Counter(w for i in idx for w in set(words[i])) for idx in members]
    spread = Counter(w for counter in per_topic for w in counter)
    out = []
    for idx, counter in zip(members, per_topic, strict=True):
        size = max(1, len(idx))
        scored = sorted(counter, key=lambda w: (-(counter[w] / size) / spread[w] ** 0.5, w))
        out.append(scored[:how_many])
    return out


def representatives(reduced_sims: np.ndarray, idx: np.ndarray, subjects: list[str], how_many: int = 2) -> list[str]:
    """The distinct subjects of the tickets nearest the topic's centre."""
    out: list[str] = []
    for i in idx[np.argsort(-reduced_sims)]:
        s = subjects[int(i)].strip()
        if s and s not in out:
            out.append(s)
        if len(out) == how_many:
            break
    return out
