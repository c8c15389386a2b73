"""kb preview from the command line: a busy port says so and what to do; kb -vv shows the traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.kb.helpers import make_kb, run


def test_busy_port_names_the_port_and_suggests_another(tmp_path: Path) -> None:
    root = make_kb(tmp_path, with_samples=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(root, "preview", "--port", str(port))
    assert result.exit_code == 2, result.output
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr and "--port 0" in result.stderr
    assert "unexpected error" not in result.stderr and "OSError" not in result.stderr


def test_kb_takes_v_and_vv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.check

    root = make_kb(tmp_path)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(kb.check, "check", broken)
    plain = run(root, "check")
    assert plain.exit_code == 70 and "run with -vv for the traceback" in plain.stderr
    assert "Traceback" not in plain.stderr
    debug = run(root, "-vv", "check")
    assert debug.exit_code == 70
    assert "Traceback" in debug.stderr and "RuntimeError: a bug in a rule" in debug.stderr
    assert "-vv debug with tracebacks" in run(root, "--help").stdout
