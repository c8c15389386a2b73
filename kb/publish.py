"""``kb publish``: make the Help Center match kb/ — plan first, write only what changed.

No local state is needed: each published translation ends with a hidden marker
``<span class="csops-source" data-csops-key="cat/sec/slug" data-csops-hash="…">``
naming the file it came from and the hash of its title, body and draft flag.
Publishing from a fresh machine or from CI finds every article by its marker,
so it never creates a duplicate, and skips every translation whose hash
matches.  Images are uploaded once as inline attachments named by their
content hash; their URLs are found again in the published bodies.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.http import AuthenticationFailed, BudgetExhausted, ConnectorError
from connectors.zendesk import HelpCenter
from kb.articles import Article
from kb.render import local_link, render
from kb.site import load_for_build
from kb.spec import KbSpec
from rules.yamlsrc import SourceError

log = logging.getLogger("csops.kb.publish")

MARKER = re.compile(r'<span class="csops-source" data-csops-key="([^"]+)" data-csops-hash="([0-9a-f]*)"></span>')
IMAGE_URL = re.compile(r'src="([^"]*/([0-9a-f]{12})-[^"/]*)"')
PLACEHOLDER = "#csops-pending"


class PublishError(SourceError):
    """Publishing cannot start: the configuration or the Help Center's setup is wrong (exit 78)."""


_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"\s+")


def canonical(html: str) -> str:
    """HTML with incidental whitespace taken out, so equal content hashes equal however it was written."""
    return _SPACES.sub(" ", _BETWEEN_TAGS.sub("><", html)).strip()


def content_hash(title: str, html: str, draft: bool) -> str:
    return hashlib.sha256(f"{title}\0{int(draft)}\0{canonical(html)}".encode()).hexdigest()[:16]


def marker(key: str, digest: str) -> str:
    return f'<span class="csops-source" data-csops-key="{key}" data-csops-hash="{digest}"></span>'


@dataclass
class Action:
    kind: str  # create | update | unchanged | archive | removed | conflict | adopt
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
    categories_created: int = 0
    sections_created: int = 0

    def summary(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "archived": self.archived, "images_uploaded": self.images_uploaded, "api_calls": self.api_calls,
                "failed": len(self.failed)}


@dataclass
class RemoteTranslation:
    digest: str
    title: str
    draft: bool
    body: str
    marked: bool

    def changes(self, a: Article, html: str) -> list[str]:
        """What publishing ``a`` would change here: title, draft, body."""
        out = [name for name, differs in (("title", self.title != a.title), ("draft", self.draft != a.draft),
                                          ("body", canonical(self.body) != canonical(html))) if differs]
        if not self.marked:
            out.append("marker")
        return out or ["body"]


@dataclass
class Remote:
    categories: dict[str, dict[str, Any]]
    sections: dict[tuple[int, str], dict[str, Any]]
    by_key: dict[str, dict[str, Any]]
    unlinked: dict[tuple[int, str], dict[str, Any]]
    images: dict[str, str]
    listed: dict[int, dict[str, Any]]


