"""The two CLIs: --version, --help on every command, and the error boundary's exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from csops import __version__
from csops.cli import cli
from csops.kb_cli import kb
from tests.conftest import Workspace


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_version() -> None:
    assert CliRunner().invoke(cli, ["--version"]).output.strip() == f"csops, version {__version__}"
    assert CliRunner().invoke(kb, ["--version"]).output.strip() == f"kb, version {__version__}"


@pytest.mark.parametrize("path", all_commands(cli))
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    doc_lines = [ln for ln in result.output.splitlines()[2:] if ln.strip()]
    assert doc_lines, f"csops {' '.join(path)} has no help text"


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(cli, ["no-such-command"]).exit_code == 2
    assert CliRunner().invoke(cli, ["rules", "eval"]).exit_code == 2


def test_console_scripts_run() -> None:
    out = subprocess.run([sys.executable, "-m", "csops", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


def test_service_down_after_retries_exits_69(ws: Workspace) -> None:
    ws.sandbox.fail_rate = 1.0
    result = ws.cli("pull", "zendesk")
    assert result.exit_code == 69
    assert "still failing after 8 attempts" in result.stderr
    assert result.stderr.count("\n") <= 40


def test_wrong_credentials_exit_69(ws: Workspace) -> None:
    result = ws.cli("pull", "zendesk", env={"ZENDESK_CLIENT_SECRET": "not-the-secret"})
    assert result.exit_code == 69
    assert "zendesk: the client credentials grant refused: invalid_client" in result.stderr
    assert "check zendesk.client_id (the OAuth client's Identifier" in result.stderr


def test_readme_exit_code_table_is_the_shell_table() -> None:
    import re

    from csops.shell import EXIT_MEANINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Exit codes"):]
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", section, re.M))
    assert {int(k): v for k, v in rows.items()} == EXIT_MEANINGS


@pytest.mark.parametrize("group", [cli, kb])
def test_both_clis_print_the_exit_code_table(group: click.Group) -> None:
    out = CliRunner().invoke(group, ["--help"]).output
    assert " 1  findings:" in out and "70  unexpected error" in out and "78  configuration" in out


def test_kb_findings_and_crash_exit_differently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI step must tell "the articles have errors" (1) from "kb itself broke" (70)."""
    from tests.kb.helpers import make_kb, write

    root = make_kb(tmp_path)
    write(root, "employees/timecard/a.fr.md", "---\ntitle: 題\n---\n")
    found = CliRunner().invoke(kb, ["--root", str(root), "check"])
    assert found.exit_code == 1, found.output

    import importlib

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(importlib.import_module("kb.check"), "check", broken)
    crashed = CliRunner().invoke(kb, ["--root", str(root), "check"])
    assert crashed.exit_code == 70
    assert "unexpected error: ZeroDivisionError" in crashed.output


def test_python_m_csops_in_a_project_folder_uses_its_own_kb_package(tmp_path: Path) -> None:
    """The project's kb/ folder (a knowledge base, no __init__.py) is first on sys.path under ``-m``: it must not
    shadow csops's ``kb`` package, which ``init`` reads the starter kb.yaml from."""
    (tmp_path / "kb" / "articles").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "csops", "init", "--kb", "team2"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    shipped = Path(__file__).resolve().parents[2] / "kb" / "kb.yaml"
    assert (tmp_path / "team2" / "kb" / "kb.yaml").read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")


def test_csops_starts_without_plotly() -> None:
    """Plotly is for an HTML report or replay; every other command (each cron run) once paid for its import."""
    code = "import sys, csops.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('plotly', 'narwhals')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.strip() == "[]"
