"""``kb publish``: make the Help Center match kb/ — plan first, write only what changed, overwrite no one.

Identity.  Each published translation ends with a hidden marker
``<span class="csops-source" data-csops-key="cat/sec/slug" data-csops-hash="…" data-csops-body="…">``:
the file it came from, the hash of what csops sent (title, body, draft) and the hash of the body HTML
alone.  A fresh clone finds every article by its marker, so it never creates a duplicate.  The first
publish also writes ``helpcenter-ids.yaml`` beside kb.yaml (the Help Center ids of categories, sections
and articles, per Help Center): a category renamed in kb.yaml is renamed on the Help Center, and an
article whose marker an editor removed is still recognised.  Two articles with one marker (two publishes
at once from two machines) are reported, never written.

Drift.  A remote body whose hash differs from ``data-csops-body`` was edited in the Help Center: the plan
shows it as ``drifted`` and leaves it alone (exit 3) unless ``--force``; ``kb pull PATH`` brings the edit
back into Markdown.

Locales.  kb locales map to the Help Center's enabled locales (``en`` → ``en-us``); categories and
sections get a translation in every locale, since Zendesk hides an article whose section or category is
not translated into its locale.  Images are inline attachments of one article translation (Zendesk deletes
one its body no longer embeds), named by content hash and found again in the bodies or, after an
interrupted run, among the article's attachments.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from base.files import make_named_folder, write_file
from connectors.http import AuthenticationFailed, BudgetExhausted, ConnectorError
from connectors.zendesk import HelpCenter
from kb.articles import HELP_CENTER_FIELDS, Article, Finding, load_articles
from kb.paths import escapes
from kb.render import local_link, render
from kb.site import outside_references, structural_errors
from kb.spec import KbError, KbSpec
from rules.yamlsrc import SourceError

log = logging.getLogger("csops.kb.publish")

IMAGE_URL = re.compile(r'src="([^"]*/([0-9a-f]{12})-[^"/]*)"')
PLACEHOLDER = "#csops-pending"
IDS_FILE = "helpcenter-ids.yaml"
RENDER_VERSION = "1"


class PublishError(SourceError):
    """Publishing cannot start: the configuration or the Help Center's setup is wrong (exit 78)."""


# -- markers --------------------------------------------------------------------------------------------

_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"\s+")
MARKER_CLASS = "csops-source"
_MARKER_SPAN = re.compile(r"<span\b[^>]*\bcsops-source\b[^>]*>(?:\s|&nbsp;)*</span>", re.IGNORECASE)


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


_SPAN_TAG = re.compile(r"<span\b[^>]*>", re.IGNORECASE)


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


# -- the plan's vocabulary ------------------------------------------------------------------------------

@dataclass
class Action:
    kind: str  # create | update | unchanged | archive | removed | conflict | adopt | drifted | blocked | duplicate
    key: str
    locale: str = ""
    changes: list[str] = field(default_factory=list)
    detail: str = ""

    def line(self) -> str:
        what = f" ({', '.join(self.changes)})" if self.changes else ""
        loc = f" [{self.locale}]" if self.locale else ""
        return f"{self.kind:<9} {self.key}{loc}{what}{(' — ' + self.detail) if self.detail else ''}"


@dataclass
class PublishReport:
    actions: list[Action] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    images_uploaded: int = 0
    api_calls: int = 0
    failed: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    categories_created: int = 0
    sections_created: int = 0

    def summary(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "archived": self.archived, "images_uploaded": self.images_uploaded, "api_calls": self.api_calls,
                "failed": len(self.failed), "drifted": len(self.drifted), "blocked": len(self.blocked)}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.drifted or self.blocked)


@dataclass
class RemoteTranslation:
    title: str
    draft: bool
    body: str
    marker: Marker | None

    def changes(self, a: Article, html: str) -> list[str]:
        """What publishing ``a`` would change here: title, draft, body."""
        out = [f.key for f in HELP_CENTER_FIELDS if f.translation and getattr(self, f.key) != getattr(a, f.key)]
        if canonical(strip_markers(self.body)) != canonical(html):
            out.append("body")
        if self.marker is None:
            out.append("marker")
        return out or ["body"]

    def drifted(self) -> bool:
        """Edited outside csops: the marker is gone, or the body is not the one csops sent."""
        return self.marker is None or bool(self.marker.sent and self.marker.sent != body_hash(self.body))


