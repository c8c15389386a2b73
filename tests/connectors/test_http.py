"""The one HTTP policy against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from connectors.http import CallStats, PolicySession, RetryPolicy, ServiceUnavailable, parse_retry_after


class Scripted:
    """A loopback server answering from a script of responses, one per request."""

    def __init__(self, script: list[Callable[[Request], Response] | tuple[int, str, dict[str, str]]]) -> None:
        self.script = list(script)
        self.requests: list[tuple[str, str]] = []
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        req = Request(environ)
        self.requests.append((req.method, req.path))
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        resp = step(req) if callable(step) else Response(step[1], status=step[0], headers=step[2])
        return resp(environ, start_response)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def serve() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def start(*script: Any) -> Scripted:
        s = Scripted(list(script))
        s.thread.start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.server.shutdown()
        s.server.server_close()


def session(sleeps: list[float], **policy: Any) -> PolicySession:
    return PolicySession("test", RetryPolicy(**{"max_attempts": 4, "max_wait_seconds": 100, **policy}),
                         CallStats(), sleep=sleeps.append)


def test_429_retry_after_is_honoured_with_plain_text_body(serve: Callable[..., Scripted]) -> None:
    srv = serve((429, "Too Many Requests", {"Retry-After": "7", "Content-Type": "text/plain"}), (200, "{}", {}))
    sleeps: list[float] = []
    resp = session(sleeps).get(srv.url + "/api")
    assert resp.status_code == 200
    assert sleeps == [7.0]
    assert len(srv.requests) == 2


def test_429_without_retry_after_waits_the_default(serve: Callable[..., Scripted]) -> None:
    srv = serve((429, '{"error":"APIRateLimitExceeded"}', {}), (200, "{}", {}))
    sleeps: list[float] = []
    session(sleeps, default_retry_after=60).get(srv.url + "/api")
    assert sleeps == [60.0]


def test_500_then_success(serve: Callable[..., Scripted]) -> None:
    srv = serve((500, "oops", {}), (502, "bad gateway", {}), (200, "ok", {}))
    sleeps: list[float] = []
    s = session(sleeps)
    resp = s.get(srv.url + "/x")
    assert resp.text == "ok"
    assert len(srv.requests) == 3
    assert len(sleeps) == 2 and all(0 < w <= 30 for w in sleeps)
    assert s.stats.calls["test"] == 3 and s.stats.retries["test"] == 2


def test_404_is_not_retried(serve: Callable[..., Scripted]) -> None:
    srv = serve((404, "not found", {}), (200, "never", {}))
    sleeps: list[float] = []
    resp = session(sleeps).get(srv.url + "/missing")
    assert resp.status_code == 404
    assert sleeps == [] and len(srv.requests) == 1


def test_gives_up_after_the_attempt_bound(serve: Callable[..., Scripted]) -> None:
    srv = serve((503, "down", {}))
    sleeps: list[float] = []
    with pytest.raises(ServiceUnavailable) as info:
        session(sleeps, max_attempts=3).get(srv.url + "/x")
    assert len(srv.requests) == 3
    assert "after 3 attempts" in str(info.value)


def test_gives_up_when_total_wait_would_pass_the_bound(serve: Callable[..., Scripted]) -> None:
    srv = serve((429, "slow down", {"Retry-After": "50"}))
    sleeps: list[float] = []
    with pytest.raises(ServiceUnavailable):
        session(sleeps, max_attempts=10, max_wait_seconds=120).get(srv.url + "/x")
    assert sum(sleeps) <= 120
    assert len(srv.requests) == 3


def test_connection_refused_is_retried_then_fails() -> None:
    import socket

    sleeps: list[float] = []
    with socket.socket() as sock:  # bound, not listening: refused, and the port stays ours
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(ServiceUnavailable):
            session(sleeps, max_attempts=3).get(f"http://127.0.0.1:{port}/x")
    assert len(sleeps) == 2


def test_dropped_connection_retried_for_get_not_for_post(serve: Callable[..., Scripted]) -> None:
    def drop(req: Request) -> Response:
        sock = req.environ.get("werkzeug.socket")
        sock.shutdown(2)
        raise ConnectionAbortedError

    srv = serve(drop, (200, "ok", {}))
    sleeps: list[float] = []
    assert session(sleeps).get(srv.url + "/x").text == "ok"
    srv2 = serve(drop, (200, "ok", {}))
    with pytest.raises(ServiceUnavailable) as info:
        session(sleeps).post(srv2.url + "/create", json={})
    assert "not retried because it is not idempotent" in str(info.value)
    assert len(srv2.requests) == 1


def test_timeouts_are_always_set(serve: Callable[..., Scripted]) -> None:
    seen: dict[str, Any] = {}
    srv = serve((200, "ok", {}))
    s = session([], connect_timeout=3, read_timeout=9)
    original = requests.Session.request

    def spy(self: requests.Session, method: str, url: str, **kw: Any) -> requests.Response:
        seen.update(kw)
        return original(self, method, url, **kw)

    requests.Session.request = spy  # type: ignore[method-assign]
    try:
        s.get(srv.url + "/x")
    finally:
        requests.Session.request = original  # type: ignore[method-assign]
    assert seen["timeout"] == (3, 9)


@pytest.mark.parametrize(("value", "expected"), [("7", 7.0), ("0", 0.0), ("  12 ", 12.0), ("abc", None), (None, None)])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    import time
    from email.utils import formatdate

    wait = parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert wait is not None and 25 <= wait <= 31
