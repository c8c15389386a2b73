"""Rendering: the quick inline step writes what Python-Markdown's own does, on the samples and on generated text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.render import converter
from tests.kb.helpers import SHIPPED

PIECES = ["*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "![", "[^1]", "[^1]: 脚注", "<", ">", "&", "&amp;",
          "&#12354;", "\\", "\\*", "  \n", "\n", "\n\n", "<b>", "</b>", "<!-- c -->", "<https://example.com>",
          "<a@b.jp>", "[リンク](other.md)", "![画像](../img.png)", "[ref]", "[ref]: https://example.com/r",
          "# ", "## 見出し", "- ", "1. ", "> ", "    ", "!!! note", "| a | b |\n|---|---|\n| 1 | 2 |", "{: .x }",
          "```\ncode\n```", "[TOC]", "\n\n[TOC]\n\n", "打刻", "します。", "ユーザー", "text", " ", "~",
          "^", "#", "!", "\t"]


def _pair(text: str) -> tuple[object, object]:
    """HTML and table-of-contents tokens from Python-Markdown's own steps and from the quick ones."""
    made = []
    for quick in (False, True):
        md = converter(quick=quick)
        made.append((md.convert(text), md.toc_tokens))  # type: ignore[attr-defined]
    return made[0], made[1]


def test_the_quick_step_is_the_one_render_uses() -> None:
    assert type(converter().treeprocessors["inline"]).__name__ == "_QuickInline"
    assert type(converter(quick=False).treeprocessors["inline"]).__name__ == "InlineProcessor"
    assert type(converter().treeprocessors["toc"]).__name__ == "_QuickToc"


def test_a_toc_marker_still_gets_its_table_of_contents() -> None:
    plain, quick = _pair("## 概要\n\n[TOC]\n\n## 手順\n\n本文。\n")
    assert quick == plain and 'class="toc"' in str(quick)


def test_the_samples_render_the_same() -> None:
    for path in sorted((SHIPPED / "articles").rglob("*.md")):
        plain, quick = _pair(path.read_text(encoding="utf-8"))
        assert quick == plain, path


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join))
def test_generated_markdown_renders_the_same(text: str) -> None:
    plain, quick = _pair(text)
    assert quick == plain
