"""Bounds on what users nest, checked before anything recursive walks it.

Python's ``json`` parser recurses per nested array or object: a facts file of 100,000 ``[`` ends in
RecursionError (exit 70) instead of a message. The depth is measured here with a flat scan first; past the
bound the caller reports a located error (exit 78). The YAML loader (base.yamlsrc) and the Markdown loader
(kb.articles) bound their own nesting the same way.
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 64
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> tuple[int, int] | None:
    """(line, column) of the first ``[`` or ``{`` that opens more than ``limit`` levels, or None."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        token = m.group(0)
        if token in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, m.start()) + 1
                return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        elif token in "]}":
            depth -= 1
    return None
