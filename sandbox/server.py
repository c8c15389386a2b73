"""The sandbox HTTP server: one port, Zendesk under ``/api/v2``, Salesforce under ``/services``.

Behaviour the tests rely on: per-endpoint rate limits answering 429 with
``Retry-After``; injected faults (500s and dropped connections) before a
request has any effect; a request counter per method and path template at
``/__sandbox/stats``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import secrets
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from sandbox import helpcenter, salesforce_api, salesforce_nps, salesforce_tasks, slack, zendesk_api, zendesk_oauth
from sandbox.data import Dataset, generate
from sandbox.web import Handler, json_response


@dataclass
class Options:
    seed: int = 1
    accounts: int = 200
    tickets: int = 3000
    fail_rate: float = 0.0
    rate_limit: str = "off"
    rate_window: float = 60.0
    latency_ms: int = 0
    today: date | None = None
    sf_daily_limit: int = 100_000
    zendesk_email: str = "admin@sandbox.example.com"
    zendesk_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    zendesk_client_id: str = "csops_sandbox"
    zendesk_client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    zendesk_client_kind: str = "confidential"
    # A loopback redirect URL registered without a port matches any port (RFC 8252 §7.3).
    zendesk_redirect_uris: list[str] = field(default_factory=lambda: ["http://127.0.0.1/callback"])
    oauth_access_ttl: int = 1800                # Zendesk's default: 30 minutes
    oauth_refresh_ttl: int = 30 * 24 * 3600     # and 30 days
    sf_username: str = "integration@sandbox.example.com"
    sf_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    sf_security_token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    sf_consumer_key: str = "3MVG9sandboxConsumerKey"
    sf_consumer_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))


@dataclass
class Hold:
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float = 120.0) -> None:
        self.reached.set()
        self.released.wait(timeout)

    def release(self) -> None:
        self.released.set()


class RateLimiter:
    """A sliding window per bucket: at most ``limit`` requests per ``window`` seconds."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, bucket: str, limit: int, window: float) -> float | None:
        """None when allowed (and counted), else the seconds until a slot frees."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(bucket, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return hits[0] + window - now
            hits.append(now)
            return None


@functools.lru_cache(maxsize=8)
def _url_map(routes: tuple[tuple[str, str], ...]) -> Map:
    """The routing map for these (path, method) pairs, built once per process: werkzeug compiles each rule into
    Python code, which took most of a sandbox's start. A map holds endpoint names only, so sandboxes share it."""
    return Map([Rule(path, methods=[method], endpoint=f"{method} {path}") for path, method in routes])


