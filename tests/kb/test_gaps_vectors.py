"""The vectors kb gaps clusters: Japanese by character n-grams, English by its words."""

from __future__ import annotations

from kb.gaps.vectors import CharVectorizer

DOCS = [
    "app crashes open",
    "payroll export fails encoding error",
    "shared tablet entrance punch",
    "staff punch tablets entrance",
    "打刻 できない エラー",
    "打刻 反映 されない",
    "payroll export csv encoding",
    "app crashes start",
]


def _cosine(X, i: int, j: int) -> float:  # type: ignore[no-untyped-def]
    return float((X[i] @ X[j].T).toarray()[0, 0])


def test_english_tickets_are_alike_by_their_words_not_their_letters() -> None:
    X = CharVectorizer(min_df=1).fit_transform(DOCS)
    assert _cosine(X, 0, 1) == 0.0  # no word in common: letters and spaces ("ra", "s e") no longer count
    assert _cosine(X, 0, 7) > 0.3 and _cosine(X, 1, 6) > 0.3
    assert _cosine(X, 2, 3) > 0.3  # tablet and tablets are one word
    assert _cosine(X, 4, 5) > 0.1  # Japanese: character n-grams, 打刻 shared
    assert _cosine(X, 4, 0) == 0.0


def test_a_document_mixing_both_keeps_each_side() -> None:
    X = CharVectorizer(min_df=1).fit_transform(["打刻 tablet", "打刻 エラー", "tablets entrance"])
    assert _cosine(X, 0, 1) > 0 and _cosine(X, 0, 2) > 0 and _cosine(X, 1, 2) == 0.0
