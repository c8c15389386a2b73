"""Articles: ``articles/<category>/<section>/<slug>.md`` with YAML front matter.

A translation sits beside its article as ``<slug>.<locale>.md``.  Problems
(malformed front matter, an unknown category, section or type, a duplicate
slug) become findings with ``path:line:col`` rather than exceptions, so one
bad file never hides the others.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceError
from base.suggest import suggest
from base.yamlsrc import Document, load_text
from kb.model import ARTICLE_KEY, ARTICLE_SETTINGS, DEFAULT_FIELDS, KbSpec, Setting, parse_setting
from kb.paths import UnsafePath, inside


@dataclass(frozen=True)
class HelpCenterField:
    """A front matter key that is a field of the article on the Help Center."""

    key: str  # in the front matter, and the Article attribute
    remote: str  # the Help Center's name for it
    kind: type  # what the front matter holds: str, list, bool or int
    translation: bool = False  # written through the article's translation (title, body, draft), not the article


#: The Help Center article fields kb keeps in front matter, written once: the loader checks them (kb/articles.py),
#: kb publish sends them (the translation's through the translation endpoint, the others through the article's:
#: kb/publish), kb pull writes them back into front matter in this order (kb/pull.py).
HELP_CENTER_FIELDS = (
    HelpCenterField("title", "title", str, translation=True),
    HelpCenterField("labels", "label_names", list),
    HelpCenterField("draft", "draft", bool, translation=True),
    HelpCenterField("promoted", "promoted", bool),
    HelpCenterField("position", "position", int),
)
FRONT_KEYS = (*(f.key for f in HELP_CENTER_FIELDS), "type", "locale", "related", "kb", *ARTICLE_SETTINGS,
              "attachments", "replaces")

#: Zendesk's limit per article attachment (Article Attachments API): checked before anything is uploaded.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
#: ``<!-- kb-content-block: NAME -->``: a Guide content block sits here in the Help Center's version of the article;
#: its text lives in Guide, and the Help Center API cannot write a body that keeps it.
CONTENT_BLOCK = re.compile(r"<!--\s*kb-content-block:?\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Edit:
    """A replacement on one line of an article's file: columns ``col`` (1-based) to ``end`` (exclusive), in
    characters."""

    line: int
    col: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    level: str
    rule: str
    message: str
    fix: Edit | None = field(default=None, compare=False)  # what kb check --fix writes for it, when it can

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col} {self.level} {self.rule} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "col": self.col, "level": self.level, "rule": self.rule,
                "message": self.message}


@dataclass
class Article:
    path: Path
    rel: str
    category: str
    section: str
    slug: str
    locale: str
    title: str = ""
    type: str | None = None
    labels: list[str] = field(default_factory=list)
    draft: bool = False
    promoted: bool = False
    position: int | None = None
    related: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)  # front matter kb: {disable: [rule…]}
    settings: dict[str, Setting] = field(default_factory=dict)  # front matter settings (kb.spec.ARTICLE_SETTINGS)
    replaces: list[str] = field(default_factory=list)  # keys of removed articles whose URLs lead here
    attachments: list[Path] = field(default_factory=list)  # files under files/: block attachments of the article
    content_blocks: list[str] = field(default_factory=list)  # Guide content blocks placed in its body
    text: str = ""
    body: str = ""
    body_line: int = 1
    front: Document | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """The article's identity across locales: ``category/section/slug``."""
        return f"{self.category}/{self.section}/{self.slug}"

    def effective_settings(self, spec: KbSpec) -> dict[str, Setting]:
        """kb.yaml's defaults for the article's section with its own front matter over them."""
        return {**spec.defaults_for(self.category, self.section), **self.settings}

    def title_at(self) -> tuple[int, int] | None:
        """The line and column where the title's text starts in the front matter; None when it is not written
        there as it reads (a folded or escaped YAML string)."""
        if not self.title or self.front is None:
            return None
        line, _ = self.front_pos("title")
        text = self.text.split("\n", line)[line - 1] if line else ""
        col = text.find(self.title, text.find(":") + 1)
        return (line, col + 1) if col >= 0 else None

    def front_pos(self, key: str) -> tuple[int, int]:
        if self.front is None:
            return 1, 1
        line, col = self.front.pos((key,))
        return line or 1, col or 1


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, the body's first line number)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return "\n".join(lines[1:]), "", len(lines) + 1


