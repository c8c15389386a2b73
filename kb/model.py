"""What kb.yaml describes: the knowledge base's spec (categories, sections, article types, rule settings, user
rules) and its limits, apart from the loader (kb/spec.py).

The writing rules (kb/writing) read these types, and the loader reads the writing rules' registry to check
``writing.rules``: kept in one module, the two imported each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceErrors
from base.yamlsrc import Document

LEVELS = ("error", "warning", "suggestion")
#: An article's key: category/section/slug (a redirect's target, an article's former keys).
ARTICLE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*/[^/\s]+$")

#: An article's Help Center settings: a front matter key each, with defaults in kb.yaml (``defaults:`` at the top,
#: in a category, in a section and its parent sections); the front matter wins, then the nearest default.
ARTICLE_SETTINGS = ("notify", "user_segments", "permission_group", "content_tags", "comments")
#: Help Center fields of the front matter (kb.articles.HELP_CENTER_FIELDS) that kb.yaml's ``defaults:`` may set too:
#: a section whose articles are all promoted, say. An article that does not write one takes the nearest default.
DEFAULT_FIELDS = ("promoted", "position")
#: Zendesk's limits on content tags (Guide product limits, support.zendesk.com 4408831783962): per article, and per
#: account (so ``kb publish --create-tags`` cannot create more).
MAX_CONTENT_TAGS_PER_ARTICLE = 25
MAX_CONTENT_TAGS_PER_ACCOUNT = 200
#: Levels of sections in a category (the same Guide limits; nesting itself needs Guide Enterprise).
MAX_SECTION_LEVELS = 5


@dataclass(frozen=True)
class Setting:
    """A setting's value and where it was written (kb.yaml or an article's front matter), for located errors."""

    value: Any
    file: str
    line: int
    col: int


def parse_setting(key: str, value: Any) -> tuple[Any, str | None]:
    """``value`` of setting ``key`` normalised (lists as tuples), and what is wrong with it: the one check for
    kb.yaml's defaults and the front matter."""
    if key in ("notify", "comments", "promoted"):
        return value, None if isinstance(value, bool) else f"{key}: expected true or false, got {value!r}"
    if key == "position":
        whole = isinstance(value, int) and not isinstance(value, bool)
        return value, None if whole else f"{key}: expected a whole number, got {value!r}"
    if key == "permission_group":
        ok = (isinstance(value, str) and value.strip()) or (isinstance(value, int) and not isinstance(value, bool))
        return value, None if ok else f"{key}: expected the name (or id) of a permission group, got {value!r}"
    items = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    if not isinstance(items, list):
        return value, f"{key}: expected a list of names, got {value!r}"
    kinds = (str, int) if key == "user_segments" else (str,)
    bad = [x for x in items
           if isinstance(x, bool) or not isinstance(x, kinds) or (isinstance(x, str) and not x.strip())]
    if bad:
        what = "names (or ids) of user segments" if key == "user_segments" else "content tag names"
        return value, f"{key}: expected {what}, got {bad[0]!r}"
    out = tuple(x.strip() if isinstance(x, str) else x for x in items)
    if key == "content_tags" and len(set(out)) > MAX_CONTENT_TAGS_PER_ARTICLE:
        return value, (f"{key}: {len(set(out))} content tags; Zendesk takes at most {MAX_CONTENT_TAGS_PER_ARTICLE} "
                       "per article")
    return out, None


class KbError(SourceErrors):
    """One or more mistakes in kb.yaml or in articles' front matter (exit 78)."""


@dataclass
class Section:
    id: str
    category: str
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    position: int = 0
    default_type: str | None = None
    parent: str | None = None  # a section's id: nested in it (Guide Enterprise)
    defaults: dict[str, Setting] = field(default_factory=dict)
    line: int | None = None  # where kb.yaml defines it


