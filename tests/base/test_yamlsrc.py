"""Hostile or mistaken YAML in csops.yaml, rule files and front matter: a located error, fast, never a hang.

Item 5 and 6 of the security pass: alias bombs, recursive aliases, deep nesting and scalars that YAML
cannot build (``2024-02-30``, ``!!int abc``) each end with exit 78 (``kb check``: a finding for that file
only) naming file:line, within a few seconds; item 14: a value from ``${VAR}`` is never echoed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from csops.cli import cli
from tests.budget import cpu_budget
from tests.kb.helpers import article, make_kb
from tests.kb.helpers import run as kb_run

BOMB = "\n".join([
    'lol1: &l1 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    *[f"lol{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(2, 10)],
])
RECURSIVE = "loop: &a [x, *a]"
DEEP = "deep: " + "[" * 5000 + "]" * 5000

HOSTILE = [
    pytest.param(BOMB, ":6:", "alias bomb", id="alias-bomb"),
    pytest.param(RECURSIVE, ":1:", "recursive alias", id="recursive-alias"),
    pytest.param(DEEP, ":1:", "nested more than", id="deep-nesting"),
    pytest.param("when: 2024-02-30", ":1:", "invalid value '2024-02-30' for timestamp: day is out of range",
                 id="impossible-date"),
    pytest.param("when: !!int abc", ":1:", "invalid value 'abc' for int", id="bad-int-tag"),
]


def csops(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)


def timed(call):  # type: ignore[no-untyped-def]
    with cpu_budget(5):
        return call()


@pytest.mark.parametrize(("text", "where", "message"), HOSTILE)
def test_config_file(tmp_path: Path, text: str, where: str, message: str) -> None:
    cfg = tmp_path / "csops.yaml"
    cfg.write_text(text + "\n", encoding="utf-8")
    result = timed(lambda: csops(tmp_path, "--config", str(cfg), "status"))
    assert result.exit_code == 78, result.output
    assert f"{cfg}{where}" in result.output and message in result.output


@pytest.mark.parametrize(("text", "where", "message"), HOSTILE)
def test_rule_file(tmp_path: Path, text: str, where: str, message: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text + "\n", encoding="utf-8")
    result = timed(lambda: csops(tmp_path, "rules", "check", str(rules)))
    assert result.exit_code == 78, result.output
    assert f"{rules}{where}" in result.output and message in result.output


@pytest.mark.parametrize(("text", "where", "message"), HOSTILE)
def test_front_matter_fails_only_its_own_article(tmp_path: Path, text: str, where: str, message: str) -> None:
    root = make_kb(tmp_path)
    article(root, "本文です。", rel="employees/timecard/good.md")
    bad = root / "articles" / "employees" / "timecard" / "bad.md"
    bad.write_text(f"---\ntitle: 壊れた記事\n{text.replace('when:', 'position:')}\n---\n\n本文です。\n",
                   encoding="utf-8")
    checked = timed(lambda: kb_run(root, "check", "--format", "line"))
    assert checked.exit_code == 1, checked.output           # a finding, not a crash
    line = int(where.strip(":")) + 2                        # the front matter starts on line 2 of the file
    assert f"employees/timecard/bad.md:{line}:" in checked.output and message in checked.output
    assert "2 articles" in checked.output                   # the other article was checked too
    built = timed(lambda: kb_run(root, "build", "--out", str(tmp_path / "site")))
    assert built.exit_code == 78, built.output


def test_number_that_is_a_superscript_digit(tmp_path: Path) -> None:
    cfg = tmp_path / "csops.yaml"
    cfg.write_text('sync:\n  max_attempts: "²"\n  connect_timeout_seconds: "²"\n', encoding="utf-8")
    result = csops(tmp_path, "--config", str(cfg), "status")
    assert result.exit_code == 78, result.output
    assert f"{cfg}:2:3: sync.max_attempts: expected an integer, got '²' (string)" in result.output


def test_a_secret_is_never_echoed_in_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "csops.yaml"
    cfg.write_text("sync:\n  connect_timeout_seconds: ${ZENDESK_API_TOKEN}\n  max_attempts: ${ZENDESK_API_TOKEN}\n",
                   encoding="utf-8")
    secret = "zd-4f9a1c-very-secret"
    result = csops(tmp_path, "--config", str(cfg), "status", env={"ZENDESK_API_TOKEN": secret})
    assert result.exit_code == 78, result.output
    assert secret not in result.output
    assert f"{cfg}:2:3: sync.connect_timeout_seconds: expected a number, got a value from the environment (not shown)" \
        in result.output