def load_articles(spec: KbSpec, paths: list[Path] | None = None) -> tuple[list[Article], list[Finding]]:
    """Every article under ``articles/`` (or the given files), with the findings about their structure."""
    base = spec.root / "articles"
    files = sorted(base.rglob("*.md")) if paths is None else sorted(paths)
    return unique_articles(load_article(spec, path) for path in files)


def unique_articles(loaded: Iterable[tuple[Article | None, list[Finding]]]) -> tuple[list[Article], list[Finding]]:
    """The loaded articles, each with its problems, in order: the first article with a slug in a locale wins and
    a later one is an error (article URLs and links use the slug)."""
    articles: list[Article] = []
    findings: list[Finding] = []
    seen: dict[tuple[str, str], Article] = {}
    for article, problems in loaded:
        findings += problems
        if article is None:
            continue
        key = (article.slug, article.locale)
        if key in seen:
            other = seen[key]
            findings.append(Finding(article.rel, 1, 1, "error", "duplicate-slug",
                                    f"slug '{article.slug}' ({article.locale}) is also used by {other.rel}; "
                                    "article URLs and links use the slug, so it must be unique"))
            continue
        seen[key] = article
        articles.append(article)
    return articles, findings


def rel_path(spec: KbSpec, path: Path) -> str:
    full, base = os.path.abspath(path), os.path.abspath(spec.root.parent)
    # under the base (every article): the rest of the path is what relpath would answer, with less work
    rel = full[len(base) + 1:] if full.startswith(base + os.sep) else os.path.relpath(full, base)
    return str(path) if rel.startswith("..") else rel


Bad = Callable[[int, int, str, str], None]  # line, col, rule, message: a problem with the file


