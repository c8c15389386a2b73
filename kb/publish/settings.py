"""An article's Help Center settings as the Help Center takes them: who may see it (user segments), who may edit
it (permission group), its content tags and whether it takes comments.

Settings are written by name in the front matter or in kb.yaml's ``defaults:`` (kb.spec.ARTICLE_SETTINGS) and
resolved to ids here, against lists read once per run. A name the Help Center does not know is a located error
(file:line:col of the front matter or kb.yaml key) before anything is written; a content tag that does not exist
yet is created only with ``--create-tags``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from base.suggest import suggest
from connectors.zendesk import HelpCenter
from kb.articles import Article
from kb.model import MAX_CONTENT_TAGS_PER_ACCOUNT, KbError, KbSpec, Setting
from kb.publish.remote import PublishError

#: Zendesk's built-in user segments have localised names; their user_type names them in any language.
BUILT_IN_SEGMENTS = ("signed_in_users", "staff")


@dataclass(frozen=True)
class Access:
    """Who may see and edit an article that names neither (kb.yaml's or csops.yaml's ids)."""

    permission_group_id: int | None
    user_segment_id: int | None


@dataclass
class Settings:
    """The run's resolver from setting names to Help Center ids. ``tag_ids`` grows as tags are created."""

    hc: HelpCenter
    spec: KbSpec
    access: Access
    _groups: list[dict[str, Any]] | None = None
    _segments: list[dict[str, Any]] | None = None
    tag_ids: dict[str, str] | None = None
    missing_tags: list[str] = field(default_factory=list)  # names to create (--create-tags), in first-use order
    _resolved: dict[tuple[str, Any], Any] = field(default_factory=dict)

    # -- the Help Center's lists, read once -------------------------------------------------------------------
    @property
    def groups(self) -> list[dict[str, Any]]:
        if self._groups is None:
            self._groups = self.hc.permission_groups()
        return self._groups

    @property
    def segments(self) -> list[dict[str, Any]]:
        if self._segments is None:
            self._segments = self.hc.user_segments()
        return self._segments

    def _tags(self) -> dict[str, str]:
        if self.tag_ids is None:
            self.tag_ids = {str(t["name"]): str(t["id"]) for t in self.hc.content_tags()}
        return self.tag_ids

    # -- checks before planning -------------------------------------------------------------------------------
    def check(self, articles: Iterable[Article], create_tags: bool) -> None:
        """Every article's settings resolve (else one KbError listing every located problem, exit 78); the
        kb-wide access settings exist. Content tags to create are kept in :attr:`missing_tags`."""
        self._check_access()
        problems: list[PublishError] = []
        ungrouped: list[str] = []
        for a in articles:
            settings = a.effective_settings(self.spec)
            for key, setting in settings.items():
                try:
                    self._resolve(key, setting, create_tags)
                except PublishError as exc:
                    problems.append(exc)
            if "permission_group" not in settings and self.access.permission_group_id is None:
                ungrouped.append(a.rel)
        if ungrouped:
            shown = ", ".join(ungrouped[:5]) + (f" and {len(ungrouped) - 5} more" if len(ungrouped) > 5 else "")
            problems.append(PublishError(
                f"permission_group_id is not set: put one of this Help Center's permission groups in kb.yaml "
                f"(permission_group_id, or defaults: {{permission_group: NAME}}): {self._group_names()}; "
                f"articles without one: {shown}", self.spec.file))
        if problems:
            unique = list({(str(p), p.line): p for p in problems}.values())
            raise KbError(list(unique))

    def _check_access(self) -> None:
        pg, us = self.access.permission_group_id, self.access.user_segment_id
        if pg is not None and pg not in {g["id"] for g in self.groups}:
            raise PublishError(f"permission_group_id {pg} does not exist in this Help Center; it has: "
                               f"{self._group_names()}", self.spec.file)
        if us is not None and us not in {s["id"] for s in self.segments}:
            raise PublishError(f"user_segment_id {us} does not exist; this Help Center has: "
                               f"{self._segment_names()} (or leave it empty: everyone)", self.spec.file)

    def _resolve(self, key: str, setting: Setting, create_tags: bool) -> Any:
        """The ids ``setting`` names (once per distinct value; a problem is raised at each place it is written)."""
        cache_key = (key, setting.value)
        if cache_key not in self._resolved:
            try:
                self._resolved[cache_key] = self._resolve_now(key, setting, create_tags)
            except PublishError as exc:
                self._resolved[cache_key] = exc
        found = self._resolved[cache_key]
        if isinstance(found, PublishError):
            raise PublishError(found.message, setting.file, setting.line, setting.col)
        return found

    def _resolve_now(self, key: str, setting: Setting, create_tags: bool) -> Any:
        if key == "permission_group":
            return self._group(setting)
        if key == "user_segments":
            return [self._segment(setting, x) for x in setting.value]
        if key == "content_tags":
            return [self._tag(setting, x, create_tags) for x in setting.value]
        return setting.value

    def _group(self, setting: Setting) -> int:
        for g in self.groups:
            if setting.value in (g["id"], g.get("name")):
                return int(g["id"])
        raise self._unknown(setting, "permission group", setting.value, [str(g.get("name")) for g in self.groups],
                            self._group_names())

    def _segment(self, setting: Setting, name: str | int) -> int:
        for s in self.segments:
            if name in (s["id"], s.get("name")) or (s.get("built_in") and name == s.get("user_type")):
                return int(s["id"])
        names = [str(s.get("name")) for s in self.segments] + list(BUILT_IN_SEGMENTS)
        raise self._unknown(setting, "user segment", name, names, self._segment_names())

    def _tag(self, setting: Setting, name: str, create: bool) -> str | None:
        tags = self._tags()
        if name in tags:
            return tags[name]
        if not create:
            raise PublishError(f"content_tags: '{name}' is not a content tag of this Help Center"
                               f"{suggest(name, tags)}; create it in Guide, or run kb publish --create-tags",
                               setting.file, setting.line, setting.col)
        if name not in self.missing_tags:
            if len(tags) + len(self.missing_tags) >= MAX_CONTENT_TAGS_PER_ACCOUNT:
                raise PublishError(f"content_tags: '{name}' would be content tag number "
                                   f"{len(tags) + len(self.missing_tags) + 1} of this Help Center, and Zendesk allows "
                                   f"{MAX_CONTENT_TAGS_PER_ACCOUNT} per account; use one it has{suggest(name, tags)}",
                                   setting.file, setting.line, setting.col)
            self.missing_tags.append(name)
        return None

    @staticmethod
    def _unknown(setting: Setting, what: str, name: Any, names: list[str], listing: str) -> PublishError:
        return PublishError(f"{what} '{name}' does not exist in this Help Center{suggest(str(name), names)}; it has: "
                            f"{listing}", setting.file, setting.line, setting.col)

    def _group_names(self) -> str:
        return ", ".join(f"{g['id']} ({g['name']})" for g in self.groups)

    def _segment_names(self) -> str:
        return ", ".join(f"{s['id']} ({s['name']})" for s in self.segments)

    # -- the fields sent ----------------------------------------------------------------------------------------
    def fields(self, a: Article) -> dict[str, Any]:
        """The article endpoint's fields for ``a``'s settings (after :meth:`check`; a content tag created in this
        run is in :attr:`tag_ids` by the time a write needs it)."""
        settings = a.effective_settings(self.spec)
        out: dict[str, Any] = {}
        group = settings.get("permission_group")
        out["permission_group_id"] = self._resolve("permission_group", group, False) if group else \
            self.access.permission_group_id
        segments = settings.get("user_segments")
        if segments is None:
            default = self.access.user_segment_id
            out["user_segment_ids"] = [] if default is None else [default]
        else:
            out["user_segment_ids"] = sorted(set(self._resolve("user_segments", segments, False)))
        tags = settings.get("content_tags")
        if tags is not None:
            known = self._tags()
            out["content_tag_ids"] = sorted(known.get(name, f"(to create: {name})") for name in tags.value)
        comments = settings.get("comments")
        if comments is not None:
            out["comments_disabled"] = not comments.value
        return out


def as_sent(fields: dict[str, Any]) -> dict[str, Any]:
    """The article endpoint's fields as sent: who may see the article as ``user_segment_id`` (null: everyone), which
    every plan takes, and as ``user_segment_ids`` only for more than one segment, which only Guide Enterprise takes
    (User Segments API). :meth:`Settings.fields` gives the list either way, so that a Help Center article with
    several segments is compared as a list."""
    ids = fields.get("user_segment_ids")
    if ids is None or len(ids) > 1:
        return fields
    out = {k: v for k, v in fields.items() if k != "user_segment_ids"}
    out["user_segment_id"] = ids[0] if ids else None
    return out


def normalized(field_name: str, value: Any) -> Any:
    """A field's value as compared between the Help Center and the files: lists of ids as sorted lists."""
    if field_name in ("user_segment_ids", "content_tag_ids"):
        return sorted(value or [])
    return value


def remote_fields(article: dict[str, Any]) -> dict[str, Any]:
    """The Help Center article's fields in the form :meth:`Settings.fields` gives them."""
    out = dict(article)
    if "user_segment_ids" not in out:
        seg = out.get("user_segment_id")
        out["user_segment_ids"] = [] if seg is None else [seg]
    return out
