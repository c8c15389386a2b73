"""Ticket normalisation for kb gaps: what is left is the question."""

from __future__ import annotations

from pathlib import Path

from kb.gaps.normalize import BOILERPLATE_FILE, boilerplate_pattern, load_boilerplate, ticket_document

MAIL = """お世話になっております。
株式会社さくら商事 総務部の山田と申します。
ＣＳＶの取り込みで「3行目: 部署コードが不正です」とエラーになります。
弊社規定により本メールは機密です。
よろしくお願いいたします。

--
株式会社さくら商事
山田 太郎
TEL: <phone>

2026年10月1日(水) 10:00 サポート <<email>>:
> お問い合わせありがとうございます。
"""


def test_greetings_signature_quote_and_grammar_go(tmp_path: Path) -> None:
    doc = ticket_document("Re: 【至急】CSVの取り込みでエラー", MAIL, boilerplate_pattern(load_boilerplate(None)))
    assert "csv" in doc and "取" in doc and "部署" in doc and "エラー" in doc
    for gone in ("世話", "山田", "さくら", "サポート", "tel", "re:", "至急", "問", "いたします"):
        assert gone not in doc, gone
    assert "弊社規定" in doc  # the team's own boilerplate is not known yet …
    (tmp_path / BOILERPLATE_FILE).write_text("# ours\n弊社規定により本メールは機密です\n", encoding="utf-8")
    doc = ticket_document("CSV", MAIL, boilerplate_pattern(load_boilerplate(tmp_path)))
    assert "弊社規定" not in doc and "部署" in doc  # … until it is listed in kb/gaps-boilerplate.txt


def test_english_phrases_only_as_whole_words() -> None:
    doc = ticket_document("Hi, this export fails", "Thanks,\nBob", boilerplate_pattern(load_boilerplate(None)))
    assert doc.split()[:2] == ["export", "fails"] and "bob" not in doc
