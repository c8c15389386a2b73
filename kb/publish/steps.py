"""The plan's vocabulary: one typed step per thing a publish writes, and one per decision to write nothing.

A step is what ``kb publish --dry-run`` prints and what a real run applies, in the same order; each knows its
plan line. Steps name categories, sections and articles by their kb keys: the Help Center id of one created
earlier in the same run is known only when the run gets there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


def _line(kind: str, key: str, locale: str = "", changes: Sequence[str] = (), detail: str = "") -> str:
    what = f" ({', '.join(changes)})" if changes else ""
    loc = f" [{locale}]" if locale else ""
    return f"{kind:<9} {key}{loc}{what}{(' — ' + detail) if detail else ''}"


@dataclass(frozen=True)
class Step:
    writes: ClassVar[bool] = True  # a call that changes the Help Center; an Outcome changes nothing

    def line(self) -> str:
        raise NotImplementedError


# -- categories and sections --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CreateCategory(Step):
    category: str  # kb.yaml's id
    locale: str  # the Help Center locale of name and description (the kb's default locale's)
    name: str
    description: str
    position: int

    def line(self) -> str:
        return _line("create", f"category {self.category}", detail=self.name)


@dataclass(frozen=True)
class CreateSection(Step):
    category: str
    section: str
    locale: str
    name: str
    description: str
    position: int
    parent: str | None = None  # kb.yaml's id of the section it is nested in (Guide Enterprise)

    @property
    def key(self) -> str:
        return f"{self.category}/{self.section}"

    def line(self) -> str:
        return _line("create", f"section {self.key}", detail=self.name + (f" (in {self.parent})" if self.parent
                                                                           else ""))


@dataclass(frozen=True)
class UpdateCategory(Step):
    category: str
    category_id: int
    position: int

    def line(self) -> str:
        return _line("update", f"category {self.category}", changes=["position"])


@dataclass(frozen=True)
class UpdateSection(Step):
    """A section moved to another position, into another category (``move_to``: kb.yaml's id), or into another
    section (``reparent``: to ``parent``, None for the category's top level)."""

    category: str
    section: str
    section_id: int
    position: int | None
    move_to: str | None
    reparent: bool = False
    parent: str | None = None

    def line(self) -> str:
        changes = sorted([*(["position"] if self.position is not None else []),
                          *(["category_id"] if self.move_to is not None else []),
                          *(["parent_section_id"] if self.reparent else [])])
        return _line("update", f"section {self.category}/{self.section}", changes=changes)


@dataclass(frozen=True)
class TranslateContainer(Step):
    """A category's or section's name and description in one locale (``PUT /categories/{id}`` ignores them)."""

    kind: str  # categories | sections
    ref: str  # the category's id, or category/section
    locale: str  # Help Center locale
    name: str
    description: str
    changes: tuple[str, ...]  # ("new translation",), or what differs: name, description

    @property
    def new(self) -> bool:
        return self.changes == ("new translation",)

    def line(self) -> str:
        return _line("update", f"{'category' if self.kind == 'categories' else 'section'} {self.ref}", self.locale,
                     self.changes)


@dataclass(frozen=True)
class CreateContentTag(Step):
    """A content tag the articles name that the Help Center does not have yet (--create-tags)."""

    name: str

    def line(self) -> str:
        return _line("create", f"content tag {self.name}")


# -- articles -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CreateArticle(Step):
    """A new article: created in its source locale (in one call when every link and image resolves, else as a
    draft finished once every article of the run has an id), then its other translations."""

    key: str
    locale: str  # the source's kb locale
    section: str  # category/section
    locales: tuple[str, ...]  # the kb locales this run writes, the source first
    images: int = 0  # images to upload, one per translation that shows it
    notify: bool = False  # e-mail the section's subscribers (front matter or kb.yaml notify: true)
    attachments: int = 0  # block attachments to upload after it is created
    content_blocks: tuple[str, ...] = ()  # placed in the file: to insert in Guide (the API cannot)

    def line(self) -> str:
        notes = (["notifies the section's subscribers"] if self.notify else []) + (
            [f"insert content block {', '.join(self.content_blocks)} in Guide"] if self.content_blocks else [])
        return _line("create", self.key, self.locale, detail="; ".join(notes))


@dataclass(frozen=True)
class UpdateArticle(Step):
    """Fields of an existing article that go through the article endpoint (labels, promotion, position,
    permission group, user segments, content tags, comments, its section)."""

    key: str
    locale: str
    article_id: int
    values: Mapping[str, Any] = field(default_factory=dict)
    move_to: str | None = None  # category/section, when the article changes section
    moved_from: str | None = None  # the key it had, when its file moved

    @property
    def changes(self) -> list[str]:
        return sorted([*self.values, *(["section_id"] if self.move_to is not None else [])])

    def line(self) -> str:
        """A move (a new section: the same article, its URL kept) or an update of its fields."""
        return _line("move" if self.move_to is not None else "update", self.key, self.locale, self.changes,
                     f"from {self.moved_from}" if self.moved_from else "")


@dataclass(frozen=True)
class AttachFiles(Step):
    """Block attachments of an existing article: files its front matter lists that it lacks are uploaded, files csops
    attached that the front matter no longer lists are deleted (an attachment csops did not upload is left)."""

    key: str
    locale: str
    article_id: int
    upload: tuple[tuple[str, str], ...] = ()  # (name on the Help Center, local path)
    delete: tuple[tuple[str, int], ...] = ()  # (name, attachment id)

    def line(self) -> str:
        shown = [f"+{n.split('-', 1)[1]}" for n, _ in self.upload] + [f"-{n.split('-', 1)[1]}" for n, _ in self.delete]
        return _line("update", self.key, self.locale, [f"attachments: {', '.join(shown)}"])


@dataclass(frozen=True)
class CreateTranslation(Step):
    key: str
    locale: str  # kb locale
    article_id: int
    images: int = 0

    def line(self) -> str:
        return _line("update", self.key, self.locale, ["new translation"])


@dataclass(frozen=True)
class UpdateTranslation(Step):
    key: str
    locale: str
    article_id: int
    changes: tuple[str, ...]  # title, draft, body, marker
    images: int = 0
    body: bool = True  # False: title and draft only (the body holds Guide content blocks)

    def line(self) -> str:
        return _line("update", self.key, self.locale, self.changes)


@dataclass(frozen=True)
class SetRedirect(Step):
    """A redirect rule for each URL of a removed article (one per locale), set before it is archived: the rule
    takes effect once the URL answers 404."""

    key: str  # the removed article's
    article_id: int
    locales: tuple[str, ...]  # Help Center locales of its URLs
    target: str  # an article's key, or a URL or path

    def line(self) -> str:
        return _line("redirect", self.key, detail=f"article {self.article_id} → {self.target}")


@dataclass(frozen=True)
class ArchiveArticle(Step):
    key: str
    article_id: int

    def line(self) -> str:
        return _line("archive", self.key, detail=f"article {self.article_id}")


# -- decisions that write nothing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome(Step):
    """What was decided about an article without writing, and why."""

    key: str
    locale: str = ""
    detail: str = ""
    kind: ClassVar[str] = ""
    writes: ClassVar[bool] = False

    def line(self) -> str:
        return _line(self.kind, self.key, self.locale, detail=self.detail)


class Unchanged(Outcome):
    kind = "unchanged"


class Renamed(Outcome):
    """A file renamed in its section: the same article (its id and URL), nothing to write."""

    kind = "renamed"


class Adopted(Outcome):
    """An unmarked article with the same title in the same section, taken over (--adopt)."""

    kind = "adopt"


class Skipped(Outcome):
    kind = "skipped"


class Removed(Outcome):
    """On the Help Center, its file gone: kept unless --archive-removed."""

    kind = "removed"


class Drifted(Outcome):
    """Edited in the Help Center: kept (exit 3) unless --force."""

    kind = "drifted"


class Held(Outcome):
    """Its body on the Help Center holds Guide content blocks, which a body written through the API would replace
    with their text: kept (exit 3), even with --force, unless --replace-content-blocks."""

    kind = "held"


class Blocked(Outcome):
    """Has kb check errors: not published (exit 3) unless --force."""

    kind = "blocked"


class Conflict(Outcome):
    """An unmarked article with the same title in the section, and no --adopt: a failure (exit 3)."""

    kind = "conflict"


class Duplicate(Outcome):
    """Two articles on the Help Center carry the file's marker: a failure (exit 3)."""

    kind = "duplicate"
