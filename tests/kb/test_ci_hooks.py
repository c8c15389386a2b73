"""kb check where writers' changes are checked: the pre-commit hooks this repository ships, run by pre-commit
itself (try-repo, offline), and the composite GitHub Action's script run with the same kb and a stand-in for
reviewdog that validates what it is given."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.kb.helpers import ROOT, article, make_kb
from tests.kb.test_cli_check_changed import BAD, git

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
# No network: pip may not reach an index, git only local files, anything HTTP goes to a closed port.
OFFLINE = {"PIP_NO_INDEX": "1", "GIT_ALLOW_PROTOCOL": "file", "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}


def _env(tmp_path: Path) -> dict[str, str]:
    from tests.kb.test_cli_check_changed import GIT_ENV

    return {**os.environ, **GIT_ENV, **OFFLINE, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}


def _project(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    project.mkdir()
    root = make_kb(project)
    clean = article(root, "設定を保存します。", rel="employees/timecard/clean.md")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "kb")
    return project, clean


def _try_repo(project: Path, tmp_path: Path, hook: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files",
                           *(str(f.relative_to(project)) for f in files)], cwd=project, capture_output=True,
                          text=True, env=_env(tmp_path), timeout=300)


def test_the_hooks_file_names_two_system_hooks_on_articles() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"kb-check", "kb-fix"}
    assert {h["language"] for h in hooks.values()} == {"system"}  # installs nothing: works offline
    assert re.search(hooks["kb-check"]["files"], "kb/articles/a/b/c.md")
    assert not re.search(hooks["kb-check"]["files"], "README.md")


@pytest.mark.slow
def test_pre_commit_runs_kb_check_and_kb_fix_from_this_repository(tmp_path: Path) -> None:
    project, clean = _project(tmp_path)
    root = project / "kb"
    bad = article(root, BAD + "ＣＳＶを出力します。", rel="employees/timecard/bad.md")
    git(project, "add", "-A")
    failed = _try_repo(project, tmp_path, "kb-check", bad, clean)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "kb check" in failed.stdout and "Failed" in failed.stdout
    assert "「ユーザ」ではなく「ユーザー」と書きます" in failed.stdout
    passed = _try_repo(project, tmp_path, "kb-check", clean)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    fixed = _try_repo(project, tmp_path, "kb-fix", bad)
    assert fixed.returncode == 1 and "files were modified by this hook" in fixed.stdout, fixed.stdout
    assert "ユーザーを追加します。CSVを出力します。" in bad.read_text(encoding="utf-8")
    git(project, "add", "-A")
    again = _try_repo(project, tmp_path, "kb-check", bad)
    assert again.returncode == 0, again.stdout + again.stderr


def _action_script(inputs: dict[str, str]) -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("name") == "kb check | reviewdog")
    script = str(step["run"])
    for name, value in inputs.items():
        script = script.replace("${{ inputs." + name + " }}", value)
    assert "${{" not in script, script
    return script


FAKE_REVIEWDOG = """#!{python}
import json, sys
import jsonschema
schema = json.load(open({schema!r}))
lines = [json.loads(line) for line in sys.stdin if line.strip()]
for d in lines:
    jsonschema.validate(d, schema)
json.dump({{"args": sys.argv[1:], "diagnostics": lines}}, open({out!r}, "w"), ensure_ascii=False)
"""


def test_the_actions_script_feeds_reviewdog_the_changed_articles_as_rdjsonl(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    root = project / "kb"
    git(project, "checkout", "-qb", "pr")
    article(root, BAD, rel="employees/timecard/bad.md")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    received = tmp_path / "reviewdog.json"
    fake = bin_dir / "reviewdog"
    fake.write_text(FAKE_REVIEWDOG.format(python=sys.executable, schema=str(SCHEMAS / "rdjson-Diagnostic.json"),
                                          out=str(received)), encoding="utf-8")
    fake.chmod(0o755)
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    defaults = {k: str(v["default"]) for k, v in action["inputs"].items()}
    script = _action_script({**defaults, "base": "main"})
    env = {**_env(tmp_path), "PATH": f"{bin_dir}{os.pathsep}{_env(tmp_path)['PATH']}", "KB_ROOT": "kb",
           "KB_BASE": "main", "RUNNER_TEMP": str(tmp_path)}
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=project, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr  # findings are reviewdog's to judge (exit 1 is not a failure)
    got = json.loads(received.read_text(encoding="utf-8"))
    assert "-f=rdjsonl" in got["args"] and "-filter-mode=diff_context" in got["args"]
    assert [d["location"]["path"] for d in got["diagnostics"]] == ["kb/articles/employees/timecard/bad.md"]
    assert got["diagnostics"][0]["suggestions"][0]["text"] == "ユーザー"
    (root / "kb.yaml").write_text("locale: [", encoding="utf-8")  # a broken kb.yaml fails the step
    broken = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=project, env=env, capture_output=True,
                            text=True, timeout=120)
    assert broken.returncode == 78, broken.stderr
