"""``kb build``: rendered articles plus a static preview site (home, categories, sections, articles, search).

A build can keep what it made for the next one (:class:`BuildCache`, used by ``kb preview``): per source file
its content hash and the article loaded from it; per article its rendered body and how each of its links and
images resolved; per page the hash of everything the page was made from. The next build re-reads every source
but re-renders only an article whose source changed or one of whose links now resolves differently, rewrites
only the pages whose inputs changed, and hard-links every other file from the previous build's folder. Index
pages and the search index are always made afresh from the kept data (they are cheap). With or without a
cache, the same code writes the same bytes; a test holds an incremental build to a full one, file by file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from base.files import WriteError, copy_file, make_folder, make_named_folder, reason, write_file
from kb.articles import Article, Finding, load_article, unique_articles
from kb.model import KbError, KbSpec
from kb.parallel import forked_map, workers
from kb.paths import BuildRefused, escapes
from kb.prose import extract
from kb.render import local_link, render

PACKAGE = Path(__file__).resolve().parent
UI = {
    "ja": {"search": "検索", "home": "ホーム", "toc": "目次", "related": "関連記事",
           "related_categories": "関連カテゴリー", "promoted": "おすすめの記事", "draft": "下書き",
           "attachments": "添付ファイル"},
    "en": {"search": "Search", "home": "Home", "toc": "Contents", "related": "Related articles",
           "related_categories": "Related categories", "promoted": "Recommended", "draft": "Draft",
           "attachments": "Attachments"},
}
LOCALE_NAMES = {"ja": "日本語", "en": "English"}
PARALLEL_FROM = 200
#: Files of a build go into a private folder that is swapped in whole: each is new there, and the folder is
#: what must be complete, so they are not synced one by one.
NEW_IN_BUILD: dict[str, Any] = {"overwrite": False, "durable": False}
"""Articles to render before the work is worth forking for (an edit in the preview renders one)."""


@dataclass
class BuildResult:
    out: Path
    articles: int = 0
    pages: int = 0
    images: int = 0
    seconds: float = 0.0
    skipped: list[Finding] = field(default_factory=list)
    rendered: int = 0
    """Articles whose body was rendered by this build (the others came from the previous build)."""
    written: int = 0
    """Files written by this build (the others were hard-linked from the previous build)."""


@dataclass
class Source:
    """One article file as a build read it."""

    digest: str
    article: Article | None
    problems: list[Finding]
    body: str = ""
    """Hash of the article's body (without front matter): what its rendering is made from."""
    resolved: Path | None = None
    """The file's path with symlinks resolved, as links to it resolve."""


@dataclass
class Body:
    """An article's rendered body, with what it depends on besides its source."""

    source: str
    html: str
    toc: list[dict[str, Any]]
    text: str
    links: dict[tuple[str, bool], str]
    """(url, is_image) → what the build made of it: a build where any of these resolves differently re-renders."""
    images: dict[Path, str]
    digest: str
    """Hash of the HTML and the table of contents: what the article's page takes from the body."""


@dataclass
class BuildCache:
    """What one build keeps for the next (see the module docstring); updated only by a build that succeeded."""

    key: str = ""
    folder: Path | None = None
    sources: dict[Path, Source] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    images: dict[str, tuple[int, int]] = field(default_factory=dict)


def article_url(a: Article, spec: KbSpec) -> str:
    suffix = "" if a.locale == spec.locale else f".{a.locale}"
    return f"articles/{a.slug}{suffix}.html"


def attachment_file(path: Path) -> str:
    """Where the site keeps an attachment: files/<a hash of its path>/<its name>."""
    return f"files/{hashlib.sha1(str(path).encode()).hexdigest()[:10]}/{path.name}"


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def structural_errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]


def _raise_errors(errors: list[Finding]) -> None:
    if errors:
        from base.errors import SourceError

        raise KbError([SourceError(f"{f.rule}: {f.message}", f.path, f.line, f.col) for f in errors])


