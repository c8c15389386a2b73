"""Evaluating ``kb gaps`` on a labelled corpus: tickets stored as the pull stores them, and the scores.

The corpora are sandbox/ticket_corpus.py (A, tuned on), sandbox/ticket_corpus_b.py (B, whose words the glossary
was written with in view), sandbox/ticket_corpus_c.py (C, written after the glossary; its figures were read while
kb gaps changed, so it is a tuning corpus now), sandbox/ticket_corpus_d.py (D, written by another hand and landed
before kb gaps ran on it; its figures were printed at the end of the stop that wrote it, so the method may be tuned
on it now), sandbox/ticket_corpus_e.py (E, written by yet another hand and landed before kb gaps ever ran on it; its
figures were printed at the end of the stop that wrote it, so it is a tuning corpus now),
sandbox/ticket_corpus_f.py (F, written by a fourth hand and landed before kb gaps ever ran on it; its figures were
printed at the end of the stop that wrote it, so it is a tuning corpus now), sandbox/ticket_corpus_g.py (G, written by a
fifth hand and landed before kb gaps ever ran on it; its figures were printed at the end of the stop that wrote it, so
it is a tuning corpus now) and sandbox/ticket_corpus_h.py (H, held back: written by a sixth hand and landed before kb
gaps ever ran on it; only its figures are to be read).
Their labels stay here, beside the store: ``kb gaps`` reads only what `csops pull zendesk` would have
written (the pull's own row function masks and condenses the text).

Scores, over the proposed gaps in the report's order (topics not covered or weakly covered):

- precision@k: the share of the first k proposals that are right. A proposal is right when more than
  half of its tickets carry one label, that label is an uncovered topic, and no proposal ranked above it
  found that topic already (a topic proposed twice counts once).
- recall: the share of the uncovered topics with at least ``min_topic`` tickets in the period that some
  proposal found.
- purity: the share of the proposals' tickets that carry their proposal's majority label.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

from sandbox.corpus import Corpus, LabelledTicket, generate
from store import Store
from sync.pull import ticket_row

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, tzinfo=UTC)
UNTIL = "2026-11-23"
SINCE = "2026-08-26"  # the first day of the 90 days up to UNTIL


def corpus_a() -> Corpus:
    from sandbox.ticket_corpus import CORPUS

    return CORPUS


def corpus_b() -> Corpus:
    from sandbox.ticket_corpus_b import CORPUS

    return CORPUS


def corpus_c() -> Corpus:
    from sandbox.ticket_corpus_c import CORPUS

    return CORPUS


def corpus_d() -> Corpus:
    from sandbox.ticket_corpus_d import CORPUS

    return CORPUS


def corpus_e() -> Corpus:
    from sandbox.ticket_corpus_e import CORPUS

    return CORPUS


def corpus_f() -> Corpus:
    from sandbox.ticket_corpus_f import CORPUS

    return CORPUS


def corpus_g() -> Corpus:
    from sandbox.ticket_corpus_g import CORPUS

    return CORPUS


def corpus_h() -> Corpus:
    from sandbox.ticket_corpus_h import CORPUS

    return CORPUS


def tickets(corpus: Corpus, n: int, seed: int = 19, first_day: bool = False) -> list[LabelledTicket]:
    return generate(corpus, n, NOW, seed=seed, first_day=first_day)


def store_tickets(db: Path, labelled: Sequence[LabelledTicket]) -> None:
    """Into a store, through the pull's own row function (masking, the question kept when long)."""
    rows = []
    for t in labelled:
        ticket = {"id": t.id, "status": "deleted" if t.deleted else "open", "subject": t.subject,
                  "description": t.description, "created_at": t.created_at, "updated_at": t.created_at}
        rows.append(ticket_row(ticket))
    with Store(db) as store, store.transaction():
        store.upsert_tickets(rows)



