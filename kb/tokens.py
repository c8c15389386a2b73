"""Literal words in prose, matched the way every kb rule matches them: ASCII words at ASCII word boundaries,
Japanese as it is (``\\b`` never matches between Japanese characters). Imports nothing of kb's, so kb.yaml's
loader and the writing rules share it."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1024)
def token_regex(token: str, ignorecase: bool = False) -> re.Pattern[str]:
    """A literal token: ASCII words get ASCII boundaries; Japanese text matches as it is."""
    body = re.escape(token)
    if token[:1].isascii() and token[:1].isalnum():
        body = r"(?<![A-Za-z0-9_])" + body
    if token[-1:].isascii() and token[-1:].isalnum():
        body += r"(?![A-Za-z0-9_])"
    return re.compile(body, re.IGNORECASE if ignorecase else 0)
