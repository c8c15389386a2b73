"""``kb pull``: an existing Help Center as Markdown files with front matter.

For teams moving a help center into csops.  Articles published by csops keep
their path (from their marker); others get ``article-<id>.md`` under
``<category>/<section>/``.  Images are downloaded under ``images/`` so the
tree checks and builds on its own, and links between articles become relative
links again, so publishing the pulled tree back changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml
from markdownify import MarkdownConverter

from base.files import make_folder, make_named_folder, write_file
from connectors.zendesk import HelpCenter
from kb.articles import HELP_CENTER_FIELDS
from kb.fetch import ImageFetcher, ImageSkipped
from kb.paths import inside, safe_locale, safe_part, split_url
from kb.publish import find_marker

_ARTICLE_URL = re.compile(r"/hc/([A-Za-z-]+)/articles/(\d+)")
_SLUG = re.compile(r"[^a-z0-9]+")


_Base: Any = MarkdownConverter  # its stub declares none of the convert_* methods this class extends


class _Converter(_Base):
    """markdownify with the constructs csops renders: admonitions, fenced code with a language."""

    def __init__(self, **options: Any) -> None:
        self.links = options.pop("links")
        super().__init__(heading_style="ATX", bullets="-", code_language_callback=_language, escape_underscores=False,
                         escape_asterisks=False, **options)

    def convert_span(self, el: Any, text: str, parent_tags: Any) -> str:
        return "" if "csops-source" in (el.get("class") or []) else text

    def convert_div(self, el: Any, text: str, parent_tags: Any) -> str:
        classes = el.get("class") or []
        if "admonition" in classes:
            kind = next((c for c in classes if c != "admonition"), "note")
            title_el = el.find("p", class_="admonition-title")
            title = title_el.get_text() if title_el else ""
            inner = text.strip()
            if title and inner.startswith(title):
                inner = inner[len(title):].strip()
            body = "\n".join(("    " + ln) if ln.strip() else "" for ln in inner.splitlines())
            return f'\n\n!!! {kind} "{title}"\n{body}\n\n'
        return text

    def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
        href = el.get("href") or ""
        el["href"] = self.links(href)
        return str(super().convert_a(el, text, parent_tags))

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        el["src"] = self.links(el.get("src") or "", image=True)
        return str(super().convert_img(el, text, parent_tags))


def _language(el: Any) -> str:
    code = el.find("code")
    for c in (code.get("class") or []) if code is not None else []:
        if c.startswith("language-"):
            return str(c[len("language-"):])
    return ""


@dataclass
class PullReport:
    articles: int = 0
    translations: int = 0
    images: int = 0
    categories: int = 0
    sections: int = 0
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _ident(name: str, fallback: str) -> str:
    slug = _SLUG.sub("-", name.lower()).strip("-")
    return slug if slug and slug.isascii() else fallback


@dataclass
class _Tree:
    """The Help Center's categories and sections, and the kb ids (folder names) they get."""

    categories: dict[int, dict[str, Any]]
    sections: dict[int, dict[str, Any]]
    cat_ids: dict[int, str] = field(default_factory=dict)
    sec_ids: dict[int, str] = field(default_factory=dict)


@dataclass
class _Files:
    """Where each pulled article translation goes, and links between them made relative."""

    into: Path
    paths: dict[int, tuple[str, str, str]]  # article id → category, section, slug
    have: dict[int, set[str]]  # article id → its translations' locales
    default_locale: str

    def file_for(self, article_id: int, locale: str) -> Path | None:
        p = self.paths.get(article_id)
        if p is None or locale not in self.have.get(article_id, set()):
            return None
        name = p[2] + ("" if locale == self.default_locale else f".{locale}") + ".md"
        return self.into / "articles" / p[0] / p[1] / name

    def relative(self, url: str, here: Path, locale: str) -> str:
        """A Help Center article URL as a relative link to its file (in ``locale`` if pulled, else another)."""
        parts = split_url(url)
        m = _ARTICLE_URL.search(parts.path) if parts else None
        if not m:
            return url
        target_id = int(m.group(2))
        other = self.file_for(target_id, locale) or next(
            (f for f in (self.file_for(target_id, x) for x in sorted(self.have.get(target_id, set()))) if f), None)
        if other is None:
            return url
        rel = os.path.relpath(other, here.parent).replace(os.sep, "/")
        return rel + (f"#{parts.fragment}" if parts and parts.fragment else "")





