"""kb check as writers coming from textlint, Vale and markdownlint use it: suppressions, --fix, rules with
examples, placeholders, and the morphology rules (ら抜き, 二重助詞, 二重否定)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kb.writing import RULES
from tests.kb.helpers import ROOT, article, findings, make_kb, rules_found, run, write

FAQ = "---\ntitle: 例\ntype: faq\n---\n\n## 例\n\n{}\n"


def _example_file(root: Path, example: str, name: str) -> Path:
    text = example if example.startswith("---") else FAQ.format(example)
    rel = "troubleshooting/login" if "troubleshooting" in text else "employees/timecard"
    return write(root, f"{rel}/{name}.md", text)


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_reports_its_wrong_example_and_not_its_right_one(tmp_path: Path, rule: str) -> None:
    root = make_kb(tmp_path)
    doc = RULES[rule].doc
    wrong = _example_file(root, doc.wrong, "wrong")
    right = _example_file(root, doc.right, "right")
    assert rule in rules_found(root, wrong), doc.wrong
    assert rule not in rules_found(root, right), doc.right
    if doc.wrong_en:
        wrong_en = write(root, "employees/timecard/wrong-en.en.md", FAQ.format(doc.wrong_en).replace("例", "Example"))
        right_en = write(root, "employees/timecard/right-en.en.md", FAQ.format(doc.right_en).replace("例", "Example"))
        assert rule in rules_found(root, wrong_en) and rule not in rules_found(root, right_en)


def test_the_doc_file_is_in_step() -> None:
    result = run(ROOT / "kb", "rules", "--format", "markdown")
    assert result.stdout == (ROOT / "docs" / "kb-rules.md").read_text(encoding="utf-8"), \
        "run: kb rules --format markdown > docs/kb-rules.md"


def test_each_writing_rule_is_registered_beside_its_function_in_one_kind_module() -> None:
    """Vale's layout: a module per rule kind; each rule registered where its function is; the team's kinds expose
    run."""
    import importlib
    import pkgutil

    import kb.writing
    from kb.model import DICTIONARY, USER_KINDS

    modules = {m.__name__ for m in kb.writing.KIND_MODULES}
    assert {r.check.__module__ for r in RULES.values()} == modules
    kinds = [importlib.import_module(f"kb.writing.{m.name}") for m in pkgutil.iter_modules(kb.writing.__path__)
             if m.name != "base" and f"kb.writing.{m.name}" not in modules]
    assert {m.__name__.rpartition(".")[2] for m in kinds if hasattr(m, "run")} == {*USER_KINDS, DICTIONARY} \
        == set(kb.writing.KINDS)


def test_kb_rules_lists_levels_options_and_examples_in_the_writers_language(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("    max-ten: {level: warning, max: 3}", "    max-ten: {level: error, max: 2}"))
    out = run(root, "rules").stdout
    assert "max-ten  [error]  オプション: max: 2" in out
    assert "誤: 設定を開き、項目を選び、値を入力し、保存を押して、完了します。" in out
    assert "terms  [error]  substitution" in out and "kb/kb.yaml:" in out
    (tmp_path / "en").mkdir()
    en = make_kb(tmp_path / "en", [("locale: ja ", "locale: en "), ("locales: [ja, en]", "locales: [en, ja]")])
    out_en = run(en, "rules").stdout
    assert "wrong: Open it, select it, change it, save it, and close it." in out_en
    assert "too many commas in one sentence" in out_en


def test_json_findings_carry_the_rules_documentation_anchor(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "ユーザを追加し、設定を開き、項目を選び、値を入れ、保存します。")
    got = {f["rule"]: f["doc"] for f in findings(root, path)}
    assert got["max-ten"] == "docs/kb-rules.md#max-ten"
    assert str(got["terms"]).startswith("kb/kb.yaml:")
    line = int(str(got["terms"]).rpartition(":")[2])
    assert "id: terms" in (root / "kb.yaml").read_text(encoding="utf-8").split("\n")[line - 1]


# -- suppressions -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "<!-- kb-disable weak-phrase -->\n反映されるかもしれません。\n<!-- kb-enable weak-phrase -->",
    "<!-- kb-disable -->\n反映されるかもしれません。\n<!-- kb-enable -->",
    "<!-- kb-disable-next-line weak-phrase -->\n反映されるかもしれません。",
    "<!-- textlint-disable ja-technical-writing/ja-no-weak-phrase -->\n反映されるかもしれません。\n"
    "<!-- textlint-enable -->",
    "<!-- vale off -->\n反映されるかもしれません。\n<!-- vale on -->",
])
def test_suppression_forms_silence_a_passage(tmp_path: Path, body: str) -> None:
    root = make_kb(tmp_path)
    path = article(root, body + "\n\n送信されるかもしれません。")
    got = [(f["rule"], f["line"]) for f in findings(root, path)]
    assert ("weak-phrase", 8) not in got
    assert [r for r, _ in got if r == "weak-phrase"] == ["weak-phrase"], got  # the line after the passage
    assert "unused-suppression" not in [r for r, _ in got]


def test_markdownlint_next_line_and_front_matter_forms(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "<!-- markdownlint-disable-next-line MD045 -->\n![](../../../images/setup-flow.png)\n\n"
                         "![](../../../images/setup-flow.png)")
    assert [f["line"] for f in findings(root, path) if f["rule"] == "image-alt"] == [10]
    text = path.read_text(encoding="utf-8").replace("title: テスト記事",
                                                    "title: テスト記事\nkb: {disable: [image-alt]}")
    path.write_text(text, encoding="utf-8")
    assert "image-alt" not in rules_found(root, path)


def test_a_suppression_that_suppresses_nothing_is_reported(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "<!-- kb-disable-next-line max-ten -->\n設定を保存します。\n\n"
                         "<!-- kb-disable-next-line max-tne -->\n設定を保存します。")
    got = findings(root, path)
    unused = [f for f in got if f["rule"] == "unused-suppression"]
    assert [(f["line"], f["level"]) for f in unused] == [(7, "info")]
    assert "suppresses nothing" in str(unused[0]["message"])
    unknown = [f for f in got if f["rule"] == "unknown-suppression"]
    assert unknown and "did you mean 'max-ten'" in str(unknown[0]["message"])
    result = run(root, "check")
    assert result.exit_code == 0  # info and warnings do not fail



def test_the_summary_counts_info_findings_in_every_format(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "<!-- kb-disable-next-line max-ten -->\n設定を保存します。\n\nこれはたぶん正しいと思います。")
    as_json = run(root, "check", "--format", "json")
    levels = sorted(str(f["level"]) for f in json.loads(as_json.stdout))
    assert "info" in levels and len(set(levels)) > 1, levels
    want = (f"1 articles: {levels.count('error')} errors, {levels.count('warning')} warnings, "
            f"{levels.count('suggestion')} suggestions, {levels.count('info')} info")
    assert want in as_json.stderr
    text = run(root, "check", "--format", "line")
    assert text.stdout.count("\n") == len(levels) and want in text.stderr
    assert want in run(root, "check").stderr
    assert want in run(root, "check", "--format", "github").stderr

# -- --fix ----------------------------------------------------------------------------------------------------

def test_fix_applies_substitutions_and_builtin_fixes_and_prints_them(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "ユーザを追加して下さい。ＣＳＶを出力することができます。`ユーザ`は変えません。\n\n"
                         "<!-- kb-disable-next-line terms -->\nサーバの設定です。サーバーはそのままです。")
    result = run(root, "check", "--fix")
    text = path.read_text(encoding="utf-8")
    assert "ユーザーを追加してください。CSVを出力できます。`ユーザ`は変えません。" in text
    assert "サーバの設定です。サーバーはそのままです。" in text  # suppressed line untouched
    assert "fixed kb/articles/employees/timecard/test.md:7:1 terms 'ユーザ' → 'ユーザー'" in result.stderr
    assert "terms '下さい' → 'ください'" in result.stderr
    assert "no-fullwidth-alnum 'ＣＳＶ' → 'CSV'" in result.stderr
    assert "redundant-expression 'することができ' → 'でき'" in result.stderr
    assert "terms" not in rules_found(root, path)


def test_fix_keeps_each_files_line_endings(tmp_path: Path) -> None:
    """A file written on Windows (CRLF) gets its fixes and keeps CRLF: the pre-commit kb-fix hook must not turn
    every line of it into a change."""
    root = make_kb(tmp_path)
    crlf = article(root, "ユーザを追加します。\n\n設定を保存します。", rel="admin/users/windows.md")
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    lf = article(root, "ユーザを追加します。", rel="admin/users/unix.md")
    run(root, "check", "--fix")
    raw = crlf.read_bytes()
    assert "ユーザーを追加します。\r\n\r\n設定を保存します。".encode() in raw
    assert raw.count(b"\r\n") == raw.count(b"\n") > 5
    assert b"\r" not in lf.read_bytes() and "ユーザーを追加します。" in lf.read_text(encoding="utf-8")


def test_fix_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "ユーザを追加します。")
    before = path.read_text(encoding="utf-8")
    result = run(root, "check", "--fix", "--diff")
    assert result.exit_code == 1
    assert "-ユーザを追加します。\n+ユーザーを追加します。\n" in result.stdout
    assert "--- a/kb/articles/employees/timecard/test.md" in result.stdout
    assert path.read_text(encoding="utf-8") == before
    assert run(root, "check", "--diff").exit_code == 2


def test_fix_leaves_substitutions_with_a_choice_alone(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("swap: {ユーザ: ユーザー,", "swap: {ユーザ: ユーザー|利用者,"))
    path = article(root, "ユーザを追加します。")
    run(root, "check", "--fix")
    assert "ユーザを追加します。" in path.read_text(encoding="utf-8")


# -- placeholders ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("where", "type_", "locale"), [
    ("getting-started/setup", "how-to", "ja"), ("getting-started/faq", "faq", "ja"),
    ("troubleshooting/login", "troubleshooting", "en"), ("admin/users", "reference", "ja")])
def test_an_untouched_skeleton_is_an_error(tmp_path: Path, where: str, type_: str, locale: str) -> None:
    root = make_kb(tmp_path)
    assert run(root, "new", where, "draft-one", "--title", "下書き", "--type", type_, "--locale", locale).exit_code == 0
    result = run(root, "check")
    assert result.exit_code == 1
    assert "placeholder" in result.stdout


def test_a_filled_in_skeleton_passes(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    run(root, "new", "getting-started/faq", "login-faq", "--title", "ログインの質問")
    path = root / "articles/getting-started/faq/login-faq.md"
    text = path.read_text(encoding="utf-8").replace("質問を書きます", "パスワードを忘れたときは").replace(
        "回答を書きます。", "管理者に再設定を依頼します。")
    path.write_text(text, encoding="utf-8")
    assert run(root, "check").exit_code == 0


# -- morphology -----------------------------------------------------------------------------------------------

MORPH = [
    ("no-dropping-the-ra", ["この画面は管理者しか見れません。", "明日は来れますか。", "朝早く起きれます。",
                            "電話をかけれます。", "夜は寝れません。",
                            "変更を加えれます。"],
     ["ここから走れます。", "設定を入れます。", "書類を見られます。", "明日は来られます。",
      "反映されるかもしれません。", "鍵を忘れます。", "変更を加えれば保存されます。"]),
    ("no-doubled-joshi", ["材料不足で代替素材で製品を作ります。", "私は彼は好きです。", "設定画面で一覧で選択します。"],
     ["私は彼の鼻は好きです。", "既存のコードの利用です。", "オブジェクトを返す関数を公開します。",
      "右がiPhone、左がAndroidです。", "ナイフで切断した後、ハンマーで破砕します。", "AとBとCを選びます。",
      "文字列の長さを正確に測るにはある程度の妥協が必要になります。"]),
    ("no-double-negative", ["知らないことはありません。", "変更できなくもありません。", "使えないわけではありません。",
                            "できないことはない。"],
     ["保存しなければなりません。", "簡単ではありません。", "設定は必要ありません。", "ログインしなくても使えます。",
      "問題ないことを確認します。"]),
]


@pytest.mark.parametrize(("rule", "wrong", "right"), MORPH, ids=[m[0] for m in MORPH])
def test_morphology_rules_true_and_false_positives(tmp_path: Path, rule: str, wrong: list[str],
                                                  right: list[str]) -> None:
    pytest.importorskip("fugashi", reason="the ja extra (make test installs it)")
    root = make_kb(tmp_path)
    for i, sentence in enumerate(wrong):
        path = article(root, sentence, rel=f"employees/timecard/w{i}.md")
        assert rule in rules_found(root, path), sentence
    for i, sentence in enumerate(right):
        path = article(root, sentence, rel=f"employees/timecard/r{i}.md")
        assert rule not in rules_found(root, path), sentence


BLOCK_FUGASHI = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "fugashi":
            raise ImportError("blocked: no ja extra")
sys.meta_path.insert(0, Block())
from csops.kb_cli import main
sys.argv = ["kb", *sys.argv[1:]]
main()
"""