def read_sources(spec: KbSpec, kept: dict[Path, Source] | None = None, procs: int | None = None) \
        -> dict[Path, Source]:
    """Every article file, loaded (front matter checked, references outside the kb found) on ``procs``
    processes, unless ``kept`` has it with the same bytes."""
    kept = kept or {}
    sources: dict[Path, Source] = {}
    for path in sorted((spec.root / "articles").rglob("*.md")):
        try:
            digest = hashlib.sha1(path.read_bytes()).hexdigest()
        except OSError:  # gone since the listing (an editor's swap file): load_article says what happened
            digest = ""
        old = kept.get(path)
        sources[path] = old if old is not None and digest and old.digest == digest else Source(digest, None, [])
    fresh = [path for path, source in sources.items() if source is not kept.get(path)]

    def load(path: Path) -> Source:
        article, problems = load_article(spec, path)
        if article is None:
            return Source(sources[path].digest, None, problems)
        return Source(sources[path].digest, article, problems + outside_references(spec, article),
                      hashlib.sha1(article.body.encode()).hexdigest(), path.resolve())

    for path, source in zip(fresh, forked_map(load, fresh, threshold=PARALLEL_FROM, procs=procs), strict=True):
        sources[path] = source
    return sources


def load_for_build(spec: KbSpec, sources: dict[Path, Source] | None = None) -> list[Article]:
    """Every article, or :class:`KbError` with every structural problem and every reference outside the kb."""
    if sources is None:
        sources = read_sources(spec)
    articles, findings = unique_articles((source.article, source.problems) for source in sources.values())
    _raise_errors(structural_errors(findings))
    return articles


def outside_references(spec: KbSpec, a: Article) -> list[Finding]:
    """Links and images of ``a`` that lead outside the knowledge base: errors, and never read."""
    out: list[Finding] = []
    if "](" not in a.body:  # in every form of link and image prose.extract finds
        return out
    for link in extract(a.body, a.body_line).links:
        target = escapes(spec.root, a.path, link.target.strip())
        if target is not None:
            rule = "image-exists" if link.image else "internal-link"
            out.append(Finding(a.rel, link.line, link.col, "error", rule,
                               f"'{link.target.strip()}' leads outside the knowledge base ({target}); "
                               "csops never reads it: copy the file under the kb folder"))
    return out


MANIFEST = ".kb-build"
"""Written into every built site: the files the build wrote, so the next build knows what it may replace."""


