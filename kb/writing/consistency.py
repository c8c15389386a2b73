"""The team's ``consistency`` rules (Vale's kind): one of two spellings per article, not both."""

from __future__ import annotations

from kb.model import UserRule
from kb.prose import Prose
from kb.writing.base import UserEmit, token_regex


def run(rule: UserRule, prose: Prose, emit: UserEmit) -> None:
    for a, b_ in rule.either:
        ra, rb = token_regex(a, rule.ignorecase), token_regex(b_, rule.ignorecase)
        if not (ra.search(prose.all_text) and rb.search(prose.all_text)):
            continue  # a block's match is a match in the blocks joined: both are needed
        hits_a = [(blk, m) for blk in prose.blocks for m in ra.finditer(blk.text)]
        hits_b = [(blk, m) for blk in prose.blocks for m in rb.finditer(blk.text)]
        if hits_a and hits_b:
            loser = hits_b if len(hits_b) <= len(hits_a) else hits_a
            blk, m = loser[0]
            emit(*blk.at(m.start()), rule, (rule.message or "use either '{a}' or '{b}' in one article, "
                                            "not both").format(a=a, b=b_, match=m.group(0)))