def pull(hc: HelpCenter, into: Path, fetcher: ImageFetcher) -> PullReport:
    """Everything taken from the Help Center is untrusted: marker keys, locales and image names are
    validated before they become path parts, and every file written must resolve inside ``into``."""
    report = PullReport()
    tree = _Tree({c["id"]: c for c in hc.categories()}, {s["id"]: s for s in hc.sections()})
    articles = [a for page in hc.articles() for a in page]
    paths = _paths(tree, articles, report)
    locales = Counter(loc for a in articles if safe_locale(loc := a.get("source_locale") or a.get("locale") or "ja"))
    default_locale = locales.most_common(1)[0][0] if locales else "ja"
    make_named_folder(into)
    for folder in (into / "articles", into / "images"):
        inside(into, folder)  # a link out of the target is unsafe (78); any other link is not written through (74)
        make_folder(folder, into)
    images: dict[str, str] = {}
    translations = {a["id"]: _valid_translations(a["id"], hc.translations(a["id"]), report)
                    for a in articles if a["id"] in paths}
    files = _Files(into, paths, {aid: {t["locale"] for t in trs} for aid, trs in translations.items()},
                   default_locale)
    kb_yaml = into / "kb.yaml"
    settings = _SettingNames.read(hc, [a for a in articles if a["id"] in paths], not kb_yaml.exists())
    for a in articles:
        if a["id"] not in paths:
            continue
        for tr in translations[a["id"]]:
            _write_translation(a, tr, files, images, fetcher, report, settings)
        report.articles += 1
    if not kb_yaml.exists():
        _write_kb_yaml(hc, kb_yaml, tree, locales, files, settings.default_group)
    report.categories, report.sections, report.images = len(tree.categories), len(tree.sections), len(images)
    return report


def _paths(tree: _Tree, articles: list[dict[str, Any]], report: PullReport) -> dict[int, tuple[str, str, str]]:
    """Each article's category, section and slug: csops markers first, so a pulled tree publishes back onto the
    same articles; then names, then ids."""
    paths: dict[int, tuple[str, str, str]] = {}
    for a in articles:
        m = find_marker(a.get("body") or "")
        if m and not (m.key.count("/") == 2 and all(safe_part(p) for p in m.key.split("/"))):
            report.skipped.append(f"article {a['id']}: marker key {m.key!r} is not a safe path; "
                                  f"pulled as article-{a['id']}")
            m = None
        if m:
            cat, sec, slug = m.key.split("/")
            section = tree.sections.get(a["section_id"])
            if section:
                tree.sec_ids.setdefault(section["id"], sec)
                tree.cat_ids.setdefault(section["category_id"], cat)
            paths[a["id"]] = (cat, sec, slug)
    for cid, c in tree.categories.items():
        tree.cat_ids.setdefault(cid, _ident(c["name"], f"category-{cid}"))
    for sid, s in tree.sections.items():
        tree.sec_ids.setdefault(sid, _ident(s["name"], f"section-{sid}"))
    for a in articles:
        home = tree.sections.get(a["section_id"])
        if a["id"] not in paths and home is not None:
            paths[a["id"]] = (tree.cat_ids[home["category_id"]], tree.sec_ids[home["id"]], f"article-{a['id']}")
    return paths