def proposed_gaps(path: Path, labelled: Sequence[LabelledTicket]) -> list[list[int]]:
    """The ticket Ids of each topic ``kb gaps`` proposes as a gap (not covered), in its order, through the CLI over
    the sample knowledge base and a store of ``labelled`` made in ``path``. The CLI is imported here, not with
    this module: bench/gaps.py reads the corpora from it and measures each run's memory."""
    import json

    from click.testing import CliRunner

    from csops.demo import sample_kb
    from csops.kb_cli import kb

    sample_kb(path)
    (path / "csops.yaml").write_text("store:\n  url: sqlite:///state.db\n", encoding="utf-8")
    store_tickets(path / "state.db", labelled)
    result = CliRunner().invoke(kb, ["--root", str(path / "kb"), "--config", str(path / "csops.yaml"),
                                     "gaps", "--until", UNTIL, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [t["ticket_ids"] for t in json.loads(result.stdout)["topics"] if t["coverage"] != "covered"]

@dataclass(frozen=True)
class Scores:
    precision_at_5: float
    recall: float
    purity: float
    proposals: int


def score(corpus: Corpus, labelled: Sequence[LabelledTicket], gaps: Sequence[Sequence[int]], since: str = SINCE,
          min_topic: int = 10, k: int = 5) -> Scores:
    truth = {t.id: t.label for t in labelled}
    uncovered = corpus.uncovered()
    found: list[str] = []
    right_at_k = 0
    pure = total = 0
    for rank, ids in enumerate(gaps):
        label, count = Counter(truth[i] for i in ids).most_common(1)[0]
        pure += count
        total += len(ids)
        fresh = count * 2 > len(ids) and label in uncovered and label not in found
        if fresh:
            found.append(label)
            right_at_k += rank < k
    volume = Counter(t.label for t in labelled if t.created_at >= since and t.created_at < "2026-11-24"
                     and not t.deleted)
    wanted = {t for t in uncovered if volume[t] >= min_topic}
    precision = right_at_k / min(k, len(gaps)) if gaps else 0.0
    recall = len(wanted & set(found)) / len(wanted) if wanted else 1.0
    return Scores(precision, recall, pure / total if total else 0.0, len(gaps))


def check_labels(corpus: Corpus, labelled: Sequence[LabelledTicket], n: int) -> None:
    """What every labelled corpus holds to: ``n`` tickets, each labelled (a topic, a one-off or spam) and dated in
    the two periods, only spam deleted, some spam and at least 20 distinct one-offs."""
    known = {t.id for t in corpus.topics} | {f"oneoff-{i}" for i in range(corpus.oneoffs)} | {"spam"}
    assert len(labelled) == n == len({t.id for t in labelled})
    assert all(t.label in known for t in labelled), {t.label for t in labelled} - known
    assert all(t.subject.strip() and t.description.strip() for t in labelled)
    first = (NOW - timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(first <= t.created_at <= NOW.strftime("%Y-%m-%dT%H:%M:%SZ") for t in labelled)
    assert all(t.label == "spam" for t in labelled if t.deleted)
    labels = Counter(t.label for t in labelled)
    assert labels["spam"] >= 5 and any(t.deleted for t in labelled)
    assert sum(1 for label in labels if label.startswith("oneoff-")) >= 20


def check_articles(corpus: Corpus) -> None:
    """At least 8 covered topics, each answered by its own article of the sample knowledge base, and 6 to 8
    uncovered ones."""
    covered, uncovered = corpus.covered(), corpus.uncovered()
    assert len(covered) >= 8 and 6 <= len(uncovered) <= 8
    for topic, article in covered.items():
        assert (ROOT / "kb" / "articles" / f"{article}.md").is_file(), (topic, article)
    assert len(set(covered.values())) == len(covered), "one article per covered topic"


def check_new_uncovered(corpus: Corpus, earlier: Sequence[str]) -> None:
    """None of ``corpus``'s uncovered topics is one the ``earlier`` corpus modules (file names under sandbox/) had."""
    before = {t.id for name in earlier for t in import_module(f"sandbox.{Path(name).stem}").CORPUS.topics
              if t.article is None}
    assert not corpus.uncovered() & before, corpus.uncovered() & before


def check_topic_sizes(corpus: Corpus, labelled: Sequence[LabelledTicket], least: int = 10) -> None:
    """Every topic, covered or not, has at least ``least`` live tickets in the period kb gaps reads."""
    period = Counter(t.label for t in labelled if t.created_at >= SINCE and not t.deleted)
    topics = {t.id for t in corpus.topics}
    assert all(period[t] >= least for t in topics), {t: period[t] for t in topics}


def layout_of(layouts: dict[str, str], ticket: LabelledTicket) -> str | None:
    """The one layout of ``layouts`` (name: a regular expression only that layout writes, ``^``/``$`` per line)
    whose marker the ticket's text holds; None when none does."""
    found = [name for name, marker in layouts.items() if re.search(marker, ticket.description, re.MULTILINE)]
    assert len(found) <= 1, (ticket.id, found)
    return found[0] if found else None


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]")
QUOTED = re.compile(r"^\s*>")


def check_ways_customers_write(labelled: Sequence[LabelledTicket], layouts: dict[str, str],
                               english: tuple[float, float], vague: set[str], subject_prefix: str, tail: int = 3
                               ) -> tuple[list[LabelledTicket], str]:
    """What every corpus since E holds of the ways customers write, on its tickets but spam: a share of English
    tickets within ``english``; at least 10% quoted threads, 30 of them longer than 2,000 characters, each with the
    question under the quotes (none of its last ``tail`` lines quoted); every ticket in exactly one of ``layouts``
    (:func:`layout_of`); half-width katakana and full-width Latin letters; at least 8% vague subjects once
    ``subject_prefix`` (reply and ticket-system prefixes) is taken off. Returns the quoted threads and the bodies,
    for the corpus's own marks."""
    real = [t for t in labelled if t.label != "spam"]
    share = sum(not JAPANESE.search(t.description) for t in real) / len(real)
    assert english[0] <= share <= english[1], share
    quoted = [t for t in real if sum(bool(QUOTED.match(line)) for line in t.description.splitlines()) >= 3]
    assert len(quoted) / len(real) >= 0.1
    assert sum(len(t.description) > 2000 for t in quoted) >= 30
    for t in quoted:
        lines = [line for line in t.description.splitlines() if line.strip()]
        assert not any(QUOTED.match(line) for line in lines[-tail:]), t.id
    found = Counter(layout_of(layouts, t) for t in real)
    assert set(found) == set(layouts), set(layouts) ^ set(found)
    bodies = "\n".join(t.description for t in real)
    assert re.search(r"[ｦ-ﾟ]{3}", bodies), "half-width katakana"
    assert re.search(r"[Ａ-Ｚａ-ｚ]{2}", bodies), "full-width latin letters"
    subjects = [re.sub(subject_prefix, "", t.subject) for t in real]
    assert sum(s in vague for s in subjects) / len(real) >= 0.08
    return quoted, bodies


def borrowed_runs(sentences: Sequence[str], earlier: Sequence[str]) -> list[tuple[str, str]]:
    """Each run of 15 characters of a Japanese sentence (20 of an English one) that occurs in one of the ``earlier``
    corpus modules (file names under sandbox/): a corpus written in its own words has none, only grammar such as
    の設定方法を教えてください。 may recur."""
    others = "".join((ROOT / "sandbox" / name).read_text(encoding="utf-8") for name in earlier)
    shared = []
    for sentence in sentences:
        width = 20 if sentence.isascii() else 15
        shared += [(sentence, sentence[i:i + width]) for i in range(len(sentence) - width + 1)
                   if sentence[i:i + width] in others]
    return shared


def check_layout_spread(labelled: Sequence[LabelledTicket], layout: Callable[[LabelledTicket], str | None]) -> None:
    """Each topic's tickets come in many layouts (at least 6), none holding more than 35% of them: a method that
    clusters by layout cannot score on the corpus by accident."""
    by_topic: dict[str, Counter[str | None]] = {}
    for t in labelled:
        if not t.label.startswith(("oneoff-", "spam")):
            by_topic.setdefault(t.label, Counter())[layout(t)] += 1
    for topic, layouts in by_topic.items():
        total = sum(layouts.values())
        assert len(layouts) >= 6, (topic, layouts)
        assert max(layouts.values()) / total <= 0.35, (topic, layouts)