@dataclass
class Remote:
    categories: dict[int, dict[str, Any]]
    sections: dict[int, dict[str, Any]]
    tree_translations: dict[int, dict[str, dict[str, Any]]]
    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    translations: dict[tuple[int, str], RemoteTranslation] = field(default_factory=dict)
    by_key: dict[str, set[int]] = field(default_factory=dict)
    images: dict[tuple[int, str, str], str] = field(default_factory=dict)
    _unmarked: dict[tuple[int, str], dict[str, Any]] | None = field(default=None, repr=False)

    def keys_of(self, article_id: int) -> set[str]:
        return {k for k, ids in self.by_key.items() if article_id in ids}

    def unmarked(self, section_id: int, title: str) -> dict[str, Any] | None:
        """An article in that section with that title and no marker in any translation."""
        if self._unmarked is None:
            marked = {aid for ids in self.by_key.values() for aid in ids}
            self._unmarked = {(a["section_id"], a.get("title") or ""): a for aid, a in self.articles.items()
                              if aid not in marked}
        return self._unmarked.get((section_id, title))


# -- files beside kb.yaml -------------------------------------------------------------------------------

_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class HelpCenterIds:
    """``helpcenter-ids.yaml``: the Help Center ids of categories, sections and articles, per Help Center.

    Written by publish and meant to be committed (as other publishing tools keep ids beside the source):
    it makes a rename in kb.yaml a rename on the Help Center, and recognises an article whose marker was
    removed.  Without it (a first publish, a clone without it) names and markers are matched instead.
    """

    KINDS = ("categories", "sections", "articles")

    def __init__(self, root: Path, host: str) -> None:
        self.path, self.host = root / IDS_FILE, host
        self.all: dict[str, Any] = {}
        if self.path.exists():
            try:
                loaded = yaml.load(self.path.read_text(encoding="utf-8"), Loader=_FAST_LOADER)
            except yaml.YAMLError as exc:
                raise PublishError(f"{IDS_FILE} is not valid YAML ({exc}); fix it or delete it (publish then "
                                   "matches categories by name and articles by marker)", str(self.path)) from None
            self.all = loaded if isinstance(loaded, dict) else {}
        mine = self.all.get(host)
        self.ids: dict[str, dict[str, int]] = {
            k: {str(n): int(v) for n, v in ((mine or {}).get(k) or {}).items() if isinstance(v, int)}
            for k in self.KINDS} if isinstance(mine, dict) else {k: {} for k in self.KINDS}
        self.dirty = False

    def get(self, kind: str, key: str) -> int | None:
        return self.ids[kind].get(key)

    def set(self, kind: str, key: str, value: int) -> None:
        if self.ids[kind].get(key) != value:
            self.ids[kind][key] = value
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self.all[self.host] = {k: dict(sorted(v.items())) for k, v in self.ids.items()}
        text = ("# Written by kb publish: Help Center ids of kb.yaml's categories and sections and of the articles,\n"
                "# per Help Center. Commit it: a rename in kb.yaml then renames on the Help Center.\n"
                + yaml.dump(self.all, Dumper=_FAST_DUMPER, allow_unicode=True, sort_keys=True))
        write_file(self.path, text)
        self.dirty = False


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
                parts = urlsplit(url)
                if parts.scheme or url.startswith(("#", "//")) or not parts.path:
                    return url
                urls.append((url, is_image))
                return f"csops-url-{len(urls) - 1}-z"

            hit = {"html": render(body, token, locale).html, "urls": urls}
            self.entries[key] = hit
            self.dirty = True
        return str(hit["html"]), [(str(u), bool(i)) for u, i in hit["urls"]]

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        make_named_folder(self.path.parent)
        write_file(self.path, json.dumps(self.entries, ensure_ascii=False), durable=False)  # a cache
        self.dirty = False


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


# -- the publisher --------------------------------------------------------------------------------------

@dataclass
class Entry:
    """One article (all its local translations) and what the plan decided for it."""

    key: str
    versions: list[Article]
    article_id: int | None = None
    how: str = "new"  # marker | stored | adopt | new
    section_id: int | None = None
    created_final: set[str] = field(default_factory=set)
    planned: bool = False

    @property
    def source(self) -> Article:
        return self.versions[0]


