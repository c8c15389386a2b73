"""kb commands on hostile input (issue 25): what a kb.yaml, an article or a folder can hold that once hung, crashed
or reached outside the kb. Through the `kb` command, on real files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.server import Sandbox
from tests.kb.helpers import article, findings, make_kb, run

KB = str(Path(sys.executable).parent / "kb")
USER_RULES = "  user_rules:\n"


def user_rule(pattern: str) -> tuple[str, str]:
    return USER_RULES, USER_RULES + f"    - {{id: slow, kind: existence, message: x, patterns: ['{pattern}']}}\n"


def test_a_user_rule_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    """F4: `(a+)+$` on Python's re against 72 'a's and a stop took kb check past 30 s; on RE2 it is instant.
    The timeout is a guard against the hang, far above any normal run (2^100 steps never end)."""
    root = make_kb(tmp_path, user_rule("(a+)+$"))
    article(root, "a" * 100 + "。")
    proc = subprocess.run([KB, "--root", str(root), "check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "unexpected" not in proc.stderr


def test_a_pattern_re2_cannot_run_is_a_located_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path, user_rule("(?<=ログ)イン"))
    article(root, "ログインします。")
    result = run(root, "check", "--format", "line")
    assert result.exit_code == 78, result.output
    line = next(i for i, text in enumerate((root / "kb.yaml").read_text().splitlines(), 1) if "id: slow" in text)
    assert f"kb.yaml:{line}:" in result.stderr and "user rule 'slow'" in result.stderr
    assert "lookarounds are not allowed" in result.stderr


NESTED = {
    "divs": '<div markdown="1">\n' * 600 + "本文です。\n" + "</div>\n" * 600,
    "stars": "*" * 3000 + "本文" + "*" * 3000,
    "em": "*a " * 1000 + "x" + " a*" * 1000,
    "spans": "<span>" * 20_000 + "x" + "</span>" * 20_000,
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_kb_build_refuses_what_kb_check_refuses(tmp_path: Path, kind: str) -> None:
    """F6: kb check passed these and kb build crashed (RecursionError, exit 70) or took 13.7 s (spans)."""
    root = make_kb(tmp_path)
    path = article(root, "概要です。\n\n" + NESTED[kind] + "\n")
    checked = run(root, "check", "--format", "line")
    assert checked.exit_code == 1, checked.output
    assert re.search(r"test\.md:\d+:1 error nesting ", checked.output), checked.output
    built = run(root, "build", "--out", str(tmp_path / "site"))
    assert built.exit_code == 78, built.output
    assert f"{path.name}:" in built.stderr and "nesting" in built.stderr and "unexpected" not in built.output
    assert not (tmp_path / "site").exists()


def test_ordinary_emphasis_html_and_rules_are_not_nesting(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    body = ("**太字** と *斜体* と ***両方*** 、__init__ と snake_case_name、2 * 3 * 4 です。\n\n" * 20
            + "* * *\n\n- 項目\n- **項目**\n\n" + "<details><summary>詳細</summary>本文<br>です。</details>\n\n" * 40)
    path = article(root, body)
    assert "nesting" not in [f["rule"] for f in findings(root, path)]
    assert run(root, "build", "--out", str(tmp_path / "site")).exit_code == 0


def test_an_article_linked_from_outside_the_kb_is_never_read(tmp_path: Path) -> None:
    """F17: an article .md that is a link to a file outside kb/ was read, built and published."""
    root = make_kb(tmp_path)
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: 社外秘\n---\n\n## 概要\n\n社外秘の本文です。\n\n## 手順\n\n1. 開きます。\n",
                       encoding="utf-8")
    link = root / "articles" / "employees" / "timecard" / "leak.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    checked = run(root, "check", "--format", "line")
    assert checked.exit_code == 1 and "leak.md:1:1 error outside " in checked.output, checked.output
    assert str(outside) in checked.output
    built = run(root, "build", "--out", str(tmp_path / "site"))
    assert built.exit_code == 78 and "outside the knowledge base" in built.stderr, built.output
    assert not (tmp_path / "site").exists()


def test_build_clean_never_replaces_a_folder_of_the_kb(tmp_path: Path) -> None:
    """F18: `kb build --clean --out kb/templates` deleted the kb's templates."""
    root = make_kb(tmp_path)
    templates = root / "templates"
    (templates / "articles").mkdir(parents=True)
    (templates / "articles" / "how-to.ja.md.j2").write_text("---\ntitle: {{ title }}\n---\n", encoding="utf-8")
    article(root, "概要です。")
    for out in (templates, templates / "articles"):
        result = run(root, "build", "--clean", "--out", str(out))
        assert result.exit_code == 2, result.output
        assert "folder of the knowledge base that kb build did not make" in result.output
    assert (templates / "articles" / "how-to.ja.md.j2").read_text(encoding="utf-8").startswith("---")
    assert run(root, "build", "--out", str(root / "_site")).exit_code == 0  # the default place still works
    assert run(root, "build", "--clean", "--out", str(root / "_site")).exit_code == 0


def test_an_article_linked_from_outside_the_kb_is_never_published(tmp_path: Path, hc: Sandbox) -> None:
    from tests.kb.test_publish import Site, live

    site = Site(tmp_path, hc)
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: 社外秘の記事\n---\n\n## 概要\n\n社外秘の本文です。\n\n## 手順\n\n1. 開きます。\n",
                       encoding="utf-8")
    (site.dir / "kb" / "articles" / "employees" / "timecard" / "leak.md").symlink_to(outside)
    result = site.kb("publish")
    assert result.exit_code == 78, result.output
    assert "leak.md:1:1" in result.output and "outside the knowledge base" in result.output
    assert not [a for a in live(hc) if "社外秘" in a["title"]]


def test_links_that_are_no_urls_are_kept_and_never_crash(tmp_path: Path) -> None:
    """The F12 family on the writer's side: an unclosed '[' or a port that is not a number in a link or an image
    made kb check and kb build exit 70 (ValueError from the URL parser)."""
    root = make_kb(tmp_path)
    article(root, "![x](http://[::1/x.png) と [a](http://[::1/) と [b](http://h:abc/) と ![y](http://h:abc/y.png)。")
    checked = run(root, "check", "--format", "line")
    assert checked.exit_code == 0, checked.output
    built = run(root, "build", "--out", str(tmp_path / "site"))
    assert built.exit_code == 0, built.output
    page = next((tmp_path / "site" / "articles").rglob("*.html")).read_text(encoding="utf-8")
    assert ">a</a>" in page or ">a<" in page  # the link text is there; nh3 decides what stays of the URL
