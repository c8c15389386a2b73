"""Ticket text as it may enter the store: capped, with personal data masked.

Subjects and descriptions (the first comment, carried by the cursor export's
ticket objects) feed ``kb gaps``. Customers paste signatures, phone numbers and
links with tokens in them; those are masked here, before anything is written,
so the store never holds them. Masks keep the shape a topic model can use
(``<email>``, ``<phone>``, a URL without its query string).
"""

from __future__ import annotations

import re

SUBJECT_MAX = 250
DESCRIPTION_MAX = 2000

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL = re.compile(r"(?i)\b((?:https?|ftp)://[^\s?#<>\"'）」]+)(\?[^\s#<>\"'）」]*)?(#[^\s<>\"'）」]*)?")
# Phone numbers: international (+81 90-1234-5678), Japanese (03-1234-5678, 090-1234-5678, 0120-123-456),
# North American ((555) 123-4567). A run of digits that does not look like one (an id, a date) is kept.
_PHONE = re.compile(
    r"(?<![\w.\-/])(?:"
    r"\+\d{1,3}[\s\-]?\(?\d{1,4}\)?(?:[\s\-]?\d{2,4}){2,3}"
    r"|0\d{1,4}[\-\s‐－]\d{1,4}[\-\s‐－]\d{3,4}"
    r"|0[5789]0\d{8}|0\d{9}"
    r"|\(\d{3}\)\s?\d{3}[\-\s]\d{4}"
    r")(?![\w\-/])")


def mask_pii(text: str) -> str:
    """E-mail addresses → ``<email>``, phone numbers → ``<phone>``, a URL's query string and fragment dropped."""
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub(lambda m: m.group(1) + ("?<query>" if m.group(2) else ""), text)
    return _PHONE.sub("<phone>", text)


def cap(text: str, limit: int) -> str:
    """At most ``limit`` characters; an ellipsis marks a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_subject(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return cap(mask_pii(value.strip()), SUBJECT_MAX)


def clean_description(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    # Masking first so a cap never leaves half an address behind.
    return cap(mask_pii(value.strip()[: DESCRIPTION_MAX * 4]), DESCRIPTION_MAX)
