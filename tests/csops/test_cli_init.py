"""``csops init`` as a new user runs it, in a folder outside the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from csops.starter import sandbox_config
from sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def csops(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CSOPS_CONFIG"}
    return subprocess.run([sys.executable, "-m", "csops", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_init_writes_a_project_that_checks(tmp_path: Path, lang: str) -> None:
    assert ROOT not in tmp_path.parents
    out = csops(tmp_path, "init", "proj", "--lang", lang, "--kb")
    assert out.returncode == 0, out.stderr
    proj = tmp_path / "proj"
    for rel in ("csops.yaml", "rules/onboarding.yaml", "rules/notify.yaml", ".gitignore", "kb/kb.yaml"):
        assert (proj / rel).is_file(), rel
    assert ".csops/" in (proj / ".gitignore").read_text().split()
    written = (proj / "csops.yaml").read_text(encoding="utf-8")
    assert "auth: client_credentials" in written and "client_secret: ${ZENDESK_CLIENT_SECRET}" in written
    assert "api_token" not in written  # a team starting today cannot create one
    steps = out.stdout[out.stdout.index("Next:"):].splitlines()[1:4]
    assert [s.split("#")[0].strip() for s in steps] == ["cd proj && csops rules check", "csops doctor",
                                                        "csops sync --dry-run"]
    check = csops(proj, "rules", "check")
    assert check.returncode == 0 and check.stdout.startswith("ok: "), check.stderr
    both = csops(proj, "rules", "check", "rules/onboarding.yaml", "rules/notify.yaml")
    assert both.returncode == 0, both.stderr  # the notify file's routes name the starter rules' alerts
    rules_text = (proj / "rules" / "onboarding.yaml").read_text(encoding="utf-8")
    japanese = re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rules_text)
    assert bool(japanese) == (lang == "ja")
    # The console script, as a user runs it: ``python -m`` would put the project's kb/ folder on sys.path.
    kb = subprocess.run([str(Path(sys.executable).parent / "kb"), "check"], cwd=proj, capture_output=True,
                        text=True, timeout=60)
    assert kb.returncode == 0, kb.stderr


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "csops.yaml").write_text("# mine\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc", encoding="utf-8")
    out = csops(tmp_path, "init")
    assert out.returncode == 78
    assert "not overwriting" in out.stderr and "csops.yaml" in out.stderr
    assert (tmp_path / "csops.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "rules").exists()
    (tmp_path / "csops.yaml").unlink()
    assert csops(tmp_path, "init").returncode == 0
    assert (tmp_path / ".gitignore").read_text().splitlines()[0] == "*.pyc"
    assert ".csops/" in (tmp_path / ".gitignore").read_text().split()


def test_git_leaves_out_what_csops_and_kb_write(tmp_path: Path) -> None:
    """After kb build (and with a store and a render cache beside), git add stages only the project's own files;
    an older .gitignore gets the lines it lacks."""
    assert csops(tmp_path, "init", "proj", "--kb").returncode == 0
    proj = tmp_path / "proj"
    build = subprocess.run([str(Path(sys.executable).parent / "kb"), "build"], cwd=proj, capture_output=True,
                           text=True, timeout=60)
    assert build.returncode == 0 and (proj / "kb" / "_site" / "index.html").is_file(), build.stderr
    for rel in (".csops/state.db", "kb/.cache/render.json", "kb/_preview/index.html"):
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text("x", encoding="utf-8")
    git = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "."], cwd=proj, check=True, env=git)
    subprocess.run(["git", "add", "-A"], cwd=proj, check=True, env=git)
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=proj, capture_output=True, text=True,
                            check=True, env=git).stdout.split()
    assert sorted(staged) == [".gitignore", "csops.yaml", "kb/articles/.gitkeep", "kb/kb.yaml",
                              "rules/notify.yaml", "rules/onboarding.yaml"]

    old = tmp_path / "old"
    old.mkdir()
    (old / ".gitignore").write_text("*.pyc\n.csops/\n", encoding="utf-8")
    assert csops(old, "init").returncode == 0
    lines = (old / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["*.pyc", ".csops/"] and lines.count(".csops/") == 1 and "kb/_site/" in lines


def test_templates_are_package_data() -> None:
    """An installed csops (not this checkout) must carry the templates init reads."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["csops"]
    templates = sorted(p.name for p in (ROOT / "csops" / "templates").iterdir())
    assert templates and all(any(Path("templates", t).match(pat) for pat in patterns) for t in templates)


@pytest.mark.slow
def test_the_first_run_path_needs_no_api_token(tmp_path: Path, sandbox: Sandbox) -> None:
    """The README's path: init, rules check, doctor, sync --dry-run — with a Zendesk OAuth client, no API token."""
    assert csops(tmp_path, "init", "proj").returncode == 0  # Japanese: the rules match the sandbox's picklists
    proj = tmp_path / "proj"
    written = (proj / "csops.yaml").read_text(encoding="utf-8")
    sandbox_text = sandbox_config(sandbox.url, sandbox.options.zendesk_email, sandbox.options.sf_username)
    salesforce = sandbox_text[sandbox_text.index("salesforce:"):sandbox_text.index("store:")]
    text = re.sub(r"  subdomain: your-company[^\n]*", f"  base_url: {sandbox.url}", written)
    text = re.sub(r"  client_id: csops\b", "  client_id: csops_sandbox", text)
    text = text[:text.index("salesforce:")] + salesforce + text[text.index("store:"):]
    (proj / "csops.yaml").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CSOPS_CONFIG", "ZENDESK_API_TOKEN")}
    env |= {"ZENDESK_CLIENT_SECRET": sandbox.options.zendesk_client_secret,
            "SALESFORCE_CONSUMER_SECRET": sandbox.options.sf_consumer_secret}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "csops", *args], cwd=proj, env=env, capture_output=True,
                              text=True, timeout=120)

    assert run("rules", "check").returncode == 0
    doctor = run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "with zendesk.auth client_credentials" in doctor.stdout and "API token" not in doctor.stdout
    dry = run("sync", "--dry-run", "--today", "2026-11-23")
    assert dry.returncode == 0, dry.stderr
    assert sandbox.oauth.grants["client_credentials"] >= 2
