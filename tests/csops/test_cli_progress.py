"""Progress and colour as a person at a terminal sees them, under a pseudo-terminal; none of it under cron."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys

import pytest

from tests.conftest import Workspace

TODAY = ("--today", "2026-11-23")
CSI = re.compile(rb"\x1b\[([0-9;?]*)([A-Za-z])")


def run_in_pty(ws: Workspace, *args: str, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update({**ws.env, "TERM": "xterm-256color", "COLUMNS": "160", **(env or {})})
    proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), *args], cwd=ws.path,
                            stdin=slave, stdout=slave, stderr=slave, env=full_env)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), out


def screen(raw: bytes) -> list[str]:
    """The lines a terminal ends up showing: enough of VT100 for rich's live display (\\r, \\n, erase, cursor up)."""
    lines: list[str] = [""]
    row = col = 0
    i = 0
    text = raw
    while i < len(text):
        m = CSI.match(text, i)
        if m:
            arg, cmd = m.group(1).decode(), m.group(2).decode()
            if cmd == "A":
                row = max(0, row - int(arg or 1))
            elif cmd == "K":
                lines[row] = lines[row][:col] if arg in ("", "0") else ""
            i = m.end()
            continue
        ch = text[i:i + 1]
        if ch == b"\x1b":
            i += 1
            continue
        if ch == b"\r":
            col = 0
        elif ch == b"\n":
            row += 1
            col = 0
            if row == len(lines):
                lines.append("")
        else:
            end = i + 1
            while end < len(text) and text[end] >= 0x80 and text[end] < 0xC0:
                end += 1
            char = text[i:end].decode("utf-8", "replace")
            line = lines[row].ljust(col)
            lines[row] = line[:col] + char + line[col + 1:]
            col += 1
            i = end
            continue
        i += 1
    return lines


def test_bars_with_totals_and_log_lines_above_them(ws: Workspace) -> None:
    code, raw = run_in_pty(ws, "sync", "--dry-run", *TODAY)
    assert code == 0, raw.decode(errors="replace")[-2000:]
    shown = screen(raw)
    n = len(ws.sandbox.data.accounts)
    bars = {m.group(1): ln for ln in shown if (m := re.match(r"\W*(\w+) +━", ln))}
    assert f"{n} / {n}" in bars["accounts"] and f"{n} / {n}" in bars["evaluated"]
    assert "1,500" in bars["tickets"]  # Zendesk's export gives no total: the count (and a rate while running)
    warnings = [ln for ln in shown if "WARNING" in ln]
    assert warnings, "the sandbox seeds unlinked organizations, which are logged"
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WARNING ", ln) for ln in warnings), warnings
    assert b"\x1b[3" in raw or b"\x1b[9" in raw  # coloured


@pytest.mark.slow
def test_no_color_honoured(ws: Workspace) -> None:
    ws.cli("sync", *TODAY)
    for env, args in (({"NO_COLOR": "1"}, ()), ({}, ("--no-color",))):
        code, raw = run_in_pty(ws, *args, "alerts", env=env)
        assert code == 0
        assert not re.search(rb"\x1b\[[0-9;]*m", raw), raw[:300]
    code, raw = run_in_pty(ws, "alerts")
    assert re.search(rb"\x1b\[[0-9;]*31m", raw) or b"\x1b[1;31m" in raw  # critical in red on a terminal


@pytest.mark.parametrize("args", [(), ("--log-format", "json")])
def test_nothing_of_it_for_cron_or_json_logs(ws: Workspace, args: tuple[str, ...]) -> None:
    if args:  # JSON logs on a terminal: no bars, no colour
        code, raw = run_in_pty(ws, *args, "sync", "--dry-run", *TODAY)
        assert code == 0 and "━".encode() not in raw and not re.search(rb"\x1b\[[0-9;]*m", raw)
        return
    proc = ws.run("sync", "--dry-run", *TODAY)
    assert proc.returncode == 0
    assert "\x1b" not in proc.stderr + proc.stdout and "\r" not in proc.stderr and "━" not in proc.stderr
