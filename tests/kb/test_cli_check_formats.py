"""kb check's formats as the tools that read them read them: SARIF 2.1.0 and reviewdog's rdjson validated against
their published schemas (tests/kb/fixtures/schemas, vendored), checkstyle and JUnit parsed the way reviewdog and
JUnit readers parse them, positions checked against the file's own bytes and characters, and every suggested fix
applied by hand compared with what kb check --fix writes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from csops.kb_cli import CHECK_FORMATS
from kb.output import FORMATS
from tests.kb.helpers import article, make_kb, run

KB_MAIN = "import sys; from csops.kb_cli import main; sys.argv = ['kb', *sys.argv[1:]]; main()"
SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
# Findings on a line with Japanese before them (columns differ in characters, UTF-16 units and UTF-8 bytes),
# fixable ones (terms, no-fullwidth-alnum, redundant-expression, no-hankaku-kana), a suggestion and an info.
BODY = ("まず、ユーザを追加して、サーバの設定をします。ＣＳＶを出力することができます。\n\n"
        "ｶﾀｶﾅの名前は反映されるかもしれません。\n\n<!-- kb-disable-next-line max-ten -->\n設定を保存します。")


def _schema(name: str) -> dict[str, Any]:
    return dict(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def _kb(tmp_path: Path) -> tuple[Path, Path, list[dict[str, Any]]]:
    root = make_kb(tmp_path)
    path = article(root, BODY)
    found = json.loads(run(root, "check", "--format", "json").stdout)
    assert {f["level"] for f in found} == {"error", "warning", "suggestion", "info"}
    return root, path, found


def _fixed_by_kb(root: Path, path: Path) -> str:
    before = path.read_text(encoding="utf-8")
    run(root, "check", "--fix")
    after = path.read_text(encoding="utf-8")
    path.write_text(before, encoding="utf-8")
    return after


def _apply(text: str, edits: list[tuple[int, int, int, str]], unit: str) -> str:
    """Apply (line, start, end, new) edits, columns 1-based in ``unit`` (characters or UTF-8 bytes), from the
    last to the first, each on the original text (they do not overlap)."""
    lines = text.split("\n")
    for line, start, end, new in sorted(edits, reverse=True):
        if unit == "bytes":
            raw = lines[line - 1].encode("utf-8")
            lines[line - 1] = (raw[:start - 1] + new.encode("utf-8") + raw[end - 1:]).decode("utf-8")
        else:
            lines[line - 1] = lines[line - 1][:start - 1] + new + lines[line - 1][end - 1:]
    return "\n".join(lines)


def test_every_format_is_offered() -> None:
    assert CHECK_FORMATS == FORMATS


def test_sarif_is_valid_sarif_2_1_0_and_its_fixes_are_what_fix_writes(tmp_path: Path) -> None:
    root, path, found = _kb(tmp_path)
    result = run(root, "check", "--format", "sarif")
    assert result.exit_code == 1  # the terms errors
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(_schema("sarif-schema-2.1.0.json")).validate(log)
    run_ = log["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints" and run_["tool"]["driver"]["name"] == "kb check"
    results = run_["results"]
    assert len(results) == len(found)
    rules = run_["tool"]["driver"]["rules"]
    lines = path.read_text(encoding="utf-8").split("\n")
    for r, f in zip(results, found, strict=True):
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"] == f["rule"]
        assert r["level"] == {"error": "error", "warning": "warning"}.get(f["level"], "note")
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "kb/articles/employees/timecard/test.md"
        assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (f["line"], f["col"])
    terms = [r for r in results if r["ruleId"] == "terms"]
    assert [lines[r["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
            [r["locations"][0]["physicalLocation"]["region"]["startColumn"] - 1:][:3] for r in terms] == \
        ["ユーザ", "サーバ"]
    edits = []
    for r in results:
        for fix in r.get("fixes", []):
            rep = fix["artifactChanges"][0]["replacements"][0]
            region = rep["deletedRegion"]
            edits.append((region["startLine"], region["startColumn"], region["endColumn"],
                          rep["insertedContent"]["text"]))
    assert len(edits) == 5
    assert _apply(path.read_text(encoding="utf-8"), edits, "chars") == _fixed_by_kb(root, path)


def test_rdjsonl_lines_are_reviewdog_diagnostics_with_byte_columns_and_suggestions(tmp_path: Path) -> None:
    root, path, found = _kb(tmp_path)
    out = run(root, "check", "--format", "rdjsonl").stdout
    diagnostic = jsonschema.Draft4Validator(_schema("rdjson-Diagnostic.json"))
    diags = [json.loads(line) for line in out.splitlines()]
    assert len(diags) == len(found)
    raw = path.read_bytes().split(b"\n")
    edits = []
    for d, f in zip(diags, found, strict=True):
        diagnostic.validate(d)
        # what reviewdog reads (every field is optional in its schema)
        assert d["message"] == f["message"] and d["code"]["value"] == f["rule"]
        assert d["location"]["path"] == f["path"]
        assert d["severity"] == {"error": "ERROR", "warning": "WARNING"}.get(f["level"], "INFO")
        start = d["location"]["range"]["start"]
        assert start["line"] == f["line"]
        # the column counts UTF-8 bytes: the bytes before it are the characters before kb's column
        assert len(raw[start["line"] - 1][:start["column"] - 1].decode("utf-8")) == f["col"] - 1
        for s in d.get("suggestions", []):
            assert s["range"]["start"]["line"] == s["range"]["end"]["line"]
            edits.append((s["range"]["start"]["line"], s["range"]["start"]["column"], s["range"]["end"]["column"],
                          s["text"]))
    assert len(edits) == 5
    assert _apply(path.read_text(encoding="utf-8"), edits, "bytes") == _fixed_by_kb(root, path)


def test_rdjson_is_one_diagnostic_result(tmp_path: Path) -> None:
    root, _, found = _kb(tmp_path)
    doc = json.loads(run(root, "check", "--format", "rdjson").stdout)
    jsonschema.Draft4Validator(_schema("rdjson-DiagnosticResult.json")).validate(doc)
    assert doc["source"]["name"] == "kb check" and len(doc["diagnostics"]) == len(found)


def test_the_schemas_catch_what_they_should() -> None:
    """The vendored schemas are the real ones: a wrong SARIF version or a wrong reviewdog severity fails."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.0.0", "runs": []}, _schema("sarif-schema-2.1.0.json"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"message": "m", "severity": "FATAL"}, _schema("rdjson-Diagnostic.json"))


