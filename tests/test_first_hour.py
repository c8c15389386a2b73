"""The first hour, as the README tells a new user to spend it: make install, csops init, the sandbox, a sync and a
Slack test message, each command typed into a shell whose PATH holds only the system's folders and what make install
said to add.

The commands run here are the README's own, read from its code blocks (the test fails when the two part), and
those the sandbox prints as the next steps. Nothing may answer "command not found", overwrite a file init wrote,
or be refused by the sandbox (a 403 from Slack would leave the notification pending: sync exits 3).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SLACK_POST = "POST /slack/services/{team}/{bot}/{token}"


def readme_commands(heading: str, until: str) -> list[str]:
    """The commands of the sh blocks between two headings, without their comments."""
    part = README[README.index(heading):README.index(until, README.index(heading))]
    lines = [line for block in re.findall(r"```sh\n(.*?)```", part, re.S) for line in block.splitlines()]
    return [re.split(r"\s+#", line)[0].strip() for line in lines if line.strip()]


class Terminal:
    """A shell as a new terminal opens one: HOME, the system PATH, and whatever ~/.bashrc adds."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/bash", "LANG": "C.UTF-8",
                    "TERM": "dumb", **{k: v for k, v in os.environ.items() if k.startswith("COVERAGE")}}

    def argv(self, command: str, prefix: str = "") -> list[str]:
        return ["bash", "-c", f"[ -f ~/.bashrc ] && . ~/.bashrc; {prefix}{command}"]

    def run(self, command: str, cwd: Path, prefix: str = "") -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(self.argv(command, prefix), cwd=cwd, env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert "command not found" not in proc.stderr, (command, proc.stderr)
        return proc


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".csops" not in p.parts}


def http(url: str, method: str = "GET") -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def make_install(term: Terminal, work: Path) -> None:
    """``make install`` as the README says, then the line it prints to put csops on PATH, run in ``term``."""
    venv = Path(sys.prefix)
    make = ["make", "install", "-o", f"{venv}/.installed"]  # the package is installed already: link only
    if venv.resolve() != (ROOT / ".venv").resolve():
        make.append(f"VENV={venv}")
    made = subprocess.run(make, cwd=ROOT, env=term.env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    add = re.search(r"^  (echo 'export PATH=.*)$", made.stdout, re.M)
    assert add and "is not on your PATH yet" in made.stdout, made.stdout
    term.run(add.group(1), work)  # the line make install printed, then a new terminal


@pytest.mark.slow
def test_a_fresh_user_reaches_a_slack_test_message_with_the_readme_alone(tmp_path: Path) -> None:
    install = readme_commands("## The three commands", "\n## ")
    start = readme_commands("## Starting your own project", "### Trying it")
    serve = readme_commands("### Trying it against the sandbox first", "in another terminal")
    then = readme_commands("in another terminal in", "### Connecting your accounts")
    assert "make install" in install
    assert start == ["csops init myteam --lang ja", "cd myteam && csops rules check"]
    assert serve == ["csops sandbox serve --write-config sandbox.yaml"]
    assert then[:3] == [". .csops/sandbox.env", "csops --config sandbox.yaml sync",
                        "csops --config sandbox.yaml notify --test cs-alerts"]

    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    term = Terminal(home)
    before = subprocess.run(term.argv("csops --version"), cwd=work, env=term.env, capture_output=True, text=True)
    assert before.returncode == 127 and "command not found" in before.stderr  # the first hour as it was

    make_install(term, work)
    assert term.run("csops --version && kb --version", work).returncode == 0

    for command in start:
        out = term.run(command, work)
        assert out.returncode == 0, (command, out.stdout, out.stderr)
    project = work / "myteam"
    written = digest(project)
    assert {"csops.yaml", "rules/onboarding.yaml", "rules/notify.yaml"} <= set(written)

    refused = term.run("csops sandbox serve --write-config csops.yaml", project)
    assert refused.returncode == 78 and "exists already" in refused.stderr

    with (tmp_path / "serve.err").open("w") as err:
        server = subprocess.Popen(term.argv(f"exec {serve[0]}"), cwd=project, env=term.env, stdout=subprocess.PIPE,
                                  stderr=err, text=True)
    try:
        assert server.stdout is not None
        shown = [server.stdout.readline() for _ in range(8)]
        url = shown[0].strip().rsplit(" ", 1)[1]
        assert shown[1:4] == ["credentials: . .csops/sandbox.env\n", "config written to sandbox.yaml\n", "\n"]
        assert [re.split(r"\s+#", line)[0].strip() for line in shown[5:8]] == then[:3], shown

        source = f"{then[0]} && "
        sync = term.run(then[1], project, source)
        assert sync.returncode == 0, sync.stdout + sync.stderr  # a Slack 403 would leave notices pending: 3
        assert http(f"{url}/__sandbox/stats")["requests"].get(SLACK_POST, 0) >= 1
        http(f"{url}/__sandbox/stats/reset", "POST")
        before = http(f"{url}/__sandbox/stats")["slack_messages"].get("cs-alerts", 0)
        test = term.run(then[2], project, source)
        assert test.returncode == 0 and "sent a test message to 'cs-alerts'" in test.stdout, test.stderr
        stats = http(f"{url}/__sandbox/stats")
        # One message taken; a second POST is Slack's 429 when the sync posted to the channel within the second
        # (csops waits out Retry-After and sends it again).
        assert stats["slack_messages"]["cs-alerts"] == before + 1
        assert set(stats["requests"]) == {SLACK_POST} and stats["requests"][SLACK_POST] in (1, 2)
        for command in then[3:]:
            assert term.run(command, project, source).returncode == 0, command
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0, (tmp_path / "serve.err").read_text()

    after = digest(project)
    assert {k: after[k] for k in written} == written  # nothing init wrote was replaced
    assert (project / ".csops" / "sandbox.db").is_file() and not (project / ".csops" / "state.db").exists()
