"""Characters that do not belong in help-center prose: ! and ? (no-exclamation-question), half-width kana,
full-width letters and digits, spacing between Japanese and ASCII, combining marks (NFD), invisible characters.

Most of them are fixable: each rule's :class:`~kb.writing.base.Fix` is registered with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from kb.prose import Block, Sentence
from kb.writing.base import BODY, CHARACTERS, SPACING, WIDTHS, Ctx, Doc, Fix, rule

_EXCLAIM = re.compile(r"[！？!?]")


@rule("no-exclamation-question", "warning", Doc(
    "本文の感嘆符・疑問符", "! and ? in help-center prose", "設定を保存しましょう！", "設定を保存します。",
    wrong_en="Save your work now!", right_en="Save your work."), textlint=("no-exclamation-question-mark",))
def no_exclamation_question(c: Ctx, sentences: list[Sentence]) -> None:
    if not _EXCLAIM.search(c.prose.all_text):
        return
    for s in sentences:
        if s.kind not in BODY:
            continue
        for m in _EXCLAIM.finditer(s.text):
            c.emit(*s.pos(m.start()), "no-exclamation-question",
                   c.spec.say(f"感嘆符・疑問符「{m.group(0)}」は使いません",
                              f"avoid '{m.group(0)}' in help-center prose", s.ja))


def _each_char(c: Ctx, rx: re.Pattern[str]) -> Iterator[tuple[Block, re.Match[str]]]:
    if not rx.search(c.prose.all_text):
        return
    for b in c.prose.blocks:
        for m in rx.finditer(b.text):
            yield b, m


def _nfkc(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group(0))


HANKAKU = re.compile(r"[\uff61-\uff9f]+")
FULL_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NFD = re.compile(r"[\u0300-\u036f\u3099\u309a]")
_NFD_RUN = re.compile(r"[^\W\d_]?[\u0300-\u036f\u3099\u309a]+")  # a letter and its combining marks
_JA = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
SPACE_NEVER = re.compile(rf"(?<={_JA}) +(?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) +(?={_JA})")
SPACE_ALWAYS = re.compile(rf"(?<={_JA})(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?={_JA})")


@rule("no-hankaku-kana", "error", Doc("半角カタカナ", "half-width katakana",
                                     "ｶﾀｶﾅで書きます。", "カタカナで書きます。"),
      fix=Fix(HANKAKU, _nfkc, WIDTHS), textlint=("no-hankaku-kana",))
def no_hankaku_kana(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, HANKAKU):
        wide = unicodedata.normalize("NFKC", m.group(0))
        c.emit(*b.at(m.start()), "no-hankaku-kana",
               c.spec.say(f"半角カナ「{m.group(0)}」は全角で書きます（{wide}）",
                          f"half-width katakana '{m.group(0)}': write it full-width ({wide})", True))


@rule("no-fullwidth-alnum", "warning", Doc("全角英数字", "full-width letters and digits",
                                           "ＣＳＶファイルを出力します。", "CSVファイルを出力します。"),
      fix=Fix(FULL_ALNUM, _nfkc, WIDTHS))
def no_fullwidth_alnum(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, FULL_ALNUM):
        narrow = unicodedata.normalize("NFKC", m.group(0))
        c.emit(*b.at(m.start()), "no-fullwidth-alnum",
               c.spec.say(f"全角英数字「{m.group(0)}」は半角で書きます（{narrow}）",
                          f"full-width letters or digits '{m.group(0)}': write them half-width ({narrow})", True))


def _spacing_fix(options: Mapping[str, Any]) -> Fix:
    if options.get("space") == "always":
        return Fix(SPACE_ALWAYS, lambda m: " ", SPACING)
    return Fix(SPACE_NEVER, lambda m: "", SPACING)


@rule("spacing", "warning", Doc(
    "全角文字と半角英数字の間のスペース（space: never / always）", "spaces between Japanese and ASCII (space: never / "
    "always)", "CSV ファイルを出力します。", "CSVファイルを出力します。"),
    options={"space": "never"}, fix=_spacing_fix, textlint=("ja-space-between-half-and-full-width",))
def spacing(c: Ctx, _: list[Sentence]) -> None:
    always = c.opt("spacing", "space") == "always"
    for b, m in _each_char(c, SPACE_ALWAYS if always else SPACE_NEVER):
        c.emit(*b.at(m.start()), "spacing",
               c.spec.say("全角文字と半角英数字の間にスペースを入れます",
                          "put a space between Japanese and ASCII letters or digits", True) if always
               else c.spec.say("全角文字と半角英数字の間にスペースを入れません",
                               "no space between Japanese and ASCII letters or digits", True))


@rule("no-nfd", "error", Doc("濁点・半濁点が結合文字（NFD）", "a voiced mark stored as a combining character (NFD)",
                             "フ\u309aリンターで印刷します。", "プリンターで印刷します。"),
      fix=Fix(_NFD_RUN, lambda m: unicodedata.normalize("NFC", m.group(0)), CHARACTERS), textlint=("no-nfd",))
def no_nfd(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, _NFD):
        c.emit(*b.at(max(0, m.start() - 1)), "no-nfd",
               c.spec.say("濁点・半濁点が結合文字（NFD）です。NFC に正規化してください（kb check --fix）",
                          "a combining (NFD) mark: normalise the text to NFC (kb check --fix)", True))


@rule("no-invisible-chars", "error", Doc("ゼロ幅スペースや制御文字", "zero-width and control characters",
                                         "設定を\u200b保存します。", "設定を保存します。"),
      fix=Fix(INVISIBLE, lambda m: "", CHARACTERS),
      textlint=("no-zero-width-spaces", "no-invalid-control-character"))
def no_invisible(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, INVISIBLE):
        name = unicodedata.name(m.group(0), "control")
        c.emit(*b.at(m.start()), "no-invisible-chars",
               c.spec.say(f"見えない文字 U+{ord(m.group(0)):04X} ({name}) があります",
                          f"invisible character U+{ord(m.group(0)):04X} ({name})", True))