def test_checkstyle_xml_as_reviewdog_parses_it(tmp_path: Path) -> None:
    root, _, found = _kb(tmp_path)
    out = run(root, "check", "--format", "checkstyle").stdout
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    tree = ET.fromstring(out)
    assert tree.tag == "checkstyle" and tree.get("version")
    files = tree.findall("file")
    assert [f.get("name") for f in files] == ["kb/articles/employees/timecard/test.md"]
    errors = files[0].findall("error")
    got = [(int(str(e.get("line"))), int(str(e.get("column"))), e.get("severity"), e.get("message"), e.get("source"))
           for e in errors]
    want = [(f["line"], f["col"], {"error": "error", "warning": "warning"}.get(f["level"], "info"), f["message"],
             f"kb.{f['rule']}") for f in found]
    assert got == want


def test_junit_xml_has_a_suite_per_article_and_a_failure_per_finding(tmp_path: Path) -> None:
    root, _, found = _kb(tmp_path)
    article(root, "設定を保存します。", rel="employees/timecard/clean.md")
    out = run(root, "check", "--format", "junit").stdout
    tree = ET.fromstring(out)
    assert tree.tag == "testsuites"
    suites = {s.get("name"): s for s in tree.findall("testsuite")}
    assert set(suites) == {"kb/articles/employees/timecard/test.md", "kb/articles/employees/timecard/clean.md"}
    dirty = suites["kb/articles/employees/timecard/test.md"]
    cases = dirty.findall("testcase")
    assert int(str(dirty.get("tests"))) == len(cases) == len(found) == int(str(dirty.get("failures")))
    assert [(c.get("classname"), c.find("failure").get("type")) for c in cases] == \
        [("kb/articles/employees/timecard/test.md", f["level"]) for f in found]  # type: ignore[union-attr]
    clean = suites["kb/articles/employees/timecard/clean.md"]
    assert clean.get("failures") == "0" and [c.find("failure") for c in clean.findall("testcase")] == [None]
    assert int(str(tree.get("failures"))) == len(found)


