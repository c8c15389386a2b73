"""Links and images: alt text (image-alt), empty links (empty-link), links to articles, files and heading anchors
that exist inside the knowledge base (internal-link), image files that exist inside it (image-exists)."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from urllib.parse import unquote

from kb.articles import rel_path
from kb.paths import split_url
from kb.prose import Link, Sentence
from kb.writing.base import Ctx, Doc, norm_path, rule
from kb.writing.structure import anchors


@rule("image-alt", "error", Doc("画像の代替テキストがない", "an image without alt text",
                                "![](../../../images/setup-flow.png)",
                                "![初期設定の流れ](../../../images/setup-flow.png)"),
      markdownlint=("MD045", "no-alt-text"))
def image_alt(c: Ctx, _: list[Sentence]) -> None:
    for link in c.prose.links:
        if link.image and not link.text.strip():
            c.emit(link.line, link.col, "image-alt", c.spec.say("画像に代替テキストがありません: ![画像の内容](…)",
                                                                "image has no alt text: ![what it shows](…)"))


@rule("empty-link", "error", Doc("リンクの文字列またはリンク先が空", "a link without text or target",
                                 "[](https://example.com)を見てください。",
                                 "[公式サイト](https://example.com)を見てください。"),
      markdownlint=("MD042", "no-empty-links"))
def empty_link(c: Ctx, _: list[Sentence]) -> None:
    for link in c.prose.links:
        if not link.image and not link.text.strip(" `*_"):
            c.emit(link.line, link.col, "empty-link", c.spec.say("リンクの文字列がありません", "link has no text"))
        if not link.target.strip():
            c.emit(link.line, link.col, "empty-link", c.spec.say("リンク先がありません", "link has no target"))


def _local(link: Link) -> tuple[str, str] | None:
    """A link's path (unquoted; empty for an anchor in the article) and fragment, when it points into the
    knowledge base rather than at a URL."""
    target = link.target.strip()
    if not target:
        return None
    parts = split_url(target)
    if parts is None or parts.scheme or target.startswith("//"):
        return None
    return unquote(parts.path), parts.fragment


def _outside(c: Ctx, link: Link, resolved: str, path_part: str) -> bool:
    """Reported when the link's real path (symlinks followed: a link out of images/ is outside too) leaves the
    kb folder: csops never reads it."""
    real = os.path.realpath(resolved)
    if real.startswith(c.kb.inside):
        return False
    c.emit(link.line, link.col, "image-exists" if link.image else "internal-link",
           c.spec.say(f"「{path_part}」はナレッジベースの外（{real}）を指しています。csops は読みません: "
                      "ファイルを kb フォルダーの中にコピーします",
                      f"'{path_part}' leads outside the knowledge base ({real}); csops never reads it: "
                      "copy the file under the kb folder"))
    return True


@rule("internal-link", "error", Doc("記事へのリンク先や見出しのアンカーがない",
                                    "a linked article or heading anchor that does not exist",
                                    "[手順](#存在しない)を見てください。", "[手順](#例)を見てください。"),
      markdownlint=("MD051", "link-fragments"))
def internal_link(c: Ctx, _: list[Sentence]) -> None:
    for link in c.prose.links:
        local = _local(link)
        if local is None:
            continue
        path_part, fragment = local
        if not path_part:  # an anchor in this article (an image's too)
            if fragment and fragment not in anchors(c.prose):
                c.emit(link.line, link.col, "internal-link",
                       c.spec.say(f"この記事にアンカー「#{fragment}」の見出しがありません",
                                  f"no heading with the anchor '#{fragment}' in this article"))
            continue
        if link.image:
            continue  # image-exists
        resolved = norm_path(os.path.join(c.article.path.parent, path_part))
        if not _outside(c, link, resolved, path_part):
            _article_link(c, link, resolved, path_part, fragment)


def _article_link(c: Ctx, link: Link, resolved: str, path_part: str, fragment: str) -> None:
    if not path_part.endswith(".md"):
        if not os.path.exists(resolved):
            c.emit(link.line, link.col, "internal-link", c.spec.say(f"リンク先のファイル「{path_part}」がありません",
                                                                   f"linked file '{path_part}' not found"))
        return
    other = c.kb.by_path.get(resolved)
    if other is None:
        name = posixpath.basename(path_part)[:-3]
        elsewhere = name in c.kb.slugs
        c.emit(link.line, link.col, "internal-link", c.spec.say(
            f"リンク先の記事「{path_part}」がありません"
            + ("（そのスラッグの記事は別の場所にあります。相対パスを直します）" if elsewhere else ""),
            f"linked article '{path_part}' not found"
            + (" (an article with that slug exists elsewhere: fix the relative path)" if elsewhere else "")))
    elif fragment and fragment not in anchors(c.kb.prose_of(other)):
        c.emit(link.line, link.col, "internal-link",
               c.spec.say(f"{other.rel} にアンカー「#{fragment}」の見出しがありません",
                          f"no heading with the anchor '#{fragment}' in {other.rel}"))


@rule("image-exists", "error", Doc("画像ファイルがない、または kb の外にある",
                                   "an image file that is missing or outside kb/",
                                   "![画面](../../../images/nope.png)", "![画面](../../../images/setup-flow.png)"))
def image_exists(c: Ctx, _: list[Sentence]) -> None:
    for link in c.prose.links:
        local = _local(link) if link.image else None
        if local is None or not local[0]:
            continue
        path_part = local[0]
        resolved = norm_path(os.path.join(c.article.path.parent, path_part))
        if not _outside(c, link, resolved, path_part) and not os.path.exists(resolved):
            shown = rel_path(c.spec, Path(resolved))
            c.emit(link.line, link.col, "image-exists", c.spec.say(f"画像「{path_part}」がありません（{shown}）",
                                                                  f"image '{path_part}' not found ({shown})"))