class Publisher:
    def __init__(self, spec: KbSpec, hc: HelpCenter, base_url: str, permission_group_id: int | None,
                 user_segment_id: int | None, progress: Callable[[str], None] | None = None) -> None:
        self.spec, self.hc, self.base_url = spec, hc, base_url.rstrip("/")
        self.permission_group_id, self.user_segment_id = permission_group_id, user_segment_id
        self.progress = progress or (lambda _: None)
        self._locales: dict[str, list[str]] = {}

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

    def read_remote(self) -> Remote:
        categories = {c["name"]: c for c in self.hc.categories()}
        sections = {(s["category_id"], s["name"]): s for s in self.hc.sections()}
        by_key: dict[str, dict[str, Any]] = {}
        unlinked: dict[tuple[int, str], dict[str, Any]] = {}
        images: dict[str, str] = {}
        listed: dict[int, dict[str, Any]] = {}
        for page in self.hc.articles():
            for art in page:
                body = art.get("body") or ""
                listed[int(art["id"])] = art
                for url, digest in IMAGE_URL.findall(body):
                    images.setdefault(digest, url)
                m = MARKER.search(body)
                if m:
                    by_key.setdefault(m.group(1), art)
                else:
                    unlinked[(art["section_id"], art.get("title") or "")] = art
        return Remote(categories, sections, by_key, unlinked, images, listed)

    # -- the plan and its application ---------------------------------------
    def publish(self, dry_run: bool = False, archive_removed: bool = False, adopt: bool = False,
                only: set[str] | None = None, locale: str | None = None) -> PublishReport:
        """``only``: article keys to publish; ``locale``: write only that locale's translations."""
        report = PublishReport()
        before = self.hc.client.session.stats.snapshot().get("zendesk", 0)
        try:
            self._publish(report, dry_run, archive_removed, adopt, only, locale)
        finally:
            report.api_calls = self.hc.client.session.stats.snapshot().get("zendesk", 0) - before
        return report

    def _publish(self, report: PublishReport, dry_run: bool, archive_removed: bool, adopt: bool,
                 only: set[str] | None, locale: str | None) -> None:
        articles = load_for_build(self.spec)
        self.check_access_settings()
        remote = self.read_remote()
        section_ids = self._sync_tree(remote, report, dry_run)
        groups: dict[str, list[Article]] = {}
        for a in articles:
            groups.setdefault(a.key, []).append(a)
        for versions in groups.values():
            versions.sort(key=lambda a: (a.locale != self.spec.locale, a.locale))
        keys = [k for k in groups if only is None or k in only]
        self._locales = {k: [v.locale for v in versions] for k, versions in groups.items()}

        # Pass 1: find or create each article, so every link target has an id before bodies are rendered.
        ids: dict[str, int] = {k: int(v["id"]) for k, v in remote.by_key.items()}
        remote_meta: dict[str, dict[str, Any]] = dict(remote.by_key)
        new: set[str] = set()
        for key in keys:
            source = groups[key][0]
            if key in ids:
                continue
            if locale is not None and source.locale != locale:
                report.actions.append(Action("skipped", key, source.locale, detail=(
                    f"not on the Help Center yet, and its source locale is not {locale}")))
                continue
            sec_id = section_ids.get((source.category, source.section))
            clash = remote.unlinked.get((sec_id or -1, source.title))
            if clash is not None:
                if not adopt:
                    report.actions.append(Action("conflict", key, source.locale, detail=(
                        f"an article with the same title exists in that section without a csops marker "
                        f"(id {clash['id']}); --adopt takes it over")))
                    report.failed.append(key)
                    continue
                ids[key] = int(clash["id"])
                remote_meta[key] = clash
                report.actions.append(Action("adopt", key, source.locale, detail=f"article {clash['id']}"))
                continue
            report.actions.append(Action("create", key, source.locale))
            new.add(key)
            if dry_run or sec_id is None:
                continue
            try:
                created = self.hc.create_article(sec_id, {
                    "title": source.title, "locale": source.locale, "draft": True, "body": marker(key, ""),
                    "permission_group_id": self.permission_group_id, "user_segment_id": self.user_segment_id,
                    **self._metadata(source, sec_id)})
            except (AuthenticationFailed, BudgetExhausted):
                raise
            except ConnectorError as exc:
                report.failed.append(key)
                log.warning("kb publish: creating %s failed: %s", key, exc)
                continue
            ids[key] = int(created["id"])
            remote_meta[key] = created
            remote.listed[ids[key]] = created
            report.created += 1
            self.progress(key)

        # Pass 2: bodies with links and images resolved; write what differs.
        for key in keys:
            if key in report.failed or (key not in ids and not dry_run) or \
                    (dry_run and key not in ids and key not in new):
                continue
            source = groups[key][0]
            article_id = ids.get(key)
            sec_id = section_ids.get((source.category, source.section))
            changed_any = False
            try:
                if article_id is not None and key not in new:
                    meta_changes = self._meta_diff(remote_meta[key], source, sec_id)
                    if meta_changes:
                        changed_any = True
                        if not dry_run:
                            self.hc.update_article_metadata(article_id, **meta_changes)
                        report.actions.append(Action("update", key, source.locale, sorted(meta_changes)))
                remote_translations = self._remote_translations(article_id, groups[key], remote) \
                    if article_id is not None else {}
                for version in groups[key]:
                    if locale is not None and version.locale != locale:
                        continue
                    html = self._html(version, ids, remote, article_id, dry_run, report)
                    digest = content_hash(version.title, html, version.draft)
                    existing = remote_translations.get(version.locale)
                    if existing is not None and existing.digest == digest:
                        continue
                    changed_any = True
                    if key not in new:
                        what = ["new translation"] if existing is None else existing.changes(version, html)
                        report.actions.append(Action("update", key, version.locale, what))
                    if dry_run or article_id is None:
                        continue
                    body = html + marker(key, digest)
                    if existing is None:
                        self.hc.create_translation(article_id, version.locale, version.title, body, version.draft)
                    else:
                        self.hc.update_translation(article_id, version.locale, title=version.title, body=body,
                                                   draft=version.draft)
            except (AuthenticationFailed, BudgetExhausted):
                raise
            except ConnectorError as exc:
                report.failed.append(key)
                log.warning("kb publish: %s failed: %s", key, exc)
                continue
            if key in new:
                continue
            if changed_any:
                report.updated += 1
            else:
                report.unchanged += 1
                report.actions.append(Action("unchanged", key))

        # Removed files: reported; archived only on request.
        local_keys = set(groups)
        for key, art in sorted(remote.by_key.items()):
            if key in local_keys or (only is not None):
                continue
            if archive_removed:
                report.actions.append(Action("archive", key, detail=f"article {art['id']}"))
                if not dry_run:
                    try:
                        self.hc.archive_article(int(art["id"]))
                        report.archived += 1
                    except ConnectorError as exc:
                        report.failed.append(key)
                        log.warning("kb publish: archiving %s failed: %s", key, exc)
            else:
                report.actions.append(Action("removed", key, detail=f"article {art['id']} is kept; "
                                                                     "--archive-removed archives it"))

    def _sync_tree(self, remote: Remote, report: PublishReport, dry_run: bool) -> dict[tuple[str, str], int]:
        """Categories and sections by name: create what is missing, update descriptions and positions."""
        ids: dict[tuple[str, str], int] = {}
        loc = self.spec.locale
        for cat in sorted(self.spec.categories.values(), key=lambda c: c.position):
            name, desc = self.spec.text(cat.title, loc), self.spec.text(cat.description, loc)
            rc = remote.categories.get(name)
            if rc is None:
                report.actions.append(Action("create", f"category {cat.id}", detail=name))
                if dry_run:
                    for sec in sorted(cat.sections.values(), key=lambda s: s.position):
                        report.actions.append(Action("create", f"section {cat.id}/{sec.id}",
                                                     detail=self.spec.text(sec.title, loc)))
                    continue
                rc = self.hc.create_category(name, desc, cat.position, loc)
                report.categories_created += 1
            elif (rc.get("description") or "") != desc or rc.get("position") != cat.position:
                report.actions.append(Action("update", f"category {cat.id}", changes=["description/position"]))
                if not dry_run:
                    rc = self.hc.update_category(int(rc["id"]), description=desc, position=cat.position)
            for sec in sorted(cat.sections.values(), key=lambda s: s.position):
                sname, sdesc = self.spec.text(sec.title, loc), self.spec.text(sec.description, loc)
                rs = remote.sections.get((int(rc["id"]), sname))
                if rs is None:
                    report.actions.append(Action("create", f"section {cat.id}/{sec.id}", detail=sname))
                    if dry_run:
                        continue
                    rs = self.hc.create_section(int(rc["id"]), sname, sdesc, sec.position, loc)
                    report.sections_created += 1
                elif (rs.get("description") or "") != sdesc or rs.get("position") != sec.position:
                    report.actions.append(Action("update", f"section {cat.id}/{sec.id}",
                                                 changes=["description/position"]))
                    if not dry_run:
                        rs = self.hc.update_section(int(rs["id"]), description=sdesc, position=sec.position)
                ids[(cat.id, sec.id)] = int(rs["id"])
        return ids

    def _metadata(self, a: Article, section_id: int | None) -> dict[str, Any]:
        meta: dict[str, Any] = {"label_names": list(a.labels), "promoted": a.promoted}
        if section_id is not None:
            meta["section_id"] = section_id
        if a.position is not None:
            meta["position"] = a.position
        return meta

    def _meta_diff(self, remote: dict[str, Any], a: Article, section_id: int | None) -> dict[str, Any]:
        want = {**self._metadata(a, section_id), "permission_group_id": self.permission_group_id,
                "user_segment_id": self.user_segment_id}
        return {k: v for k, v in want.items() if remote.get(k) != v}

    def _remote_translations(self, article_id: int, versions: list[Article],
                             remote: Remote) -> dict[str, RemoteTranslation]:
        """What each locale of the article holds on the Help Center now."""
        source = versions[0]
        listed = remote.listed.get(article_id)
        # The article list carries the source locale; other locales cost one call for the article.
        found = [listed] if len(versions) == 1 and listed is not None else self.hc.translations(article_id)
        out = {}
        for t in found:
            loc = t.get("locale") or source.locale
            body = t.get("body") or ""
            m = MARKER.search(body)
            out[loc] = RemoteTranslation(m.group(2) if m else "", t.get("title") or "", bool(t.get("draft")),
                                         MARKER.sub("", body), m is not None)
        return out

    def _html(self, a: Article, ids: dict[str, int], remote: Remote, article_id: int | None, dry_run: bool,
              report: PublishReport) -> str:
        def rewrite(url: str, is_image: bool) -> str:
            link = local_link(a.path, url)
            if link is None:
                return url
            target = link.path
            if is_image or not link.article:
                return self._image_url(target, article_id, remote, dry_run, report) or url
            try:
                rel = target.relative_to((self.spec.root / "articles").resolve())
            except ValueError:
                return url
            name = rel.name[:-3]
            slug = name.rpartition(".")[0] if name.count(".") == 1 and name.rpartition(".")[2] in self.spec.locales \
                else name
            key = f"{rel.parent.as_posix()}/{slug}"
            aid = ids.get(key)
            if aid is None:
                return PLACEHOLDER
            versions = self._locales.get(key, [])
            locale = a.locale if a.locale in versions or not versions else versions[0]
            frag = f"#{link.fragment}" if link.fragment else ""
            return f"{self.base_url}/hc/{locale}/articles/{aid}{frag}"

        return render(a.body, rewrite).html

    def _image_url(self, path: Path, article_id: int | None, remote: Remote, dry_run: bool,
                   report: PublishReport) -> str | None:
        if not path.is_file():
            return None
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        if digest in remote.images:
            return remote.images[digest]
        if dry_run or article_id is None:
            return f"{PLACEHOLDER}-image-{digest}"
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        uploaded = self.hc.upload_attachment(article_id, f"{digest}-{path.name}", data, content_type)
        remote.images[digest] = str(uploaded["content_url"])
        report.images_uploaded += 1
        return remote.images[digest]
