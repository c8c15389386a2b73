"""Write back only what differs from the values Salesforce holds now."""

from __future__ import annotations

import math
from typing import Any


def same(old: Any, new: Any) -> bool:
    """Equal as Salesforce stores them: numbers within float noise, empty text as null."""
    if old in ("", None) and new in ("", None):
        return True
    if isinstance(new, float | int) and not isinstance(new, bool) and isinstance(old, float | int):
        return math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(new, str) and isinstance(old, str) and len(new) == 10 and old[:10] == new and \
            old[10:11] in ("", "T"):
        return True
    return bool(old == new)


def diff(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` whose value differs from ``current``."""
    return {f: v for f, v in wanted.items() if not same(current.get(f), v)}
