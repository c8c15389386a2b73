"""Word lists teams already keep, read from kb.yaml as they are: a textlint prh dictionary (with imports and specs,
the specs run when kb.yaml loads) and a Vale vocabulary; and the team's word rules on titles and headings."""

from __future__ import annotations

import json
from pathlib import Path

from tests.kb.helpers import article, findings, make_kb, run

# prh's own sample (github.com/prh/prh misc/prh.yml), cut down, plus an import
PRH = """\
version: 1
imports:
  - ./media.yml
rules:
  - expected: jQuery
    specs:
      - from: jquery
        to:   jQuery
      - from: ＪＱＵＥＲＹ
        to:   jQuery
  - expected: デフォルト
    pattern:  ディフォルト
  - expected: ハードウェア
    patterns:
      - ハードウエアー
      - ハードウェアー
      - ハードウエア
  - expected: （$1）
    pattern:  /\\(([^)]+)\\)/
    specs:
      - from: (そのとおり)
        to:   （そのとおり）
  - expected: ソフトウェア
    pattern:  /(日経)?ソフトウエア/
    regexpMustEmpty: $1
    specs:
      - from: 広義のソフトウエア
        to:   広義のソフトウェア
      - from: 日経ソフトウエア
        to:   日経ソフトウエア
  - expected: サーバー
    pattern:  /サーバ(?!ー)/
    specs:
      - from: サーバ
        to:   サーバー
      - from: サーバー
        to:   サーバー
"""
MEDIA = """\
version: 1
rules:
  - expected: インターフェース
    pattern: インタフェース
    specs:
      - from: インタフェース
        to:   インターフェース
"""
DICTS = ("  user_rules:\n", "  dictionaries:\n    - {prh: prh.yml, level: error}\n    - {vale: vocab/Team}\n"
                            "  user_rules:\n")


def _kb(tmp_path: Path, prh: str = PRH) -> Path:
    root = make_kb(tmp_path, DICTS)
    (root / "prh.yml").write_text(prh, encoding="utf-8")
    (root / "media.yml").write_text(MEDIA, encoding="utf-8")
    vocab = root / "vocab" / "Team"
    vocab.mkdir(parents=True)
    (vocab / "accept.txt").write_text("# product names\nGitHub\nZendesk\n[Oo]bservability\n", encoding="utf-8")
    (vocab / "reject.txt").write_text("ヤバい\nsimply\n", encoding="utf-8")
    return root


def test_a_prh_dictionary_with_imports_and_a_vale_vocabulary_are_checked_and_fixed(tmp_path: Path) -> None:
    root = _kb(tmp_path)
    body = ("jqueryとディフォルトの設定です。ハードウエアは(任意)です。日経ソフトウエアと広義のソフトウエアです。"
            "サーバとサーバーです。インタフェースを開きます。\n\ngithubとZendeskを使います。simply ヤバい機能です。")
    path = article(root, body)
    got = [(f["rule"], f["message"], f["level"]) for f in findings(root, path)
           if f["rule"] in ("prh", "vocabulary", "vocabulary-avoid")]
    prh = [m for r, m, _ in got if r == "prh"]
    assert [m.rsplit("（", 1)[0] for m in prh] == [
        "「jquery」ではなく「jQuery」と書きます", "「ディフォルト」ではなく「デフォルト」と書きます",
        "「ハードウエア」ではなく「ハードウェア」と書きます", "「(任意)」ではなく「（任意）」と書きます",
        "「ソフトウエア」ではなく「ソフトウェア」と書きます", "「サーバ」ではなく「サーバー」と書きます",
        "「インタフェース」ではなく「インターフェース」と書きます"]
    assert "（kb/prh.yml:5）" in prh[0] and "（kb/media.yml:3）" in prh[-1]  # where each rule is written
    assert {lv for r, _, lv in got if r == "prh"} == {"error"}
    assert [m.rsplit("（", 1)[0] for r, m, _ in got if r == "vocabulary"] == ["「GitHub」と書きます"]
    assert sorted(m.rsplit("（", 1)[0] for r, m, _ in got if r == "vocabulary-avoid") == \
        ["「simply」は使いません", "「ヤバい」は使いません"]
    fixed = run(root, "check", "--fix")
    text = path.read_text(encoding="utf-8")
    assert ("jQueryとデフォルトの設定です。ハードウェアは（任意）です。日経ソフトウエアと広義のソフトウェアです。"
            "サーバーとサーバーです。インターフェースを開きます。") in text
    assert "GitHubとZendeskを使います。simplyヤバい機能です。" in text  # rejected terms: no replacement (spacing is)
    assert "prh '(任意)' → '（任意）'" in fixed.stderr
    assert not [f for f in findings(root, path) if f["rule"] in ("prh", "vocabulary")]


