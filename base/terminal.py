"""Text from remote systems on a terminal.

Account and organization names, alert titles, ticket subjects, Help Center titles and the error messages of
Zendesk, Salesforce and Slack are data anyone with access to those systems can write. Printed as they are,
an escape sequence in them recolours the screen, rewrites lines already shown, sets the window title or, on
some terminals, answers back to the shell; a right-to-left override reorders what is shown. Every table and
message csops prints passes such text through :func:`printable`, and the text log does too; JSON output and
JSON logs escape control characters themselves.

Such text is often Japanese: a table lines it up by the columns a terminal gives each character (:func:`width`),
not by how many characters it has. Every table csops prints is made by :func:`table`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Sequence

REPLACEMENT = "\ufffd"
# C0 controls but tab and line feed, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the
# bidirectional overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n]")


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character shown as U+FFFD; ``one_line``: tabs and line breaks as spaces too
    (a table cell)."""
    if one_line:
        text = _LINE_BREAKS.sub(" ", text)
    return _CONTROL.sub(REPLACEMENT, text)


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide and fullwidth characters (漢字, かな, ＡＢＣ, most
    emoji) two, combining marks and zero-width format characters (U+200B, U+200D, variation selectors) none,
    everything else one (half-width ｶﾀｶﾅ and East Asian ambiguous characters included, as terminals show
    them by default)."""
    return sum(_char_width(c) for c in text)


def clip(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` terminal columns, ending in … when cut."""
    if width(text) <= columns:
        return text
    out, used = [], 1
    for c in text:
        used += _char_width(c)
        if used > columns:
            break
        out.append(c)
    return "".join(out) + "…"


def _char_width(c: str) -> int:
    kind = unicodedata.category(c)
    if kind in ("Mn", "Me") or (kind == "Cf" and c != "\u00ad"):  # a soft hyphen is shown
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def table(rows: Sequence[Sequence[str]], *, right: Container[int] = (),
          paint: Callable[[int, str, str], str] | None = None) -> str:
    """Rows of cells in aligned columns, padded by :func:`width` so wide characters line up; the columns in
    ``right`` aligned right. Every cell is made :func:`printable` on one line first (names and titles come from
    remote systems). ``paint(column, cell, padded)`` may colour a body cell once it is padded."""
    cells = [[printable(str(c), one_line=True) for c in r] for r in rows]
    if not cells:
        return ""
    widths = [max(width(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for n, r in enumerate(cells):
        padded = [" " * (w - width(c)) + c if i in right else c + " " * (w - width(c))
                  for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        if paint is not None and n > 0:
            padded = [paint(i, raw, p) for i, (raw, p) in enumerate(zip(r, padded, strict=True))]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
