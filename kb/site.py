"""``kb build``: rendered articles plus a static preview site (home, categories, sections, articles, search)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb.articles import Article, Finding, load_articles
from kb.parallel import forked_map
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
    errors = structural_errors(findings)
    if errors:
        from rules.yamlsrc import SourceError

        raise KbError([SourceError(f"{f.rule}: {f.message}", f.path, f.line, f.col) for f in errors])
    return articles


def build(spec: KbSpec, out: Path, workers: int | None = None) -> BuildResult:
    """The site in ``out``; articles are rendered on ``workers`` processes (default: every usable core)."""
    started = time.perf_counter()
    articles = load_for_build(spec)
    result = BuildResult(out)
    if out.exists():
        shutil.rmtree(out)
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
            link = local_link(a.path, url)
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
    result.seconds = time.perf_counter() - started
    return result

