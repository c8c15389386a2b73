"""The one HTTP policy every call goes through.

``PolicySession`` is a ``requests.Session`` whose ``request`` applies timeouts,
counts calls per service and retries what is worth retrying: 429 (sleeping
``Retry-After`` when the server sends it, whatever the body), 5xx, connection
errors and read timeouts, with exponential backoff and jitter under a bound on
the total wait.  Other 4xx answers are returned to the caller untouched.
Because simple-salesforce accepts a session, its calls get the same policy.

It also keeps credentials where they belong.  A session is bound to the
origins (scheme, host, port) its credentials are for (:meth:`PolicySession.bind`,
which refuses plain ``http://`` to a host that is not this machine): a request
to any other origin is refused before it is sent, whatever led there (a
pagination link, a redirect, a URL in an answer).  Redirects are followed here,
one hop at a time, only within those origins; a session made with
``redirects="never"`` (a Slack webhook) hands every redirect back to its caller.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import tenacity
from requests.adapters import HTTPAdapter

from base.errors import Failure, InputError, TryLater, Unavailable
from base.redact import redact

log = logging.getLogger("csops.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
MAX_REDIRECTS = 5
Origin = tuple[str, str, int]


class ConnectorError(Unavailable):
    """Base for errors a connector reports to the application."""


class ServiceUnavailable(ConnectorError):
    """The remote service kept failing (5xx, 429, network) past the retry bound."""


class AuthenticationFailed(ConnectorError):
    """The credentials were refused."""


class InsecureURL(InputError, ConnectorError):
    """A URL that credentials cannot be sent to: plain ``http://`` to another machine, no host, or a user:password
    inside it (a configuration error: exit 78)."""


class OffOrigin(ConnectorError):
    """A request carrying credentials would have gone to another origin than theirs (a redirect, or a link in an
    answer): refused before anything was sent."""

    def __init__(self, message: str, source: str, target: str, redirect: bool) -> None:
        super().__init__(message)
        self.source = source
        self.target = target
        self.redirect = redirect


class BudgetExhausted(TryLater, ConnectorError):
    """The API quota (daily limit, or the budget configured for it) is used up: try later."""


class RequestRejected(ConnectorError):
    """A 4xx answer that retrying cannot fix."""

    def __init__(self, message: str, status: int, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    max_wait_seconds: float = 300.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    default_retry_after: float = 60.0


@dataclass
class CallStats:
    """Per-service counters that the run report reads."""

    calls: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, service: str, status: int | None, retried: bool) -> None:
        with self._lock:
            self.calls[service] += 1
            if retried:
                self.retries[service] += 1
            if status is not None:
                self.statuses.setdefault(service, Counter())[status] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.calls)

    def since(self, before: Mapping[str, int]) -> dict[str, int]:
        now = self.snapshot()
        return {k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0)}


STATS = CallStats()


class _Retriable(Failure):
    def __init__(self, reason: str, retry_after: float | None = None,
                 response: requests.Response | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.response = response


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PolicySession(requests.Session):
    """A session that applies :class:`RetryPolicy` to every request it sends, and sends it only to the origins
    bound to it (when any are: :meth:`bind`)."""

    def __init__(self, service: str, policy: RetryPolicy | None = None,
                 stats: CallStats | None = None, sleep: Callable[[float], None] = time.sleep,
                 origins: Iterable[str] = (), redirects: str = "origin") -> None:
        super().__init__()
        self.service = service
        self.policy = policy or RetryPolicy()
        self.stats = stats or STATS
        self._sleep = sleep
        self.headers["User-Agent"] = "csops/0.1"
        # A 5xx that is really a definitive answer (a SOAP login fault) is not worth retrying.
        self.final_answer: Callable[[requests.Response], bool] | None = None
        # POST paths that are safe to send twice (logins; creating a job that is then abandoned).
        self.idempotent_posts: tuple[str, ...] = ()
        if redirects not in ("origin", "never"):
            raise ValueError(f"redirects: 'origin' or 'never', not {redirects!r}")
        self.redirects = redirects
        self.origins: set[Origin] = set()
        for url in origins:
            self.bind(url)

    def bind(self, url: str, what: str | None = None) -> None:
        """Allow requests to ``url``'s origin (refused when it is not one credentials may go to)."""
        self.origins.add(origin(secure_url(url, what or f"{self.service} URL")))

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retriable) and exc.retry_after is not None:
            return exc.retry_after
        if isinstance(exc, _Retriable) and exc.reason.startswith("429"):
            return self.policy.default_retry_after
        backoff = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (state.attempt_number - 1))
        return backoff * (0.5 + random.random() / 2)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= self.policy.max_attempts:
            return True
        waited = state.idle_for
        return waited + self._wait(state) > self.policy.max_wait_seconds

    def request(self, method: str | bytes, url: str | bytes,
                *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", (self.policy.connect_timeout, self.policy.read_timeout))
        verb = (method.decode() if isinstance(method, bytes) else method).upper()
        target = url.decode() if isinstance(url, bytes) else url
        follow = kwargs.pop("allow_redirects", True) and self.redirects == "origin"
        self._check_origin(target, None)
        for _ in range(MAX_REDIRECTS + 1):
            resp = self._send_retrying(verb, target, *args, allow_redirects=False, **kwargs)
            if not (follow and resp.is_redirect):
                return resp
            source, target = target, urljoin(target, resp.headers["Location"])
            resp.close()
            self._check_origin(target, source)
            verb, kwargs = _redirected(resp.status_code, verb, kwargs)
        raise ServiceUnavailable(f"{self.service}: {verb} {_path(target)}: more than {MAX_REDIRECTS} redirects")

    def _check_origin(self, url: str, redirected_from: str | None) -> None:
        if not self.origins or origin(url) in self.origins:
            return
        own = ", ".join(sorted(show_origin(o) for o in self.origins))
        there = show_origin(origin(url))
        if redirected_from is not None:
            raise OffOrigin(f"{self.service}: {show_origin(origin(redirected_from))} redirected to {there}; the "
                            f"credentials belong to {own} only, so the redirect was not followed",
                            show_origin(origin(redirected_from)), there, True)
        raise OffOrigin(f"{self.service}: refused to send a request to {there}: the credentials belong to {own} "
                        "only (a link in an answer pointed elsewhere)", own, there, False)

    def _send_retrying(self, verb: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        idempotent = verb in IDEMPOTENT_METHODS or any(p in _path(url) for p in self.idempotent_posts)
        retrier = tenacity.Retrying(
            stop=self._stop, wait=self._wait, sleep=self._sleep, reraise=True,
            retry=tenacity.retry_if_exception_type(_Retriable),
            before_sleep=self._log_retry,
        )
        try:
            for attempt in retrier:
                with attempt:
                    return self._send_once(verb, url, idempotent, attempt.retry_state.attempt_number,
                                           *args, **kwargs)
        except _Retriable as exc:
            attempts = retrier.statistics.get("attempt_number", 1)
            raise ServiceUnavailable(
                f"{self.service}: {verb} {_path(url)} still failing after {attempts} attempts: "
                f"{redact(exc.reason)}"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(self, verb: str, url: str | bytes, idempotent: bool, attempt: int,
                   *args: Any, **kwargs: Any) -> requests.Response:
        try:
            resp = super().request(verb, url, *args, **kwargs)
        except requests.exceptions.ConnectTimeout as exc:
            self.stats.record(self.service, None, attempt > 1)
            raise _Retriable(f"connect timeout ({type(exc).__name__})") from None
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as exc:
            self.stats.record(self.service, None, attempt > 1)
            if not idempotent and not _never_sent(exc):
                # The server may have acted on it; a blind retry could create a duplicate.
                raise ServiceUnavailable(
                    f"{self.service}: {verb} {_path(url)} lost its answer ({type(exc).__name__}); "
                    "not retried because it is not idempotent"
                ) from None
            raise _Retriable(f"{type(exc).__name__}: {redact(str(exc))[:200]}") from None
        self.stats.record(self.service, resp.status_code, attempt > 1)
        if resp.status_code >= 500 and self.final_answer is not None and self.final_answer(resp):
            return resp
        if resp.status_code == 429 or resp.status_code >= 500:
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            body = resp.text[:200].strip()
            raise _Retriable(f"{resp.status_code} {body}", retry_after, resp)
        return resp

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s: retrying in %.1fs after %s (attempt %d)", self.service, wait,
                    redact(str(exc)), state.attempt_number)


def _redirected(status: int, verb: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The method and arguments of the next hop: 303 (and 301/302 after a POST, as browsers and requests do)
    become a GET without a body; 307 and 308 repeat the request as it was. The query is the Location's."""
    kwargs = {k: v for k, v in kwargs.items() if k != "params"}
    if verb != "HEAD" and (status == 303 or (status in (301, 302) and verb == "POST")):
        return "GET", {k: v for k, v in kwargs.items() if k not in ("data", "json", "files")}
    return verb, kwargs


def origin(url: str) -> Origin:
    """(scheme, host, port) of ``url``, the port made explicit: what credentials are bound to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def show_origin(o: Origin) -> str:
    scheme, host, port = o
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + ("" if port == {"https": 443, "http": 80}.get(scheme) else f":{port}")


def secure_url(url: str, what: str) -> str:
    """``url`` when credentials may be sent to it: ``https://``, or plain ``http://`` to this machine (a sandbox),
    with a host, a valid port and no user or password inside; else :class:`InsecureURL` (the URL is not shown: it
    may hold a secret)."""
    problem = url_problem(url)
    if problem:
        raise InsecureURL(f"{what}: {problem}")
    return url


def url_problem(url: str) -> str | None:
    """Why credentials cannot be sent to ``url``, or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # an unclosed '[' (IPv6 host)
        return "not a URL that can be read (an unclosed '[' around the host?)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host (https://your-company.zendesk.com)"
    try:
        _ = parts.port
    except ValueError:
        return "the port is not a number between 0 and 65535"
    if parts.username is not None or parts.password is not None:
        return "a user or password inside the URL would be sent with every request and shown in messages; " \
               "credentials go in their own keys, from ${VAR}"
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return "http:// would send the credentials unencrypted: use https:// (plain http only for a sandbox on " \
               "this machine: 127.0.0.1 or localhost)"
    return None


def _never_sent(exc: Exception) -> bool:
    text = str(exc)
    return any(s in text for s in ("Failed to establish a new connection", "Connection refused",
                                   "NewConnectionError", "Name or service not known"))


def _path(url: str | bytes) -> str:
    u = url.decode() if isinstance(url, bytes) else url
    return urlsplit(u).path or "/"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackHTTPAdapter(HTTPAdapter):
    """Sends ``https://`` requests for one loopback host as plain HTTP.

    simple-salesforce builds every URL as ``https://{host}``; the sandbox speaks
    plain HTTP on 127.0.0.1.  Mount this for that exact host only, never a real one.
    """

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        if parts.scheme == "https" and is_loopback(parts.hostname or ""):
            request.url = urlunsplit(("http", *parts[1:]))
        return super().send(request, *args, **kwargs)


def mount_loopback(session: requests.Session, base_url: str) -> bool:
    """Mount :class:`LoopbackHTTPAdapter` when ``base_url`` is plain HTTP on loopback."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not is_loopback(parts.hostname or ""):
        return False
    session.mount(f"https://{parts.netloc}/", LoopbackHTTPAdapter())
    if isinstance(session, PolicySession) and session.origins:
        session.bind(f"https://{parts.netloc}")  # the same sandbox, under the scheme simple-salesforce writes
    return True
