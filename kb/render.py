"""Markdown → sanitised HTML, as the Help Center will show it.

Two Japanese-specific steps: heading ids use ``slugify_unicode`` (the default
turns Japanese headings into ``_1``, ``_2``), and a soft line break between two
Japanese characters is joined before rendering (a browser shows ``\\n`` as a
space, which Japanese text does not have).  The HTML is cleaned with nh3 to
Zendesk's article allow-list, so the preview shows what Zendesk would keep.
"""

from __future__ import annotations

import html as htmllib
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nh3
from markdown import inlinepatterns, util
from markdown.extensions.toc import TocExtension, TocTreeprocessor, slugify_unicode
from markdown.treeprocessors import InlineProcessor

from kb.paths import local_target, split_url
from kb.prose import is_ja

EXTENSIONS = ["toc", "tables", "fenced_code", "admonition", "attr_list", "md_in_html", "sane_lists", "footnotes",
              "def_list"]
EXTENSION_CONFIG: dict[str, dict[str, Any]] = {"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"}}

ZENDESK_TAGS = {
    "a", "abbr", "address", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "iframe", "img", "ins",
    "kbd", "li", "ol", "p", "pre", "samp", "small", "source", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "track", "ul", "var", "video",
}
GLOBAL_ATTRS = {"id", "class", "title", "dir", "lang"}
TAG_ATTRS = {
    "a": {"href", "target", "name"}, "img": {"src", "alt", "width", "height"},
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"}, "ol": {"start", "type"},
    "col": {"span"}, "colgroup": {"span"}, "video": {"src", "controls", "width", "height", "poster"},
    "source": {"src", "type"}, "track": {"src", "kind", "srclang", "label"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_FENCE = re.compile(r"^\s*(```|~~~)")
_BLOCK_START = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|#|\||>|!!!|```|~~~|<)")


def join_soft_breaks(body: str) -> str:
    """Join paragraph lines where one ends and the next starts with a Japanese character."""
    lines = body.split("\n")
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        m = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if line.strip().startswith(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        if out and line.strip() and out[-1].strip() and not _BLOCK_START.match(line) and \
                not out[-1].endswith("  ") and not _FENCE.match(out[-1]):
            prev = out[-1].rstrip()
            nxt = line.lstrip()
            if prev and nxt and is_ja(prev[-1]) and is_ja(nxt[0]) and not out[-1].lstrip().startswith("#"):
                out[-1] = prev + nxt
                continue
        out.append(line)
    return "\n".join(out)


def sanitize(html: str) -> str:
    return str(nh3.clean(html, tags=ZENDESK_TAGS, attributes={"*": GLOBAL_ATTRS, **TAG_ATTRS},
                         generic_attribute_prefixes={"data-", "aria-"}, url_schemes=URL_SCHEMES,
                         strip_comments=True, link_rel=None))


@dataclass
class Rendered:
    html: str
    toc: list[dict[str, Any]]


@dataclass
class LocalLink:
    """A link from an article to a file of the knowledge base (another article, or an image)."""

    path: Path
    fragment: str
    article: bool


def local_link(source: Path, url: str, root: Path) -> LocalLink | None:
    """Where a relative link in the article at ``source`` points; None for URLs, anchors and mail links,
    and for anything that resolves outside ``root`` (the knowledge base), which is never read."""
    target = local_target(source, url)
    if target is None or not target.is_relative_to(root.resolve()):
        return None
    parts = split_url(url)
    assert parts is not None  # local_target split it
    return LocalLink(target, parts.fragment, parts.path.endswith(".md"))


_ATTR_URL = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


ADMONITION_TITLES = {
    "ja": {"note": "メモ", "tip": "ヒント", "hint": "ヒント", "important": "重要", "warning": "警告",
           "caution": "注意", "attention": "注意", "danger": "危険", "error": "エラー", "info": "情報",
           "seealso": "関連情報", "example": "例"},
}
_UNTITLED_ADMONITION = re.compile(r"^(\s*!!!\s+)([\w-]+)((?:[ \t]+[\w-]+)*)[ \t]*$", re.MULTILINE)


def localize_admonitions(body: str, locale: str) -> str:
    """``!!! note`` without a title gets the title in the article's language (Python-Markdown writes "Note")."""
    titles = ADMONITION_TITLES.get(locale.split("-")[0])
    if not titles or "!!!" not in body:
        return body

    def title(m: re.Match[str]) -> str:
        name = titles.get(m.group(2).lower())
        return f'{m.group(0)} "{name}"' if name else m.group(0)

    return _UNTITLED_ADMONITION.sub(title, body)


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline step, skipping a pattern whose regular expression needs a character the text
    lacks (the search would fail the same way, slower); the same patterns, in the same order, with the same
    results. Most of a Japanese article's text has no ``[``, ``<``, ``&``, `` ` `` or ``*`` at all."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._quick = [(pattern, _needs(pattern)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern
        start = 0
        quick = self._quick
        count = len(quick)
        while patternIndex < count:
            pattern, needs = quick[patternIndex]
            if needs is not None and (needs not in data if needs.__class__ is str else
                                      not any(c in data for c in needs)):
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


_NEEDS = {
    inlinepatterns.BACKTICK_RE: ("`",), inlinepatterns.ESCAPE_RE: ("\\",), inlinepatterns.LINK_RE: ("[",),
    inlinepatterns.IMAGE_LINK_RE: ("![",), inlinepatterns.AUTOLINK_RE: ("<",), inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",), inlinepatterns.HTML_RE: ("<",), inlinepatterns.ENTITY_RE: ("&",),
    r"\[\^([^\]]*)\]": ("[^",),  # footnotes
}


def _needs(pattern: Any) -> str | tuple[str, ...] | None:
    """A string (or strings, one of which) the pattern's regular expression cannot match without; None when
    not known."""
    needs: tuple[str, ...] | None = None
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):
        needs = tuple(pattern.tokens) or None
    elif isinstance(pattern, inlinepatterns.InlineProcessor):
        needs = _NEEDS.get(pattern.pattern)
    return needs[0] if needs is not None and len(needs) == 1 else needs


class _QuickToc(TocTreeprocessor):
    """The heading ids and table-of-contents tokens as Python-Markdown makes them, without the ``[TOC]`` block
    (built, tidied and serialised for every document) unless the document has a ``[TOC]`` to replace:
    the preview's contents come from the tokens."""

    def build_toc_div(self, toc_list: list[Any]) -> Any:
        if self.marker and any(self.marker in line for line in self.md.lines):
            return super().build_toc_div(toc_list)
        return etree.Element("div", {"class": "toc"})


class _QuickTocExtension(TocExtension):
    TreeProcessorClass = _QuickToc


def converter(quick: bool = True) -> markdown.Markdown:
    """A Markdown converter with the Help Center's extensions; ``quick`` (what :func:`render` uses) skips
    inline patterns that cannot match and the unused ``[TOC]`` block, with the same HTML and table of contents
    (a test compares the two on generated text)."""
    if quick:
        extensions = [_QuickTocExtension(**EXTENSION_CONFIG["toc"]) if e == "toc" else e for e in EXTENSIONS]
        md = markdown.Markdown(extensions=extensions,
                               extension_configs={k: v for k, v in EXTENSION_CONFIG.items() if k != "toc"})
    else:
        md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIG)
    if quick and hasattr(InlineProcessor, "_InlineProcessor__applyPattern"):
        md.treeprocessors.register(_QuickInline(md), "inline", 20)
    return md


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's converter, reset for a new document (setting up the extensions costs as much as a short
    article; ``reset`` clears everything one document leaves behind: footnotes, heading ids, the stash)."""
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = _local.md = converter()
    return md.reset()


def render(body: str, rewrite: Callable[[str, bool], str] | None = None, locale: str = "en") -> Rendered:
    """HTML for an article body; ``rewrite(url, is_image)`` maps links and image sources."""
    md = _markdown()
    html = md.convert(join_soft_breaks(localize_admonitions(body, locale)))
    if rewrite is not None:
        html = _ATTR_URL.sub(lambda m: m.group(1) + rewrite(m.group(2), m.group(0).lstrip().startswith("src"))
                             + m.group(3), html)
    return Rendered(sanitize(html), _toc_text(list(getattr(md, "toc_tokens", []))))


def _toc_text(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Heading names as plain text: Python-Markdown gives them HTML-escaped, and the templates escape once."""
    return [{**t, "name": htmllib.unescape(str(t.get("name", ""))), "children": _toc_text(t.get("children") or [])}
            for t in tokens]
