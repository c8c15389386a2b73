"""Corpus H (sandbox/ticket_corpus_h.py), the held-back corpus of `kb gaps`: it generates at the bench's size, its
labels hold together, and the layouts its docstring promises are there, spread over the topics. kb gaps itself
never runs here: H's only reader outside this file is bench/gaps.py, which prints its figures."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.gaps import EVAL, HELD_BACK, LABELS, sweep
from sandbox.corpus import LabelledTicket
from sandbox.ticket_corpus_h import EMPLOYEE_SIDE, NOT_AT_A_BOOTH, VAGUE, VAGUE_EN
from tests.kb.gaps_eval import (
    ROOT,
    SINCE,
    borrowed_runs,
    check_articles,
    check_labels,
    check_layout_spread,
    check_new_uncovered,
    check_topic_sizes,
    check_ways_customers_write,
    corpus_h,
    layout_of,
    tickets,
)

N, SEED = EVAL["H"]
EARLIER = ("ticket_corpus.py", "ticket_corpus_b.py", "ticket_corpus_c.py", "ticket_corpus_d.py", "ticket_corpus_e.py",
           "ticket_corpus_f.py", "ticket_corpus_g.py")
# One marker per layout the docstring names (a regular expression): what only that layout writes.
LAYOUTS = {
    "trade-show lead": "^【展示会リード共有】", "community post (ja)": "みんなの広場」の未回答の投稿",
    "survey comment (ja)": "^満足度調査への回答が届きました$",
    "x dm (ja)": r"^X（旧Twitter）のダイレクトメッセージより$",
    "remote session (ja)": r"^\[リモートサポート\] セッション終了レポート$",
    "newsletter reply (ja)": r"^クラウド勤怠通信 2026年\d+月号$", "outlook thread (ja)": r"^> 送信日時: 2026年10月",
    "app review (ja)": "^アプリレビュー通知（", "plain mail (ja)": r"^TEL .+ ／ FAX ",
    "community post (en)": "^Unanswered post moved from the Cloud Kintai Community$",
    "survey comment (en)": "^A satisfaction rating came in$", "x dm (en)": "^Direct message on X$",
    "remote session (en)": r"^\[Remote support\] Session report$",
    "newsletter reply (en)": r"^The Kintai Monthly - \w+ 2026$",
    "proton thread (en)": r"^On \w+day, October \d+(st|nd|rd|th), 2026 at .+ wrote:$",
    "app review (en)": r"^App review \(", "plain mail (en)": r"^linkedin\.com/in/",
}


@pytest.fixture(scope="module")
def labelled() -> list[LabelledTicket]:
    return tickets(corpus_h(), N, SEED)


def _layout(ticket: LabelledTicket) -> str | None:
    return layout_of(LAYOUTS, ticket)


def test_every_ticket_is_labelled_and_dated_in_the_two_periods(labelled: list[LabelledTicket]) -> None:
    check_labels(corpus_h(), labelled, N)


def test_covered_topics_name_real_articles_and_uncovered_ones_none() -> None:
    check_articles(corpus_h())
    assert {"api"} <= set(corpus_h().covered())
    assert (ROOT / "kb" / "articles" / f"{corpus_h().covered()['api']}.md").read_text().count("locale: en") == 1


def test_uncovered_topics_differ_from_those_of_a_to_g() -> None:
    check_new_uncovered(corpus_h(), EARLIER)


def test_every_topic_has_ten_tickets_in_the_period(labelled: list[LabelledTicket]) -> None:
    check_topic_sizes(corpus_h(), labelled)
    period = Counter(t.label for t in labelled if t.created_at >= SINCE and not t.deleted)
    assert all(period[topic] >= 10 for topic in corpus_h().uncovered())
    assert sum(1 for t in labelled if t.label == "spam" and t.deleted) >= 3


def test_layouts_and_the_ways_customers_write(labelled: list[LabelledTicket]) -> None:
    check_ways_customers_write(labelled, LAYOUTS, (0.19, 0.27), {*VAGUE, *VAGUE_EN},
                               r"^(?:R[Ee]: )+")


def test_app_reviews_carry_employees_questions_and_booths_no_account_trouble(labelled: list[LabelledTicket]) -> None:
    reviews = {t.label for t in labelled if _layout(t) in ("app review (ja)", "app review (en)")}
    assert reviews and reviews <= EMPLOYEE_SIDE
    assert not {t.label for t in labelled if _layout(t) == "trade-show lead"} & NOT_AT_A_BOOTH


def test_a_topic_is_what_is_asked_not_a_layout(labelled: list[LabelledTicket]) -> None:
    """Each topic's tickets come in many layouts, none of which holds most of them: a method that clusters by
    layout cannot score on H by accident."""
    check_layout_spread(labelled, _layout)


def test_h_is_written_in_its_own_words() -> None:
    """No topic question, subject or one-off of H shares 15 characters of Japanese (20 of English) with A to G."""
    from sandbox import ticket_corpus_h as h

    sentences = [q for t in h.TOPICS for q in (*t.ja_questions, *t.en_questions, *t.ja_subjects, *t.en_subjects)]
    assert not borrowed_runs([*sentences, *h.ONEOFFS_JA, *h.ONEOFFS_EN], EARLIER)


def test_the_bench_reports_h_as_the_held_back_corpus_and_no_seed_sweep_prints_it() -> None:
    assert LABELS["H"] == "H (held back)" and LABELS["G"] == "G" and HELD_BACK == "H"
    assert EVAL["H"] == (1200, SEED) == (1200, 43)
    assert "H" not in sweep(None) and sweep(None) == ["A", "B", "C", "D", "E", "F", "G"]
    assert sweep("G,H") == ["G", "H"]  # named, it runs