class Sandbox:
    """The emulator's state and WSGI app; start it in a thread or serve it from the CLI."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self.today = self.options.today or datetime.now(UTC).date()
        self.data: Dataset = generate(self.options.seed, self.options.accounts, self.options.tickets,
                                      self.today)
        self.lock = threading.RLock()
        self.stats: Counter[str] = Counter()
        self.faults = 0
        self.total = 0
        self.rng = random.Random(self.options.seed * 7 + 1)
        self.limiter = RateLimiter()
        self._routes: list[tuple[str, str]] = []
        self._map: Map | None = None
        self.handlers: dict[str, Handler] = {}
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.fail_rate = self.options.fail_rate
        self.fail_next: list[str] = []
        self.drop_after: dict[str, int] = {}
        # A hostile or broken answer: cursor-paginated lists name this origin in links.next (with has_more).
        self.hostile_next: str | None = None
        self.holds: dict[str, Hold] = {}
        # The latest requests as (method, path with query, status): what a test checks a client sent again.
        self.recent: deque[tuple[str, str, int]] = deque(maxlen=10_000)
        self.zendesk = zendesk_api.ZendeskAPI(self)
        self.salesforce = salesforce_api.SalesforceAPI(self)
        self.helpcenter = helpcenter.HelpCenterAPI(self)
        self.oauth = zendesk_oauth.ZendeskOAuth(self)
        self.tasks = salesforce_tasks.TaskAPI(self)
        self.nps = salesforce_nps.NpsAPI(self)
        self.slack = slack.SlackAPI(self)
        self.route("/__sandbox/stats", "GET", self._stats)
        self.route("/__sandbox/stats/reset", "POST", self._stats_reset)
        self.route("/__sandbox/faults", "POST", self._faults)

    def slack_webhook(self, channel: str, current: str | None) -> str:
        """notify.channel.Emulator: an incoming webhook for a channel of the rule files."""
        return self.slack.add_webhook(channel, current)

    # -- routing ------------------------------------------------------------
    def route(self, path: str, methods: str | list[str], handler: Handler) -> None:
        for method in [methods] if isinstance(methods, str) else methods:
            endpoint = f"{method} {path}"
            self._routes.append((path, method))
            self._map = None
            self.handlers[endpoint] = handler

    @property
    def rules(self) -> Map:
        if self._map is None:
            self._map = _url_map(tuple(self._routes))
        return self._map

    @staticmethod
    def template(endpoint: str) -> str:
        """``GET /a/<int:x>/b`` → ``GET /a/{x}/b``."""
        out, depth, name = "", 0, ""
        for ch in endpoint:
            if ch == "<":
                depth, name = 1, ""
            elif ch == ">":
                depth = 0
                out += "{" + name.split(":")[-1] + "}"
            elif depth:
                name += ch
            else:
                out += ch
        return out

    # -- WSGI ---------------------------------------------------------------
    def __call__(self, environ: Any, start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        adapter = self.rules.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed as exc:
            return exc(environ, start_response)
        except NotFound:
            return json_response({"error": "InvalidEndpoint", "description": "Not found"},
                                 404)(environ, start_response)
        assert isinstance(endpoint, str)
        internal = request.path.startswith("/__sandbox/")
        if not internal:
            with self.lock:
                self.total += 1
                self.stats[self.template(endpoint)] += 1
            if self.options.latency_ms:
                time.sleep(self.options.latency_ms / 1000)
            fault = self._fault(endpoint)
            if fault == "drop":
                return self._drop(environ, start_response)
            if fault == "500":
                return self._error_500(request)(environ, start_response)
        try:
            response = self.handlers[endpoint](request, dict(args))
        except HTTPException as exc:
            response = exc.get_response(environ)
        with self.lock:
            hold = self.holds.pop(self.template(endpoint), None)
            if not internal:
                self.recent.append((request.method, request.full_path.rstrip("?"), response.status_code))
        if hold is not None:
            hold.wait()
        return response(environ, start_response)

    def hold(self, endpoint: str) -> Hold:
        """The next request to ``endpoint`` (``METHOD /path/{template}``) is handled — its effect done — and its answer
        held back until the test releases it: a client can be killed between the server's action and its answer."""
        hold = Hold()
        with self.lock:
            self.holds[endpoint] = hold
        return hold

    def _fault(self, endpoint: str) -> str | None:
        with self.lock:
            if self.fail_next:
                return self.fail_next.pop(0)
            if self.fail_rate and self.rng.random() < self.fail_rate:
                self.faults += 1
                return "500" if self.rng.random() < 0.6 else "drop"
        return None

    def _error_500(self, request: Request) -> Response:
        with self.lock:
            self.faults += 1
        if request.path.startswith("/services/"):
            return json_response([{"errorCode": "SERVER_UNAVAILABLE", "message": "sandbox fault"}], 503)
        return json_response({"error": "InternalError", "description": "sandbox fault"}, 500)

    def _drop(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("sandbox: dropped connection")

    # -- sandbox control ----------------------------------------------------
    def _stats(self, request: Request, args: dict[str, Any]) -> Response:
        with self.lock:
            return json_response({"requests": dict(self.stats), "total": self.total, "faults": self.faults,
                                  "salesforce_api_usage": self.salesforce.usage,
                                  "zendesk_oauth_grants": dict(self.oauth.grants),
                                  "slack_messages": dict(Counter(h.channel for h in self.slack.hooks.values()
                                                                 for _ in h.messages))})

    def _stats_reset(self, request: Request, args: dict[str, Any]) -> Response:
        self.reset_stats()
        return json_response({"ok": True})

    def _faults(self, request: Request, args: dict[str, Any]) -> Response:
        body = request.get_json(force=True, silent=True) or {}
        with self.lock:
            if "fail_rate" in body:
                self.fail_rate = float(body["fail_rate"])
            self.fail_next.extend(body.get("next", []))
        return json_response({"fail_rate": self.fail_rate})

    def next_link(self, request: Request, query: str) -> str:
        """``links.next`` of a cursor-paginated list: this endpoint again, or the hostile origin when one is set."""
        base = (self.hostile_next or request.host_url).rstrip("/")
        return f"{base}{request.path}?{query}"

    def reset_stats(self) -> None:
        with self.lock:
            self.oauth.grants.clear()
            self.stats.clear()
            self.total = 0
            self.faults = 0

    def calls(self, prefix: str = "") -> int:
        with self.lock:
            return sum(n for k, n in self.stats.items() if k.startswith(prefix) or
                       k.split(" ", 1)[1].startswith(prefix))

    # -- rate limits --------------------------------------------------------
    def rate_limited(self, bucket: str, real_limit: int) -> float | None:
        mode = self.options.rate_limit
        if mode == "off":
            return None
        limit = real_limit if mode == "real" else int(mode)
        window = 60.0 if mode == "real" else self.options.rate_window
        return self.limiter.check(bucket, limit, window)

    # -- lifecycle ----------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "sandbox not started"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logging.getLogger("sandbox.http").debug("%s %s %s", self.command, self.path, code)

    def log_error(self, format: str, *args: Any) -> None:
        logging.getLogger("sandbox.http").debug(format, *args)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionAbortedError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True
