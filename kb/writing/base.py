"""The one interface of the writing rules, Vale's way: one module per rule kind, each rule registered beside its
function.

A built-in rule is a :data:`Check` (a function of the article's :class:`Ctx` and its sentences that reports
through ``ctx.emit``) registered with :func:`rule`: its id, default level and options, its documentation
(:class:`Doc`), its fix (:class:`Fix`), whether it needs Japanese morphology, and the textlint and markdownlint
names it answers to. Everything else is derived from :data:`RULES`: kb.yaml's ``writing.rules`` (kb/spec.py),
``kb rules`` and docs/kb-rules.md (kb/ruledocs.py), ``kb check --fix`` (kb/fix.py), the suppression names
(kb/suppress.py). Adding a rule is one function and its registration, in one file.

A kind of the team's rules (kb.yaml ``user_rules``: existence, substitution, occurrence, consistency,
conditional) is a module exposing ``run``: a :data:`UserCheck` over one rule and the prose.
kb/writing/__init__.py imports the modules; nothing else knows which module holds which rule.

Every rule works on Japanese: no ``\\b`` word boundaries (they never match between Japanese characters);
ASCII tokens get explicit ASCII boundaries and Japanese tokens match as they are.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from base.regex import user_regex
from kb.articles import Article
from kb.model import LEVELS, KbSpec, UserRule
from kb.prose import Prose, Sentence
from kb.tokens import token_regex

Emit = Callable[[int, int, str, str], None]  # line, col, rule id, message
UserEmit = Callable[[int, int, UserRule, str], None]  # line, col, the team's rule, message
Locate = Callable[[int], tuple[int, int]]

BODY = ("paragraph", "list")


def norm_path(path: os.PathLike[str] | str) -> str:
    """An absolute, normalised path without touching the file system (resolve() costs a stat per part)."""
    return os.path.normpath(os.path.abspath(path))


@dataclass(frozen=True)
class Corpus:
    """What a rule may know of the whole knowledge base, made once per ``kb check``."""

    by_path: dict[str, Article]  # every article by its normalised absolute path
    slugs: set[str]
    inside: str  # the kb folder's real path and a separator: what a link's real path must start with
    prose_of: Callable[[Article], Prose]  # another article's prose (a link's anchor)
    required: frozenset[str]  # section names the types require: never a skeleton's placeholder


@dataclass
class Ctx:
    """What a built-in rule sees of one article: kb.yaml's settings, the article and its prose, the rest of the
    knowledge base, where findings go."""

    spec: KbSpec
    article: Article
    prose: Prose
    kb: Corpus
    emit: Emit

    _body: list[Sentence] | None = None

    def opt(self, rule: str, key: str) -> Any:
        return self.spec.rules[rule].options[key]

    def ja_body(self, sentences: list[Sentence]) -> list[Sentence]:
        """The paragraph and list sentences with Japanese in them (the morphology rules' input)."""
        if self._body is None:
            self._body = [s for s in sentences if s.kind in BODY and s.ja]
        return self._body


Check = Callable[[Ctx, list[Sentence]], None]
UserCheck = Callable[[UserRule, Prose, UserEmit], None]


# -- the registry ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Doc:
    """What a rule checks, in Japanese and English, with one wrong and one right example (an article body under
    a ``## 例`` heading of an FAQ article, or a whole file when it starts with ``---``). The examples are
    executable: a test checks that every wrong one is reported and no right one is."""

    ja: str
    en: str
    wrong: str
    right: str
    wrong_en: str | None = None
    right_en: str | None = None


#: The stages of ``kb check --fix``, in order: characters normalised (NFC, invisible ones out) before widths,
#: widths before words, spacing between Japanese and ASCII last (it needs the final characters).
CHARACTERS, WIDTHS, WORDS, SPACING = range(4)


@dataclass(frozen=True)
class Fix:
    """How ``kb check --fix`` corrects what a rule finds: a pattern over a prose line and its replacement."""

    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]
    stage: int = WORDS


FixFor = Callable[[Mapping[str, Any]], Fix]  # the rule's options (kb.yaml's, or the defaults) → its fix


@dataclass(frozen=True)
class Rule:
    """One built-in writing rule, as registered with :func:`rule`."""

    id: str
    check: Check
    level: str
    doc: Doc
    options: Mapping[str, Any] = field(default_factory=dict)
    fix: FixFor | None = None
    morphology: bool = False  # needs the ``ja`` extra (kb/morphology.py); off without it
    textlint: tuple[str, ...] = ()  # textlint rule names a suppression comment may use for it
    markdownlint: tuple[str, ...] = ()  # markdownlint codes and names, likewise
    locked: bool = False  # always on at its level: kb.yaml cannot change it, no suppression names it

    @property
    def origin(self) -> str:
        """The textlint or markdownlint rule it matches, as the docs name it."""
        if self.textlint:
            return f"textlint {self.textlint[0]}"
        codes = [n for n in self.markdownlint if re.fullmatch(r"MD\d+", n)]
        return f"markdownlint {', '.join(codes)}" if codes else ""


#: Every built-in rule by id, in registration order (the order of kb/writing/__init__.py's imports): the order
#: they run in, ``kb rules`` lists them and the docs page shows them.
RULES: dict[str, Rule] = {}


def rule(id: str, level: str, doc: Doc, *, options: Mapping[str, Any] | None = None, fix: Fix | FixFor | None = None,
         morphology: bool = False, textlint: tuple[str, ...] = (), markdownlint: tuple[str, ...] = (),
         locked: bool = False) -> Callable[[Check], Check]:
    """Register the decorated function as the built-in rule ``id``."""
    if level not in LEVELS:
        raise ValueError(f"writing rule {id!r}: level {level!r} is not one of {', '.join(LEVELS)}")
    fix_for: FixFor | None = (lambda _options: fix) if isinstance(fix, Fix) else fix

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"writing rule {id!r} is registered twice ({RULES[id].check.__module__} and "
                             f"{check.__module__})")
        RULES[id] = Rule(id, check, level, doc, dict(options or {}), fix_for, morphology, textlint, markdownlint,
                         locked)
        return check

    return register


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


def matchers(rule: UserRule) -> list[Any]:
    """A team's rule's tokens (literals, on ``re``) and patterns (the team's regular expressions, on RE2:
    base.regex), compiled; each has ``finditer`` and ``search``."""
    out: list[Any] = [token_regex(t, rule.ignorecase) for t in rule.tokens]
    out += [user_regex(p, rule.ignorecase) for p in rule.patterns]
    return out