def load_article(spec: KbSpec, path: Path, text: str | None = None) -> tuple[Article | None, list[Finding]]:
    """The article at ``path`` (its ``text`` as an editor holds it, when given) and the problems with it."""
    rel = rel_path(spec, path)
    problems: list[Finding] = []

    def bad(line: int, col: int, rule: str, message: str) -> None:
        problems.append(Finding(rel, line, col, "error", rule, message))

    real = os.path.realpath(path)
    if not real.startswith(os.path.join(os.path.realpath(spec.root), "")):
        bad(1, 1, "outside", spec.say(f"ナレッジベースの外（{real}）へのリンクです。"
                                      "csops は読まず、ビルドも公開もしません（ファイルを kb の中にコピーします）",
                                      f"a link to {real}, outside the knowledge base: csops never reads, builds or "
                                      "publishes it (copy the file into the kb instead)"))
        return None, problems
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
    except UnicodeDecodeError as exc:
        bad(1, 1, "encoding", spec.say(f"UTF-8 のテキストではありません（{exc.start} バイト目）。UTF-8 で保存します",
                                       f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"))
        return None, problems
    place = _place(spec, path, bad)
    if place is None:
        return None, problems
    front_text, body, body_line = split_front_matter(text)
    too_deep = pathological(body, body_line)
    if too_deep is not None:
        bad(too_deep[0], 1, "nesting", too_deep[1])
        return None, problems
    article = Article(path, rel, *place, text=text, body=body, body_line=body_line,
                      content_blocks=content_block_names(body))
    if front_text is None:
        bad(1, 1, "front-matter", spec.say("フロントマターがありません。ファイルは ---、title: …、--- で始めます",
                                           "missing front matter: the file must start with ---, title: …, ---"))
        return article, problems
    try:
        doc = load_text(front_text, rel, line_offset=1)
    except SourceError as exc:
        bad(exc.line or 1, exc.col or 1, "front-matter", exc.message)
        return article, problems
    article.front = doc
    if not isinstance(doc.data, dict):
        bad(2, 1, "front-matter", spec.say("フロントマターはキーと値の組（title: …）で書きます",
                                           "front matter must be a mapping of keys (title: …)"))
    _front_matter(spec, article, doc.data if isinstance(doc.data, dict) else {}, path.name.count(".") > 1, bad)
    return article, problems


def _place(spec: KbSpec, path: Path, bad: Bad) -> tuple[str, str, str, str] | None:
    """The article's category, section, slug and locale from its path (``<slug>.<locale>.md`` is a translation);
    None when the path cannot be an article's."""
    rel_to_articles = os.path.relpath(os.path.abspath(path), os.path.abspath(spec.root / "articles"))
    if rel_to_articles.startswith(".."):
        bad(1, 1, "location", spec.say(f"記事は {spec.root / 'articles'}/<カテゴリー>/<セクション>/ に置きます",
                                       f"articles live under {spec.root / 'articles'}/<category>/<section>/"))
        return None
    parts = tuple(Path(rel_to_articles).parts)
    if len(parts) != 3:
        bad(1, 1, "location", spec.say("記事のパスは articles/<カテゴリー>/<セクション>/<スラッグ>.md です",
                                       "an article's path must be articles/<category>/<section>/<slug>.md"))
        return None
    category, section, name = parts
    slug, locale = name[:-3], spec.locale
    if "." in slug:
        slug, _, suffix = slug.rpartition(".")
        if suffix not in spec.locales:
            locales = ", ".join(spec.locales)
            bad(1, 1, "location", spec.say(f"「{name}」: 「.{suffix}」は kb.yaml のロケール（{locales}）"
                                           f"にありません{suggest(suffix, spec.locales)}",
                                           f"'{name}': '.{suffix}' is not a locale in kb.yaml "
                                           f"({', '.join(spec.locales)}){suggest(suffix, spec.locales)}"))
            return None
        locale = suffix
    if category not in spec.categories:
        hint = suggest(category, spec.categories)
        bad(1, 1, "unknown-category", spec.say(f"カテゴリー「{category}」は kb.yaml にありません{hint}",
                                               f"category '{category}' is not in kb.yaml{hint}"))
    elif section not in spec.categories[category].sections:
        hint = suggest(section, spec.categories[category].sections)
        bad(1, 1, "unknown-section", spec.say(f"セクション「{section}」は kb.yaml のカテゴリー「{category}」に"
                                              f"ありません{hint}",
                                              f"section '{section}' is not in category '{category}' in kb.yaml{hint}"))
    return category, section, slug, locale


def _front_matter(spec: KbSpec, article: Article, meta: dict[str, Any], suffixed: bool, bad: Bad) -> None:
    """The front matter's keys onto the article; ``suffixed``: the file name names the locale."""
    for key in meta:
        if key not in FRONT_KEYS:
            line, col = article.front_pos(key)
            hint = suggest(str(key), FRONT_KEYS)
            bad(line, col, "front-matter", spec.say(f"フロントマターに「{key}」というキーはありません{hint}",
                                                    f"unknown front matter key '{key}'{hint}"))
    _title_and_type(spec, article, meta, bad)
    for f in HELP_CENTER_FIELDS:
        if f.key != "title":
            _typed(article, meta, f.key, f.kind, bad)
    _typed(article, meta, "related", list, bad)
    if "locale" in meta:
        if meta["locale"] not in spec.locales:
            line, col = article.front_pos("locale")
            bad(line, col, "front-matter", spec.say(f"ロケール「{meta['locale']}」は kb.yaml の locales にありません",
                                                    f"locale '{meta['locale']}' is not in kb.yaml's locales"))
        elif meta["locale"] != article.locale and not suffixed:
            article.locale = str(meta["locale"])
    _kb_options(article, meta.get("kb"), bad)
    _settings(article, meta, bad)
    defaults = spec.defaults_for(article.category, article.section)
    for key in DEFAULT_FIELDS:
        if key in defaults and meta.get(key) is None:
            setattr(article, key, defaults[key].value)
    _replaces(article, meta.get("replaces"), bad)
    _attachments(spec, article, meta.get("attachments"), bad)
    article.labels = [str(x) for x in article.labels]
    article.related = [str(x) for x in article.related]


def _title_and_type(spec: KbSpec, article: Article, meta: dict[str, Any], bad: Bad) -> None:
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        line, col = article.front_pos("title") if "title" in meta else (1, 1)
        bad(line, col, "front-matter", spec.say("title が必要です（空でない文字列）",
                                                "title is required (a non-empty text)"))
    else:
        article.title = title.strip()
    article.type = meta.get("type") or spec.type_for(article.category, article.section)
    if article.type is not None and article.type not in spec.types:
        line, col = article.front_pos("type")
        hint = suggest(str(article.type), spec.types)
        bad(line, col, "unknown-type", spec.say(f"記事タイプ「{article.type}」は kb.yaml にありません{hint}",
                                                f"type '{article.type}' is not in kb.yaml{hint}"))


def _settings(article: Article, meta: dict[str, Any], bad: Bad) -> None:
    """The article's Help Center settings, checked as kb.yaml's defaults are (kb.spec.parse_setting)."""
    for key in ARTICLE_SETTINGS:
        if key not in meta or meta[key] is None:
            continue
        line, col = article.front_pos(key)
        value, problem = parse_setting(key, meta[key])
        if problem:
            bad(line, col, "front-matter", problem)
        else:
            article.settings[key] = Setting(value, article.rel, line, col)


def _attachments(spec: KbSpec, article: Article, value: Any, bad: Bad) -> None:
    """``attachments: [name…]``: files under the kb's files/ folder (never outside it, through a link or ``..``),
    each at most Zendesk's 20 MB, uploaded as block attachments listed under the article."""
    if value is None:
        return
    names = [value] if isinstance(value, str) else value
    line, col = article.front_pos("attachments")
    if not isinstance(names, list):
        bad(line, col, "front-matter", "attachments: expected a list of files under files/")
        return
    folder = spec.root / "files"
    for i, name in enumerate(names):
        at = article.front.pos(("attachments", i)) if article.front is not None and value is names else (None, None)
        ln, cl = at[0] or line, at[1] or col
        if not isinstance(name, str) or not name.strip():
            bad(ln, cl, "attachment", f"attachments: expected a file name under files/, got {name!r}")
            continue
        try:
            path = inside(folder, folder / name)
        except UnsafePath:
            bad(ln, cl, "outside", f"attachment '{name}' leads outside {folder}: csops never reads or uploads it")
            continue
        problem = _attachment_problem(path)
        if problem:
            bad(ln, cl, "attachment", f"attachment '{name}': {problem}")
        elif path in article.attachments:
            bad(ln, cl, "attachment", f"attachment '{name}' is listed twice")
        else:
            article.attachments.append(path)


def _attachment_problem(path: Path) -> str | None:
    if not path.is_file():
        near = [p.name for p in path.parent.glob("*")] if path.parent.is_dir() else []
        return f"no such file under files/{suggest(path.name, near)}"
    size = path.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        return f"{size / 1024 / 1024:.1f} MB; Zendesk takes at most 20 MB per attachment"
    return None


def _replaces(article: Article, value: Any, bad: Bad) -> None:
    """``replaces: [category/section/slug…]``: removed articles whose Help Center URL is redirected here when
    ``kb publish --archive-removed`` archives them."""
    if value is None:
        return
    keys = [value] if isinstance(value, str) else value
    line, col = article.front_pos("replaces")
    if not isinstance(keys, list) or not all(isinstance(k, str) and ARTICLE_KEY.match(k) for k in keys):
        bad(line, col, "front-matter", f"replaces: expected articles' keys (category/section/slug), got {value!r}")
        return
    article.replaces = list(keys)


def content_block_names(body: str) -> list[str]:
    """The Guide content blocks a body places with ``<!-- kb-content-block: NAME -->`` (not in fenced code)."""
    if "kb-content-block" not in body:
        return []
    names: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            names += [m.group(1) or "content block" for m in CONTENT_BLOCK.finditer(line)]
    return names


def _kb_options(article: Article, value: Any, bad: Bad) -> None:
    """Front matter ``kb: {disable: [rule…]}``: rules silenced for the whole article."""
    if value is None:
        return
    line, col = article.front_pos("kb")
    if not isinstance(value, dict) or set(value) - {"disable"}:
        bad(line, col, "front-matter", "kb: expected {disable: [rule, …]}")
        return
    rules = value.get("disable") or []
    rules = [rules] if isinstance(rules, str) else rules
    if not isinstance(rules, list):
        bad(line, col, "front-matter", "kb.disable: expected a list of rule ids")
        return
    article.disable = [str(r) for r in rules]


MAX_BRACKETS = 32
MAX_INDENT = 100
MAX_EMPHASIS = 32
MAX_HTML_DEPTH = 64
_FENCE = re.compile(r"^\s*(```|~~~)")
_PREFIX = re.compile(r"^[ \t>]*")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_DELIMITERS = re.compile(r"\*+|_+")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([*_-])(?:[ \t]*\1){2,}[ \t]*$")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?(/?)>")
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                       "source", "track", "wbr"})


