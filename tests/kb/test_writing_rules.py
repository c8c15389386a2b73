"""Every built-in writing rule: a true positive on Japanese (and English where it applies), exact positions,
and no false positive on the shipped sample articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kb.helpers import article, findings, make_kb, rules_found, run

LONG_JA = "この機能を使うと" + "勤怠データを出力して給与計算ソフトに取り込み" * 5 + "ます。"
CASES_JA = [
    ("sentence-length", LONG_JA),
    ("max-ten", "設定を開き、項目を選び、値を入力し、保存を押して、完了します。"),
    ("style", "設定を保存します。保存した内容はすぐに反映される。"),
    ("ja-period", "設定を保存します"),
    ("no-exclamation-question", "設定を保存しましょう！"),
    ("no-hankaku-kana", "ｶﾀｶﾅで書きます。"),
    ("no-fullwidth-alnum", "ＣＳＶファイルを出力します。"),
    ("spacing", "CSV ファイルを出力します。"),
    ("no-nfd", "データを削除し\u3066ください。".replace("て", "\u3066") + "フ\u309aラン"),
    ("no-invisible-chars", "設定を\u200b保存します。"),
    ("unmatched-pair", "「保存を選択します。"),
    ("weak-phrase", "反映されるかもしれません。"),
    ("redundant-expression", "データを出力することができます。"),
]


@pytest.mark.parametrize(("rule", "body"), CASES_JA, ids=[c[0] for c in CASES_JA])
def test_builtin_rule_true_positive_japanese(tmp_path: Path, rule: str, body: str) -> None:
    root = make_kb(tmp_path)
    path = article(root, body)
    got = findings(root, path)
    assert rule in [f["rule"] for f in got], got
    hit = next(f for f in got if f["rule"] == rule)
    assert hit["line"] == 7  # the body line in the skeleton
    assert str(hit["path"]).endswith("employees/timecard/test.md")


CASES_EN = [
    ("sentence-length", "This sentence " + "keeps going and going " * 12 + "until it ends."),
    ("max-ten", "Open it, select it, change it, save it, and close it."),
    ("no-exclamation-question", "Save your work now!"),
    ("weak-phrase", "The export might fail."),
    ("redundant-expression", "Open the page in order to export."),
]


@pytest.mark.parametrize(("rule", "body"), CASES_EN, ids=[c[0] for c in CASES_EN])
def test_builtin_rule_true_positive_english(tmp_path: Path, rule: str, body: str) -> None:
    root = make_kb(tmp_path)
    path = article(root, body, title="Test article", rel="employees/timecard/test.en.md", en=True)
    assert rule in rules_found(root, path)


def test_positions_are_exact(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "設定を開きます。ＣＳＶを出力します。")
    hit = next(f for f in findings(root, path) if f["rule"] == "no-fullwidth-alnum")
    assert (hit["line"], hit["col"]) == (7, 9)


def test_sentences_span_soft_line_breaks(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "設定を開き、項目を選び、\n値を入力し、確認し、保存して完了します。")
    hit = next(f for f in findings(root, path) if f["rule"] == "max-ten")
    assert (hit["line"], hit["col"]) == (8, 10)


def test_code_urls_and_link_targets_are_not_prose(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    body = ("`ｶﾀｶﾅ！ CSV ファイル` を出力します。詳しくは[出力の手順](https://example.com/ＣＳＶ?x=1!)を見てください。\n\n"
            "```\nｶﾀｶﾅ、、、、です。だ。!\n```\n\n<!-- ｶﾀｶﾅ！ -->")
    path = article(root, body)
    assert rules_found(root, path) == []


def test_admonition_marker_is_not_an_exclamation(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, '設定を保存します。\n\n!!! note "注意"\n    保存は取り消せません。')
    assert "no-exclamation-question" not in rules_found(root, path)


def test_list_items_may_use_any_style_by_default(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "次の権限が必要です。\n\n- 管理者である\n- 承認者です")
    assert "style" not in rules_found(root, path)


def test_list_style_can_be_required(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("body: desumasu, list: any", "body: desumasu, list: dearu"))
    path = article(root, "次の権限が必要です。\n\n- 管理者である\n- 承認者です")
    got = [f for f in findings(root, path) if f["rule"] == "style"]
    # 承認者です (line 10) and the skeleton's own step 「［設定］を開きます。」 (line 14)
    assert [f["line"] for f in got] == [10, 14]
    assert all("箇条書きは「だ・である」調" in str(f["message"]) for f in got)


def test_spacing_always(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("space: never", "space: always"))
    path = article(root, "CSVファイルを出力します。")
    assert "spacing" in rules_found(root, path)


def test_rules_can_be_turned_off_and_relevelled(tmp_path: Path) -> None:
    root = make_kb(tmp_path, [("    weak-phrase: suggestion", "    weak-phrase: error"),
                              ("    ja-period: warning", "    ja-period: off")])
    path = article(root, "反映されるかもしれません\n")
    got = findings(root, path)
    assert [f["level"] for f in got if f["rule"] == "weak-phrase"] == ["error"]
    assert "ja-period" not in [f["rule"] for f in got]


@pytest.mark.parametrize(("title", "body", "rule", "message"), [
    ("とても長いタイトル" * 6, "設定を保存します。", "title-length", "title is 54 characters long (max 40)"),
    ("見出し", "設定を保存します。\n\n# 見出し1", "heading-structure", "the front matter title is the article's H1"),
    ("見出し", "設定を保存します。\n\n#### 深すぎる見出し", "heading-structure", "skips from H2 to H4"),
    ("見出し", "設定を保存します。\n\n### 同じ\n\n### 同じ", "heading-structure", "duplicate heading '同じ'"),
    ("画像", "![](../../../images/setup-flow.png)", "image-alt", "image has no alt text"),
    ("画像", "![画面](../../../images/nope.png)", "image-exists", "image '../../../images/nope.png' not found"),
    ("リンク", "[](https://example.com)を見てください。", "empty-link", "link has no text"),
    ("リンク", "[手順]()を見てください。", "empty-link", "link has no target"),
    ("リンク", "[手順](../requests/nope.md)を見てください。", "internal-link",
     "linked article '../requests/nope.md' not found"),
    ("リンク", "[手順](#存在しない)を見てください。", "internal-link", "no heading with the anchor '#存在しない'"),
    ("リンク", "[手順](#手順)を見てください。", None, None),
])
def test_structure_rules(tmp_path: Path, title: str, body: str, rule: str | None, message: str | None) -> None:
    root = make_kb(tmp_path)
    path = article(root, body, title=title)
    got = findings(root, path)
    if rule is None:
        assert got == []
        return
    assert any(f["rule"] == rule and message in str(f["message"]) for f in got), got


def test_anchor_in_another_article(tmp_path: Path) -> None:
    root = make_kb(tmp_path, with_samples=True)
    ok = article(root, "[招待の手順](../../admin/users/invite-users.md#手順)を見てください。")
    assert rules_found(root, ok) == []
    bad = article(root, "[招待の手順](../../admin/users/invite-users.md#ない)を見てください。")
    assert "internal-link" in rules_found(root, bad)


def test_required_sections_md043_style(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    ts = "---\ntitle: 動かない\n---\n\n## 症状\n\n動きません。\n\n## 解決方法\n\n再起動します。\n"
    from tests.kb.helpers import write

    path = write(root, "troubleshooting/login/broken.md", ts)
    got = [f for f in findings(root, path) if f["rule"] == "required-sections"]
    message = str(got[0]["message"]) if got else ""
    assert "症状 → 原因 → 解決方法 → *" in message and "found: 症状, 解決方法" in message
    fixed = write(root, "troubleshooting/login/broken.md",
                  ts.replace("## 解決方法", "## 原因\n\n設定です。\n\n## 解決方法"))
    assert rules_found(root, fixed) == []


def test_samples_have_no_findings_at_all() -> None:
    from tests.kb.helpers import SHIPPED

    result = run(SHIPPED, "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "16 articles: 0 errors, 0 warnings, 0 suggestions" in result.stderr