def test_github_annotations_are_escaped_and_the_cap_is_warned(tmp_path: Path) -> None:
    root = make_kb(tmp_path, ("message: \"「{match}」ではなくリンク先が分かる文言にします\"",
                              "message: \"100%, リンク先が分かる文言に\\n書きます\""))
    article(root, "\n\n".join(f"詳しくはこちらを読みます。その{i}" for i in range(12)))
    result = run(root, "check", "--format", "github")
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert lines[0] == ("::warning file=kb/articles/employees/timecard/test.md,line=7,col=5,title=no-click-here"
                        "::100%25, リンク先が分かる文言に%0A書きます")
    assert "GitHub shows 10 error, 10 warning and 10 notice annotations per step" in result.stderr
    assert "2 warnings of these 12 will not appear" in result.stderr and "--format rdjsonl" in result.stderr
    (tmp_path / "few").mkdir()
    few = make_kb(tmp_path / "few")
    article(few, "詳しくはこちらを読みます。")
    assert "GitHub shows" not in run(few, "check", "--format", "github").stderr


def test_text_groups_by_file_marks_fixable_findings_and_colours_only_when_asked(tmp_path: Path) -> None:
    root, _, found = _kb(tmp_path)
    article(root, "ユーザを追加します。", rel="admin/users/second.md")
    plain = run(root, "check")
    out = plain.stdout
    assert "\x1b[" not in out  # not a terminal
    heads = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert heads == ["kb/articles/admin/users/second.md", "kb/articles/employees/timecard/test.md",
                     "[*] 6 fixable with --fix"]
    assert re.search(r"^  7:1  +error +「ユーザ」ではなく「ユーザー」と書きます  terms \[\*\]$", out, re.M)
    weak = next(f for f in found if f["rule"] == "weak-phrase")
    assert re.search(rf"^  {weak['line']}:{weak['col']} +suggestion +.*weak-phrase$", out, re.M)  # no fix, no mark
    assert "errors," not in out and "2 articles: 4 errors" in plain.stderr  # the counts go to stderr
    coloured = run(root, "check", "--color", "always").stdout
    assert "\x1b[31m" in coloured and re.sub(r"\x1b\[[0-9;]*m", "", coloured) == out
    assert "\x1b[" not in run(root, "check", "--color", "never").stdout


def test_no_color_and_a_terminal(tmp_path: Path) -> None:
    """auto: colour on a terminal unless NO_COLOR is set (no-color.org); --color always wins over NO_COLOR."""
    import os
    import pty
    import subprocess
    import sys

    root = make_kb(tmp_path)
    article(root, "ユーザを追加します。")

    def on_tty(*args: str, env: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        proc = subprocess.run([sys.executable, "-c", KB_MAIN, "--root", str(root), "check", *args],
                              stdout=follower, stderr=subprocess.DEVNULL, env=env, timeout=60)
        os.close(follower)
        data = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        os.close(leader)
        assert proc.returncode == 1
        return data.decode("utf-8")

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\x1b[31m" in on_tty(env=env)
    assert "\x1b[" not in on_tty(env={**env, "NO_COLOR": "1"})
    assert "\x1b[31m" in on_tty("--color", "always", env={**env, "NO_COLOR": "1"})
