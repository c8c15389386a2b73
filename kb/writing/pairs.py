"""Brackets and quotes opened and never closed, or closed and never opened, within a block (unmatched-pair)."""

from __future__ import annotations

import re

from kb.prose import Sentence
from kb.writing.base import Ctx, Doc, rule

_PAIRS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


_BRACKETS = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSERS)) + "]")


@rule("unmatched-pair", "error", Doc("対応していない括弧", "an unmatched bracket", "「保存を選択します。",
                                     "「保存」を選択します。"), textlint=("no-unmatched-pair",))
def unmatched_pair(c: Ctx, _: list[Sentence]) -> None:
    for b in c.prose.blocks:
        if not _BRACKETS.search(b.text):
            continue
        stack: list[tuple[str, int]] = []
        for i, ch in enumerate(b.text):
            if ch in _PAIRS:
                stack.append((ch, i))
            elif ch in _CLOSERS:
                if stack and stack[-1][0] == _CLOSERS[ch]:
                    stack.pop()
                else:
                    c.emit(*b.at(i), "unmatched-pair", c.spec.say(f"「{ch}」に対応する「{_CLOSERS[ch]}」がありません",
                                                                  f"'{ch}' has no matching '{_CLOSERS[ch]}'", True))
        for ch, i in stack:
            c.emit(*b.at(i), "unmatched-pair", c.spec.say(f"「{ch}」に対応する「{_PAIRS[ch]}」がありません",
                                                          f"'{ch}' has no matching '{_PAIRS[ch]}'", True))

