"""Why a condition is false: the top-level ``and`` parts that failed, with the values that made them fail.

``go_live_on != null and (active_ratio ?? 0) >= 0.5`` with active_ratio 0.3667
gives ``active_ratio 0.37 < 0.5``: a person should not have to work out which
half failed and by how much.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from rules.expr import ExprError, Scope

Show = Callable[[str, Any], str]

_COMPARISON = re.compile(r"^\(?\s*([A-Za-z_]\w*)\s*(?:\?\?\s*([^()\s]+)\s*)?\)?\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$")
_NEGATED = {">=": "<", "<=": ">", ">": "≤", "<": "≥", "==": "≠", "!=": "="}
_AND = re.compile(r"\band\b")


def split_and(text: str) -> list[str]:
    """The parts of ``text`` joined by ``and`` outside parentheses and quoted strings (``'it\\'s'`` one string)."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote and ch == "\\":
            i += 2  # an escaped character, a quote included, does not end the string
            continue
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and (m := _AND.match(text, i)) and (i == 0 or not text[i - 1].isalnum()):
            parts.append(text[start:i].strip())
            start = i = m.end()
            continue
        i += 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def why_false(text: str, scope: Scope, facts: Mapping[str, Any], show: Show) -> list[str]:
    """One line per failing part of ``text`` (a condition that was not true for ``facts``)."""
    out = []
    for part in split_and(text):
        try:
            cond = scope.compile(part)
        except ExprError:
            return [f"{text} is false"]
        result = cond(facts)
        if result is True:
            continue
        out.append(_describe(part, sorted(cond.symbols), result, facts, show))
    return out or [f"{text} is false"]


def _describe(part: str, names: list[str], result: Any, facts: Mapping[str, Any], show: Show) -> str:
    m = _COMPARISON.match(part)
    if m and m.group(1) in facts:
        name, default, op, rhs = m.groups()
        value = facts[name]
        if rhs == "null":
            return f"{name} is null" if op == "!=" else f"{name} is {show(name, value)}, not null"
        if value is None and default is None:
            return f"{name} is null, so {part} is false"
        shown = show(name, value) if value is not None else f"null (so {default})"
        return f"{name} {shown} {_NEGATED[op]} {rhs}"
    values = ", ".join(f"{n} = {show(n, facts.get(n))}" for n in names if n in facts)
    state = "unknown (a value in it is null)" if result is None else "false"
    return f"{part} is {state}" + (f": {values}" if values else "")