@dataclass
class Category:
    id: str
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    position: int = 0
    related: list[str] = field(default_factory=list)
    default_type: str | None = None
    sections: dict[str, Section] = field(default_factory=dict)  # every section of the category, nested ones too
    defaults: dict[str, Setting] = field(default_factory=dict)


@dataclass
class ArticleType:
    id: str
    title: dict[str, str]
    required: dict[str, list[str]]


@dataclass
class RuleSetting:
    level: str
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class UserRule:
    id: str
    kind: str
    level: str
    message: str
    scope: str = "sentence"
    tokens: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    ignorecase: bool = False
    swap: dict[str, str] = field(default_factory=dict)
    max: int | None = None
    min: int | None = None
    first: str | None = None
    second: str | None = None
    either: list[tuple[str, str]] = field(default_factory=list)
    line: int | None = None
    entries: list[Any] = field(default_factory=list)  # a dictionary's (kb.dictionaries.Entry)


@dataclass
class KbSpec:
    root: Path
    file: str
    locale: str = "ja"
    locales: list[str] = field(default_factory=lambda: ["ja"])
    title: dict[str, str] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    types: dict[str, ArticleType] = field(default_factory=dict)
    default_type: str | None = None
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    user_rules: list[UserRule] = field(default_factory=list)
    permission_group_id: int | None = None
    user_segment_id: int | None = None
    help_center_locales: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Setting] = field(default_factory=dict)
    redirect_to: dict[str, Setting] = field(default_factory=dict)  # a removed article's key → where its URL leads
    messages: str | None = None  # kb.yaml's language: every finding's message in it (None: as each rule words it)
    doc: Document | None = field(default=None, repr=False)
    _defaults: dict[tuple[str, str], dict[str, Setting]] = field(default_factory=dict, repr=False)

    @property
    def language(self) -> str:
        """The language of kb's messages and docs for this knowledge base: ``ja`` or ``en`` (kb.yaml's
        ``language``, else its locale's)."""
        return self.messages or ("ja" if self.locale.split("-")[0] == "ja" else "en")

    def say(self, ja: str, en: str, auto_ja: bool = False) -> str:
        """A finding's message in kb.yaml's ``language``; without one, as the rule words it (``auto_ja``: in
        Japanese, as rules about Japanese text are, or for a Japanese sentence)."""
        if self.messages is not None:
            return ja if self.messages == "ja" else en
        return ja if auto_ja else en

    def section(self, category: str, section: str) -> Section | None:
        cat = self.categories.get(category)
        return cat.sections.get(section) if cat else None

    def type_for(self, category: str, section: str) -> str | None:
        sec = self.section(category, section)
        cat = self.categories.get(category)
        return (sec.default_type if sec else None) or (cat.default_type if cat else None) or self.default_type

    def defaults_for(self, category: str, section: str) -> dict[str, Setting]:
        """kb.yaml's setting defaults for an article there: the top's, the category's, then each section's from
        the outermost to the article's own, the nearer over the farther (worked out once per section)."""
        cached = self._defaults.get((category, section))
        if cached is None:
            cached = self._defaults[(category, section)] = self._defaults_for(category, section)
        return cached

    def _defaults_for(self, category: str, section: str) -> dict[str, Setting]:
        out = dict(self.defaults)
        cat = self.categories.get(category)
        if cat is None:
            return out
        out.update(cat.defaults)
        chain: list[Section] = []
        sec = cat.sections.get(section)
        while sec is not None and sec not in chain:
            chain.append(sec)
            sec = cat.sections.get(sec.parent) if sec.parent else None
        for s in reversed(chain):
            out.update(s.defaults)
        return out

    def text(self, values: dict[str, str], locale: str | None = None) -> str:
        return values.get(locale or self.locale) or values.get(self.locale) or next(iter(values.values()), "")


USER_KINDS = ("existence", "substitution", "occurrence", "conditional", "consistency")
DICTIONARY = "dictionary"  # the kind of the rules writing.dictionaries makes (not written in user_rules)
SCOPES = ("sentence", "paragraph", "heading", "list", "table", "article")
