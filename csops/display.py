"""How values look on the terminal: aligned tables (wide characters count double), empty values, numbers."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"
