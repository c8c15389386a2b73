"""Keep secrets out of logs and error messages.

Two layers: the exact values of every secret the config loaded (registered at
load time), and patterns for credentials that arrive from elsewhere (session
ids in Salesforce responses, Authorization headers echoed in exceptions).
"""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote

MASK = "***"
_lock = threading.Lock()
_secrets: set[str] = set()

_PATTERNS = [
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:bearer|basic|oauth)?\s*[^\s'\",}]+"),
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=!-]{8,}"),
    re.compile(r"(?i)\b(basic\s+)[A-Za-z0-9+/=]{8,}"),
    re.compile(r"(?i)(<sessionId>)[^<]+"),
    re.compile(r"(?i)((?:access_token|session_?id|sid|api_token|password|client_secret|"
               r"security_token|refresh_token)=)[^\s'\"&,}]+"),
    re.compile(r"(?i)(['\"](?:access_token|session_?id|sid|api_token|password|client_secret|"
               r"security_token|refresh_token)['\"]\s*:\s*['\"]?)[^\s'\"&,}]+"),
    re.compile(r"(?i)(/token:)[^\s@/'\"]+"),
    # Salesforce session ids: 00D org prefix, '!' and a long opaque tail.
    re.compile(r"()\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}"),
]


def register_secret(value: str | None) -> None:
    """Remember a secret's exact value so it is masked wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def forget_secrets() -> None:
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_SECRET_KEYS = ("password", "sslpassword")


def _credentials(url: str) -> tuple[int, int, int] | None:
    """Where a URL's credentials are: (start of the user name, the ':' before the password or -1, the '@').

    The credentials run from ``//`` to the *last* '@' of the URL. For a well-formed URL that is RFC 3986's
    userinfo. Parsers that end the authority at the first '/', '?' or '#' (urllib, libpq) cut a password that
    holds one of them in two and show the second half as a path; ending at the last '@' still covers it. The
    price is that an '@' in a path or query hides more than needed, never less.
    """
    scheme, sep, _ = url.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        return None
    start = len(scheme) + 3
    at = url.rfind("@", start)
    if at < 0:
        return None
    return start, url.find(":", start, at), at


def _query_secrets(url: str, start: int) -> list[tuple[int, int]]:
    """Spans of the values of ``password=`` options (libpq's) in the query that begins after ``start``."""
    question = url.find("?", start)
    if question < 0:
        return []
    end = url.find("#", question)
    end = len(url) if end < 0 else end
    spans = []
    pos = question + 1
    for item in url[question + 1:end].split("&"):
        key, eq, _ = item.partition("=")
        if eq and unquote(key).strip().lower() in _SECRET_KEYS:
            spans.append((pos + len(key) + 1, pos + len(item)))
        pos += len(item) + 1
    return spans


def _secret_spans(url: str) -> list[tuple[int, int]]:
    """Every span of ``url`` that may hold a password, under both readings when they differ: a '?' before the
    last '@' is either in the password or starts a query holding an '@', so both are masked."""
    creds = _credentials(url)
    spans = [(creds[1] + 1, creds[2])] if creds is not None and creds[1] >= 0 else []
    after_creds = creds[2] if creds else 0
    spans += _query_secrets(url, after_creds)
    scheme_end = url.find("://")
    if creds is not None and 0 <= url.find("?", scheme_end + 3) < after_creds:
        spans += _query_secrets(url, scheme_end + 3)
    return spans


def redact_url(url: str) -> str:
    """``url`` with its password (in the credentials or a ``password=`` option) replaced by ``***``: the one
    form of a URL that may appear in a message, a log line or command output."""
    merged: list[list[int]] = []
    for start, end in sorted(_secret_spans(url)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        url = url[:start] + MASK + url[end:]
    return url


def url_secrets(url: str) -> list[str]:
    """The passwords a URL carries, as written and percent-decoded, to register so no message shows them."""
    found = []
    for start, end in _secret_spans(url):
        raw = url[start:end]
        found += [raw, unquote(raw)] if raw else []
    return list(dict.fromkeys(found))


def register_url_secrets(url: str) -> None:
    for value in url_secrets(url):
        register_secret(value)


def secret_field() -> object:
    """A dataclass field holding a secret: the config loader registers its value for masking."""
    import dataclasses

    return dataclasses.field(default=None, metadata={"secret": True})
