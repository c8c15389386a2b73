"""Characters that do not belong in help-center prose: ! and ? (no-exclamation-question), half-width kana,
full-width letters and digits, spacing between Japanese and ASCII, combining marks (NFD), invisible characters.

The patterns are public: kb.fix fixes what these rules find with the same ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from kb.prose import Block, Sentence
from kb.writing.base import BODY, Check, Ctx

_EXCLAIM = re.compile(r"[！？!?]")


def no_exclamation_question(c: Ctx, sentences: list[Sentence]) -> None:
    if not _EXCLAIM.search(c.prose.all_text):
        return
    for s in sentences:
        if s.kind not in BODY:
            continue
        for m in _EXCLAIM.finditer(s.text):
            c.emit(*s.pos(m.start()), "no-exclamation-question",
                   f"感嘆符・疑問符「{m.group(0)}」は使いません" if s.ja else
                   f"avoid '{m.group(0)}' in help-center prose")


def _each_char(c: Ctx, rx: re.Pattern[str]) -> Iterator[tuple[Block, re.Match[str]]]:
    if not rx.search(c.prose.all_text):
        return
    for b in c.prose.blocks:
        for m in rx.finditer(b.text):
            yield b, m


HANKAKU = re.compile(r"[\uff61-\uff9f]+")
FULL_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NFD = re.compile(r"[\u0300-\u036f\u3099\u309a]")
_JA = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
SPACE_NEVER = re.compile(rf"(?<={_JA}) +(?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) +(?={_JA})")
SPACE_ALWAYS = re.compile(rf"(?<={_JA})(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?={_JA})")


def no_hankaku_kana(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, HANKAKU):
        c.emit(*b.at(m.start()), "no-hankaku-kana",
               f"半角カナ「{m.group(0)}」は全角で書きます（{unicodedata.normalize('NFKC', m.group(0))}）")


def no_fullwidth_alnum(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, FULL_ALNUM):
        c.emit(*b.at(m.start()), "no-fullwidth-alnum",
               f"全角英数字「{m.group(0)}」は半角で書きます（{unicodedata.normalize('NFKC', m.group(0))}）")


def spacing(c: Ctx, _: list[Sentence]) -> None:
    always = c.opt("spacing", "space") == "always"
    for b, m in _each_char(c, SPACE_ALWAYS if always else SPACE_NEVER):
        c.emit(*b.at(m.start()), "spacing", "全角文字と半角英数字の間にスペースを入れます" if always
               else "全角文字と半角英数字の間にスペースを入れません")


def no_nfd(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, _NFD):
        c.emit(*b.at(max(0, m.start() - 1)), "no-nfd",
               "濁点・半濁点が結合文字（NFD）です。NFC に正規化してください（kb check --fix）")


def no_invisible(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, INVISIBLE):
        c.emit(*b.at(m.start()), "no-invisible-chars",
               f"見えない文字 U+{ord(m.group(0)):04X} ({unicodedata.name(m.group(0), 'control')}) があります")


RULES: dict[str, Check] = {
    "no-exclamation-question": no_exclamation_question, "no-hankaku-kana": no_hankaku_kana,
    "no-fullwidth-alnum": no_fullwidth_alnum, "spacing": spacing, "no-nfd": no_nfd,
    "no-invisible-chars": no_invisible,
}
