"""Corpus E (sandbox/ticket_corpus_e.py), held back until its figures were printed and a tuning corpus of `kb gaps`
since: it generates at the bench's size, its labels hold together, and the layouts its docstring promises are there,
spread over the topics. kb gaps itself never runs here."""

from __future__ import annotations

import re

import pytest

from bench.gaps import EVAL, LABELS
from sandbox.corpus import LabelledTicket
from sandbox.ticket_corpus_e import VAGUE, VAGUE_EN
from tests.kb.gaps_eval import (
    QUOTED,
    borrowed_runs,
    check_articles,
    check_labels,
    check_layout_spread,
    check_new_uncovered,
    check_topic_sizes,
    check_ways_customers_write,
    corpus_e,
    layout_of,
    tickets,
)

N, SEED = EVAL["E"]
EARLIER = ("ticket_corpus.py", "ticket_corpus_b.py", "ticket_corpus_c.py", "ticket_corpus_d.py")
# One marker per layout the docstring names (a regular expression): what only that layout writes.
LAYOUTS = {
    "contact form 7": "メッセージ本文:", "chatbot (ja)": "🤖 チャットボット", "reseller": "――― お客様からのご質問",
    "thread (ja)": "> Sent: 2026/", "backlog": "さんが課題を追加しました", "raw html": "&nbsp;",
    "csm minutes": "【定例ミーティング議事録】", "sms": "SMS受信通知", "voicemail": "【留守番電話 文字起こし】",
    "plain mail (ja)": "\n-- \n=====", "jira": "h3. Description", "chatbot (en)": r"\[Bot\] Hi!",
    "reseller (en)": "Hi Kintai partner team", "thread (en)": "> Sent: October",
    "phone mail (en)": "\n(Sent from|Get Outlook for)", "qbr notes": "QBR notes - ",
}


@pytest.fixture(scope="module")
def labelled() -> list[LabelledTicket]:
    return tickets(corpus_e(), N, SEED)


def _layout(ticket: LabelledTicket) -> str | None:
    return layout_of(LAYOUTS, ticket)


def test_every_ticket_is_labelled_and_dated_in_the_two_periods(labelled: list[LabelledTicket]) -> None:
    check_labels(corpus_e(), labelled, N)


def test_covered_topics_name_real_articles_and_uncovered_ones_none() -> None:
    check_articles(corpus_e())


def test_uncovered_topics_differ_from_those_of_a_to_d() -> None:
    check_new_uncovered(corpus_e(), EARLIER)


def test_every_uncovered_topic_has_ten_tickets_in_the_period(labelled: list[LabelledTicket]) -> None:
    check_topic_sizes(corpus_e(), labelled)


def test_layouts_and_the_ways_customers_write(labelled: list[LabelledTicket]) -> None:
    quoted, bodies = check_ways_customers_write(labelled, LAYOUTS, (0.17, 0.28), {*VAGUE, *VAGUE_EN},
                                                r"^(?:RE: )+|^SMS受信 |^\[KINTAI_SUP-\d+\] ", tail=4)
    for t in quoted:  # the thread opens with the quotes
        assert QUOTED.match(next(line for line in t.description.splitlines() if line.strip())), t.id
    assert "&#12288;" in bodies and "<br />" in bodies, "undecoded HTML"
    assert re.search(r"(えー|あのー|えっと)、もしもし", bodies), "a voicemail's fillers"


def test_a_topic_is_what_is_asked_not_a_layout(labelled: list[LabelledTicket]) -> None:
    """Each topic's tickets come in many layouts, none of which holds most of them: a method that clusters by
    layout cannot score on E by accident."""
    check_layout_spread(labelled, _layout)


def test_e_is_written_in_its_own_words() -> None:
    """No topic question, subject or one-off of E shares 15 characters of Japanese (20 of English) with A to D:
    only grammar such as の設定方法を教えてください。 may recur."""
    from sandbox import ticket_corpus_e as e

    sentences = [q for t in e.TOPICS for q in (*t.ja_questions, *t.en_questions, *t.ja_subjects, *t.en_subjects)]
    assert not borrowed_runs([*sentences, *e.ONEOFFS_JA, *e.ONEOFFS_EN], EARLIER)


def test_the_bench_lists_e() -> None:
    assert LABELS["E"] == "E" and LABELS["D"] == "D"
    assert EVAL["E"] == (1200, SEED)