def check_output(spec: KbSpec, out: Path, clean: bool = False) -> None:
    """Refuse an output folder that holds the knowledge base or its sources, or is a folder inside the kb that
    no build made (its templates), and, unless ``clean``, one that holds files an earlier build did not write."""
    real, root = out.resolve(), spec.root.resolve()
    if root.is_relative_to(real):
        raise BuildRefused(f"--out {out} contains the knowledge base ({spec.root}); building there would delete "
                           "it: choose another folder")
    if any(real.is_relative_to(root / sources) for sources in ("articles", "images", "files")):
        raise BuildRefused(f"--out {out} is inside the article sources; choose a folder outside "
                           f"{root / 'articles'}, {root / 'images'} and {root / 'files'}")
    if not real.exists():
        return
    if not real.is_dir():
        raise BuildRefused(f"--out {out} is a file, not a folder")
    try:
        written = set(json.loads((real / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        written = set()
        if real.is_relative_to(root) and any(real.iterdir()):  # kb/templates…: part of the kb, --clean or not
            raise BuildRefused(f"--out {out} is a folder of the knowledge base that kb build did not make; "
                               f"building there would replace it: choose a new folder (the default is "
                               f"{spec.root / '_site'})") from None
    foreign = sorted(str(p.relative_to(real)) for p in real.rglob("*")
                     if not p.is_dir() and p.name != MANIFEST and str(p.relative_to(real)) not in written)
    if foreign and not clean:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise BuildRefused(f"--out {out} holds files kb build did not write ({shown}); choose an empty folder, "
                           "or pass --clean to replace them")


def build(spec: KbSpec, out: Path, clean: bool = False, workers: int | None = None,
          cache: BuildCache | None = None) -> BuildResult:
    """Build into a temporary folder beside ``out`` and swap it in, so ``out`` is never half-written
    and a failed build leaves the previous site as it was; articles are rendered on ``workers``
    processes (default: every usable core). With a ``cache`` from the previous build, only what
    changed is made again (and the cache is updated when the build succeeds)."""
    started = time.perf_counter()
    check_output(spec, out, clean)
    key = _code_and_spec_key(spec)
    sources = read_sources(spec, cache.sources if cache is not None and cache.key == key else {}, workers)
    articles = load_for_build(spec, sources)
    make_named_folder(out.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise WriteError(out.parent, reason(exc)) from None
    try:
        site = _Site(spec, articles, sources, tmp, cache if cache is not None and cache.key == key else None)
        result = site.write(workers)
        files = sorted(site.files)
        write_file(tmp / MANIFEST, json.dumps(files), **NEW_IN_BUILD)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if cache is not None:
        cache.key, cache.folder, cache.sources = key, out, sources
        cache.bodies, cache.pages, cache.images = site.bodies, site.pages, site.image_stamps
    result.out = out
    result.seconds = time.perf_counter() - started
    return result


def _code_and_spec_key(spec: KbSpec) -> str:
    """Everything every page depends on besides the articles: kb.yaml as loaded, the templates and assets."""
    h = hashlib.sha1(repr(spec).encode())
    for folder in ("templates", "static"):
        for p in sorted((PACKAGE / folder).rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(PACKAGE)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` where ``out`` is: two renames on the same file system, the old tree removed after."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _digest(value: Any) -> str:
    """A hash of plain data (strings, numbers, lists and dicts built in a fixed order)."""
    return hashlib.sha1(repr(value).encode()).hexdigest()


_ENV: jinja2.Environment | None = None


def _templates() -> jinja2.Environment:
    """One template environment per process, so the preview does not compile the templates on every rebuild."""
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE / "templates" / "site"),
                                  autoescape=jinja2.select_autoescape(["html"]), keep_trailing_newline=True)
    return _ENV


class _Site:
    """One build's writing: article pages (re-rendered or linked), images, index pages and the search index."""

    def __init__(self, spec: KbSpec, articles: list[Article], sources: dict[Path, Source], out: Path,
                 previous: BuildCache | None) -> None:
        self.spec, self.articles, self.sources, self.out, self.previous = spec, articles, sources, out, previous
        self.kept: dict[str, Body] = {}
        self.env = _templates()
        self.by_path = {sources[a.path].resolved or a.path.resolve(): a for a in articles}
        self.by_slug = {(a.slug, a.locale): a for a in articles}
        loc = spec.locale
        self.common = {"site_title": spec.text(spec.title) or "Help Center", "t": UI.get(loc, UI["en"]),
                       "locale": loc}
        keys_in_default = {a.key for a in articles if a.locale == loc}
        self.primary = [a for a in articles if a.locale == loc or a.key not in keys_in_default]
        self.by_key: dict[str, list[Article]] = {}
        for a in articles:
            self.by_key.setdefault(a.key, []).append(a)
        self.neighbours: dict[tuple[str, str, str], list[Article]] = {}
        for a in self.primary:
            self.neighbours.setdefault((a.category, a.section, a.locale), []).append(a)
        self.bodies: dict[str, Body] = {}
        self.pages: dict[str, str] = {}
        self.image_stamps: dict[str, tuple[int, int]] = {}
        self.files: list[str] = []
        self.result = BuildResult(out)

    # --- article bodies -------------------------------------------------------------------------------------

    def _rewriter(self, a: Article, used: dict[Path, str]) -> Callable[[str, bool], str]:
        spec, by_path = self.spec, self.by_path

        def rewrite(url: str, is_image: bool) -> str:
            link = local_link(a.path, url, spec.root)
            if link is None:
                return url
            target = link.path
            if is_image or not link.article:
                if not target.exists():
                    return url
                # named by its path, not by the order met, so articles can be rendered in any order or process
                used[target] = f"images/{hashlib.sha1(str(target).encode()).hexdigest()[:10]}-{target.name}"
                return "../" + used[target]
            other = by_path.get(target)
            if other is None:
                return url
            return "../" + article_url(other, spec) + (f"#{link.fragment}" if link.fragment else "")
        return rewrite

    def _kept_body(self, a: Article, source: str) -> Body | None:
        """The previous build's body of ``a`` when its source is the same and every link resolves as it did."""
        old = self.previous.bodies.get(a.rel) if self.previous is not None else None
        if old is None or old.source != source:
            return None
        rewrite = self._rewriter(a, {})
        if any(rewrite(url, is_image) != made for (url, is_image), made in old.links.items()):
            return None
        return old

    def _render_body(self, a: Article, source: str) -> Body:
        used: dict[Path, str] = {}
        links: dict[tuple[str, bool], str] = {}
        rewrite = self._rewriter(a, used)

        def recording(url: str, is_image: bool) -> str:
            links[(url, is_image)] = made = rewrite(url, is_image)
            return made

        rendered = render(a.body, recording, a.locale)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rendered.html)).strip()[:2000]
        return Body(source, rendered.html, rendered.toc, text, links, used,
                    hashlib.sha1((rendered.html + repr(rendered.toc)).encode()).hexdigest())

    # --- article pages --------------------------------------------------------------------------------------

    def _related(self, a: Article) -> list[dict[str, str]]:
        spec, loc = self.spec, self.spec.locale
        related = []
        for ref in a.related:
            other = self.by_slug.get((ref, a.locale)) or self.by_slug.get((ref, loc))
            if other is not None:
                related.append({"title": other.title, "url": article_url(other, spec)})
        for other in self.neighbours.get((a.category, a.section, a.locale), ()):
            if len(related) >= 6:
                break
            url = article_url(other, spec)
            if other.key != a.key and all(r["url"] != url for r in related):
                related.append({"title": other.title, "url": url})
        return related

    def _article_page(self, a: Article, body: Body) -> tuple[str, str, Callable[[], str]]:
        """(path, key, render): the key covers every input of the page, so an equal key means equal bytes."""
        spec = self.spec
        cat = spec.categories[a.category]
        sec = cat.sections[a.section]
        view = {
            **self.common, "t": UI.get(a.locale, UI["en"]), "locale": a.locale, "root": "../",
            "related": self._related(a),
            "translations": [{"locale": o.locale, "label": LOCALE_NAMES.get(o.locale, o.locale),
                              "url": article_url(o, spec)} for o in self.by_key[a.key] if o is not a],
            "category": {"id": cat.id, "title": spec.text(cat.title, a.locale)},
            "section": {"id": sec.id, "title": spec.text(sec.title, a.locale)},
            "attachments": [{"name": p.name, "url": attachment_file(p), "size": _size(p)}
                            for p in self._attachments(a)],
        }
        shown = {"title": a.title, "draft": a.draft, "labels": a.labels, "locale": a.locale}
        key = _digest([view, shown, body.digest])

        def page() -> str:
            return self.env.get_template("article.html").render(**view, article=a, body=Markup(body.html),
                                                                toc=body.toc)
        return article_url(a, spec), key, page

    def _attachments(self, a: Article) -> list[Path]:
        """The block attachments listed under the article: the front matter's of any of its translations (on the
        Help Center they belong to the article, shown in every locale)."""
        return list(dict.fromkeys(p for o in self.by_key[a.key] for p in o.attachments))

    def _article(self, a: Article) -> tuple[Body, str, bool, bool]:
        """Body and page of one article (in a worker process on a full build): (body, page key, rendered, wrote)."""
        body = self.kept.get(a.rel)
        rendered = body is None
        if body is None:
            body = self._render_body(a, self._source_key(a))
        rel, key, page = self._article_page(a, body)
        wrote = not self._link_previous(rel, self.previous.pages.get(rel) == key if self.previous else False)
        if wrote:
            write_file(self.out / rel, page(), **NEW_IN_BUILD)
        return body, key, rendered, wrote

    def _source_key(self, a: Article) -> str:
        """What the body is made from besides its links: its text, where it is, its language."""
        return f"{self.sources[a.path].body} {a.locale} {a.path}"

    def _link_previous(self, rel: str, same: bool) -> bool:
        """Hard-link ``rel`` from the previous build's folder when it is the same; False when it must be written."""
        if not same or self.previous is None or self.previous.folder is None:
            return False
        try:
            os.link(self.previous.folder / rel, self.out / rel)
        except OSError:
            return False
        return True

    # --- the site -------------------------------------------------------------------------------------------

    def write(self, procs: int | None) -> BuildResult:
        out, result = self.out, self.result
        make_folder(out / "assets", out)
        make_folder(out / "articles", out)
        for name in ("style.css", "search.js"):
            copy_file(PACKAGE / "static" / name, out / "assets" / name, **NEW_IN_BUILD)
            self.files.append(f"assets/{name}")
        for a in self.articles if self.previous is not None else ():
            body = self._kept_body(a, self._source_key(a))
            if body is not None:
                self.kept[a.rel] = body
        if len(self.articles) - len(self.kept) < PARALLEL_FROM:
            procs = 1
        made = forked_map(self._article, self.articles, threshold=PARALLEL_FROM, procs=procs or workers())
        images: dict[Path, str] = {}
        index_docs = []
        for a, (body, key, rendered, wrote) in zip(self.articles, made, strict=True):
            rel = article_url(a, self.spec)
            self.bodies[a.rel], self.pages[rel] = body, key
            self.files.append(rel)
            images.update(body.images)
            index_docs.append({"title": a.title, "url": rel, "labels": a.labels, "locale": a.locale,
                               "text": body.text})
            result.rendered += rendered
            result.written += wrote
            result.articles += 1
        self._copy(images)
        self.result.images = len(images)
        self._copy({p: attachment_file(p) for a in self.articles for p in a.attachments})
        self._index_pages()
        write_file(out / "assets" / "search-index.js",
                   "window.KB_INDEX = " + json.dumps(index_docs, ensure_ascii=False) + ";\n", **NEW_IN_BUILD)
        self.files.append("assets/search-index.js")
        result.pages += 2 + result.articles
        return result

    def _copy(self, files: dict[Path, str]) -> None:
        """Images and attachments into the site: linked from the previous build when unchanged (size, time)."""
        for src, name in files.items():
            make_folder((self.out / name).parent, self.out)
            stat = src.stat()
            self.image_stamps[name] = stamp = (stat.st_size, stat.st_mtime_ns)
            if not self._link_previous(name, self.previous is not None and self.previous.images.get(name) == stamp):
                copy_file(src, self.out / name, **NEW_IN_BUILD)
                self.result.written += 1
            self.files.append(name)

    def _listing(self, cid: str, sid: str) -> list[dict[str, Any]]:
        items = [a for a in self.primary if a.category == cid and a.section == sid]
        items.sort(key=lambda a: (a.position if a.position is not None else 10_000, a.title))
        return [{"title": a.title, "url": article_url(a, self.spec), "draft": a.draft} for a in items]

    def _page(self, rel: str, template: str, **view: Any) -> None:
        make_folder((self.out / rel).parent, self.out)
        write_file(self.out / rel, self.env.get_template(template).render(**self.common, **view), **NEW_IN_BUILD)
        self.files.append(rel)
        self.result.written += 1

    def _index_pages(self) -> None:
        spec = self.spec
        home = []
        for c in sorted(spec.categories.values(), key=lambda c: c.position):
            sections = sorted(c.sections.values(), key=lambda s: s.position)
            sec_views = [{"id": s.id, "title": spec.text(s.title), "description": spec.text(s.description),
                          "articles": self._listing(c.id, s.id)} for s in sections]
            for sv in sec_views:
                sv["count"] = str(len(sv["articles"]))
            cat_view = {"id": c.id, "title": spec.text(c.title), "description": spec.text(c.description),
                        "sections": sec_views,
                        "related": [{"id": r, "title": spec.text(spec.categories[r].title)} for r in c.related]}
            home.append(cat_view)
            self._page(f"categories/{c.id}.html", "category.html", root="../", category=cat_view)
            for sv in sec_views:
                self._page(f"sections/{c.id}/{sv['id']}.html", "section.html", root="../../", category=cat_view,
                           section=sv)
                self.result.pages += 1
            self.result.pages += 1
        promoted = [{"title": a.title, "url": article_url(a, spec)} for a in self.primary if a.promoted]
        self._page("index.html", "index.html", root="", categories=home, promoted=promoted)
        self._page("search.html", "search.html", root="")
