"""The labelled evaluation set for ``kb gaps``: tickets with their true topic, and which topics the sample KB covers.

Generated (seeded, so every run sees the same set) from sandbox/ticket_corpus.py:
Japanese and English tickets with boilerplate, signatures, quoted replies,
typos, full- and half-width forms; 12 topics the sample knowledge base answers,
10 it does not, and noise. Volumes follow a long tail in a shuffled order, and
some topics rise from the previous period to this one.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.ticket_corpus import TOPICS, ticket_text
from sync.ticket_text import clean_description, clean_subject

NOW = datetime(2026, 11, 23, tzinfo=UTC)
RISING = {"employee-csv-import", "paid-leave", "login", "app-crash"}


@dataclass(frozen=True)
class LabelledTicket:
    id: int
    created_at: str
    subject: str | None
    description: str | None
    topic: str  # a topic id, or "noise"


def uncovered_topics() -> set[str]:
    return {t.id for t in TOPICS if t.article is None}


def generate(n: int, seed: int = 19, days: int = 90) -> list[LabelledTicket]:
    """``n`` tickets over the last 2 × ``days`` days; about half in each period, rising topics more recent."""
    rng = random.Random(seed)
    order = list(TOPICS)
    rng.shuffle(order)
    weights = [1.0 / (1 + 0.3 * i) for i in range(len(order))]
    out = []
    for tid in range(1, n + 1):
        if rng.random() < 0.06:
            topic, name = None, "noise"
        else:
            topic = rng.choices(order, weights=weights)[0]
            name = topic.id
        recent = rng.random() < (0.75 if name in RISING else 0.5)
        age = rng.uniform(0, days) if recent else rng.uniform(days, 2 * days)
        subject, description = ticket_text(topic, "ja" if rng.random() < 0.75 else "en", rng)
        created = (NOW - timedelta(days=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
        # Stored as the pull stores it: masked and capped.
        out.append(LabelledTicket(tid, created, clean_subject(subject), clean_description(description), name))
    return out


def score(gap_tickets: list[list[int]], truth: dict[int, str], min_tickets: int, current_ids: set[int],
          k: int = 5) -> tuple[float, float]:
    """(precision@k of the proposed gaps, recall of the uncovered topics).

    A proposed gap is right when most of its tickets are of one uncovered topic
    not already found by a gap ranked above it. Recall counts the uncovered
    topics with at least ``min_tickets`` tickets in the period that some gap found."""
    uncovered = uncovered_topics()
    found: list[str] = []
    right_at_k = 0
    for rank, ids in enumerate(gap_tickets):
        majority, _ = Counter(truth[i] for i in ids).most_common(1)[0]
        fresh = majority in uncovered and majority not in found
        if fresh:
            found.append(majority)
        if rank < k and fresh:
            right_at_k += 1
    volume = Counter(truth[i] for i in current_ids)
    wanted = {t for t in uncovered if volume[t] >= min_tickets}
    precision = right_at_k / min(k, len(gap_tickets)) if gap_tickets else 0.0
    recall = len(wanted & set(found)) / len(wanted) if wanted else 1.0
    return precision, recall
