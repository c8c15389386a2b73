"""kb.yaml and front-matter errors, the team's user rules, sanitising, and the kb CLI."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

from kb.render import render
from tests.kb.helpers import SHIPPED, article, findings, make_kb, rules_found, run, write


def line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("default_type: how-to", "default_typ: how-to",
     "unknown key 'default_typ' in kb.yaml (did you mean 'default_type'?)"),
    ("related: [admin]\n", "related: [admn]\n", "related category 'admn' does not exist (did you mean 'admin'?)"),
    ("        default_type: faq", "        default_type: faqs", "unknown type 'faqs' (did you mean 'faq'?)"),
    ("    ja-period: warning", "    ja-period: warn", "level 'warn' is not one of error, warning, suggestion"),
    ("    ja-period: warning", "    ja-periods: warning", "unknown rule 'ja-periods' (did you mean 'ja-period'?)"),
    ("space: never}", "space: never, spce: 1}", "unknown option 'spce' (did you mean 'space'?)"),
    ("      kind: existence", "      kind: existance", "kind 'existance' is not one of"),
    ("  - id: getting-started", "  - id: Getting_Started", "category id 'Getting_Started' must be lower-case"),
])
def test_kb_yaml_errors_name_line_and_suggest(tmp_path: Path, old: str, new: str, message: str) -> None:
    root = make_kb(tmp_path, (old, new))
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 78, result.output
    assert message in result.stderr
    assert f"{root / 'kb.yaml'}:{line_of(root / 'kb.yaml', new.strip().splitlines()[0].split(':')[0].strip())}:" \
        in result.stderr or f"{root / 'kb.yaml'}:" in result.stderr


@pytest.mark.parametrize(("rel", "text", "rule", "line", "message"), [
    ("employees/timecard/a.md", "## 概要\n\n本文です。\n", "front-matter", 1, "missing front matter"),
    ("employees/timecard/a.md", "---\ntitle: [unclosed\n---\n## 概要\n", "front-matter", 2, "invalid YAML"),
    ("employees/timecard/a.md", "---\nlabels: [a]\n---\n## 概要\n\n本文です。\n", "front-matter", 1,
     "title is required"),
    ("employees/timecard/a.md", "---\ntitle: 題\ntitel: x\n---\n", "front-matter", 3,
     "unknown front matter key 'titel' (did you mean 'title'?)"),
    ("employees/timecard/a.md", "---\ntitle: 題\ndraft: yes please\n---\n", "front-matter", 3,
     "draft: expected true or false"),
    ("employees/timecard/a.md", "---\ntitle: 題\ntype: howto\n---\n", "unknown-type", 3,
     "type 'howto' is not in kb.yaml (did you mean 'how-to'?)"),
    ("employes/timecard/a.md", "---\ntitle: 題\n---\n", "unknown-category", 1,
     "category 'employes' is not in kb.yaml (did you mean 'employees'?)"),
    ("employees/timecards/a.md", "---\ntitle: 題\n---\n", "unknown-section", 1,
     "section 'timecards' is not in category 'employees' in kb.yaml (did you mean 'timecard'?)"),
    ("employees/timecard/a.fr.md", "---\ntitle: 題\n---\n", "location", 1, "'.fr' is not a locale in kb.yaml"),
])
def test_front_matter_and_location_errors(tmp_path: Path, rel: str, text: str, rule: str, line: int,
                                          message: str) -> None:
    root = make_kb(tmp_path)
    write(root, rel, text)
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 1
    expected = f"kb/articles/{rel}:{line}:"
    hits = [ln for ln in result.stdout.splitlines() if ln.startswith(expected) and f" error {rule} " in ln]
    assert hits and message in hits[0], result.stdout


def test_duplicate_slugs(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "本文です。", rel="employees/timecard/same.md")
    article(root, "本文です。", rel="employees/requests/same.md")
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 1
    assert ("error duplicate-slug slug 'same' (ja) is also used by kb/articles/employees/requests/same.md"
            in result.stdout)


def test_output_formats(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "ＣＳＶを出力します。かもしれません。")
    line = run(root, "check", "--format", "line")
    assert line.exit_code == 0  # only warnings and suggestions
    expected = ("kb/articles/employees/timecard/test.md:7:1 warning no-fullwidth-alnum "
                "全角英数字「ＣＳＶ」は半角で書きます")
    assert expected in line.stdout
    text = run(root, "check")
    assert text.stdout.startswith("kb/articles/employees/timecard/test.md\n  7:1   warning     全角英数字「ＣＳＶ」は")
    assert "  no-fullwidth-alnum [*]\n" in text.stdout and text.stdout.endswith("\n[*] 1 fixable with --fix\n")
    as_json = json.loads(run(root, "check", "--format", "json").stdout)
    assert {"path", "line", "col", "level", "rule", "message", "doc", "fix"} == set(as_json[0])
    assert as_json[0]["fix"] == {"line": 7, "col": 1, "end_col": 4, "text": "CSV"}
    assert {"path", "line", "col", "level", "rule", "message", "doc"} == set(as_json[1])  # かもしれません
    gh = run(root, "check", "--format", "github").stdout
    assert "::warning file=kb/articles/employees/timecard/test.md,line=7,col=1,title=no-fullwidth-alnum::" in gh
    assert "::notice " in gh


def test_fix_rewrites_mechanical_findings_only(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    body = ("ＣＳＶをｴｸｽﾎﾟｰﾄし、Excel ファイルを開いてくた\u3099\u200bさい。`ＣＳＶ ファイル`はそのままです。\n\n"
            "```\nｶﾅ ＣＳＶ\n```")
    path = article(root, body)
    before = rules_found(root, path)
    assert {"no-fullwidth-alnum", "no-hankaku-kana", "no-nfd", "no-invisible-chars", "spacing"} <= set(before)
    result = run(root, "check", "--fix")
    assert "fixed kb/articles/employees/timecard/test.md" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "CSVをエクスポートし、Excelファイルを開いてください。" in text
    assert "`ＣＳＶ ファイル`" in text and "ｶﾅ ＣＳＶ" in text  # code untouched
    assert rules_found(root, path) == []


def test_user_rules_on_japanese(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "ユーザ設定はこちらです。サーバーを再起動します。\n\n"
                         "SSOでログインします。サインインできないときは管理者に連絡してください。\n\n"
                         "［設定］＞［会社］＞［部署］＞［権限］＞［詳細］を開きます。")
    got = findings(root, path)
    by_rule = {str(f["rule"]): f for f in got}
    assert by_rule["terms"]["message"] == "「ユーザ」ではなく「ユーザー」と書きます"
    assert "サーバ" not in " ".join(str(f["message"]) for f in got if f["rule"] == "terms")
    assert by_rule["no-click-here"]["message"] == "「こちら」ではなくリンク先が分かる文言にします"
    assert by_rule["sign-in-wording"]["level"] == "warning"
    assert by_rule["define-sso"]["rule"] == "define-sso"
    assert "「＞」が4個" in str(by_rule["one-menu-path-per-sentence"]["message"])


def test_user_rule_ascii_tokens_respect_word_boundaries(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "Use the e-mail field. Write to emailer@example.com.", title="Mail", en=True,
                   rel="employees/timecard/mail.en.md")
    terms = [f for f in findings(root, path) if f["rule"] == "terms"]
    assert len(terms) == 1 and "「e-mail」" in str(terms[0]["message"])


XSS = [
    ("<script>alert(1)</script>", "<script", "alert"),
    ('<img src="x.png" onerror="alert(1)" alt="x">', "onerror", None),
    ('<a href="javascript:alert(1)">x</a>', "javascript:", None),
    ('<iframe src="javascript:alert(1)"></iframe>', "javascript:", None),
    ('<div onclick="steal()">x</div>', "onclick", None),
    ('<svg><script>alert(1)</script></svg>', "<svg", "alert"),
    ('<style>body{display:none}</style>', "<style", "display"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "avascript", None),
    ('<form action="https://evil"><input name=x></form>', "<form", None),
]


@pytest.mark.parametrize(("payload", "gone", "gone_too"), XSS)
def test_sanitising_against_xss(payload: str, gone: str, gone_too: str | None) -> None:
    html = render(f"## 概要\n\n{payload}\n\n本文です。\n").html.lower()
    assert gone.lower() not in html
    if gone_too:
        assert gone_too not in html
    assert "本文です。" in html


def test_rendering_keeps_safe_html_and_joins_japanese_lines() -> None:
    r = render("## 概要\n\n勤怠データを\n出力します。Line one\nline two.\n\n"
               '<iframe src="https://www.youtube.com/embed/abc"></iframe>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n')
    assert "勤怠データを出力します。" in r.html
    assert "Line one\nline two." in r.html
    assert 'src="https://www.youtube.com/embed/abc"' in r.html
    assert '<h2 id="概要">' in r.html and "<table>" in r.html
    assert r.toc[0]["id"] == "概要"


def test_new_writes_a_skeleton_of_the_right_type(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    ok = run(root, "new", "troubleshooting/login", "locked-out", "--title", "アカウント: ロックされた")
    assert ok.exit_code == 0, ok.output
    path = root / "articles/troubleshooting/login/locked-out.md"
    text = path.read_text(encoding="utf-8")
    assert '"アカウント: ロックされた"' in text and "## 症状" in text and "type: troubleshooting" in text
    # only the skeleton's placeholder text stands between it and a clean check
    check = run(root, "check", "--format", "line")
    assert check.exit_code == 1 and {line.split()[2] for line in check.stdout.splitlines()} == {"placeholder"}
    en = run(root, "new", "admin/users", "roles-guide", "--title", "Roles", "--locale", "en", "--type", "reference")
    assert en.exit_code == 0 and (root / "articles/admin/users/roles-guide.en.md").exists()
    again = run(root, "new", "troubleshooting/login", "locked-out", "--title", "x")
    assert again.exit_code == 78 and "already exists" in again.stderr
    bad = run(root, "new", "troubleshoot/login", "x", "--title", "x")
    assert bad.exit_code == 78 and "(did you mean 'troubleshooting'?)" in bad.stderr


def test_build_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run(SHIPPED, "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = (out / "articles/first-steps.html").read_text(encoding="utf-8")
    assert "会社情報を登録する" in page
    assert 'href="../articles/work-rules.html"' in page          # links between articles rewritten
    assert 'href="../articles/invite-users.html#手順"' in page     # anchors kept
    assert 'src="../images/' in page and (out / "images").is_dir()
    assert 'hreflang="en" href="../articles/first-steps.en.html"' in page
    assert "window.KB_INDEX" in (out / "assets/search-index.js").read_text(encoding="utf-8")
    assert (out / "sections/getting-started/setup.html").exists()
    assert "Using the Cloud Kintai API" in (out / "sections/admin/integrations.html").read_text(encoding="utf-8")


def test_build_fails_on_broken_articles(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    write(root, "nowhere/x/a.md", "---\ntitle: t\n---\n")
    result = run(root, "build", "--out", str(tmp_path / "o"))
    assert result.exit_code == 78 and "unknown-category" in result.stderr


def test_preview_serves_and_rebuilds_on_change(tmp_path: Path) -> None:
    from kb.preview import Preview

    root = make_kb(tmp_path, with_samples=True)
    messages: list[str] = []
    preview = Preview(root, tmp_path / "site", 0, messages.append, interval=0.1).start()
    try:
        assert preview.url.startswith("http://127.0.0.1:")
        page = urllib.request.urlopen(preview.url + "articles/clock-in.html", timeout=30).read().decode()
        assert "出勤を打刻する" in page
        target = root / "articles/employees/timecard/clock-in.md"
        target.write_text(target.read_text(encoding="utf-8").replace("出勤を打刻する", "出勤を記録する"),
                          encoding="utf-8")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            page = urllib.request.urlopen(preview.url + "articles/clock-in.html", timeout=30).read().decode()
            if "出勤を記録する" in page and preview.builds >= 2:
                break
            time.sleep(0.1)
        assert "出勤を記録する" in page, messages
        assert preview.builds >= 2, messages
    finally:
        preview.stop()


def test_kb_yaml_missing(tmp_path: Path) -> None:
    result = run(tmp_path / "nokb", "check")
    assert result.exit_code == 78 and "kb.yaml: not found" in result.stderr


def test_build_on_two_cores_writes_the_same_site_as_on_one(tmp_path: Path) -> None:
    from kb.site import build
    from kb.spec import load_spec

    root = make_kb(tmp_path, with_samples=True)
    for path in list((root / "articles").rglob("*.md")):
        slug, _, rest = path.name.partition(".")
        for n in range(14):  # 16 samples × 15 = 240 articles: above the threshold for worker processes
            (path.parent / f"{slug}-{n}.{rest}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    spec = load_spec(root)
    one = build(spec, tmp_path / "one", workers=1)
    two = build(spec, tmp_path / "two", workers=2)
    assert one.articles == two.articles == 240 and one.images == two.images > 0

    def files(base: Path) -> dict[str, bytes]:
        stamp = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
        return {str(p.relative_to(base)): stamp.sub(b"", p.read_bytes()) for p in base.rglob("*") if p.is_file()}

    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_check_on_two_cores_finds_what_one_finds(tmp_path: Path) -> None:
    from kb.check import check
    from kb.spec import load_spec

    root = make_kb(tmp_path)
    for n in range(240):  # above the threshold for worker processes
        # a link to an article the other worker checks: its headings are read there too
        anchor = "nope" if n % 10 == 0 else "手順"
        article(root, f"ＣＳＶを出力することができます。かもしれません{n}[次](a{(n + 120) % 240}.md#{anchor})。",
                rel=f"employees/timecard/a{n}.md")
    spec = load_spec(root)
    one, two = check(spec, workers=1), check(spec, workers=2)
    assert len(one.findings) == 240 * 3 + 24 and one.findings == two.findings  # widths, redundant, weak; anchors
    assert sum(f.rule == "internal-link" and "'#nope'" in f.message for f in two.findings) == 24
