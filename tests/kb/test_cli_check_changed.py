"""kb check on a team's existing knowledge base in git: --changed reports only what a change can affect, --baseline
only what is new since the baseline was recorded."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.kb.helpers import article, make_kb, run, write

GIT_ENV = {"GIT_AUTHOR_NAME": "w", "GIT_AUTHOR_EMAIL": "w@example.com", "GIT_COMMITTER_NAME": "w",
           "GIT_COMMITTER_EMAIL": "w@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
BAD = "ユーザを追加します。"  # a terms error in every article that has it


def git(cwd: Path, *args: str) -> str:
    import os

    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60,
                          env={**os.environ, **GIT_ENV})
    return proc.stdout


def _repo(tmp_path: Path) -> Path:
    """A committed kb where every article already has a finding (a Help Center just pulled, say)."""
    root = make_kb(tmp_path)
    article(root, BAD + "\n\n[打刻](../timecard/clock-in.md#概要)を読みます。", rel="employees/requests/links-in.md")
    article(root, BAD, rel="employees/timecard/clock-in.md")
    write(root, "employees/timecard/clock-in.en.md", "---\ntitle: Clock in\n---\n\n## Overview\n\nThe user adds it.\n"
                                                     "\n## Steps\n\n1. Open **Settings**.\n")
    article(root, BAD, rel="admin/users/untouched.md")
    article(root, BAD + "\n\n![画面](../../../images/setup-flow.png)", rel="admin/users/with-image.md")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "kb")
    return root


def _paths(root: Path, *args: str) -> set[str]:
    result = run(root, "check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return {str(f["path"]).rpartition("/articles/")[2] for f in json.loads(result.stdout)}


def test_changed_reports_the_edited_article_its_translation_and_what_links_to_it(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert len(_paths(root)) == 4  # everything has findings
    assert _paths(root, "--changed") == set()
    nothing = run(root, "check", "--changed")
    assert nothing.exit_code == 0 and "no article changed against HEAD" in nothing.stderr
    clock_in = root / "articles/employees/timecard/clock-in.md"
    clock_in.write_text(clock_in.read_text(encoding="utf-8").replace("## 概要", "## はじめに"), encoding="utf-8")
    got = run(root, "check", "--changed", "--format", "json")
    found = {(str(f["path"]).rpartition("/articles/")[2], f["rule"]) for f in json.loads(got.stdout)}
    # the edited article (its heading check too), the article whose anchor link it broke; the translation is
    # checked (it has no finding); the untouched articles are not
    assert {p for p, _ in found} == {"employees/timecard/clock-in.md", "employees/requests/links-in.md"}
    assert ("employees/requests/links-in.md", "internal-link") in found
    assert "2 articles" not in got.stderr and "3 articles:" in got.stderr  # clock-in, its translation, links-in


def test_changed_against_a_branch_uses_the_merge_base_and_sees_deletions_and_images(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    git(tmp_path, "checkout", "-qb", "edit")
    (root / "images/setup-flow.png").unlink()
    git(tmp_path, "commit", "-qam", "drop the image")
    git(tmp_path, "checkout", "-q", "main")
    article(root, BAD, rel="admin/users/on-main-later.md")  # main moves on: not part of the branch's change
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "main")
    git(tmp_path, "checkout", "-q", "edit")
    assert _paths(root, "--changed", "--base", "main") == {"admin/users/with-image.md"}
    (root / "articles/employees/timecard/clock-in.md").unlink()
    assert _paths(root, "--changed", "--base", "main") == {"admin/users/with-image.md",
                                                           "employees/requests/links-in.md"}


def test_changed_checks_everything_when_kb_yaml_changed_and_untracked_files_count(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    article(root, BAD, rel="admin/users/brand-new.md")  # untracked
    assert _paths(root, "--changed") == {"admin/users/brand-new.md"}
    (root / "kb.yaml").write_text((root / "kb.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len(_paths(root, "--changed")) == 5


def test_changed_outside_git_or_with_a_bad_ref_is_a_usage_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, BAD)
    outside = run(root, "check", "--changed")
    assert outside.exit_code == 2 and "not inside a git repository" in outside.stderr
    repo = tmp_path / "repo"
    repo.mkdir()
    root = _repo(repo)
    bad = run(root, "check", "--changed", "--base", "no-such-branch")
    assert bad.exit_code == 2 and "--base no-such-branch: no such revision" in bad.stderr
    option = run(root, "check", "--changed", "--base", "--output=/tmp/x")
    assert option.exit_code == 2 and "expected a git revision" in option.stderr


def test_a_baseline_hides_todays_findings_and_shows_new_ones_even_after_lines_move(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, BAD + "\n\nこれはたぶん正しいと思います。")
    base = tmp_path / "baseline.json"
    assert run(root, "check").exit_code == 1
    wrote = run(root, "check", "--baseline", str(base), "--write-baseline")
    assert wrote.exit_code == 0 and "recorded 2 findings" in wrote.stderr
    rows = json.loads(base.read_text(encoding="utf-8"))["findings"]
    assert {r["rule"] for r in rows} == {"terms", "weak-phrase"}
    clean = run(root, "check", "--baseline", str(base))
    assert clean.exit_code == 0 and clean.stdout == "" and "2 findings recorded in" in clean.stderr
    # a paragraph above moves every finding down: still known; a new error is reported, and fails the check
    added = "## 概要\n\n新しい段落です。\n\nサーバを設定します。\n\n"
    text = path.read_text(encoding="utf-8").replace("## 概要\n\n", added)
    path.write_text(text, encoding="utf-8")
    moved = run(root, "check", "--baseline", str(base), "--format", "json")
    assert moved.exit_code == 1
    assert [(f["rule"], f["message"]) for f in json.loads(moved.stdout)] == \
        [("terms", "「サーバ」ではなく「サーバー」と書きます")]
    # the same finding twice on identical lines: the baseline knew one
    path.write_text(text + "\nユーザを追加します。\n", encoding="utf-8")
    twice = json.loads(run(root, "check", "--baseline", str(base), "--format", "json").stdout)
    assert [f["rule"] for f in twice] == ["terms", "terms"]


def test_a_missing_or_broken_baseline_is_an_input_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, BAD)
    missing = run(root, "check", "--baseline", str(tmp_path / "none.json"))
    assert missing.exit_code == 78 and "--write-baseline" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "findings": [{"path": "x"}]}', encoding="utf-8")
    bad = run(root, "check", "--baseline", str(broken))
    assert bad.exit_code == 78 and "finding 1 needs path, rule, message, line and count" in bad.stderr
    assert run(root, "check", "--write-baseline").exit_code == 2
