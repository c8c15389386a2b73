"""What the Help Center holds now, read before anything is planned: its setup (permission groups, user segments,
enabled locales) and a snapshot of its categories, sections and article translations with their markers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from base.errors import SourceError
from connectors.zendesk import HelpCenter
from kb.articles import HELP_CENTER_FIELDS, Article
from kb.model import KbSpec
from kb.publish.markers import Marker, body_hash, canonical, find_marker, strip_markers

#: An image csops uploaded, as its URL appears in a body: named ``<content hash>-<file name>``.
IMAGE_URL = re.compile(r'src="([^"]*/([0-9a-f]{12})-[^"/]*)"')


class PublishError(SourceError):
    """Publishing cannot start: the configuration or the Help Center's setup is wrong (exit 78)."""


@dataclass
class RemoteTranslation:
    title: str
    draft: bool
    body: str
    marker: Marker | None

    def changes(self, a: Article, html: str) -> list[str]:
        """What publishing ``a`` would change here: the translation's fields (title, draft), body, marker."""
        out = [f.key for f in HELP_CENTER_FIELDS if f.translation and getattr(self, f.key) != getattr(a, f.key)]
        if canonical(strip_markers(self.body)) != canonical(html):
            out.append("body")
        if self.marker is None:
            out.append("marker")
        return out or ["body"]

    def drifted(self) -> bool:
        """Edited outside csops: the marker is gone, or the body is not the one csops sent."""
        return self.marker is None or bool(self.marker.sent and self.marker.sent != body_hash(self.body))

    def same_content(self, version: Article, html: str) -> bool:
        """The file already holds the Help Center's edit (``kb pull PATH``): only the marker is to be rewritten."""
        return self.title == version.title and self.draft == version.draft and \
            canonical(strip_markers(self.body)) == canonical(html)


@dataclass
class Remote:
    """The Help Center as read at the start of a run."""

    categories: dict[int, dict[str, Any]]
    sections: dict[int, dict[str, Any]]
    tree_translations: dict[int, dict[str, dict[str, Any]]]
    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    translations: dict[tuple[int, str], RemoteTranslation] = field(default_factory=dict)
    by_key: dict[str, set[int]] = field(default_factory=dict)
    images: dict[tuple[int, str, str], str] = field(default_factory=dict)  # (article, locale, digest) → URL
    _unmarked: dict[tuple[int, str], dict[str, Any]] | None = field(default=None, repr=False)
    _keys: dict[int, set[str]] | None = field(default=None, repr=False)

    def keys_of(self, article_id: int) -> set[str]:
        """The keys the markers of an article's translations name (more than one after a move)."""
        if self._keys is None:
            self._keys = {}
            for k, ids in self.by_key.items():
                for aid in ids:
                    self._keys.setdefault(aid, set()).add(k)
        return self._keys.get(article_id, set())

    def unmarked(self, section_id: int, title: str) -> dict[str, Any] | None:
        """An article in that section with that title and no marker in any translation."""
        if self._unmarked is None:
            marked = {aid for ids in self.by_key.values() for aid in ids}
            self._unmarked = {(a["section_id"], a.get("title") or ""): a for aid, a in self.articles.items()
                              if aid not in marked}
        return self._unmarked.get((section_id, title))


def read_remote(hc: HelpCenter, locales: list[str]) -> Remote:
    categories = {int(c["id"]): c for c in hc.categories()}
    sections = {int(s["id"]): s for s in hc.sections()}
    trs = {cid: {t["locale"]: t for t in hc.container_translations("categories", cid)} for cid in categories}
    trs.update({sid: {t["locale"]: t for t in hc.container_translations("sections", sid)} for sid in sections})
    remote = Remote(categories, sections, trs)
    for loc in locales:
        for page in hc.articles(loc):
            for art in page:
                _add_article(remote, loc, art)
    return remote


def _add_article(remote: Remote, loc: str, art: dict[str, Any]) -> None:
    aid = int(art["id"])
    body = art.get("body") or ""
    remote.articles.setdefault(aid, art)
    if loc == art.get("source_locale"):
        remote.articles[aid] = art
    found = find_marker(body)
    remote.translations[(aid, loc)] = RemoteTranslation(art.get("title") or "", bool(art.get("draft")), body, found)
    if found is not None:
        remote.by_key.setdefault(found.key, set()).add(aid)
    for url, digest in IMAGE_URL.findall(body):
        remote.images.setdefault((aid, loc, digest), url)


def map_locales(spec: KbSpec, enabled: list[str]) -> dict[str, str]:
    """kb locale → Help Center locale: kb.yaml's help_center_locales, else the same code, else the one
    enabled variant of it (``en`` → ``en-us``).  Locales that map to nothing are left out."""
    out: dict[str, str] = {}
    for loc in spec.locales:
        if loc in spec.help_center_locales:
            out[loc] = spec.help_center_locales[loc]
        elif loc in enabled:
            out[loc] = loc
        else:
            variants = [e for e in enabled if e.split("-")[0] == loc.split("-")[0]]
            if len(variants) == 1:
                out[loc] = variants[0]
    return out


def check_locales(hc: HelpCenter, spec: KbSpec, articles: list[Article]) -> dict[str, str]:
    """Map kb locales to the Help Center's enabled ones; stop (exit 78) naming every file that has none."""
    enabled, default = hc.locales()
    mapping = {k: v for k, v in map_locales(spec, enabled).items() if v in enabled}
    bad = sorted({a.rel for a in articles if a.locale not in mapping})
    if bad:
        wanted = sorted({a.locale for a in articles if a.locale not in mapping})
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        example = ", ".join(f"{w}: {next((e for e in enabled if e.startswith(w)), enabled[0] if enabled else w)}"
                            for w in wanted)
        raise PublishError(
            f"locale {', '.join(wanted)} is not enabled in this Help Center (enabled: {', '.join(enabled)}; "
            f"default {default}): {shown}. Map it in kb.yaml (help_center_locales: {{{example}}}) or "
            "enable the language in Guide", spec.file)
    return mapping
