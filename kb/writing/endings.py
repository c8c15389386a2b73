"""How body sentences end: one politeness style throughout (style), a Japanese sentence closed with 。
(ja-period)."""

from __future__ import annotations

import re

from kb.prose import MASK, Sentence, is_ja
from kb.writing.base import Ctx, Doc, rule

_DESUMASU = re.compile(r"(です|ます|でした|ました|ません|ませんでした|でしょう|ましょう|ください|下さい)(か|ね|よ)?$")
# Plain forms (…る, …た, …ない) count as だ・である: in a です・ます body they are the mix to report.
# _DESUMASU is tried first, so でした and ません never reach here.
_DEARU = re.compile(r"(である|だ|であった|だった|ではない|でない|であろう|だろう|であり"
                    r"|[ぁ-ん]る|[ぁ-ん]た|ない)(か|ね|よ)?$")
_TRAIL = "。．！？!?」』）)】 \n" + MASK


def _ending(text: str) -> str | None:
    core = text.rstrip(_TRAIL)
    if _DESUMASU.search(core):
        return "desumasu"
    if _DEARU.search(core):
        return "dearu"
    return None


_EN = {"desumasu": "です・ます", "dearu": "だ・である"}


@rule("style", "error", Doc(
    "本文の「です・ます」調と「だ・である」調の混在", "a body sentence in the other politeness style",
    "設定を保存します。保存した内容はすぐに反映される。", "設定を保存します。保存した内容はすぐに反映されます。"),
    options={"body": "desumasu", "list": "any"}, textlint=("no-mix-dearu-desumasu",))
def style(c: Ctx, sentences: list[Sentence]) -> None:
    names = {"desumasu": "「です・ます」調", "dearu": "「だ・である」調"}
    for kind, key in (("paragraph", "body"), ("list", "list")):
        want = str(c.opt("style", key))
        found = [(s, e) for s in sentences if s.kind == kind and s.ja for e in [_ending(s.text)] if e]
        if want in ("any", "off") or not found:
            continue
        if want == "auto":
            n_desu = sum(1 for _, e in found if e == "desumasu")
            want = "desumasu" if n_desu >= len(found) - n_desu else "dearu"
        where = "本文" if kind == "paragraph" else "箇条書き"
        where_en = "body text" if kind == "paragraph" else "list items"
        for s, e in found:
            if e != want:
                c.emit(*s.pos(len(s.text.rstrip(_TRAIL)) - 1), "style",
                       c.spec.say(f"{where}は{names[want]}で書きます（この文は{names[e]}）",
                                  f"write {where_en} in the {_EN[want]} style (this sentence: {_EN[e]})", True))


@rule("ja-period", "warning", Doc("本文の文末に「。」がない", "a Japanese body sentence without 。",
                                  "設定を保存します", "設定を保存します。"), textlint=("ja-no-mixed-period",))
def ja_period(c: Ctx, sentences: list[Sentence]) -> None:
    for s in sentences:
        if s.kind != "paragraph":
            continue
        text = s.text.rstrip(" \n" + MASK)
        if not text or not s.ja:
            continue
        core = text.rstrip("」』）)】")
        if core and core[-1] not in "。！？!?:：" and is_ja(core[-1]):
            c.emit(*s.pos(len(text) - 1), "ja-period",
                   c.spec.say("文末に「。」がありません", "the sentence does not end with 「。」", True))