def pathological(body: str, first_line: int) -> tuple[int, str] | None:
    """The first line where the body nests deeper than Markdown can render in bounded time, and why.

    Python-Markdown scans for a closing bracket from every open one and recurses per nested block, per nested
    emphasis and per nested HTML element (md_in_html, and the table of contents walks the tree it made):
    50,000 ``[`` take hours, a list 300 levels deep, 1,000 nested ``*a`` or 600 nested ``<div markdown="1">``
    overflow the stack, 20,000 nested ``<span>`` take seconds. No article needs more than a few levels;
    fenced code is not Markdown and is skipped. ``kb check`` and ``kb build`` both refuse past these bounds.
    """
    nesting = _Nesting(body)
    in_fence = False
    for n, line in enumerate(body.split("\n"), first_line):
        if ("`" in line or "~" in line) and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        problem = nesting.after(line)
        if problem:
            return n, problem
    return None


class _Nesting:
    """How deep the Markdown is open at the end of each line, for :func:`pathological`. A kind that cannot reach
    its bound in this body (too few ``[``, ``*`` or ``<`` in all) is not scanned."""

    def __init__(self, body: str) -> None:
        self.brackets = 0 if body.count("[") > MAX_BRACKETS else None
        self.emphasis = 0 if body.count("*") + body.count("_") > MAX_EMPHASIS else None
        self.html = 0 if body.count("<") > MAX_HTML_DEPTH else None

    def after(self, line: str) -> str | None:
        """Why ``line`` nests too deep, or None."""
        if not line.strip():
            self.brackets = None if self.brackets is None else 0
            self.emphasis = None if self.emphasis is None else 0
            return None
        return self._html(line) or self._emphasis(line) or _indent(line) or self._brackets(line)

    def _html(self, line: str) -> str | None:
        if self.html is None or "<" not in line:
            return None
        self.html = _html_depth(line, self.html)
        if self.html > MAX_HTML_DEPTH:
            return (f"HTML elements nested more than {MAX_HTML_DEPTH} deep: an article this deep cannot be rendered "
                    "in reasonable time; close the elements or flatten them")
        return None

    def _emphasis(self, line: str) -> str | None:
        if self.emphasis is None or ("*" not in line and "_" not in line):
            return None
        self.emphasis = _emphasis_depth(line, self.emphasis)
        if self.emphasis > MAX_EMPHASIS:
            return (f"more than {MAX_EMPHASIS} emphasis markers (* or _) open at once: Markdown this deep cannot be "
                    "rendered; close them or escape them as \\*")
        return None

    def _brackets(self, line: str) -> str | None:
        if self.brackets is None:
            return None
        for ch in line:
            if ch == "[":
                self.brackets += 1
                if self.brackets > MAX_BRACKETS:
                    return (f"more than {MAX_BRACKETS} '[' open at once: Markdown this deep cannot be rendered in "
                            "reasonable time; close the brackets or escape them as \\[")
            elif ch == "]" and self.brackets:
                self.brackets -= 1
        return None