@dataclass
class _SettingNames:
    """The names the pulled front matter gives an article's settings (kb.spec.ARTICLE_SETTINGS), so that publishing
    the pulled tree back changes nothing: who sees it, who edits it, its content tags, comments off."""

    segments: dict[int, str]
    groups: dict[int, str]
    tags: dict[str, str]
    default_group: str | None  # the most common permission group: kb.yaml's default when pull writes kb.yaml

    @classmethod
    def read(cls, hc: HelpCenter, articles: list[dict[str, Any]], writes_kb_yaml: bool) -> _SettingNames:
        segments = {int(s["id"]): str(s["user_type"] if s.get("built_in") else s["name"]) for s in hc.user_segments()}
        groups = {int(g["id"]): str(g["name"]) for g in hc.permission_groups()}
        tags = {str(t["id"]): str(t["name"]) for t in hc.content_tags()} if any(
            a.get("content_tag_ids") for a in articles) else {}
        used = Counter(groups.get(int(a.get("permission_group_id") or 0), "") for a in articles)
        common = used.most_common(1)[0][0] if used else ""
        return cls(segments, groups, tags, (common or None) if writes_kb_yaml else None)

    def front(self, article: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        ids = article.get("user_segment_ids")
        ids = ids if isinstance(ids, list) else [] if article.get("user_segment_id") is None else \
            [article["user_segment_id"]]
        if ids:
            out["user_segments"] = [self.segments.get(i, i) for i in ids]
        group = self.groups.get(int(article.get("permission_group_id") or 0))
        if group and group != self.default_group:
            out["permission_group"] = group
        tags = [self.tags[t] for t in article.get("content_tag_ids") or [] if t in self.tags]
        if tags:
            out["content_tags"] = tags
        if article.get("comments_disabled"):
            out["comments"] = False
        return out


def _front_matter(article: dict[str, Any], translation: dict[str, Any], settings: _SettingNames) -> dict[str, Any]:
    """The front matter of a pulled translation: the Help Center fields kb publishes (kb.articles), those set, and
    the article's settings by name."""
    front: dict[str, Any] = {}
    for f in HELP_CENTER_FIELDS:
        value = (translation if f.translation else article).get(f.remote)
        if f.key == "title":
            front["title"] = value or article.get("title")
        elif value:
            front[f.key] = list(value) if f.kind is list else value
    return {**front, **settings.front(article)}


def _write_translation(a: dict[str, Any], tr: dict[str, Any], files: _Files, images: dict[str, str],
                       fetcher: ImageFetcher, report: PullReport, settings: _SettingNames) -> None:
    target = files.file_for(a["id"], tr["locale"])
    assert target is not None

    def links(url: str, image: bool = False) -> str:
        if image:
            return _download(url, files.into, target, images, fetcher, report)
        return files.relative(url, target, tr["locale"])

    body = _Converter(links=links).convert(tr.get("body") or "")
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    front = _front_matter(a, tr, settings)
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body
    inside(files.into, target)
    make_folder(target.parent, files.into)
    write_file(target, text, within=files.into)
    report.files.append(target)
    report.translations += 1


def _write_kb_yaml(hc: HelpCenter, kb_yaml: Path, tree: _Tree, locales: Counter[str], files: _Files,
                   default_group: str | None = None) -> None:
    """A kb.yaml for the pulled tree: its categories and sections with their names per locale, one article type."""
    all_locales = set(locales) | {loc for trs in files.have.values() for loc in trs}

    def texts(kind: str, oid: int, item: dict[str, Any]) -> dict[str, Any]:
        """Name and description per locale, from the translations (where Zendesk keeps them)."""
        trs = hc.container_translations(kind, oid)
        all_locales.update(t["locale"] for t in trs)
        if len(trs) < 2:
            return {"title": item["name"], "description": item.get("description") or ""}
        return {"title": {t["locale"]: t["title"] for t in trs},
                "description": {t["locale"]: t.get("body") or "" for t in trs}}

    def sections(cid: int, parent: int | None) -> list[dict[str, Any]]:
        """The category's sections under ``parent`` (None: its top level), each with those nested in it."""
        out = []
        for sid, sec in sorted(tree.sections.items(), key=lambda kv: (kv[1].get("position") or 0, kv[0])):
            if sec["category_id"] != cid or sec.get("parent_section_id") != parent:
                continue
            nested = sections(cid, sid)
            out.append({"id": tree.sec_ids[sid], **texts("sections", sid, sec), "position": sec.get("position") or 0,
                        **({"sections": nested} if nested else {})})
        return out

    categories = []
    for cid, c in sorted(tree.categories.items(), key=lambda kv: (kv[1].get("position") or 0, kv[0])):
        categories.append({"id": tree.cat_ids[cid], **texts("categories", cid, c), "position": c.get("position") or 0,
                           "sections": sections(cid, None)})
    locales.update({loc: 0 for loc in all_locales})
    data = {"locale": files.default_locale, "locales": sorted(locales) or [files.default_locale],
            "default_type": "article",
            "types": {"article": {"title": "Article", "required": {loc: ["*"] for loc in sorted(locales)}}},
            **({"defaults": {"permission_group": default_group}} if default_group else {}),
            "categories": categories}
    write_file(kb_yaml, "# Written by kb pull; edit freely (types, writing rules: see the csops README).\n" +
               yaml.safe_dump(data, allow_unicode=True, sort_keys=False), overwrite=False, within=files.into)


def _valid_translations(article_id: int, trs: list[dict[str, Any]], report: PullReport) -> list[dict[str, Any]]:
    ok = [t for t in trs if safe_locale(str(t.get("locale") or ""))]
    report.skipped += [f"article {article_id}: translation locale {t.get('locale')!r} is not a locale code; skipped"
                       for t in trs if t not in ok]
    return ok


def _download(url: str, into: Path, here: Path, cache: dict[str, str], fetcher: ImageFetcher,
              report: PullReport) -> str:
    """The image's relative path once downloaded; the remote URL when it is not downloaded."""
    if not url.startswith(("http://", "https://")):
        return url
    if url not in cache:
        try:
            data = fetcher.fetch(url)
        except (ImageSkipped, requests.RequestException) as exc:
            report.skipped.append(f"image {exc}" if isinstance(exc, ImageSkipped) else f"image {url}: {exc}")
            cache[url] = url
            return url
        digest = hashlib.sha256(data).hexdigest()[:12]
        name = Path(urlsplit(url).path).name
        name = name.split("-", 1)[1] if re.match(r"^[0-9a-f]{12}-", name) else name
        if not safe_part(name):
            name = f"image-{digest}"
        dest = into / "images" / name
        if dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest()[:12] != digest:
            dest = into / "images" / f"{digest}-{name}"
        inside(into, dest)
        write_file(dest, data, within=into)
        cache[url] = str(dest)
    if cache[url] == url:
        return url
    return os.path.relpath(cache[url], here.parent).replace(os.sep, "/")


_TITLE_LINE = re.compile(r"^title:.*$", re.MULTILINE)


def pull_file(publisher: Any, path: Path, fetcher: ImageFetcher) -> str:
    """``kb pull PATH``: bring the Help Center's version of one article translation (an edit made in
    Guide, which publish reports as drifted) back into its Markdown file.  The front matter is kept
    except the title; links to other articles become relative again and images point at the kb's own
    files (matched by content hash; others are downloaded under images/).  What happened, for the user.

    An article that places Guide content blocks (``<!-- kb-content-block: NAME -->``) keeps its body: the API
    gives the blocks flattened into text, so pulling it would turn each block into a copy of its text."""
    from kb.publish import strip_markers

    article, remote, by_id = publisher.remote_version(path)
    if article.content_blocks:
        return _title_only(article, remote.title)
    root = publisher.spec.root
    local_images = {hashlib.sha256(p.read_bytes()).hexdigest()[:12]: p
                    for p in sorted((root / "images").rglob("*")) if p.is_file()} if (root / "images").is_dir() else {}
    cache: dict[str, str] = {}
    report = PullReport()

    def links(url: str, image: bool = False) -> str:
        parts = split_url(url)
        if image:
            m = re.search(r"/([0-9a-f]{12})-[^/]*$", parts.path) if parts else None
            if m and m.group(1) in local_images:
                return os.path.relpath(local_images[m.group(1)], article.path.parent).replace(os.sep, "/")
            return _download(url, root, article.path, cache, fetcher, report)
        m = _ARTICLE_URL.search(parts.path) if parts else None
        target = by_id.get(int(m.group(2))) if m else None
        if target is None or parts is None:
            return url
        frag = f"#{parts.fragment}" if parts.fragment else ""
        return os.path.relpath(target.path, article.path.parent).replace(os.sep, "/") + frag

    body = _Converter(links=links).convert(strip_markers(remote.body))
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    text = article.path.read_text(encoding="utf-8")
    head = text[: len(text) - len(article.body)] if article.body and text.endswith(article.body) else \
        text.partition("\n---\n")[0] + "\n---\n\n"
    if remote.title != article.title:
        head = _TITLE_LINE.sub(lambda _: "title: " + json.dumps(remote.title, ensure_ascii=False), head, count=1)
    new = head.rstrip("\n") + "\n\n" + body
    if new == text:
        return "already as on the Help Center"
    write_file(article.path, new, named=True)  # the file the user named, inside the kb (kb.articles)
    return "now holds the Help Center version"


def _title_only(article: Any, title: str) -> str:
    blocks = ", ".join(article.content_blocks)
    kept = (f"kept its body and its content block placeholders ({blocks}): the Help Center API gives Guide content "
            "blocks flattened into text")
    if title == article.title:
        return kept
    text = article.path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n---\n")
    head = _TITLE_LINE.sub(lambda _: "title: " + json.dumps(title, ensure_ascii=False), head, count=1)
    write_file(article.path, head + sep + rest, named=True)
    return f"took the Help Center's title; {kept}"
