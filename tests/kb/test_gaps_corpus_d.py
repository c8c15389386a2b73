"""Corpus D (sandbox/ticket_corpus_d.py), held back until corpus E was written, a tuning corpus of `kb gaps` since:
it generates at the bench's size, its labels hold together, and the layouts its docstring promises are there."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bench.gaps import EVAL, LABELS
from sandbox.corpus import LabelledTicket
from tests.kb.gaps_eval import SINCE, check_articles, check_labels, corpus_d, tickets

ROOT = Path(__file__).resolve().parents[2]
N, SEED = EVAL["D"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]")
QUOTED = re.compile(r"^\s*(?:>|＞)")


@pytest.fixture(scope="module")
def labelled() -> list[LabelledTicket]:
    return tickets(corpus_d(), N, SEED)


def test_every_ticket_is_labelled_and_dated_in_the_two_periods(labelled: list[LabelledTicket]) -> None:
    check_labels(corpus_d(), labelled, N)


def test_covered_topics_name_real_articles_and_uncovered_ones_none() -> None:
    check_articles(corpus_d())


def test_most_uncovered_topics_have_ten_tickets_in_the_period(labelled: list[LabelledTicket]) -> None:
    period = Counter(t.label for t in labelled if t.created_at >= SINCE and not t.deleted)
    uncovered = corpus_d().uncovered()
    assert sum(period[t] >= 10 for t in uncovered) >= len(uncovered) - 1, {t: period[t] for t in uncovered}
    assert all(period[t] >= 5 for t in corpus_d().covered())


def test_layouts_and_the_ways_customers_write(labelled: list[LabelledTicket]) -> None:
    real = [t for t in labelled if t.label != "spam"]
    english = [t for t in real if not JAPANESE.search(t.description)]
    assert 0.17 <= len(english) / len(real) <= 0.28
    quoted = [t for t in real if sum(bool(QUOTED.match(line)) for line in t.description.splitlines()) >= 3]
    assert len(quoted) / len(real) >= 0.12
    long_threads = [t for t in quoted if len(t.description) > 2000]
    assert len(long_threads) >= 30
    for t in long_threads:  # the question is written under the quotes, as the last unquoted lines
        lines = [line for line in t.description.splitlines() if line.strip()]
        assert not any(QUOTED.match(line) for line in lines[-3:]) and QUOTED.match(lines[2]), t.id
    bodies = "\n".join(t.description for t in real)
    for marker in ("■お問い合わせ内容", "受付No.：", "[To:", "[/info]", "ＦＡＸ送信票", '"form_id"', "4. 依頼内容：",
                   "〒", "TEL:", "> ・ご利用の端末", "WhatsApp Chat with", "<Media omitted>", "From: Kintai Support",
                   "Summary: ", "wrote:"):
        assert marker in bodies, marker
    assert re.search(r"[ｦ-ﾟ]{3}", bodies), "half-width katakana"
    assert re.search(r"[Ａ-Ｚａ-ｚ]{2}", bodies), "full-width latin letters"
    vague = {"お世話になっております", "【至急】", "無題", "（件名なし）", "確認", "ご相談", "すみません",
             "Help", "question", "no subject", "FYI"}
    assert sum(t.subject.removeprefix("Re: ").removeprefix("RE: ") in vague for t in real) / len(real) >= 0.08


def test_d_is_written_in_its_own_words() -> None:
    """No topic question, subject or one-off of D shares 15 characters of Japanese (20 of English) with A, B or C:
    only grammar such as の設定方法を教えてください。 may recur."""
    from sandbox import ticket_corpus_d as d

    others = "".join((ROOT / "sandbox" / name).read_text(encoding="utf-8")
                     for name in ("ticket_corpus.py", "ticket_corpus_b.py", "ticket_corpus_c.py"))
    sentences = [q for t in d.TOPICS for q in (*t.ja_questions, *t.en_questions, *t.ja_subjects, *t.en_subjects)]
    sentences += [*d.ONEOFFS_JA, *d.ONEOFFS_EN]
    for sentence in sentences:
        width = 20 if sentence.isascii() else 15
        shared = [sentence[i:i + width] for i in range(len(sentence) - width + 1) if sentence[i:i + width] in others]
        assert not shared, (sentence, shared)


def test_the_bench_reports_d_as_a_tuning_corpus() -> None:
    assert LABELS["D"] == "D" and LABELS["C"] == "C"
    assert EVAL["D"] == (1200, SEED)
