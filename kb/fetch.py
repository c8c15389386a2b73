"""Image downloads for ``kb pull``: credentials go only to the Help Center's own origin.

Article bodies are remote data: an ``<img src>`` can name any host.  The
authenticated Zendesk session is used only for URLs on the configured Zendesk
origin (scheme, host and port), and redirects are followed here, one hop at a
time, so a redirect to another origin (Zendesk serves attachments from a CDN)
continues without the ``Authorization`` header.  Images on other hosts are
fetched with a plain session only when the user asks for it
(``--external-images``); otherwise they stay remote links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urljoin, urlsplit

import requests

from base.errors import Failure
from connectors.http import origin

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # Zendesk's own limit for one attachment
MAX_REDIRECTS = 5
TIMEOUT = (5.0, 30.0)


class ImageSkipped(Failure):
    """This image is not downloaded; the message says why."""


def parsed(url: str) -> SplitResult:
    """``url`` split into its parts, or :class:`ImageSkipped` saying why it is no URL to fetch: a body can hold
    anything in ``src`` (an unclosed ``[``, a port that is not a number, no host, a control character)."""
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise ImageSkipped(f"{url!r}: not a URL that can be fetched (a space or a control character)")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise ImageSkipped(f"{url!r}: not a URL that can be fetched ({exc})") from None
    if not parts.hostname:
        raise ImageSkipped(f"{url!r}: not a URL that can be fetched (no host)")
    return parts


@dataclass
class ImageFetcher:
    """``own``: the Zendesk base URL; ``authed``: its session; ``external``: fetch other hosts too."""

    own: str
    authed: requests.Session
    external: bool = False
    plain: requests.Session = field(default_factory=requests.Session)
    max_bytes: int = MAX_IMAGE_BYTES

    def is_own(self, url: str) -> bool:
        return origin(url) == origin(self.own)

    def fetch(self, url: str) -> bytes:
        parsed(url)
        if not self.is_own(url) and not self.external:
            raise ImageSkipped(f"{url}: on another host than Zendesk (pass --external-images to download it)")
        for _ in range(MAX_REDIRECTS + 1):
            session = self.authed if self.is_own(url) else self.plain
            resp = session.get(url, allow_redirects=False, stream=True, timeout=TIMEOUT)
            try:
                if resp.is_redirect:
                    url = urljoin(url, resp.headers.get("Location", ""))
                    if parsed(url).scheme not in ("http", "https"):
                        raise ImageSkipped(f"{url}: redirected to a URL that is not http(s)")
                    continue
                if resp.status_code != 200:
                    raise ImageSkipped(f"{url}: HTTP {resp.status_code}")
                return self._read(url, resp)
            finally:
                resp.close()
        raise ImageSkipped(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _read(self, url: str, resp: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise ImageSkipped(f"{url}: larger than {self.max_bytes // (1024 * 1024)} MB")
            chunks.append(chunk)
        return b"".join(chunks)


Fetch = Callable[[str], bytes]
