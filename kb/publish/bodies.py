"""Article bodies for the Help Center: Markdown rendered once per source (cached), then links to other articles
resolved to Help Center URLs and images to the translation's inline attachments."""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.files import make_named_folder, write_file
from connectors.zendesk import HelpCenter
from kb.articles import Article
from kb.model import KbSpec
from kb.paths import split_url
from kb.publish.markers import strip_markers
from kb.publish.remote import Remote
from kb.render import local_link, render

PLACEHOLDER = "#csops-pending"
#: A file csops attached: named ``<12 hex digits of its content's SHA-256>-<its name>`` (images and attachments).
CSOPS_FILE = re.compile(r"^[0-9a-f]{12}-")
RENDER_VERSION = "1"
_TOKEN = re.compile(r"csops-url-(\d+)-z")


class RenderCache:
    """Markdown → HTML by source hash, kept in ``.cache/render.json`` under the kb root.

    Relative links and images are rendered as tokens and resolved after, so one cached render serves
    whatever ids and attachment URLs the Help Center has; other URLs stay in the HTML, sanitised by nh3.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            try:
                self.entries = dict(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, OSError):
                self.entries = {}
        self.dirty = False

    def get(self, body: str, locale: str) -> tuple[str, list[tuple[str, bool]]]:
        """The body rendered in ``locale`` (admonition titles follow the article's language)."""
        key = hashlib.sha256(f"{RENDER_VERSION}\0{locale}\0{body}".encode()).hexdigest()
        hit = self.entries.get(key)
        if hit is None:
            urls: list[tuple[str, bool]] = []

            def token(url: str, is_image: bool) -> str:
                parts = split_url(url)
                if parts is None or parts.scheme or url.startswith(("#", "//")) or not parts.path:
                    return url
                urls.append((url, is_image))
                return f"csops-url-{len(urls) - 1}-z"

            hit = {"html": render(body, token, locale).html, "urls": urls}
            self.entries[key] = hit
            self.dirty = True
        return str(hit["html"]), [(str(u), bool(i)) for u, i in hit["urls"]]

    def file_digest(self, path: Path) -> str:
        """The content hash of a file, read again only when its size or modification time changed (an
        attachment can be 20 MB: an unchanged republish reads none)."""
        st = path.stat()
        key = f"file\0{path}"  # the loader's path: resolved, inside files/
        hit = self.entries.get(key)
        if hit is None or hit.get("size") != st.st_size or hit.get("mtime") != st.st_mtime_ns:
            hit = {"size": st.st_size, "mtime": st.st_mtime_ns,
                   "digest": hashlib.sha256(path.read_bytes()).hexdigest()[:12]}
            self.entries[key] = hit
            self.dirty = True
        return str(hit["digest"])

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        make_named_folder(self.path.parent)
        write_file(self.path, json.dumps(self.entries, ensure_ascii=False), durable=False)  # a cache
        self.dirty = False


@dataclass
class Rendered:
    """A translation's body as the Help Center gets it now."""

    html: str
    pending: bool = False  # a link or image in it cannot point at the Help Center yet (not created, not uploaded)
    uploads: dict[str, Path] = field(default_factory=dict)  # content digest → an image to upload for it


class Bodies:
    """Bodies for the Help Center. Reads the Help Center (an article's attachments, once) but never writes it:
    an image not on the Help Center yet is listed in :attr:`Rendered.uploads` for the caller to upload."""

    def __init__(self, spec: KbSpec, hc: HelpCenter, renders: RenderCache, base_url: str,
                 hc_locale: dict[str, str], remote: Remote) -> None:
        self.spec, self.hc, self.renders, self.base_url = spec, hc, renders, base_url
        self.hc_locale, self.remote = hc_locale, remote
        self.ids: dict[str, int] = {}  # article key → Help Center article id
        self.locales: dict[str, list[str]] = {}  # article key → the kb locales it is written in
        self.attachments: dict[int, list[dict[str, Any]]] = {}

    def render(self, a: Article, article_id: int | None, new: bool, look_up: bool = True) -> Rendered:
        """``a``'s body for Help Center article ``article_id`` (None: not created yet; ``new``: created in this
        run, so it has no attachments). ``look_up``: search the article's attachments for an image not in its
        bodies (one read per article) rather than count it pending."""
        cached, urls = self.renders.get(a.body, a.locale)
        out = Rendered("")

        def resolve(m: re.Match[str]) -> str:
            url, is_image = urls[int(m.group(1))]
            link = local_link(a.path, url, self.spec.root)
            if link is None:
                resolved = url
            elif is_image or not link.article:
                resolved = self._image_url(link.path, a, article_id, new, look_up, out) or url
            else:
                resolved = self._article_url(link.path, link.fragment, a) or url
            out.pending |= resolved.startswith(PLACEHOLDER)
            return htmllib.escape(resolved, quote=True)

        out.html = strip_markers(_TOKEN.sub(resolve, cached))
        return out

    def _article_url(self, target: Path, fragment: str, a: Article) -> str | None:
        try:
            rel = target.relative_to((self.spec.root / "articles").resolve())
        except ValueError:
            return None
        name = rel.name[:-3]
        slug = name.rpartition(".")[0] if name.count(".") == 1 and name.rpartition(".")[2] in self.spec.locales \
            else name
        key = f"{rel.parent.as_posix()}/{slug}"
        aid = self.ids.get(key)
        if aid is None:
            return PLACEHOLDER
        versions = self.locales.get(key, [])
        loc = a.locale if a.locale in versions or not versions else versions[0]
        frag = f"#{fragment}" if fragment else ""
        return f"{self.base_url}/hc/{self.hc_locale.get(loc, loc)}/articles/{aid}{frag}"

    def _image_url(self, path: Path, a: Article, aid: int | None, new: bool, look_up: bool,
                   out: Rendered) -> str | None:
        """The URL of this image as an inline attachment of this article translation: found in the bodies or
        among the article's attachments (an interrupted run); else it is to be uploaded."""
        if not path.is_file() or not path.resolve().is_relative_to(self.spec.root.resolve()):
            return None  # outside the knowledge base: never read (Publisher.load refuses such an article)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        loc = self.hc_locale.get(a.locale, a.locale)
        known = self.remote.images.get((aid, loc, digest)) if aid is not None else None
        if known is None and aid is not None and look_up:
            known = self._attachment(aid, new, loc, digest)
        if known is not None:
            return known
        out.uploads[digest] = path
        return f"{PLACEHOLDER}-image-{digest}"

    def _attachment(self, aid: int, new: bool, loc: str, digest: str) -> str | None:
        if aid not in self.attachments:  # an article created in this run has none yet
            self.attachments[aid] = [] if new else self.hc.attachments(aid)
        for att in self.attachments[aid]:
            if str(att.get("file_name", "")).startswith(f"{digest}-") and att.get("locale") in (loc, None) and \
                    att.get("inline"):
                self.remote.images[(aid, loc, digest)] = str(att["content_url"])
                return str(att["content_url"])
        return None

    def attachment_name(self, path: Path) -> str:
        """The name an attachment gets on the Help Center: the same file has the same name, so it is found again."""
        return f"{self.renders.file_digest(path)}-{path.name}"

    def uploaded(self, aid: int, loc: str, digest: str, attachment: dict[str, Any]) -> None:
        """An image uploaded for ``aid``'s ``loc`` translation: the next render points at it."""
        self.remote.images[(aid, loc, digest)] = str(attachment["content_url"])
        self.attachments.setdefault(aid, []).append(attachment)
