"""kb.yaml's language: every kb check message in it, whatever language the sentence is in; rule ids unchanged.
Without it each rule words its message as before (Japanese for Japanese text, English for structure)."""

from __future__ import annotations

import re
from pathlib import Path

from kb.prose import has_ja
from tests.kb.helpers import article, findings, make_kb, run, write

PROBLEMS = ("ＣＳＶを出力することができます。設定を開き、項目を選び、値を入力し、保存を押して、完了します。"
            "反映されるかもしれません！ｶﾀｶﾅです。「閉じていません。\n\n![](../../../images/setup-flow.png)\n\n"
            "[手順](#存在しない)を見ます。\n\n<!-- kb-disable-next-line max-ten -->\n設定を保存します。\n\n"
            "#### 飛んだ見出し\n\n"
            "Open it, select it, change it, save it, and close it. It might be saved.")
QUOTED = re.compile(r"'[^']*'|「[^」]*」|\([^)]*\)|（[^）]*）|#\S+")


def _kb(tmp_path: Path, language: str | None) -> tuple[Path, list[dict[str, object]]]:
    edit = ("locale: ja ", f"language: {language}\nlocale: ja ") if language else None
    root = make_kb(tmp_path, edit)
    path = article(root, PROBLEMS)
    write(root, "employees/timecard/bad-front.md", "---\ntitle: 例\ntitel: x\n---\n\n## 概要\n\n設定します。\n")
    return root, findings(root, path, root / "articles/employees/timecard/bad-front.md")


RULES = {"no-fullwidth-alnum", "redundant-expression", "max-ten", "weak-phrase", "no-exclamation-question",
         "no-hankaku-kana", "unmatched-pair", "image-alt", "internal-link", "unused-suppression", "heading-structure",
         "front-matter"}


def test_language_en_words_every_message_in_english(tmp_path: Path) -> None:
    _, found = _kb(tmp_path, "en")
    assert {str(f["rule"]) for f in found} >= RULES
    for f in found:
        if f["rule"] in ("terms", "product-name", "required-sections"):
            continue  # the team's own messages are theirs; the required sections are kb.yaml's (Japanese) headings
        assert not has_ja(QUOTED.sub("", str(f["message"]))), f


def test_language_ja_words_every_message_in_japanese(tmp_path: Path) -> None:
    _, found = _kb(tmp_path, "ja")
    assert {str(f["rule"]) for f in found} >= RULES
    for f in found:
        assert has_ja(QUOTED.sub("", str(f["message"]))), f
    english = [f for f in found if f["rule"] == "max-ten" and "Open it" not in str(f["message"])]
    assert any("一文の読点" in str(f["message"]) for f in english)


def test_without_language_rules_word_messages_as_before(tmp_path: Path) -> None:
    _, found = _kb(tmp_path, None)
    by_rule = {str(f["rule"]): str(f["message"]) for f in found}
    assert by_rule["image-alt"] == "image has no alt text: ![what it shows](…)"
    assert by_rule["no-fullwidth-alnum"].startswith("全角英数字")


def test_an_unknown_language_is_a_kb_yaml_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("locale: ja ", "language: fr\nlocale: ja "))
    article(root, "設定します。")
    result = run(root, "check")
    assert result.exit_code == 78 and "language: 'fr' is not one of ja, en" in result.stderr
