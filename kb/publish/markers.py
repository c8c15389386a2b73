"""The marker csops appends to every translation it publishes, and the hashes in it.

``<span class="csops-source" data-csops-key="cat/sec/slug" data-csops-hash="…" data-csops-body="…">``: the file
the translation came from, the hash of what csops sent (title, body, draft) and the hash of the body HTML alone.
A fresh clone finds every article by its marker, so it never creates a duplicate; a remote body whose hash
differs from ``data-csops-body`` was edited in the Help Center (drift).
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"\s+")
MARKER_CLASS = "csops-source"
_MARKER_SPAN = re.compile(r"<span\b[^>]*\bcsops-source\b[^>]*>(?:\s|&nbsp;)*</span>", re.IGNORECASE)
_SPAN_TAG = re.compile(r"<span\b[^>]*>", re.IGNORECASE)


def canonical(html: str) -> str:
    """HTML with incidental whitespace taken out, so equal content hashes equal however it was written."""
    return _SPACES.sub(" ", _BETWEEN_TAGS.sub("><", html)).strip()


def content_hash(title: str, html: str, draft: bool) -> str:
    return hashlib.sha256(f"{title}\0{int(draft)}\0{canonical(html)}".encode()).hexdigest()[:16]


def body_hash(html: str) -> str:
    """The hash of a body without its markers: what ``data-csops-body`` records of the HTML csops sent."""
    return hashlib.sha256(canonical(strip_markers(html)).encode()).hexdigest()[:16]


def strip_markers(html: str) -> str:
    return _MARKER_SPAN.sub("", html) if MARKER_CLASS in html else html


def marker(key: str, digest: str, sent: str = "") -> str:
    return (f'<span class="{MARKER_CLASS}" data-csops-key="{htmllib.escape(key)}" data-csops-hash="{digest}" '
            f'data-csops-body="{sent}"></span>')


@dataclass(frozen=True)
class Marker:
    key: str
    digest: str
    sent: str = ""


class _MarkerParser(HTMLParser):
    """Markers by an HTML parser: an editor may reorder the attributes or change their quoting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Marker] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "span":
            return
        a = {k: v or "" for k, v in attrs}
        if MARKER_CLASS in a.get("class", "").split() and a.get("data-csops-key"):
            self.found.append(Marker(a["data-csops-key"], a.get("data-csops-hash", ""), a.get("data-csops-body", "")))


def find_marker(html: str) -> Marker | None:
    """The marker csops appended (the last one: a copied marker in the text comes before it).

    Only the span tags that mention the marker class go through the parser (a body can be long)."""
    if MARKER_CLASS not in html:
        return None
    parser = _MarkerParser()
    for tag in _SPAN_TAG.findall(html):
        if MARKER_CLASS in tag:
            parser.feed(tag)
    parser.close()
    return parser.found[-1] if parser.found else None
