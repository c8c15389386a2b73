""""Did you mean": the one way csops proposes a name for a misspelled one (rule facts, config keys, Salesforce
fields, kb.yaml keys, report sections…)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the candidate closest to ``name``, or an empty string.

    Letter case does not count: Salesforce field names are case-insensitive, and a key typed with Caps Lock on is
    still the key. A candidate equal but for case wins; otherwise difflib's closest by lower-cased spelling (ratio
    at least 0.6), shown as the candidate is written."""
    written: dict[str, str] = {}
    for candidate in candidates:
        written.setdefault(str(candidate).lower(), str(candidate))
    key = name.lower()
    if key in written:
        return f" (did you mean '{written[key]}'?)"
    close = difflib.get_close_matches(key, list(written), n=1, cutoff=0.6)
    return f" (did you mean '{written[close[0]]}'?)" if close else ""
