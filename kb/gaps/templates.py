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

Subjects and lines are compared by their shape, their words without numbers:
"通話時間 10分17秒" and "通話時間 4分28秒" are one header. And a layout brings
lines along that are never quite the same (an intro naming the customer), which
make its tickets look alike: a second test leaves out the words hardly said
without the layout and asks the same of what is left (_by_companions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

MIN_SHARE = 0.003  # a subject or line recurs when this share of the tickets carry it …
MIN_COUNT = 4  # … and at least this many
LAYOUT = 0.12  # tickets that share a subject or line but are less alike than this: it is a layout, not a topic
COMPANION = 0.8  # a word this share of whose tickets carry a subject or line comes with it (_by_companions)
WORD_LAYOUT = 0.135  # … tickets alike less than this in their other words (companions aside): a layout
MIN_EVIDENCE = 5  # … judged on at least this many tickets with other words
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
    found = _by_companions([("subject", s) for s in recurring_subjects if s not in layout_subjects]
                           + [("line", x) for x in recurring_lines if x not in layout_lines], subjects, lines, skip)
    layout_subjects |= {v for kind, v in found if kind == "subject"}
    layout_lines |= {v for kind, v in found if kind == "line"}
    return layout_subjects, layout_lines


def _by_companions(candidates: list[tuple[str, str]], subjects: Sequence[str], lines: Sequence[Sequence[str]],
                   skip: set[str]) -> set[tuple[str, str]]:
    """Candidates (a subject or a line) whose tickets are alike only in what comes with the layout.

    A layout brings along more than its own line: a note's intro naming the customer ("営業 平田です。<company>様の
    定例で以下の…"), a chat's "Conversation with <name> (<company>)". Those lines differ from ticket to ticket, so
    they stay in the rest and make its tickets look alike. Here the rest is words, and a word is left out when
    COMPANION of the tickets that use it carry the candidate (it is hardly said without the layout), or when it
    came with a layout found before (the commonest candidates are judged first: a note's fixed line before the
    status field only some of its tickets carry); what is left is the customer's question, which others ask
    without the layout too."""
    if not candidates:
        return set()
    W = _word_matrix(lines, skip)
    df = np.maximum(np.asarray((W > 0).sum(axis=0)).ravel(), 1)
    tickets = _carriers(candidates, subjects, lines)
    came_along = np.zeros(W.shape[1], dtype=bool)
    out = set()
    for i in sorted(range(len(candidates)), key=lambda i: (-len(tickets[i]), candidates[i])):
        if len(tickets[i]) < MIN_EVIDENCE:
            continue
        rest = W[tickets[i]]
        companion = np.asarray((rest > 0).sum(axis=0)).ravel() >= COMPANION * df
        if _unalike(sp.csr_matrix(rest.multiply(~(companion | came_along)))):
            out.add(candidates[i])
            came_along |= companion
    return out


def _carriers(candidates: list[tuple[str, str]], subjects: Sequence[str],
              lines: Sequence[Sequence[str]]) -> list[list[int]]:
    """The tickets that carry each candidate (("subject", text) or ("line", text))."""
    by_subject = {v: i for i, (kind, v) in enumerate(candidates) if kind == "subject"}
    by_line = {v: i for i, (kind, v) in enumerate(candidates) if kind == "line"}
    tickets: list[list[int]] = [[] for _ in candidates]
    for doc, (subject, ticket) in enumerate(zip(subjects, lines, strict=True)):
        i = by_subject.get(subject)
        if i is not None:
            tickets[i].append(doc)
        for x in set(ticket):
            i = by_line.get(x)
            if i is not None:
                tickets[i].append(doc)
    return tickets


def _unalike(rest: sp.csr_matrix) -> bool:
    """Whether the rows with any word left are less alike than WORD_LAYOUT (and there are MIN_EVIDENCE)."""
    norms = np.sqrt(np.asarray(rest.multiply(rest).sum(axis=1)).ravel())
    live = norms > 0
    if live.sum() < MIN_EVIDENCE:
        return False
    unit = sp.csr_matrix(rest[live].multiply(1 / norms[live][:, None]))
    total = np.asarray(unit.sum(axis=0)).ravel()
    return bool(pairwise_mean(np.array([total @ total]), np.array([int(live.sum())]))[0] < WORD_LAYOUT)


def _word_matrix(lines: Sequence[Sequence[str]], skip: set[str]) -> sp.csr_matrix:
    """Tickets × the words of their lines that do not recur (idf-weighted)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for doc, ticket in enumerate(lines):
        for w in {w for x in ticket if x not in skip for w in x.split()}:
            rows.append(doc)
            cols.append(vocab.setdefault(w, len(vocab)))
    W = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(lines), max(1, len(vocab))))
    df = np.maximum(np.asarray(W.sum(axis=0)).ravel(), 1)
    return sp.csr_matrix(W.multiply(np.log1p(len(lines) / df)))


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
