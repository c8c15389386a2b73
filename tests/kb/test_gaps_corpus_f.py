"""Corpus F (sandbox/ticket_corpus_f.py), held back until its figures were printed and a tuning corpus of `kb gaps`
since: it generates at the bench's size, its labels hold together, and the layouts its docstring promises are there,
spread over the topics. kb gaps itself never runs here."""

from __future__ import annotations

import pytest

from bench.gaps import EVAL, LABELS
from sandbox.corpus import LabelledTicket
from sandbox.ticket_corpus_f import VAGUE, VAGUE_EN
from tests.kb.gaps_eval import (
    borrowed_runs,
    check_articles,
    check_labels,
    check_layout_spread,
    check_new_uncovered,
    check_topic_sizes,
    check_ways_customers_write,
    corpus_f,
    layout_of,
    tickets,
)

N, SEED = EVAL["F"]
EARLIER = ("ticket_corpus.py", "ticket_corpus_b.py", "ticket_corpus_c.py", "ticket_corpus_d.py", "ticket_corpus_e.py")
# One marker per layout the docstring names (a regular expression): what only that layout writes.
LAYOUTS = {
    "checkbox form": "ご用件の分類：.*■", "thread (ja)": r"^> 2026年10月\d+日", "call summary (ja)": "通話の自動要約",
    "spreadsheet row": "No.\t起票日\t拠点", "webinar (ja)": "ウェビナー Q&Aレポート",
    "escalation": "【社内メモ／お客様非公開】",
    "kintone": "さんがレコードを追加しました", "plain mail (ja)": "◇◆◇◆◇◆", "issue template": "### What happened\\?",
    "thread (en)": r"^On \d+ Oct 2026, at ", "call summary (en)": r"Call summary \(auto-generated\)",
    "webinar (en)": r"Webinar Q&A report", "plain mail (en)": "consider the environment before printing",
    "chat space (ja)": "スペース「.*」より転記", "chat space (en)": "Copied from the shared space",
}


@pytest.fixture(scope="module")
def labelled() -> list[LabelledTicket]:
    return tickets(corpus_f(), N, SEED)


def _layout(ticket: LabelledTicket) -> str | None:
    return layout_of(LAYOUTS, ticket)


def test_every_ticket_is_labelled_and_dated_in_the_two_periods(labelled: list[LabelledTicket]) -> None:
    check_labels(corpus_f(), labelled, N)


def test_covered_topics_name_real_articles_and_uncovered_ones_none() -> None:
    check_articles(corpus_f())


def test_uncovered_topics_differ_from_those_of_a_to_e() -> None:
    check_new_uncovered(corpus_f(), EARLIER)


def test_every_topic_has_ten_tickets_in_the_period(labelled: list[LabelledTicket]) -> None:
    check_topic_sizes(corpus_f(), labelled)


def test_layouts_and_the_ways_customers_write(labelled: list[LabelledTicket]) -> None:
    _, bodies = check_ways_customers_write(labelled, LAYOUTS, (0.17, 0.28), {*VAGUE, *VAGUE_EN},
                                           r"^(?:Re: )+")
    assert "<div>" in bodies and "<br />" in bodies, "HTML remnants"
    assert "\t" in bodies, "a pasted spreadsheet row"


def test_a_topic_is_what_is_asked_not_a_layout(labelled: list[LabelledTicket]) -> None:
    """Each topic's tickets come in many layouts, none of which holds most of them: a method that clusters by
    layout cannot score on F by accident."""
    check_layout_spread(labelled, _layout)


def test_f_is_written_in_its_own_words() -> None:
    """No topic question, subject or one-off of F shares 15 characters of Japanese (20 of English) with A to E."""
    from sandbox import ticket_corpus_f as f

    sentences = [q for t in f.TOPICS for q in (*t.ja_questions, *t.en_questions, *t.ja_subjects, *t.en_subjects)]
    assert not borrowed_runs([*sentences, *f.ONEOFFS_JA, *f.ONEOFFS_EN], EARLIER)


def test_the_bench_reports_f_as_a_tuning_corpus() -> None:
    assert LABELS["F"] == "F" and LABELS["E"] == "E"
    assert EVAL["F"] == (1200, SEED) == (1200, 37)
