"""A small hostile server for tests: it records every request it gets and answers what the test scripts."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def __repr__(self) -> str:
        return f"{self.method} {self.path} {self.headers} {self.body!r}"


@dataclass
class Hostile:
    """Listens on ``host`` (a free port); ``answer`` decides each response (default: 200 ``ok``)."""

    host: str = "127.0.0.1"
    answer: Callable[[Seen], Answer] = lambda seen: (200, {"Content-Type": "text/plain"}, b"ok")
    seen: list[Seen] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> Hostile:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                            self.rfile.read(length) if length else b"")
                owner.seen.append(seen)
                status, headers, body = owner.answer(seen)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@contextlib.contextmanager
def hostile(host: str = "127.0.0.1", answer: Callable[[Seen], Answer] | None = None) -> Iterator[Hostile]:
    server = Hostile(host) if answer is None else Hostile(host, answer)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def redirect(to: str, status: int = 307) -> Callable[[Seen], Answer]:
    return lambda seen: (status, {"Location": to}, b"")


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback (a host "elsewhere" that tests can still reach), or
    None. Found by routing a UDP socket, which sends nothing."""
    for probe in ("192.0.2.1", "10.255.255.254", "172.31.255.254", "192.168.255.254"):
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            address = str(s.getsockname()[0])
            if not address.startswith("127.") and address != "0.0.0.0":
                return address
    return None
