"""``kb build``: rendered articles plus a static preview site (home, categories, sections, articles, search)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb.articles import Article, Finding, load_articles
from kb.parallel import forked_map
from kb.paths import BuildRefused, escapes
from kb.prose import extract
from kb.render import Rendered, local_link, render
from kb.spec import KbError, KbSpec

PACKAGE = Path(__file__).resolve().parent
UI = {
    "ja": {"search": "検索", "home": "ホーム", "toc": "目次", "related": "関連記事",
           "related_categories": "関連カテゴリー", "promoted": "おすすめの記事", "draft": "下書き"},
    "en": {"search": "Search", "home": "Home", "toc": "Contents", "related": "Related articles",
           "related_categories": "Related categories", "promoted": "Recommended", "draft": "Draft"},
}
LOCALE_NAMES = {"ja": "日本語", "en": "English"}


@dataclass
class BuildResult:
    out: Path
    articles: int = 0
    pages: int = 0
    images: int = 0
    seconds: float = 0.0
    skipped: list[Finding] = field(default_factory=list)


def article_url(a: Article, spec: KbSpec) -> str:
    suffix = "" if a.locale == spec.locale else f".{a.locale}"
    return f"articles/{a.slug}{suffix}.html"


def structural_errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]


def load_for_build(spec: KbSpec) -> list[Article]:
    articles, findings = load_articles(spec)
    errors = structural_errors(findings) + [f for a in articles for f in outside_references(spec, a)]
    if errors:
        from rules.yamlsrc import SourceError

        raise KbError([SourceError(f"{f.rule}: {f.message}", f.path, f.line, f.col) for f in errors])
    return articles


def outside_references(spec: KbSpec, a: Article) -> list[Finding]:
    """Links and images of ``a`` that lead outside the knowledge base: errors, and never read."""
    out = []
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
    """Refuse an output folder that holds the knowledge base or its sources, and, unless ``clean``,
    one that holds files an earlier build did not write."""
    real, root = out.resolve(), spec.root.resolve()
    if root.is_relative_to(real):
        raise BuildRefused(f"--out {out} contains the knowledge base ({spec.root}); building there would delete "
                           "it: choose another folder")
    if real.is_relative_to(root / "articles") or real.is_relative_to(root / "images"):
        raise BuildRefused(f"--out {out} is inside the article sources; choose a folder outside "
                           f"{root / 'articles'} and {root / 'images'}")
    if not real.exists():
        return
    if not real.is_dir():
        raise BuildRefused(f"--out {out} is a file, not a folder")
    try:
        written = set(json.loads((real / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        written = set()
    foreign = sorted(str(p.relative_to(real)) for p in real.rglob("*")
                     if not p.is_dir() and p.name != MANIFEST and str(p.relative_to(real)) not in written)
    if foreign and not clean:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise BuildRefused(f"--out {out} holds files kb build did not write ({shown}); choose an empty folder, "
                           "or pass --clean to replace them")


def build(spec: KbSpec, out: Path, clean: bool = False, workers: int | None = None) -> BuildResult:
    """Build into a temporary folder beside ``out`` and swap it in, so ``out`` is never half-written
    and a failed build leaves the previous site as it was; articles are rendered on ``workers``
    processes (default: every usable core)."""
    started = time.perf_counter()
    check_output(spec, out, clean)
    articles = load_for_build(spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        result = _write_site(spec, articles, tmp, workers)
        files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
        (tmp / MANIFEST).write_text(json.dumps(files), encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out
    result.seconds = time.perf_counter() - started
    return result


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


def _write_site(spec: KbSpec, articles: list[Article], out: Path, workers: int | None) -> BuildResult:
    result = BuildResult(out)
    (out / "assets").mkdir(parents=True)
    (out / "articles").mkdir()
    for name in ("style.css", "search.js"):
        shutil.copy(PACKAGE / "static" / name, out / "assets" / name)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE / "templates" / "site"),
                             autoescape=jinja2.select_autoescape(["html"]), keep_trailing_newline=True)
    by_path = {a.path.resolve(): a for a in articles}
    by_slug = {(a.slug, a.locale): a for a in articles}
    loc = spec.locale
    common = {"site_title": spec.text(spec.title) or "Help Center", "t": UI.get(loc, UI["en"]), "locale": loc,
              "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    images: dict[Path, str] = {}

    def rewriter(a: Article, depth: str, used: dict[Path, str]) -> Any:
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
                return depth + used[target]
            other = by_path.get(target)
            if other is None:
                return url
            return depth + article_url(other, spec) + (f"#{link.fragment}" if link.fragment else "")
        return rewrite

    def render_one(a: Article) -> tuple[Rendered, dict[Path, str]]:
        used: dict[Path, str] = {}
        return render(a.body, rewriter(a, "../", used), a.locale), used

    keys_in_default = {a.key for a in articles if a.locale == loc}
    primary = [a for a in articles if a.locale == loc or a.key not in keys_in_default]
    by_key: dict[str, list[Article]] = {}
    for a in articles:
        by_key.setdefault(a.key, []).append(a)
    index_docs = []
    for a, (rendered, used) in zip(articles, forked_map(render_one, articles, procs=workers), strict=True):
        images.update(used)
        cat = spec.categories[a.category]
        sec = cat.sections[a.section]
        translations = [{"locale": o.locale, "label": LOCALE_NAMES.get(o.locale, o.locale),
                         "url": article_url(o, spec)} for o in by_key[a.key] if o is not a]
        related = []
        for ref in a.related:
            other = by_slug.get((ref, a.locale)) or by_slug.get((ref, loc))
            if other is not None:
                related.append({"title": other.title, "url": article_url(other, spec)})
        for other in primary:
            if len(related) >= 6:
                break
            if other.section == a.section and other.category == a.category and other.key != a.key and \
                    other.locale == a.locale and all(r["url"] != article_url(other, spec) for r in related):
                related.append({"title": other.title, "url": article_url(other, spec)})
        chrome = {**common, "t": UI.get(a.locale, UI["en"]), "locale": a.locale}
        page = env.get_template("article.html").render(
            **chrome, root="../", article=a, body=Markup(rendered.html), toc=rendered.toc, related=related,
            translations=translations, category={"id": cat.id, "title": spec.text(cat.title, a.locale)},
            section={"id": sec.id, "title": spec.text(sec.title, a.locale)})
        (out / article_url(a, spec)).write_text(page, encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", rendered.html)
        index_docs.append({"title": a.title, "url": article_url(a, spec), "labels": a.labels, "locale": a.locale,
                           "text": re.sub(r"\s+", " ", text).strip()[:2000]})
        result.articles += 1
    for src, name in images.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, out / name)
    result.images = len(images)

    def listing(cid: str, sid: str) -> list[dict[str, Any]]:
        items = [a for a in primary if a.category == cid and a.section == sid]
        items.sort(key=lambda a: (a.position if a.position is not None else 10_000, a.title))
        return [{"title": a.title, "url": article_url(a, spec), "draft": a.draft} for a in items]

    cats = sorted(spec.categories.values(), key=lambda c: c.position)
    home = []
    for c in cats:
        sections = sorted(c.sections.values(), key=lambda s: s.position)
        sec_views = [{"id": s.id, "title": spec.text(s.title), "description": spec.text(s.description),
                      "articles": listing(c.id, s.id)} for s in sections]
        for sv in sec_views:
            sv["count"] = str(len(sv["articles"]))
        cat_view = {"id": c.id, "title": spec.text(c.title), "description": spec.text(c.description),
                    "sections": sec_views,
                    "related": [{"id": r, "title": spec.text(spec.categories[r].title)} for r in c.related]}
        home.append(cat_view)
        (out / "categories").mkdir(exist_ok=True)
        (out / "categories" / f"{c.id}.html").write_text(
            env.get_template("category.html").render(**common, root="../", category=cat_view), encoding="utf-8")
        for sv in sec_views:
            (out / "sections" / c.id).mkdir(parents=True, exist_ok=True)
            (out / "sections" / c.id / f"{sv['id']}.html").write_text(
                env.get_template("section.html").render(**common, root="../../", category=cat_view, section=sv),
                encoding="utf-8")
            result.pages += 1
        result.pages += 1
    promoted = [{"title": a.title, "url": article_url(a, spec)} for a in primary if a.promoted]
    (out / "index.html").write_text(env.get_template("index.html").render(**common, root="", categories=home,
                                                                          promoted=promoted), encoding="utf-8")
    (out / "search.html").write_text(env.get_template("search.html").render(**common, root=""), encoding="utf-8")
    (out / "assets" / "search-index.js").write_text(
        "window.KB_INDEX = " + json.dumps(index_docs, ensure_ascii=False) + ";\n", encoding="utf-8")
    result.pages += 2 + result.articles
    return result