def _indent(line: str) -> str | None:
    if line[0] not in " \t>":
        return None
    prefix = _PREFIX.match(line)
    lead = prefix.group(0) if prefix else ""
    width = len(lead.expandtabs(4)) + lead.count(">")
    if width > MAX_INDENT:
        return (f"nested {width} columns deep (lists or quotes; at most {MAX_INDENT}): Markdown this deep cannot be "
                "rendered in reasonable time; flatten it")
    return None


def _html_depth(line: str, depth: int) -> int:
    """The open-element depth after ``line``, from ``depth`` before it (void elements open nothing)."""
    for m in _TAG.finditer(line):
        if m.group(2).lower() in VOID_TAGS or m.group(3):
            continue
        depth = max(depth - 1, 0) if m.group(1) else depth + 1
        if depth > MAX_HTML_DEPTH:
            return depth
    return depth


def _emphasis_depth(line: str, depth: int) -> int:
    """The open-emphasis depth after ``line``: a run of ``*`` or ``_`` before a word opens that many, one after a
    word closes them (CommonMark's flanking runs; a run inside a word, a list marker or a rule does neither)."""
    if _THEMATIC_BREAK.match(line):
        return depth
    if "`" in line:
        line = _CODE_SPAN.sub("", line)
    for m in _DELIMITERS.finditer(line):
        before = line[m.start() - 1] if m.start() else " "
        after = line[m.end()] if m.end() < len(line) else " "
        opens, closes = not after.isspace(), not before.isspace()
        if opens and not closes:
            depth += len(m.group(0))
            if depth > MAX_EMPHASIS:
                return depth
        elif closes and not opens:
            depth = max(depth - len(m.group(0)), 0)
    return depth


def _typed(article: Article, meta: dict[str, Any], key: str, kind: type, bad: Bad) -> None:
    if key not in meta or meta[key] is None:
        return
    value = meta[key]
    if kind is list and isinstance(value, str):
        value = [value]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok or isinstance(value, dt.date):
        line, col = article.front_pos(key)
        name = {list: "a list", bool: "true or false", int: "a whole number"}[kind]
        bad(line, col, "front-matter", f"{key}: expected {name}, got {value!r}")
        return
    setattr(article, key, value)
