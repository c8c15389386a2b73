"""The one interface of the writing rules, Vale's way: one module per rule kind, each behind the same call.

A built-in rule kind's module (kb/writing/*.py) exposes ``RULES``: rule id →
:data:`Check`, a function of the article's :class:`Ctx` and its sentences that reports through
``ctx.emit``. A kind of the team's rules (kb.yaml ``user_rules``: existence, substitution, occurrence,
consistency, conditional) is a module exposing ``run``: a :data:`UserCheck` over one rule and the prose.
kb/writing/__init__.py puts them together; nothing else knows which module holds which rule.

Every rule works on Japanese: no ``\\b`` word boundaries (they never match between Japanese characters);
ASCII tokens get explicit ASCII boundaries and Japanese tokens match as they are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from kb.prose import Prose, Sentence
from kb.spec import KbSpec, UserRule

Emit = Callable[[int, int, str, str], None]  # line, col, rule id, message
UserEmit = Callable[[int, int, UserRule, str], None]  # line, col, the team's rule, message
Locate = Callable[[int], tuple[int, int]]

BODY = ("paragraph", "list")


@dataclass
class Ctx:
    """What a built-in rule sees of one article: kb.yaml's settings, the prose, where findings go."""

    spec: KbSpec
    prose: Prose
    emit: Emit

    _body: list[Sentence] | None = None

    def opt(self, rule: str, key: str) -> object:
        return self.spec.rules[rule].options[key]

    def ja_body(self, sentences: list[Sentence]) -> list[Sentence]:
        """The paragraph and list sentences with Japanese in them (the morphology rules' input)."""
        if self._body is None:
            self._body = [s for s in sentences if s.kind in BODY and s.ja]
        return self._body


Check = Callable[[Ctx, list[Sentence]], None]
UserCheck = Callable[[UserRule, Prose, UserEmit], None]


@functools.lru_cache(maxsize=1024)
def token_regex(token: str, ignorecase: bool = False) -> re.Pattern[str]:
    """A literal token: ASCII words get ASCII boundaries; Japanese text matches as it is."""
    body = re.escape(token)
    if token[:1].isascii() and token[:1].isalnum():
        body = r"(?<![A-Za-z0-9_])" + body
    if token[-1:].isascii() and token[-1:].isalnum():
        body += r"(?![A-Za-z0-9_])"
    return re.compile(body, re.IGNORECASE if ignorecase else 0)


def has_any(text: str, literals: tuple[str, ...]) -> bool:
    """Whether any of the literals is in the text: a substring test rules a text out far faster than a
    pattern that needs one of them can."""
    return any(x in text for x in literals)


def units(prose: Prose, scope: str) -> list[tuple[str, Locate]]:
    """The texts a team's rule looks at for its scope, each with a way to locate an offset in it."""
    if scope == "sentence":
        return [(s.text, s.pos) for s in prose.sentences(BODY)]
    if scope == "article":
        return [(b.text, b.at) for b in prose.blocks]
    kinds = {"paragraph": ("paragraph",), "heading": ("heading",), "list": ("list",), "table": ("table",)}[scope]
    return [(b.text, b.at) for b in prose.blocks if b.kind in kinds]


def matchers(rule: UserRule) -> list[re.Pattern[str]]:
    """A team's rule's tokens and patterns, compiled."""
    out = [token_regex(t, rule.ignorecase) for t in rule.tokens]
    out += [re.compile(p, re.IGNORECASE if rule.ignorecase else 0) for p in rule.patterns]
    return out
