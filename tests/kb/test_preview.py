"""kb preview's server: a client that goes away mid-answer is normal (nothing on stderr), a real error is logged,
and no request thread outlives the preview."""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.preview import Preview
from tests.kb.helpers import make_kb


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Preview, Path]]:
    root = make_kb(tmp_path, with_samples=True)
    # A large image, so its answer is still being sent when the client hangs up.
    (root / "images" / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (8 << 20))
    (root / "articles" / "employees" / "timecard" / "big.md").write_text(
        "---\ntitle: 大きな画像\n---\n\n![大きな画像](../../../images/big.png)\n", encoding="utf-8")
    p = Preview(root, tmp_path / "site", 0, lambda _: None, interval=0.05).start()
    try:
        yield p, root
    finally:
        p.stop()


def _connect(p: Preview) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", p.server.server_address[1]), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return s


def _reset(s: socket.socket) -> None:
    """Hang up abruptly (RST, as a browser tab being closed can), not with an orderly FIN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in repr(getattr(t, "_target", None))]


def test_a_client_that_hangs_up_mid_answer_prints_nothing(preview: tuple[Preview, Path],
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    p, root = preview
    # Mid-answer: an 8 MB image, of which the client reads one chunk and hangs up.
    folder = p.generations.current
    assert folder is not None
    image = next(folder.glob("images/*-big.png")).relative_to(folder)
    big = _connect(p)
    big.sendall(f"GET /{image} HTTP/1.0\r\n\r\n".encode())
    assert big.recv(64).startswith(b"HTTP/1.0 200")
    page = _connect(p)
    page.sendall(b"GET /articles/clock-in.html HTTP/1.0\r\n\r\n")
    assert page.recv(64).startswith(b"HTTP/1.0 200")
    _reset(page)
    # A live-reload long-poll whose page was closed before the rebuild it waited for.
    poll = _connect(p)
    poll.sendall(f"GET /__kb/wait?since={p.generations.number} HTTP/1.0\r\n\r\n".encode())
    time.sleep(0.2)  # the server is now waiting on the long-poll
    _reset(poll)
    _reset(big)
    before = p.builds
    target = root / "articles/employees/timecard/clock-in.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    deadline = time.monotonic() + 60
    while p.builds == before:
        assert time.monotonic() < deadline, "no rebuild"
        time.sleep(0.02)
    p.stop()  # joins every request thread, so whatever they were going to print has been printed
    assert _request_threads() == []
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def test_a_real_error_answering_a_request_is_logged(preview: tuple[Preview, Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    p, _ = preview

    def broken() -> None:
        raise RuntimeError("a bug in the handler")

    monkeypatch.setattr(p.generations, "acquire", broken)
    errors: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: errors.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    logger = logging.getLogger("csops.kb.preview")  # the csops tree does not propagate once a CLI set it up
    logger.addHandler(handler)
    try:
        with _connect(p) as s:
            s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
            s.recv(1)  # the server closes the connection without an answer
            p.stop()
    finally:
        logger.removeHandler(handler)
    assert len(errors) == 1 and errors[0].startswith("error answering a request from 127.0.0.1")
    assert "RuntimeError: a bug in the handler" in errors[0]  # with its traceback


def test_stop_answers_a_waiting_long_poll_at_once(preview: tuple[Preview, Path]) -> None:
    p, _ = preview
    with _connect(p) as s:
        s.sendall(f"GET /__kb/wait?since={p.generations.number} HTTP/1.0\r\n\r\n".encode())
        time.sleep(0.2)
        p.stop()
        assert b'"generation"' in s.recv(4096) + s.recv(4096)


def test_a_bad_since_is_a_400(preview: tuple[Preview, Path]) -> None:
    p, _ = preview
    with _connect(p) as s:
        s.sendall(b"GET /__kb/wait?since=abc HTTP/1.0\r\n\r\n")
        assert s.recv(64).startswith(b"HTTP/1.0 400")


def test_a_saved_article_is_the_only_one_rendered_again(tmp_path: Path) -> None:
    import urllib.request

    root = make_kb(tmp_path, with_samples=True)
    messages: list[str] = []
    p = Preview(root, tmp_path / "site", 0, messages.append, interval=0.05).start()
    try:
        assert "(16 rendered, " in messages[0]
        target = root / "articles/employees/timecard/clock-in.md"
        target.write_text(target.read_text(encoding="utf-8").replace("出勤を打刻する", "出勤を記録する"),
                          encoding="utf-8")
        deadline = time.monotonic() + 60
        while len(messages) < 2:  # the rebuild's line is echoed after its swap
            assert time.monotonic() < deadline, messages
            time.sleep(0.02)
        assert messages[-1].startswith("built 16 articles in ") and "(1 rendered, " in messages[-1], messages
        page = urllib.request.urlopen(p.url + "articles/clock-in.html", timeout=10).read().decode()
        assert "出勤を記録する" in page
        other = urllib.request.urlopen(p.url + "articles/roles.html", timeout=10).read().decode()
        assert "権限の種類" in other  # served from the file linked over from the previous generation
    finally:
        p.stop()
