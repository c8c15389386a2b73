"""Adding a writing rule is one function and its registration (kb/writing/base.py). A rule defined here, in a test
module, is run by `kb check` (on one process and on two), set in kb.yaml, silenced by kb's and textlint's comments,
applied by `kb check --fix`, listed by `kb rules` and documented by `kb rules --format markdown`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.prose import Sentence
from kb.spec import load_spec
from kb.writing import RULES, Ctx, Doc, Fix, rule
from kb.writing.base import WORDS
from tests.kb.helpers import article, findings, make_kb, run

_DOTS = re.compile(r"\.{3,}|・{3,}")


def no_dots_ellipsis(c: Ctx, sentences: list[Sentence]) -> None:
    """Three dots (or more than ``min``) where Japanese writes the ellipsis character."""
    least = int(c.opt("no-dots-ellipsis", "min"))
    for s in sentences:
        for m in _DOTS.finditer(s.text):
            if len(m.group(0)) >= least:
                c.emit(*s.pos(m.start()), "no-dots-ellipsis", f"「{m.group(0)}」は「…」と書きます")


@pytest.fixture
def registered() -> Iterator[None]:
    """The rule registered as a rule module registers its own, for this test only."""
    before = dict(RULES)
    rule("no-dots-ellipsis", "warning", Doc("三点リーダーを点で書いている", "an ellipsis written as dots",
                                            "保存します...", "保存します…"),
         options={"min": 3}, fix=Fix(re.compile(r"\.{3,}"), lambda m: "…", WORDS),
         textlint=("ja-no-dots-ellipsis",))(no_dots_ellipsis)
    try:
        yield
    finally:
        RULES.clear()
        RULES.update(before)


def test_a_rule_defined_in_a_test_module_is_checked_set_silenced_and_fixed(tmp_path: Path, registered: None) -> None:
    root = make_kb(tmp_path)
    path = article(root, "設定を保存します...\n\n<!-- kb-disable-next-line no-dots-ellipsis -->\n送信します...\n\n"
                         "<!-- textlint-disable-next-line ja-no-dots-ellipsis -->\n閉じます...\n\n完了です・・・・。")
    found = [f for f in findings(root, path) if f["rule"] == "no-dots-ellipsis"]
    assert [(f["line"], f["col"], f["level"], f["doc"]) for f in found] == [
        (7, 9, "warning", "docs/kb-rules.md#no-dots-ellipsis"), (15, 5, "warning", "docs/kb-rules.md#no-dots-ellipsis")]
    assert found[0]["message"] == "「...」は「…」と書きます"

    kb_yaml = root / "kb.yaml"
    text = kb_yaml.read_text(encoding="utf-8")
    kb_yaml.write_text(text.replace("    no-nfd: error\n", "    no-nfd: error\n    no-dots-ellipsis: {level: error, "
                                                          "min: 4}\n"), encoding="utf-8")
    assert load_spec(root).rules["no-dots-ellipsis"].options == {"min": 4}
    found = [f for f in findings(root, path) if f["rule"] == "no-dots-ellipsis"]
    assert [(f["line"], f["level"]) for f in found] == [(15, "error")]  # ・・・・ has four; ... has three
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 1 and "test.md:15:5 error no-dots-ellipsis" in result.stdout

    fixed = run(root, "check", "--fix")
    assert "no-dots-ellipsis '...' → '…'" in fixed.stderr
    body = path.read_text(encoding="utf-8")
    assert "設定を保存します…\n" in body and "送信します...\n" in body  # the silenced line is left alone
    kb_yaml.write_text(text.replace("    no-nfd: error\n", "    no-nfd: error\n    no-dots-ellipsis: off\n"),
                       encoding="utf-8")
    assert "no-dots-ellipsis" not in [f["rule"] for f in findings(root, path)]


def test_a_rule_defined_in_a_test_module_runs_in_the_check_workers(tmp_path: Path, registered: None) -> None:
    root = make_kb(tmp_path)
    for i in range(200):  # kb check forks its workers from 200 articles on
        article(root, f"記事{i}を保存します...", rel=f"employees/timecard/a{i:03}.md")
    result = run(root, "check", "--format", "json")
    assert sum(f["rule"] == "no-dots-ellipsis" for f in json.loads(result.stdout)) == 200


def test_a_rule_defined_in_a_test_module_is_listed_and_documented(tmp_path: Path, registered: None) -> None:
    root = make_kb(tmp_path)
    listed = run(root, "rules").stdout
    assert "no-dots-ellipsis  [warning]  オプション: min: 3  自動修正あり（kb check --fix）" in listed
    assert "    三点リーダーを点で書いている\n    誤: 保存します...\n    正: 保存します…\n" in listed
    docs = run(root, "rules", "--format", "markdown").stdout
    section = docs[docs.index("## no-dots-ellipsis"):]
    assert section.startswith("## no-dots-ellipsis\n\n三点リーダーを点で書いている / an ellipsis written as dots\n\n"
                              "- level: warning; options: {'min': 3}\n- matches: textlint ja-no-dots-ellipsis\n"
                              "- fixable: `kb check --fix`\n")
    assert "```markdown\n保存します...\n```" in section


def test_the_rule_is_gone_with_its_registration(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    assert "no-dots-ellipsis" not in run(root, "rules").stdout
    kb_yaml = root / "kb.yaml"
    kb_yaml.write_text(kb_yaml.read_text(encoding="utf-8").replace(
        "    no-nfd: error\n", "    no-nfd: error\n    no-dots-ellipsis: warning\n"), encoding="utf-8")
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 78 and "writing.rules: unknown rule 'no-dots-ellipsis'" in result.stderr


def test_a_rule_id_is_registered_once_and_with_a_known_level(registered: None) -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("no-dots-ellipsis", "warning", Doc("", "", "", ""))(no_dots_ellipsis)
    with pytest.raises(ValueError, match="level 'fatal' is not one of error, warning, suggestion"):
        rule("another", "fatal", Doc("", "", "", ""))


def test_a_locked_rule_cannot_be_changed_in_kb_yaml(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("    no-nfd: error\n", "    no-nfd: error\n    raw-marker: off\n"))
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 78
    assert "writing.rules: 'raw-marker' is always on at level error: it cannot be changed" in result.stderr
