"""Keep secrets out of logs and error messages.

Two layers: the exact values of every secret the config loaded (registered at
load time), and patterns for credentials that arrive from elsewhere (session
ids in Salesforce responses, Authorization headers echoed in exceptions).
"""

from __future__ import annotations

import re
import threading

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


def secret_field() -> object:
    """A dataclass field holding a secret: the config loader registers its value for masking."""
    import dataclasses

    return dataclasses.field(default=None, metadata={"secret": True})
