"""A channel kind is one module and one registry line (issue 26 item 5).

The "file" kind below, defined only here, appends each notice to a file as a JSON line. Registered with one line
(``KINDS["file"] = FileChannel``), it is read from a rule file, checked by ``csops rules check`` and ``csops
doctor``, and driven through ``csops sync`` (new alerts, nothing twice, resolutions) and ``csops notify --test``
against the sandbox, beside the shipped kinds. A last check holds the rest of csops to not knowing the kinds: no
module outside a kind's own names its type.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from base.schema import Option, Text
from notify import kinds
from notify.channel import Channel, ChannelResult, Delivery, Finding
from notify.outbox import Notice
from sandbox.data import sf_datetime
from sandbox.server import Sandbox
from tests.conftest import RULES, Workspace, make_workspace
from tests.notify.test_delivery import TODAY, setup_alerts, setup_late

ROOT = Path(__file__).resolve().parents[2]


def entry(notice: Notice) -> dict[str, Any]:
    """The kind's payload: one alert change as one JSON object."""
    return {"kind": notice.kind, "account": notice.account_id, "name": notice.account_name,
            "alert": notice.alert_id, "severity": notice.severity, "since": notice.occurrence}


@dataclass
class FileChannel(Channel):
    type = "file"
    options: ClassVar[Mapping[str, Option]] = {"path": Text(what="a file name", required=True),
                                               "resolved": Option()}

    path: str = ""
    resolved: bool = False

    @property
    def tells_resolved(self) -> bool:
        return self.resolved

    def _append(self, lines: list[dict[str, Any]]) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)

    def deliver(self, notices: list[Notice], out: Delivery, result: ChannelResult) -> None:
        self._append([entry(n) for n in notices])
        out.outbox.delivered(notices)
        result.delivered = len(notices)

    def doctor(self, env: Mapping[str, str]) -> list[Finding]:
        folder = Path(self.path).parent
        if not folder.is_dir():
            return [Finding(False, f"no folder {folder}", f"mkdir -p {folder}")]
        return [Finding(True, f"notices are appended to {self.path}")]

    def send_test(self, out: Delivery) -> None:
        self._append([{"kind": "test", "channel": self.name, "day": out.today.isoformat()}])


NOTIFY = """\
notify:
  channels:
    log: {type: file, path: %s, resolved: true}
  routes:
    - {alert: setup_not_done_30d, to: log}
"""


@pytest.fixture
def file_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(kinds.KINDS, FileChannel.type, FileChannel)  # the one registry line


@pytest.fixture
def fws(tmp_path: Path, sandbox: Sandbox) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path, sandbox)
    (tmp_path / "notify.yaml").write_text(NOTIFY % (tmp_path / "out" / "notices.jsonl"), encoding="utf-8")
    (tmp_path / "out").mkdir()
    text = ws.config.read_text(encoding="utf-8").replace(f"files: [{RULES}]", f"files: [{RULES}, notify.yaml]")
    ws.config.write_text(text, encoding="utf-8")
    yield ws


def written(ws: Workspace) -> list[dict[str, Any]]:
    path = ws.path / "out" / "notices.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_kind_defined_in_a_test_module_runs_through_sync(file_kind: None, fws: Workspace) -> None:
    sb = fws.sandbox
    check = fws.cli("rules", "check")
    assert check.exit_code == 0, check.output
    assert "1 notify channels, 1 routes" in check.output
    doctor = fws.cli("doctor")
    assert f"ok   notify log: notices are appended to {fws.path / 'out' / 'notices.jsonl'}" in doctor.output

    dry = fws.cli("sync", "--dry-run", *TODAY)
    assert dry.exit_code == 0, dry.output
    assert "notify:     would send to log:" in dry.output and written(fws) == []

    first = fws.cli("sync", *TODAY)
    assert first.exit_code == 0, first.output
    late = set(setup_late(sb))
    assert late and setup_alerts(fws) == late
    lines = written(fws)
    assert sorted(x["account"] for x in lines) == sorted(late)
    assert all(x["kind"] == "new" and x["alert"] == "setup_not_done_30d" and x["since"] == "2026-11-23"
               and x["name"] == sb.data.accounts[x["account"]]["Name"] for x in lines)
    assert f"notify:     log (file): {len(late)} delivered, 0 pending" in first.output

    again = fws.cli("sync", *TODAY)
    assert again.exit_code == 0, again.output
    assert len(written(fws)) == len(late)

    cleared = sorted(late)[0]
    with sb.lock:
        sb.data.accounts[cleared].update(Setup_Completed_Date__c="2026-11-22",
                                         SystemModstamp=sf_datetime(datetime.now(UTC)))
    third = fws.cli("sync", *TODAY)
    assert third.exit_code == 0, third.output
    assert [(x["kind"], x["account"]) for x in written(fws)[len(late):]] == [("resolved", cleared)]

    probe = fws.cli("notify", "--test", "log")
    assert probe.exit_code == 0, probe.output
    assert written(fws)[-1]["kind"] == "test" and "sent a test message to 'log'" in probe.output
    assert "nothing pending" in fws.cli("notify", "--pending").output


def test_the_kind_reports_its_own_mistakes_and_doctor_its_findings(file_kind: None, fws: Workspace) -> None:
    path = fws.path / "notify.yaml"
    path.write_text(NOTIFY.replace("path: %s, resolved: true", "pth: x.jsonl"), encoding="utf-8")
    result = fws.cli("rules", "check")
    assert result.exit_code == 78
    assert f"{path}:3:" in result.output and "unknown key 'pth'" in result.output
    assert "did you mean 'path'" in result.output and "'path' is required" in result.output

    path.write_text(NOTIFY % (fws.path / "gone" / "n.jsonl"), encoding="utf-8")
    doctor = fws.cli("doctor")
    assert doctor.exit_code == 78
    assert f"FAIL notify log: no folder {fws.path / 'gone'}" in doctor.output


def test_an_unregistered_kind_is_an_unknown_type(fws: Workspace) -> None:
    result = fws.cli("rules", "check")
    assert result.exit_code == 78
    assert "unknown channel type 'file'" in result.output and "one of slack, salesforce_task" in result.output


def test_no_module_outside_a_kind_names_its_type() -> None:
    """Delivery, planning, doctor, display and the CLI reach kinds only through the Channel interface."""
    own = {"slack": "notify/slack.py", "salesforce_task": "notify/salesforce_task.py"}
    assert set(own) == set(kinds.KINDS)
    found = []
    for package in ("base", "csops", "kb", "notify", "report", "rules", "sync"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in own and own[node.value] != rel:
                    found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert found == []
