"""Whether an article answers a topic (kb/gaps/coverage.py), on word counts written here: a covered question
asked in other words stays covered; a near question of its own, which the article does not answer, does not."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from kb.gaps.coverage import ArticleWords, Judge, TopicWords

ARTICLES = {
    "admin/users/invite-users": ArticleWords("従業員を招待する", top={"招待", "従業員"}, body={"メール", "送", "一括"}),
    "troubleshooting/login/cannot-sign-in": ArticleWords("ログインできない", top={"ログイン"}, body={"パスワード"}),
}
INVITE = TopicWords(0, Counter({"招待": 30, "従業員": 24, "メール": 20, "送": 15}), 30)
# the same question asked another way: store managers invited from each store
MANAGERS = TopicWords(1, Counter({"招待": 12, "従業員": 9, "店長": 8, "各店舗": 6}), 12)
# a question of its own beside it: undo an invitation sent by mistake
UNDO = TopicWords(2, Counter({"招待": 12, "取消": 12, "誤": 10}), 12)
LOGIN = TopicWords(3, Counter({"ログイン": 40, "パスワード": 30}), 40)


def _judged() -> dict[int, float]:
    topics = [INVITE, MANAGERS, UNDO, LOGIN]
    background: Counter[str] = Counter({"送": 20, "メール": 30})
    for t in topics:
        background.update(t.counts)
    rows = np.array([[1, 0, 0], [0.9, 0.43, 0], [0.9, 0.43, 0], [0, 0, 1]])  # the three invite topics are near
    centres = sp.csr_matrix(rows / np.linalg.norm(rows, axis=1, keepdims=True))
    judged = Judge(ARTICLES, background, 200, set()).judge(topics, centres)
    assert all(j.scores[0][1] == "admin/users/invite-users" for t, j in judged.items() if t != 3)
    return {t: j.best for t, j in judged.items()}


def test_a_covered_question_asked_in_other_words_stays_covered() -> None:
    best = _judged()
    assert best[0] > 0.8 and best[3] > 0.8
    assert best[1] >= 0.4  # it was 0.2, judged by 店長 and 各店舗 against the other invite topic


def test_a_near_question_the_article_does_not_answer_is_not_covered() -> None:
    assert _judged()[2] < 0.2


def test_a_question_asked_in_other_verbs_is_judged_by_its_nouns() -> None:
    """Two topics with the article's nouns and the same weight outside it: in verb stems (a kanji standing alone,
    失 and 新 of パスワードを失くした, 新しい) or in nouns of their own (証明書, 期限). The stems count half:
    the first is judged closer to covered than the second, which asks something the article does not say."""
    login = ArticleWords("ログインできない", top={"ログイン"}, body={"パスワード"})
    background: Counter[str] = Counter({"ログイン": 60, "パスワード": 60, "失": 20, "新": 20, "証明書": 20, "期限": 20})
    judge = Judge({"login": login}, background, 400, set())
    stems = TopicWords(0, Counter({"ログイン": 20, "パスワード": 20, "失": 20, "新": 20}), 20)
    nouns = TopicWords(1, Counter({"ログイン": 20, "パスワード": 20, "証明書": 20, "期限": 20}), 20)
    judged = judge.judge([stems, nouns], sp.csr_matrix(np.eye(2)))
    plain = {t: sum(w for u, w in j.weights if u in login.top) + 0.6 * sum(w for u, w in j.weights
                                                                          if u in login.body)
             for t, j in judged.items()}
    shares = {t: plain[t] / sum(w for _, w in j.weights) for t, j in judged.items()}
    assert abs(shares[0] - shares[1]) < 1e-9  # the same weight outside the article, word for word
    assert judged[1].best == pytest.approx(shares[1])
    assert judged[0].best > judged[1].best + 0.1
