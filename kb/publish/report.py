"""What a publish did (or, for a dry run, would do): the steps it got through and the counts printed after them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.publish.steps import (
    ArchiveArticle,
    AttachFiles,
    Blocked,
    Conflict,
    CreateArticle,
    CreateTranslation,
    Drifted,
    Duplicate,
    Held,
    Renamed,
    SetRedirect,
    Step,
    Unchanged,
    UpdateArticle,
    UpdateTranslation,
)


@dataclass
class PublishReport:
    steps: list[Step] = field(default_factory=list)  # the plan's steps, as far as the run got
    done: list[Step] = field(default_factory=list)  # the writes carried out (a dry run: those it would carry out)
    failed: list[str] = field(default_factory=list)  # article keys
    images_uploaded: int = 0
    attachments_uploaded: int = 0
    api_calls: int = 0

    @classmethod
    def planned(cls, steps: list[Step]) -> PublishReport:
        """A dry run's report: every step reached, every write as if done."""
        writes = [s for s in steps if s.writes]
        return cls(list(steps), writes, refused(steps),
                   sum(s.images for s in writes if isinstance(s, (CreateArticle, CreateTranslation,
                                                                  UpdateTranslation))),
                   sum(s.attachments if isinstance(s, CreateArticle) else len(s.upload) for s in writes
                       if isinstance(s, (CreateArticle, AttachFiles))))

    @property
    def created(self) -> int:
        return sum(isinstance(s, CreateArticle) for s in self.done)

    @property
    def updated(self) -> int:
        """Articles with a write to an existing article or translation, all of them done."""
        return len({s.key for s in self.done if isinstance(s, (UpdateArticle, AttachFiles, CreateTranslation,
                                                               UpdateTranslation))}
                   - set(self.failed))

    @property
    def unchanged(self) -> int:
        return sum(isinstance(s, (Unchanged, Renamed)) for s in self.steps)

    @property
    def archived(self) -> int:
        return sum(isinstance(s, ArchiveArticle) for s in self.done)

    @property
    def redirected(self) -> int:
        """Removed articles whose URLs now lead elsewhere (a redirect rule per URL)."""
        return sum(isinstance(s, SetRedirect) for s in self.done)

    @property
    def drifted(self) -> list[str]:
        return list(dict.fromkeys(s.key for s in self.steps if isinstance(s, Drifted)))

    @property
    def held(self) -> list[str]:
        """Articles whose body changed in the file but holds Guide content blocks on the Help Center."""
        return list(dict.fromkeys(s.key for s in self.steps if isinstance(s, Held)))

    @property
    def blocked(self) -> list[str]:
        return [s.key for s in self.steps if isinstance(s, Blocked)]

    def summary(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "archived": self.archived, "redirected": self.redirected, "images_uploaded": self.images_uploaded,
                "attachments_uploaded": self.attachments_uploaded, "api_calls": self.api_calls,
                "failed": len(self.failed), "drifted": len(self.drifted), "held": len(self.held),
                "blocked": len(self.blocked)}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.drifted or self.held or self.blocked)


def refused(steps: list[Step]) -> list[str]:
    """The articles the plan itself refuses to write: a duplicate marker, an unadopted namesake."""
    return [s.key for s in steps if isinstance(s, (Duplicate, Conflict))]