def test_a_failing_prh_spec_stops_kb_check_naming_its_line(tmp_path: Path) -> None:
    spec = "      - from: サーバー\n        to:   サーバー\n"
    wrong = PRH.replace(spec, spec.replace("to:   サーバー", "to:   サーバーー"))
    root = _kb(tmp_path, wrong)
    article(root, "設定です。")
    result = run(root, "check")
    assert result.exit_code == 78
    line = wrong.split("\n").index("      - from: サーバー") + 1
    assert f"prh.yml:{line}" in result.stderr
    assert "prh spec failed for 'サーバー': 'サーバー' should become 'サーバーー', got 'サーバー'" in result.stderr


def test_prh_lookarounds_rre2_cannot_run_are_refused_where_they_are(tmp_path: Path) -> None:
    root = _kb(tmp_path, PRH + "  - expected: x\n    pattern: /a(?=b)c/\n")
    article(root, "設定です。")
    result = run(root, "check")
    assert result.exit_code == 78 and "prh.yml:" in result.stderr and "not supported" in result.stderr


def test_dictionaries_outside_the_project_are_not_read(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("  user_rules:\n", "  dictionaries:\n    - {prh: ../../outside.yml}\n  user_rules:\n"))
    (tmp_path.parent / "outside.yml").write_text(PRH, encoding="utf-8")
    article(root, "設定です。")
    result = run(root, "check")
    assert result.exit_code == 78 and "outside the project folder" in result.stderr


def test_kb_rules_import_checks_a_dictionary_and_says_how_to_use_it(tmp_path: Path) -> None:
    root = _kb(tmp_path)
    result = run(root, "rules", "import", str(root / "prh.yml"))
    assert result.exit_code == 0, result.output
    assert "7 rules from 2 files, 8 specs pass" in result.stdout
    assert "    - {prh: prh.yml}" in result.stdout
    vale = run(root, "rules", "import", str(root / "vocab" / "Team"))
    assert "2 accepted terms, 2 rejected" in vale.stdout and "    - {vale: vocab/Team}" in vale.stdout


def test_term_rules_check_the_title_and_headings_and_fix_them(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = root / "articles/employees/timecard/brand.md"
    path.parent.mkdir(parents=True)
    path.write_text('---\ntitle: "クラウドキンタイ: ユーザの追加"\n---\n\n## 概要\n\nクラウド勤怠の設定です。\n\n'
                    "## 手順\n\n1. ［設定］を開きます。\n\n### サーバの設定\n\n設定します。\n", encoding="utf-8")
    got = {(f["rule"], f["line"], f["col"]) for f in findings(root, path)}
    assert {("product-name", 2, 9), ("terms", 2, 19), ("terms", 13, 5)} <= got
    as_json = json.loads(run(root, "check", "--format", "json").stdout)
    title_fix = next(f["fix"] for f in as_json if f["rule"] == "product-name")
    assert title_fix == {"line": 2, "col": 9, "end_col": 17, "text": "クラウド勤怠"}
    run(root, "check", "--fix")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "クラウド勤怠: ユーザーの追加"\n') and "### サーバーの設定" in text
    assert run(root, "check").exit_code == 0