def test_without_the_ja_extra_check_says_once_how_to_turn_morphology_on(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "この画面は管理者しか見れません。", rel="employees/timecard/a.md")
    article(root, "夜は寝れません。", rel="employees/timecard/b.md")
    proc = subprocess.run([sys.executable, "-c", BLOCK_FUGASHI, "--root", str(root), "check"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.stderr.count("no-dropping-the-ra, no-doubled-joshi, no-double-negative are off") == 1, proc.stderr
    assert "pip install 'csops[ja]'" in proc.stderr
    assert "no-dropping-the-ra" not in proc.stdout
    rules = subprocess.run([sys.executable, "-c", BLOCK_FUGASHI, "--root", str(root), "rules"], capture_output=True,
                           text=True, cwd=ROOT, timeout=60)
    assert "ja extra が必要です（pip install 'csops[ja]'）" in rules.stdout


def test_json_output_is_valid_with_suppressions(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "<!-- kb-disable-next-line ja-period -->\n設定を保存します")
    out = run(root, "check", "--format", "json").stdout
    assert json.loads(out) == []


IMPORTED_BY_CHECK = """
import atexit, sys
atexit.register(lambda: print(sorted(m for m in ("jinja2", "markdown") if m in sys.modules), file=sys.stderr))
from csops.kb_cli import main
sys.argv = ["kb", *sys.argv[1:]]
main()
"""


def test_kb_check_imports_neither_jinja2_nor_python_markdown(tmp_path: Path) -> None:
    """Start-up counts in every kb check a writer or CI runs: the renderer and the skeletons' templates stay
    unloaded (an internal link with an anchor does load Python-Markdown, for its slugs)."""
    root = make_kb(tmp_path)
    article(root, "[招待](../../admin/users/invite.md)を読みます。", rel="employees/timecard/a.md")
    article(root, "[招待](../../admin/users/invite.md#手順)を読みます。", rel="employees/timecard/b.md")
    article(root, "設定を保存します。", rel="admin/users/invite.md")

    def loaded(*paths: Path) -> str:
        proc = subprocess.run([sys.executable, "-c", IMPORTED_BY_CHECK, "--root", str(root), "check",
                               *map(str, paths)], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        return proc.stderr.rstrip().rpartition("\n")[2]

    assert loaded(root / "articles" / "employees" / "timecard" / "a.md") == "[]"
    assert loaded() == "['markdown']"
