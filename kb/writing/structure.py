"""The article's shape: the title's length (title-length), headings (heading-structure), the sections its type
requires (required-sections), and no publish marker copied into the source (raw-marker)."""

from __future__ import annotations

import functools
import re

from kb.prose import Prose, Sentence, has_ja
from kb.writing.base import Ctx, Doc, rule

_FM = "---\ntitle: {}\ntype: faq\n---\n\n## 例\n\n設定を保存します。\n"


@rule("title-length", "warning", Doc("タイトルが長すぎる", "a title longer than the limit",
                                     _FM.format("とても長いタイトル" * 6), _FM.format("打刻を修正する")),
      options={"max": 40, "max_en": 80})
def title_length(c: Ctx, _: list[Sentence]) -> None:
    title = c.article.title
    if title:
        limit = int(c.opt("title-length", "max" if has_ja(title) else "max_en"))
        if len(title) > limit:
            c.emit(*c.article.front_pos("title"), "title-length",
                   c.spec.say(f"タイトルが長すぎます（{len(title)}文字、上限{limit}文字）",
                              f"title is {len(title)} characters long (max {limit})"))


@rule("heading-structure", "error", Doc(
    "見出しレベルの飛び、本文の H1、兄弟見出しの重複", "a skipped heading level, an H1 in the body, duplicate sibling "
    "headings", "設定を保存します。\n\n#### 詳細", "設定を保存します。\n\n### 詳細"),
    markdownlint=("MD001", "MD024", "MD025", "heading-increment", "single-h1", "single-title", "no-duplicate-heading"))
def heading_structure(c: Ctx, _: list[Sentence]) -> None:
    seen_siblings: dict[tuple[str, ...], set[str]] = {}
    stack: list[tuple[int, str]] = []
    previous = 1
    for h in c.prose.headings:
        if h.level == 1:
            c.emit(h.line, h.col, "heading-structure",
                   c.spec.say("フロントマターの title が記事の H1 です。本文の見出しは ## から始めます",
                              "the front matter title is the article's H1: start body headings at ##"))
        elif h.level > previous + 1:
            c.emit(h.line, h.col, "heading-structure",
                   c.spec.say(f"見出しのレベルが H{previous} から H{h.level} に飛んでいます",
                              f"heading level skips from H{previous} to H{h.level}"))
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        siblings = seen_siblings.setdefault(tuple(t for _, t in stack), set())
        if h.text in siblings:
            c.emit(h.line, h.col, "heading-structure",
                   c.spec.say(f"同じ階層に見出し「{h.text}」が重複しています",
                              f"duplicate heading '{h.text}' among its siblings"))
        siblings.add(h.text)
        stack.append((h.level, h.text))
        previous = h.level


def required_regex(required: list[str]) -> re.Pattern[str]:
    """markdownlint MD043's pattern: names in order; '*' any number, '+' one or more, 'name?' optional."""
    return _required_regex(tuple(required))


@functools.lru_cache(maxsize=64)
def _required_regex(required: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for item in required:
        if item == "*":
            parts.append(r"(?:[^\n]*\n)*")
        elif item == "+":
            parts.append(r"(?:[^\n]*\n)+")
        elif item.endswith("?"):
            parts.append(f"(?:{re.escape(item[:-1])}\\n)?")
        else:
            parts.append(f"{re.escape(item)}\\n")
    return re.compile("".join(parts))


_ATTR_END = re.compile(r"\s*\{[^}]*\}\s*$")


@rule("required-sections", "error", Doc(
    "記事の種類に必要な H2 見出しがない（kb.yaml の types）", "an H2 section the article's type requires is missing "
    "(kb.yaml types)", "---\ntitle: 動かない\ntype: troubleshooting\n---\n\n## 症状\n\n動きません。\n",
    "---\ntitle: 動かない\ntype: troubleshooting\n---\n\n## 症状\n\n動きません。\n\n## 原因\n\n設定です。\n\n"
    "## 解決方法\n\n再設定します。\n"), markdownlint=("MD043", "required-headings"))
def required_sections(c: Ctx, _: list[Sentence]) -> None:
    a = c.article
    t = c.spec.types.get(a.type or "")
    required = t.required.get(a.locale) if t else None
    if not (t and required):
        return
    headings = c.prose.headings
    h2 = [_ATTR_END.sub("", h.text) if "{" in h.text else h.text for h in headings if h.level == 2]
    if not required_regex(required).fullmatch("".join(x + "\n" for x in h2)):
        line = next((h.line for h in headings if h.level == 2), a.body_line)
        c.emit(line, 1, "required-sections",
               c.spec.say(f"「{t.id}」の記事には {' → '.join(required)} の節が必要です（あるのは: "
                          f"{'、'.join(h2) or 'なし'}）",
                          f"a '{t.id}' article needs the sections {' → '.join(required)} "
                          f"(found: {', '.join(h2) or 'none'})"))


_RAW_MARKER = re.compile(r"csops-source|data-csops-key", re.IGNORECASE)


@rule("raw-marker", "error", Doc(
    "kb publish のマーカー（csops-source の span）が記事に書かれている（公開ページからのコピーなど）",
    "a kb publish marker (a csops-source span) in the source, copied from a published page",
    '設定を保存します。<span class="csops-source" data-csops-key="admin/users/roles"></span>', "設定を保存します。"),
    locked=True)
def raw_marker(c: Ctx, _: list[Sentence]) -> None:
    """A publish marker copied into the source would claim another article's identity on the Help Center: always
    an error."""
    a = c.article
    if not _RAW_MARKER.search(a.body):
        return
    for i, line in enumerate(a.body.split("\n")):
        m = _RAW_MARKER.search(line)
        if m:
            c.emit(a.body_line + i, m.start() + 1, "raw-marker",
                   c.spec.say("kb publish の目印（csops-source の span）が記事にあります。"
                              "削除します（publish が付けます）",
                              "a kb publish marker (csops-source span) is in the article; delete it: publish adds its "
                              "own"))


def heading_id(text: str) -> str:
    explicit = re.search(r"\{[^}]*#([\w-]+)[^}]*\}\s*$", text)
    if explicit:
        return explicit.group(1)
    from markdown.extensions.toc import slugify_unicode  # Python-Markdown costs start-up; few links have anchors

    plain = re.sub(r"[`*_~]|\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return str(slugify_unicode(plain, "-"))


def anchors(prose: Prose) -> set[str]:
    """Heading ids as the renderer makes them (slugify_unicode, _1 for repeats); computed once per article."""
    if prose.anchors is not None:
        return prose.anchors
    out: set[str] = set()
    for h in prose.headings:
        base = heading_id(h.text)
        anchor, n = base, 0
        while anchor in out:
            n += 1
            anchor = f"{base}_{n}"
        out.add(anchor)
    prose.anchors = out
    return out
