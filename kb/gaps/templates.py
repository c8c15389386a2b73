"""Subjects and lines that say how a ticket arrived, not what it asks: found from the tickets themselves.

A web form sends every ticket with the subject "Webフォームからのお問い合わせ";
a chat tool adds "Chat started" and "Bot: How can we help?"; a team's own
templates add footers no list knows. Such a subject or line recurs across
tickets about everything. One that recurs across tickets about one thing
("ログインできません") is the question itself. So each subject and line that
recurs is judged by the tickets that carry it: with it set aside, how alike is
the rest of them? Their mean pairwise cosine (1 when all the same, near 0 when
unrelated; unlike the length of their mean, it does not grow as the group
shrinks) tells a layout from a topic, without any labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

MIN_SHARE = 0.003  # a subject or line recurs when this share of the tickets carry it …
MIN_COUNT = 4  # … and at least this many
LAYOUT = 0.12  # tickets that share a subject or line but are less alike than this: it is a layout, not a topic
MIN_JUDGED = 3  # fewer tickets with any other text than this: no evidence, the subject or line stays


def layout_parts(subjects: Sequence[str], lines: Sequence[Sequence[str]],
                 vectorize: Callable[[list[str]], sp.csr_matrix]) -> tuple[set[str], set[str]]:
    """(subjects, lines) that recur across unrelated tickets, each given as its words (its shape: the numbers
    a layout fills in left out). ``vectorize`` turns documents into L2-normalised rows."""
    n = len(subjects)
    floor = max(MIN_COUNT, int(MIN_SHARE * n))
    subject_count = Counter(s for s in subjects if s)
    line_count = Counter(line for ticket in lines for line in set(ticket))
    recurring_subjects = [s for s, c in subject_count.items() if c >= floor]
    recurring_lines = [x for x, c in line_count.items() if c >= floor]
    if not recurring_subjects and not recurring_lines:
        return set(), set()
    skip = set(recurring_lines)
    docs = [" ".join(x for x in ticket if x not in skip) for ticket in lines]
    X = vectorize(docs)
    has_text = np.asarray(X.multiply(X).sum(axis=1)).ravel() > 0
    layout_subjects = _layouts(recurring_subjects, [{s} if s else set() for s in subjects], X, has_text)
    layout_lines = _layouts(recurring_lines, [set(t) for t in lines], X, has_text)
    return layout_subjects, layout_lines


def _layouts(candidates: list[str], carried: list[set[str]], X: sp.csr_matrix, has_text: np.ndarray) -> set[str]:
    if not candidates:
        return set()
    index = {c: i for i, c in enumerate(candidates)}
    rows, cols = [], []
    for doc, parts in enumerate(carried):
        if has_text[doc]:
            for part in parts:
                i = index.get(part)
                if i is not None:
                    rows.append(i)
                    cols.append(doc)
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(candidates), X.shape[0]))
    counts = np.asarray(incidence.sum(axis=1)).ravel()
    sums = incidence @ X
    cohesion = pairwise_mean(np.asarray(sums.multiply(sums).sum(axis=1)).ravel(), counts)
    return {c for c, k, h in zip(candidates, counts, cohesion, strict=True) if k >= MIN_JUDGED and h < LAYOUT}


def pairwise_mean(squared_norm_of_sum: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean cosine over the pairs of a group of unit vectors, from the squared length of their sum:
    |Σx|² = n + Σ_{i≠j} x_i·x_j. Groups of fewer than two get 1."""
    pairs = counts * (counts - 1)
    return np.divide(squared_norm_of_sum - counts, pairs, out=np.ones_like(squared_norm_of_sum, dtype=float),
                     where=pairs > 0)
