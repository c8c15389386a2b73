"""The one engine for regular expressions users write: RE2 (google-re2).

Python's ``re`` backtracks: ``(a+)+$`` against a line of 72 ``a``s runs for minutes, so a pattern in a rule file or
in kb.yaml would let whoever writes it stall ``csops sync`` or ``kb check`` (and an editor that runs it on every
save). RE2 matches in time linear in the text. It has no backreferences or lookarounds; a pattern using them is
refused when the file is loaded, with the reason, so the mistake is found at check time.

The syntax is RE2's, which is also Go's and so Vale's: ``\\d``, ``\\w`` and ``\\b`` are ASCII, and Japanese text
is matched as it is written.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import re2

from base.errors import InputError

_OPTIONS: dict[bool, Any] = {}
for _ignorecase in (False, True):
    _OPTIONS[_ignorecase] = re2.Options()
    _OPTIONS[_ignorecase].log_errors = False
    _OPTIONS[_ignorecase].case_sensitive = not _ignorecase

UNSUPPORTED_HINT = "backreferences and lookarounds are not allowed, so matching stays fast on any text"


class UnsupportedPattern(InputError, ValueError):
    """A pattern RE2 cannot run; ``reason`` is RE2's own words."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"regular expression {pattern!r} is not supported ({reason}): {UNSUPPORTED_HINT}")
        self.pattern = pattern
        self.reason = reason


@functools.lru_cache(maxsize=1024)
def user_regex(pattern: str, ignorecase: bool = False) -> Any:
    """``pattern`` compiled for RE2 (``search``, ``finditer``, ``sub`` as in ``re``); :class:`UnsupportedPattern`
    when RE2 cannot run it."""
    try:
        return UserPattern(re2.compile(pattern, _OPTIONS[ignorecase]))
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise UnsupportedPattern(pattern, reason) from None


class UserPattern:
    """A compiled RE2 pattern whose ``finditer`` gives each match once. google-re2's wrapper, after an empty match,
    resumes the search where it may find that same empty match again (``\\b`` matched twice at every word's end,
    so a kb rule reported it twice). A pattern that cannot match the empty string gets exactly ``re``'s matches
    (RE2 is leftmost-first, as ``re``); one that can may differ where ``re`` would retry the same position for a
    longer match. The other methods (``search``, ``match``, ``fullmatch``, ``pattern``) are RE2's own; ``sub``
    and ``split`` are not offered, since they iterate the same way."""

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled
        self.pattern: str = compiled.pattern
        self.search, self.match, self.fullmatch = compiled.search, compiled.match, compiled.fullmatch

    def finditer(self, text: str, pos: int | None = None, endpos: int | None = None) -> Iterator[Any]:
        last = None
        for m in self._compiled.finditer(text, pos, endpos):
            if m.span() != last:
                yield m
            last = m.span()
