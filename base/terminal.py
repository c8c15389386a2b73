"""Text from remote systems on a terminal.

Account and organization names, alert titles, ticket subjects, Help Center titles and the error messages of
Zendesk, Salesforce and Slack are data anyone with access to those systems can write. Printed as they are,
an escape sequence in them recolours the screen, rewrites lines already shown, sets the window title or, on
some terminals, answers back to the shell; a right-to-left override reorders what is shown. Every table and
message csops prints passes such text through :func:`printable`, and the text log does too; JSON output and
JSON logs escape control characters themselves.
"""

from __future__ import annotations

import re

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
