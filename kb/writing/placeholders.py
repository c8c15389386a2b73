"""The ``placeholder`` rule: text left from a ``kb new`` skeleton is an error until it is replaced.

The placeholders are read from the skeleton templates themselves (templates/articles/*.md.j2), so a
template edited by the team is covered without a second list to keep in step; on top of those,
〇〇 (the skeletons' "fill in here") anywhere in prose, and an empty list item.
"""

from __future__ import annotations

import functools
import re

from kb.prose import Sentence
from kb.skeleton import TEMPLATES
from kb.writing.base import Ctx, Doc, Emit, rule

_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])(?:\s+|$)")
_EMPTY_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*$")
_FILL_IN = re.compile(r"〇〇|○○|◯◯")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")


def _key(line: str) -> str:
    """The line without its list marker, whitespace runs as one space."""
    line = line.strip()
    if line[:1] in _MARK_START:
        line = _LIST_MARK.sub("", line)
    return " ".join(line.split())


_MARK_START = frozenset("-*+0123456789")


@functools.cache
def template_lines(required: frozenset[str]) -> frozenset[str]:
    """The skeletons' lines a writer must replace: every line after the front matter but the required
    headings, table headers and separators, and Jinja."""
    out: set[str] = set()
    for path in TEMPLATES.glob("*.md.j2"):
        lines = path.read_text(encoding="utf-8").split("\n")
        ends = [i for i, line in enumerate(lines) if line.strip() == "---"]
        body = lines[ends[1] + 1:] if len(ends) > 1 else lines
        previous = ""
        for line in body:
            stripped = line.strip()
            heading = stripped.lstrip("#").strip() if stripped.startswith("#") else None
            table_header = stripped.startswith("|") and not previous.startswith("|")
            previous = stripped
            if not stripped or "{" in stripped or _TABLE_SEP.match(stripped) or table_header:
                continue
            if heading is not None and heading in required:
                continue
            key = _key(stripped.lstrip("#").strip() if heading is not None else stripped)
            if key:
                out.add(key)
    return frozenset(out)


_MESSAGES = {
    "ja": ("空の箇条書きが残っています（kb new のひな形）。書くか削除します",
           "「{0}」は kb new のひな形の文言です。記事の内容に書き換えます",
           "「{0}」が残っています。具体的な語に置き換えます"),
    "en": ("an empty list item is left from the kb new skeleton: write it or delete it",
           "'{0}' is text from the kb new skeleton: replace it with the article's own",
           "'{0}' is left in: replace it with the real word"),
}


def check_placeholders(body: str, first_line: int, required: frozenset[str], emit: Emit,
                       lang: str = "ja") -> None:
    empty_item, template_text, fill_in = _MESSAGES["ja" if lang == "ja" else "en"]
    left = template_lines(required)
    longest = max((len(x) for x in left), default=0) + 8
    fence: str | None = None
    for i, raw in enumerate(body.split("\n")):
        stripped = raw.strip()
        if not stripped or (fence is None and len(stripped) > longest and "〇" not in raw and "○" not in raw
                            and "◯" not in raw and not stripped.startswith(("|", "`", "~"))):
            continue  # too long to be a skeleton's line, and no 〇〇
        lineno = first_line + i
        m = _FENCE.match(raw)
        if fence is not None or m:
            if fence is None and m:
                fence = m.group(1)
            elif fence is not None and raw.strip().startswith(fence):
                fence = None
            continue
        col = len(raw) - len(raw.lstrip()) + 1
        if _EMPTY_ITEM.match(raw):
            emit(lineno, col, "placeholder", empty_item)
            continue
        key = _key(stripped.lstrip("#").strip() if stripped.startswith("#") else stripped)
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            hit = next((c for c in cells if c in left), None)
        else:
            hit = key if key in left else None
        if hit:
            emit(lineno, raw.find(hit) + 1 if hit in raw else col, "placeholder",
                 template_text.format(hit))
            continue
        fill = _FILL_IN.search(raw)
        if fill:
            emit(lineno, fill.start() + 1, "placeholder", fill_in.format(fill.group(0)))


@rule("placeholder", "error", Doc("kb new のひな形の文言（〇〇、空の箇条書き）が残っている",
                                  "text left from a kb new skeleton (〇〇, an empty list item)",
                                  "この記事では、〇〇する方法を説明します。",
                                  "この記事では、打刻を修正する方法を説明します。"))
def placeholder(c: Ctx, _: list[Sentence]) -> None:
    a = c.article
    check_placeholders(a.body, a.body_line, c.kb.required, c.emit, c.spec.messages or a.locale)
