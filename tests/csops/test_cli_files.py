"""Every file csops writes goes through one writer (base.files): whole or not at all, through no link it was not
given, on top of nothing it must not replace, and a full disk is exit 74 naming the file (issue 25: F5, F13,
F15, F16, F20). Through the CLI, on real files, a real full file system where this run may mount one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Workspace
from tests.fulldisk import fsize_limit

TODAY = ("--today", "2026-11-23")


@pytest.fixture
def synced(ws: Workspace) -> Workspace:
    result = ws.cli("sync", *TODAY)
    assert result.exit_code == 0, result.output
    return ws


def entries(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def test_report_out_never_writes_through_a_planted_temp_name(synced: Workspace, tmp_path: Path) -> None:
    """F5: `report --out r.html` once wrote r.html.tmp and renamed it: a link planted there was written through."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = synced.path / "r.html"
    planted = synced.path / "r.html.tmp"
    planted.symlink_to(victim)
    before = entries(synced.path)
    result = synced.cli("report", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "keep me\n" and planted.is_symlink()
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert entries(synced.path) - before == {"r.html"}  # no temporary file left behind


def test_report_out_naming_a_link_writes_the_file_it_points_to(synced: Workspace, tmp_path: Path) -> None:
    """F20: the link the user named stays a link; the file it points to gets the report."""
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "latest.csv"
    target.write_text("old report\n")
    target.chmod(0o640)
    link = synced.path / "report.csv"
    link.symlink_to(target)
    result = synced.cli("report", "--format", "csv", "--out", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("section,segment,key,metric,value\n")
    assert oct(target.stat().st_mode & 0o777) == "0o640"  # a replaced file keeps its permissions
    assert entries(shared) == {"latest.csv"}


def run_limited(ws: Workspace, args: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **ws.env}
    return subprocess.run([sys.executable, "-m", "csops", "--config", str(ws.config), *args], cwd=ws.path, env=env,
                          capture_output=True, text=True, timeout=120, preexec_fn=fsize_limit(limit))


def test_report_out_on_a_full_disk_exits_74_naming_the_file_and_leaves_nothing(synced: Workspace,
                                                                               tiny_disk: Path) -> None:
    """F13: ENOSPC once gave exit 70 and left r.html.tmp; the previous report must stay whole."""
    out = tiny_disk / "r.html"
    out.write_text("previous report\n")
    result = synced.run("report", "--format", "html", "--out", str(out))
    assert result.returncode == 74, result.stderr
    assert f"cannot write {out}: no space left" in result.stderr and "unexpected" not in result.stderr
    assert entries(tiny_disk) == {"r.html"} and out.read_text() == "previous report\n"


def test_report_out_past_the_file_size_limit_exits_74_and_leaves_nothing(synced: Workspace) -> None:
    """F13 without a privilege to mount: RLIMIT_FSIZE makes the write fail (EFBIG) as a full disk would."""
    folder = synced.path / "out"
    folder.mkdir()
    out = folder / "r.html"
    result = run_limited(synced, ["report", "--format", "html", "--out", str(out)], limit=256 * 1024)
    assert result.returncode == 74, result.stderr
    assert f"cannot write {out}: no space left" in result.stderr and "unexpected" not in result.stderr
    assert entries(folder) == set()


def test_sync_csv_on_a_full_disk_exits_74_and_leaves_nothing(synced: Workspace, tiny_disk: Path) -> None:
    out = tiny_disk / "plan.csv"
    (tiny_disk / "filler").write_bytes(b"x" * 60 * 1024)
    result = synced.run("sync", "--dry-run", "--csv", str(out), "--today", "2026-12-20")
    assert result.returncode == 74, result.stderr
    assert f"cannot write {out}: no space left" in result.stderr
    assert entries(tiny_disk) == {"filler"}


def csops(cwd: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CSOPS_CONFIG"}
    return subprocess.run([sys.executable, "-m", "csops", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("planted", ["csops.yaml", ".gitignore", "rules"])
def test_init_writes_through_no_link(tmp_path: Path, planted: str) -> None:
    """F15: a dangling csops.yaml link, a .gitignore link or a rules/ link was written through."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept").write_text("mine\n")
    project = tmp_path / "project"
    project.mkdir()
    target = outside / ("kept" if planted == ".gitignore" else f"new-{planted}")
    (project / planted).symlink_to(target)
    result = csops(project, "init")
    assert result.returncode == 78, result.stderr
    assert planted in result.stderr and "symbolic link" in result.stderr
    assert entries(outside) == {"kept"} and (outside / "kept").read_text() == "mine\n"
    assert entries(project) == {planted}  # nothing written at all


def serve(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = env if env is not None else {k: v for k, v in os.environ.items() if k not in (
        "ZENDESK_API_TOKEN", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_CONSUMER_SECRET")}
    return subprocess.Popen([sys.executable, "-m", "csops", "sandbox", "serve", "--accounts", "2", "--tickets", "2",
                             *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sandbox_write_config_never_overwrites(tmp_path: Path) -> None:
    """F16: --write-config csops.yaml replaced the project's own config."""
    (tmp_path / "csops.yaml").write_text("# the team's config\n")
    proc = serve(tmp_path, "--write-config", "csops.yaml")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 78, err
    assert "csops.yaml" in err and "exists already" in err
    assert (tmp_path / "csops.yaml").read_text() == "# the team's config\n"
    assert not (tmp_path / ".csops").exists()  # refused before anything was written or served


def test_sandbox_env_file_is_never_written_through_a_link(tmp_path: Path) -> None:
    """F16: a .csops/sandbox.env link was followed, and its target kept its mode 644 with the secrets in it."""
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    victim.chmod(0o644)
    (tmp_path / ".csops").mkdir()
    (tmp_path / ".csops" / "sandbox.env").symlink_to(victim)
    proc = serve(tmp_path)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 74, err
    assert ".csops/sandbox.env" in err and "symbolic link" in err
    assert victim.read_text() == "keep me\n"
    assert entries(tmp_path / ".csops") == {"sandbox.env"}


def test_sandbox_env_file_replaced_is_private(tmp_path: Path) -> None:
    (tmp_path / ".csops").mkdir()
    old = tmp_path / ".csops" / "sandbox.env"
    old.write_text("export OLD=1\n")
    old.chmod(0o644)
    proc = serve(tmp_path)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        assert proc.stdout.readline().strip() == "credentials: . .csops/sandbox.env"
        assert oct(old.stat().st_mode & 0o777) == "0o600" and "ZENDESK_API_TOKEN" in old.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