class Publisher:
    def __init__(self, spec: KbSpec, hc: HelpCenter, base_url: str, permission_group_id: int | None,
                 user_segment_id: int | None, progress: Callable[[str], None] | None = None,
                 cache_dir: Path | None = None) -> None:
        self.spec, self.hc, self.base_url = spec, hc, base_url.rstrip("/")
        self.permission_group_id, self.user_segment_id = permission_group_id, user_segment_id
        self.progress = progress or (lambda _: None)
        self.renders = RenderCache((cache_dir or spec.root / ".cache") / "render.json")
        self.hc_locale: dict[str, str] = {}
        self._locales: dict[str, list[str]] = {}
        self._attachments: dict[int, list[dict[str, Any]]] = {}
        self._ids: dict[str, int] = {}
        self._remote = Remote({}, {}, {})
        self._idfile: HelpCenterIds | Any = None

    def load(self) -> list[Article]:
        """The articles, refused (exit 78) as ``kb build`` refuses them: structural errors, or a link or
        image leading outside the knowledge base (never read).  The outside check runs on the cached
        render's URL list; the located messages are made only for an article that has one."""
        articles, findings = load_articles(self.spec)
        errors = structural_errors(findings)
        for a in articles:
            _, urls = self.renders.get(a.body, a.locale)
            bad = [u for u, _ in urls if escapes(self.spec.root, a.path, u) is not None]
            if bad:
                errors += outside_references(self.spec, a) or [Finding(
                    a.rel, a.body_line, 1, "error", "internal-link",
                    f"'{bad[0]}' leads outside the knowledge base; csops never reads it")]
        if errors:
            raise KbError([SourceError(f"{f.rule}: {f.message}", f.path, f.line, f.col) for f in errors])
        return articles

    # -- reading the Help Center --------------------------------------------
    def check_access_settings(self) -> None:
        groups = self.hc.permission_groups()
        names = ", ".join(f"{g['id']} ({g['name']})" for g in groups)
        if self.permission_group_id is None:
            raise PublishError(f"permission_group_id is not set: put one of this Help Center's permission groups "
                               f"in kb.yaml: {names}", self.spec.file)
        if self.permission_group_id not in {g["id"] for g in groups}:
            raise PublishError(f"permission_group_id {self.permission_group_id} does not exist in this Help Center; "
                               f"it has: {names}", self.spec.file)
        if self.user_segment_id is not None:
            segments = self.hc.user_segments()
            if self.user_segment_id not in {s["id"] for s in segments}:
                seg_names = ", ".join(f"{s['id']} ({s['name']})" for s in segments)
                raise PublishError(f"user_segment_id {self.user_segment_id} does not exist; this Help Center has: "
                                   f"{seg_names} (or leave it empty: everyone)", self.spec.file)

    def check_locales(self, articles: list[Article]) -> dict[str, str]:
        """Map kb locales to the Help Center's enabled ones; stop (exit 78) naming every file that has none."""
        enabled, default = self.hc.locales()
        mapping = {k: v for k, v in map_locales(self.spec, enabled).items() if v in enabled}
        bad = sorted({a.rel for a in articles if a.locale not in mapping})
        if bad:
            wanted = sorted({a.locale for a in articles if a.locale not in mapping})
            shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            example = ", ".join(f"{w}: {next((e for e in enabled if e.startswith(w)), enabled[0] if enabled else w)}"
                                for w in wanted)
            raise PublishError(
                f"locale {', '.join(wanted)} is not enabled in this Help Center (enabled: {', '.join(enabled)}; "
                f"default {default}): {shown}. Map it in kb.yaml (help_center_locales: {{{example}}}) or "
                "enable the language in Guide", self.spec.file)
        self.hc_locale = mapping
        return mapping

    def read_remote(self, locales: list[str]) -> Remote:
        categories = {int(c["id"]): c for c in self.hc.categories()}
        sections = {int(s["id"]): s for s in self.hc.sections()}
        trs = {cid: {t["locale"]: t for t in self.hc.container_translations("categories", cid)} for cid in categories}
        trs.update({sid: {t["locale"]: t for t in self.hc.container_translations("sections", sid)}
                    for sid in sections})
        remote = Remote(categories, sections, trs)
        for loc in locales:
            for page in self.hc.articles(loc):
                for art in page:
                    aid = int(art["id"])
                    body = art.get("body") or ""
                    remote.articles.setdefault(aid, art)
                    if loc == art.get("source_locale"):
                        remote.articles[aid] = art
                    found = find_marker(body)
                    remote.translations[(aid, loc)] = RemoteTranslation(art.get("title") or "", bool(art.get("draft")),
                                                                        body, found)
                    if found is not None:
                        remote.by_key.setdefault(found.key, set()).add(aid)
                    for url, digest in IMAGE_URL.findall(body):
                        remote.images.setdefault((aid, loc, digest), url)
        return remote

    # -- the plan and its application ---------------------------------------
    def publish(self, dry_run: bool = False, archive_removed: bool = False, adopt: bool = False,
                only: set[str] | None = None, locale: str | None = None, force: bool = False) -> PublishReport:
        """``only``: article keys to publish; ``locale``: write only that locale's translations;
        ``force``: overwrite drifted translations and publish articles with check errors."""
        report = PublishReport()
        before = self.hc.client.session.stats.snapshot().get("zendesk", 0)
        try:
            self._publish(report, dry_run, archive_removed, adopt, only, locale, force)
        finally:
            report.api_calls = self.hc.client.session.stats.snapshot().get("zendesk", 0) - before
            self.renders.save()
        return report

    def _publish(self, report: PublishReport, dry_run: bool, archive_removed: bool, adopt: bool,
                 only: set[str] | None, locale: str | None, force: bool) -> None:
        articles = self.load()
        self.check_access_settings()
        mapping = self.check_locales(articles)
        remote = self._remote = self.read_remote(sorted(set(mapping.values())))
        ids = self._idfile = HelpCenterIds(self.spec.root, self.hc.client.base_url)
        try:
            section_ids = self._sync_tree(remote, ids, report, dry_run)
            entries = self._identify(articles, remote, ids, section_ids, report, adopt, only)
            self._ids = {k: e.article_id for k, e in entries.items() if e.article_id is not None}
            self._ids.update({k: min(v) for k, v in remote.by_key.items() if k not in self._ids})
            if not force:
                self._gate(entries, remote, report)
            self._create(entries, report, dry_run, locale)
            for entry in entries.values():
                self._write_versions(entry, remote, report, dry_run, locale, force)
            self._removed(articles, remote, report, dry_run, archive_removed, only)
        finally:
            if not dry_run:
                ids.save()

    # -- categories and sections --------------------------------------------
    def _sync_tree(self, remote: Remote, ids: HelpCenterIds, report: PublishReport,
                   dry_run: bool) -> dict[tuple[str, str], int]:
        """Categories and sections by stored id (else by name): create, rename, move, translate."""
        out: dict[tuple[str, str], int] = {}
        for cat in sorted(self.spec.categories.values(), key=lambda c: c.position):
            texts = self._texts(cat.title, cat.description)
            cid = self._find(remote.categories, ids.get("categories", cat.id), texts, remote, None)
            cid = self._ensure("categories", f"category {cat.id}", cid, texts, cat.position, None, remote,
                               report, dry_run)
            if cid is None:
                for sec in sorted(cat.sections.values(), key=lambda s: s.position):
                    report.actions.append(Action("create", f"section {cat.id}/{sec.id}",
                                                 detail=self.spec.text(sec.title)))
                continue
            ids.set("categories", cat.id, cid)
            for sec in sorted(cat.sections.values(), key=lambda s: s.position):
                stexts = self._texts(sec.title, sec.description)
                sid = self._find(remote.sections, ids.get("sections", f"{cat.id}/{sec.id}"), stexts, remote, cid)
                sid = self._ensure("sections", f"section {cat.id}/{sec.id}", sid, stexts, sec.position, cid,
                                   remote, report, dry_run)
                if sid is not None:
                    ids.set("sections", f"{cat.id}/{sec.id}", sid)
                    out[(cat.id, sec.id)] = sid
        return out

    def _texts(self, title: dict[str, str], description: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Help Center locale → (name, description), the default locale first."""
        locs = sorted(self.hc_locale, key=lambda x: x != self.spec.locale)
        return {self.hc_locale[loc]: (self.spec.text(title, loc), self.spec.text(description, loc)) for loc in locs}

    @staticmethod
    def _find(items: dict[int, dict[str, Any]], stored: int | None, texts: dict[str, tuple[str, str]],
              remote: Remote, category_id: int | None) -> int | None:
        if stored is not None and stored in items:
            return stored
        names = {name for name, _ in texts.values()}
        for oid, item in items.items():
            if category_id is not None and item.get("category_id") != category_id:
                continue
            if item.get("name") in names or any(t.get("title") in names
                                                 for t in remote.tree_translations.get(oid, {}).values()):
                return oid
        return None

    def _ensure(self, kind: str, label: str, oid: int | None, texts: dict[str, tuple[str, str]], position: int,
                category_id: int | None, remote: Remote, report: PublishReport, dry_run: bool) -> int | None:
        first_loc, (name, desc) = next(iter(texts.items()))
        if oid is None:
            report.actions.append(Action("create", label, detail=name))
            if dry_run:
                return None
            made = self.hc.create_section(category_id, name, desc, position, first_loc) if category_id is not None \
                else self.hc.create_category(name, desc, position, first_loc)
            oid = int(made["id"])
            (remote.sections if category_id is not None else remote.categories)[oid] = made
            remote.tree_translations[oid] = {first_loc: {"locale": first_loc, "title": name, "body": desc}}
            if category_id is None:
                report.categories_created += 1
            else:
                report.sections_created += 1
        item = (remote.sections if category_id is not None else remote.categories)[oid]
        meta: dict[str, Any] = {}
        if item.get("position") != position:
            meta["position"] = position
        if category_id is not None and item.get("category_id") != category_id:
            meta["category_id"] = category_id
        if meta:
            report.actions.append(Action("update", label, changes=sorted(meta)))
            if not dry_run:
                (self.hc.update_section if category_id is not None else self.hc.update_category)(oid, **meta)
        self._translate(kind, label, oid, texts, remote.tree_translations.get(oid, {}), report, dry_run)
        return oid

    def _translate(self, kind: str, label: str, oid: int, texts: dict[str, tuple[str, str]],
                   have: dict[str, dict[str, Any]], report: PublishReport, dry_run: bool) -> None:
        """Names and descriptions go through translations (``PUT /categories/{id}`` ignores them)."""
        for loc, (name, desc) in texts.items():
            tr = have.get(loc)
            if tr is not None and tr.get("title") == name and (tr.get("body") or "") == desc:
                continue
            what = ["new translation"] if tr is None else [w for w, differs in (
                ("name", tr.get("title") != name), ("description", (tr.get("body") or "") != desc)) if differs]
            report.actions.append(Action("update", label, loc, what))
            if dry_run:
                continue
            if tr is None:
                self.hc.create_container_translation(kind, oid, loc, name, desc)
            else:
                self.hc.update_container_translation(kind, oid, loc, name, desc)
            have[loc] = {"locale": loc, "title": name, "body": desc}

    # -- articles: identity -------------------------------------------------
    def _identify(self, articles: list[Article], remote: Remote, ids: HelpCenterIds,
                  section_ids: dict[tuple[str, str], int], report: PublishReport, adopt: bool,
                  only: set[str] | None) -> dict[str, Entry]:
        """Which Help Center article each key is: by marker, by stored id, by --adopt; else new.

        Ambiguity is never guessed: two articles with one marker, or an unmarked article with the same
        title in the same section, skip the key with a message saying how to resolve it."""
        groups: dict[str, list[Article]] = {}
        for a in articles:
            groups.setdefault(a.key, []).append(a)
        self._locales = {k: [v.locale for v in vs] for k, vs in groups.items()}
        entries: dict[str, Entry] = {}
        for key, versions in groups.items():
            if only is not None and key not in only:
                continue
            versions.sort(key=lambda a: (a.locale != self.spec.locale, a.locale))
            entry = Entry(key, versions, section_id=section_ids.get((versions[0].category, versions[0].section)))
            found = sorted(remote.by_key.get(key, set()))
            stored = ids.get("articles", key)
            if len(found) > 1:
                report.actions.append(Action("duplicate", key, detail=(
                    f"articles {', '.join(map(str, found))} on the Help Center carry this file's marker (two "
                    "publishes at once?); archive all but one in Guide, then publish again")))
                report.failed.append(key)
                continue
            if found:
                entry.article_id, entry.how = found[0], "marker"
            elif stored in remote.articles and not remote.keys_of(stored):
                entry.article_id, entry.how = stored, "stored"
            elif entry.section_id is not None and (clash := remote.unmarked(entry.section_id,
                                                                             entry.source.title)) is not None:
                if not adopt:
                    report.actions.append(Action("conflict", key, entry.source.locale, detail=(
                        f"an article with the same title exists in that section without a csops marker "
                        f"(id {clash['id']}); --adopt takes it over")))
                    report.failed.append(key)
                    continue
                entry.article_id, entry.how = int(clash["id"]), "adopt"
                report.actions.append(Action("adopt", key, entry.source.locale, detail=f"article {clash['id']}"))
            if entry.article_id is not None:
                ids.set("articles", key, entry.article_id)
            entries[key] = entry
        return entries

    def _gate(self, entries: dict[str, Entry], remote: Remote, report: PublishReport) -> None:
        """Articles about to be written that have error-level ``kb check`` findings are held back (exit 3)."""
        from kb.check import check

        paths = [v.path for e in entries.values() for v in e.versions if self._would_write(e, v, remote)]
        if not paths:
            return
        errors: dict[str, list[str]] = {}
        for f in check(self.spec, paths).findings:
            if f.level == "error":
                errors.setdefault(f.path, []).append(f"{f.path}:{f.line}:{f.col} {f.rule}: {f.message}")
        for key, entry in list(entries.items()):
            found = [m for v in entry.versions for m in errors.get(v.rel, [])]
            if found:
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                report.actions.append(Action("blocked", key, detail=f"kb check: {found[0]}{more}; fix it, or "
                                                                    "--force publishes anyway"))
                report.blocked.append(key)
                del entries[key]

    def _would_write(self, entry: Entry, version: Article, remote: Remote) -> bool:
        if entry.article_id is None:
            return True
        have = remote.translations.get((entry.article_id, self.hc_locale[version.locale]))
        if have is None or have.marker is None:
            return True
        html = self._html(version, entry, dry_run=True, report=None)
        return have.marker.digest != content_hash(version.title, html, version.draft)

    # -- articles: writes ---------------------------------------------------
    def _create(self, entries: dict[str, Entry], report: PublishReport, dry_run: bool, locale: str | None) -> None:
        """Pass 1: create new articles — with their final body and draft flag in one call when every link
        resolves and no image needs uploading; else as a draft, finished in pass 2."""
        for key, entry in entries.items():
            if entry.article_id is not None:
                continue
            source = entry.source
            if locale is not None and source.locale != locale:
                report.actions.append(Action("skipped", key, source.locale, detail=(
                    f"not on the Help Center yet, and its source locale is not {locale}")))
                continue
            report.actions.append(Action("create", key, source.locale))
            report.created += 1
            entry.planned = True
            if dry_run or entry.section_id is None:
                continue
            pending: list[str] = []
            html = self._html(source, entry, dry_run, report, pending)
            final = not pending
            digest = content_hash(source.title, html, source.draft) if final else ""
            body = strip_markers(html) + marker(key, digest, body_hash(html) if final else "")
            try:
                created = self.hc.create_article(entry.section_id, {
                    "title": source.title, "locale": self.hc_locale[source.locale],
                    "draft": source.draft if final else True, "body": body,
                    "permission_group_id": self.permission_group_id, "user_segment_id": self.user_segment_id,
                    **self._metadata(source, entry.section_id)})
            except (AuthenticationFailed, BudgetExhausted):
                raise
            except ConnectorError as exc:
                report.created -= 1
                report.failed.append(key)
                log.warning("kb publish: creating %s failed: %s", key, exc)
                continue
            entry.article_id = self._ids[key] = int(created["id"])
            self._idfile.set("articles", key, entry.article_id)
            if final:
                entry.created_final.add(source.locale)
            self.progress(key)

    def _write_versions(self, entry: Entry, remote: Remote, report: PublishReport, dry_run: bool,
                        locale: str | None, force: bool) -> None:
        """Pass 2: metadata, then each translation whose content differs — never one edited in the
        Help Center (drifted) unless ``force``."""
        key, source, aid = entry.key, entry.source, entry.article_id
        if aid is None and not (dry_run and entry.planned):
            return
        new = entry.how == "new"
        changed = False
        try:
            if aid is not None and not new:
                meta = self._meta_diff(remote.articles.get(aid, {}), source, entry.section_id)
                if meta:
                    changed = True
                    report.actions.append(Action("update", key, source.locale, sorted(meta)))
                    if not dry_run:
                        self.hc.update_article_metadata(aid, **meta)
            for version in entry.versions:
                if (locale is not None and version.locale != locale) or version.locale in entry.created_final:
                    continue
                changed |= self._write_version(entry, version, remote, report, dry_run, force)
        except (AuthenticationFailed, BudgetExhausted):
            raise
        except ConnectorError as exc:
            report.failed.append(key)
            log.warning("kb publish: %s failed: %s", key, exc)
            return
        if new:
            return
        if changed:
            report.updated += 1
        elif key not in report.drifted:
            report.unchanged += 1
            report.actions.append(Action("unchanged", key))

    def _write_version(self, entry: Entry, version: Article, remote: Remote, report: PublishReport, dry_run: bool,
                       force: bool) -> bool:
        """Write one translation if it differs; True when it was (or would be) written."""
        aid, loc = entry.article_id, self.hc_locale[version.locale]
        html = self._html(version, entry, dry_run, report)
        digest = content_hash(version.title, html, version.draft)
        have = remote.translations.get((aid, loc)) if aid is not None else None
        if have is not None and have.marker is not None and have.marker.digest == digest and \
                not (have.marker.sent and have.drifted()):
            return False
        if have is not None and entry.how != "adopt" and have.drifted() and not force and \
                not self._same_content(have, version, html):
            why = "the csops marker was removed" if have.marker is None else "its body differs from what csops sent"
            report.actions.append(Action("drifted", entry.key, version.locale, detail=(
                f"edited in the Help Center ({why}); kept. `kb pull {version.rel}` brings the edit into the "
                "file, --force overwrites it")))
            if entry.key not in report.drifted:
                report.drifted.append(entry.key)
            return False
        if entry.how != "new":
            what = ["new translation"] if have is None else have.changes(version, html)
            report.actions.append(Action("update", entry.key, version.locale, what))
        if dry_run or aid is None:
            return True
        body = html + marker(entry.key, digest, body_hash(html))
        if have is None and not (entry.how == "new" and version is entry.source):
            self.hc.create_translation(aid, loc, version.title, body, version.draft)
        else:
            self.hc.update_translation(aid, loc, title=version.title, body=body, draft=version.draft)
        remote.translations[(aid, loc)] = RemoteTranslation(version.title, version.draft, body,
                                                            Marker(entry.key, digest, body_hash(html)))
        return True

    @staticmethod
    def _same_content(have: RemoteTranslation, version: Article, html: str) -> bool:
        """The file already holds the Help Center's edit (``kb pull PATH``): only the marker is rewritten."""
        return have.title == version.title and have.draft == version.draft and \
            canonical(strip_markers(have.body)) == canonical(html)

    def _removed(self, articles: list[Article], remote: Remote, report: PublishReport, dry_run: bool,
                 archive_removed: bool, only: set[str] | None) -> None:
        """Articles whose file was removed: reported; archived only on request."""
        if only is not None:
            return
        local_keys = {a.key for a in articles}
        for key, aids in sorted(remote.by_key.items()):
            if key in local_keys:
                continue
            for aid in sorted(aids):
                if not archive_removed:
                    report.actions.append(Action("removed", key, detail=f"article {aid} is kept; "
                                                                        "--archive-removed archives it"))
                    continue
                report.actions.append(Action("archive", key, detail=f"article {aid}"))
                report.archived += 1
                if dry_run:
                    continue
                try:
                    self.hc.archive_article(aid)
                except ConnectorError as exc:
                    report.archived -= 1
                    report.failed.append(key)
                    log.warning("kb publish: archiving %s failed: %s", key, exc)

    def _metadata(self, a: Article, section_id: int | None) -> dict[str, Any]:
        """The article's fields that go through the article endpoint (kb.articles.HELP_CENTER_FIELDS), and its
        section."""
        meta: dict[str, Any] = {f.remote: getattr(a, f.key) for f in HELP_CENTER_FIELDS
                                if not f.translation and getattr(a, f.key) is not None}
        if section_id is not None:
            meta["section_id"] = section_id
        return meta

    def _meta_diff(self, remote: dict[str, Any], a: Article, section_id: int | None) -> dict[str, Any]:
        want = {**self._metadata(a, section_id), "permission_group_id": self.permission_group_id,
                "user_segment_id": self.user_segment_id}
        return {k: v for k, v in want.items() if remote.get(k) != v}

    # -- bodies -------------------------------------------------------------
    def _html(self, a: Article, entry: Entry, dry_run: bool, report: PublishReport | None,
              pending: list[str] | None = None) -> str:
        """The body for ``a``: the cached render with links and images resolved for the Help Center.
        Unresolvable targets (not created yet, images of an article without an id) land in ``pending``."""
        cached, urls = self.renders.get(a.body, a.locale)

        def resolve(m: re.Match[str]) -> str:
            url, is_image = urls[int(m.group(1))]
            out = self._rewrite(a, entry, url, is_image, dry_run, report)
            if pending is not None and out.startswith(PLACEHOLDER):
                pending.append(url)
            return htmllib.escape(out, quote=True)

        return strip_markers(_TOKEN.sub(resolve, cached))

    def _rewrite(self, a: Article, entry: Entry, url: str, is_image: bool, dry_run: bool,
                 report: PublishReport | None) -> str:
        link = local_link(a.path, url, self.spec.root)
        if link is None:
            return url
        target = link.path
        if is_image or not link.article:
            return self._image_url(target, a, entry, dry_run, report) or url
        try:
            rel = target.relative_to((self.spec.root / "articles").resolve())
        except ValueError:
            return url
        name = rel.name[:-3]
        slug = name.rpartition(".")[0] if name.count(".") == 1 and name.rpartition(".")[2] in self.spec.locales \
            else name
        key = f"{rel.parent.as_posix()}/{slug}"
        aid = self._ids.get(key)
        if aid is None:
            return PLACEHOLDER
        versions = self._locales.get(key, [])
        loc = a.locale if a.locale in versions or not versions else versions[0]
        frag = f"#{link.fragment}" if link.fragment else ""
        return f"{self.base_url}/hc/{self.hc_locale.get(loc, loc)}/articles/{aid}{frag}"

    def _image_url(self, path: Path, a: Article, entry: Entry, dry_run: bool,
                   report: PublishReport | None) -> str | None:
        """The URL of this image as an inline attachment of this article translation: found in the body,
        found among the article's attachments (an interrupted run), or uploaded."""
        if not path.is_file() or not path.resolve().is_relative_to(self.spec.root.resolve()):
            return None  # outside the knowledge base: never read (load() refuses such an article)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        aid, loc = entry.article_id, self.hc_locale.get(a.locale, a.locale)
        if aid is None:
            return f"{PLACEHOLDER}-image-{digest}"
        known = self._remote.images.get((aid, loc, digest))
        if known is not None:
            return known
        if report is None:  # planning only
            return f"{PLACEHOLDER}-image-{digest}"
        if aid not in self._attachments:  # an article created in this run has none yet
            self._attachments[aid] = [] if entry.how == "new" else self.hc.attachments(aid)
        for att in self._attachments[aid]:
            if str(att.get("file_name", "")).startswith(f"{digest}-") and att.get("locale") in (loc, None) and \
                    att.get("inline"):
                self._remote.images[(aid, loc, digest)] = str(att["content_url"])
                return str(att["content_url"])
        report.images_uploaded += 1
        if dry_run:
            return f"{PLACEHOLDER}-image-{digest}"
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        uploaded = self.hc.upload_attachment(aid, f"{digest}-{path.name}", data, content_type, loc)
        self._remote.images[(aid, loc, digest)] = str(uploaded["content_url"])
        self._attachments[aid].append(uploaded)
        return str(uploaded["content_url"])

    # -- drift: the remote side of one file ---------------------------------
    def remote_version(self, path: Path) -> tuple[Article, RemoteTranslation, dict[int, Article]]:
        """For ``kb pull PATH``: the file's article, its translation on the Help Center now, and every
        local article translation by Help Center article id in the file's locale (to make links relative)."""
        articles = self.load()
        wanted = path.resolve()
        article = next((a for a in articles if a.path.resolve() == wanted), None)
        if article is None:
            raise PublishError("not an article of this knowledge base", str(path))
        self.check_access_settings()
        mapping = self.check_locales(articles)
        remote = self._remote = self.read_remote(sorted(set(mapping.values())))
        ids = self._idfile = HelpCenterIds(self.spec.root, self.hc.client.base_url)
        scratch = PublishReport()
        section_ids = self._sync_tree(remote, ids, scratch, dry_run=True)
        entries = self._identify(articles, remote, ids, section_ids, scratch, adopt=False, only=None)
        entry = entries.get(article.key)
        have = remote.translations.get((entry.article_id, mapping[article.locale])) \
            if entry is not None and entry.article_id is not None else None
        if have is None:
            why = next((a.detail for a in scratch.actions if a.key == article.key and a.detail), "")
            raise PublishError(f"not on the Help Center in {mapping[article.locale]}" + (f": {why}" if why else ""),
                               str(path))
        by_id: dict[int, Article] = {}
        for e in entries.values():
            if e.article_id is not None:
                by_id[e.article_id] = next((v for v in e.versions if v.locale == article.locale), e.source)
        return article, have, by_id
