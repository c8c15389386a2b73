"""Applying a plan: each step's write, in the plan's order, and the report of what was done.

A failed write to one article (any connector error but an authentication failure or an exhausted budget, which
stop the run) fails that article only: its remaining steps are not attempted and the run goes on (exit 3;
running again resumes without duplicates). A failed write to a category or section stops the run.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from base.errors import Failure
from connectors.http import AuthenticationFailed, BudgetExhausted, ConnectorError, RequestRejected
from connectors.zendesk import HelpCenter
from kb.articles import Article
from kb.model import ARTICLE_KEY
from kb.publish.markers import body_hash, content_hash, marker
from kb.publish.plan import Plan, Planner, metadata
from kb.publish.remote import PublishError
from kb.publish.report import PublishReport, refused
from kb.publish.settings import as_sent, normalized
from kb.publish.steps import (
    ArchiveArticle,
    AttachFiles,
    CreateArticle,
    CreateCategory,
    CreateContentTag,
    CreateSection,
    CreateTranslation,
    Drifted,
    Held,
    SetRedirect,
    Step,
    TranslateContainer,
    Unchanged,
    UpdateArticle,
    UpdateCategory,
    UpdateSection,
    UpdateTranslation,
)

log = logging.getLogger("csops.kb.publish")

#: An existing article's steps.
_CHANGES = (UpdateArticle, AttachFiles, CreateTranslation, UpdateTranslation, Drifted, Held, Unchanged)


class Applier:
    def __init__(self, hc: HelpCenter, planner: Planner, plan: Plan,
                 progress: Callable[[str], None] | None = None) -> None:
        self.hc, self.plan, self.progress = hc, plan, progress or (lambda _: None)
        self.spec, self.ids, self.bodies, self.settings = planner.spec, planner.ids, planner.bodies, planner.settings
        self.categories, self.sections = dict(plan.categories), dict(plan.sections)
        self.report = PublishReport(failed=refused(plan.steps))
        self.created: list[tuple[CreateArticle, int, bool]] = []  # the step, the new id, created complete

    def apply(self) -> PublishReport:
        steps = self.plan.steps
        last_create = max((i for i, s in enumerate(steps) if isinstance(s, CreateArticle)), default=-1)
        for i, step in enumerate(steps):
            if isinstance(step, (*_CHANGES, ArchiveArticle)) and step.key in self.report.failed:
                continue  # an earlier write to this article failed (its redirect: it is not archived then)
            self.report.steps.append(step)
            self._apply(step)
            if i == last_create:
                self._finish_created()
        return self.report

    def _apply(self, step: Step) -> None:
        if isinstance(step, (CreateCategory, CreateSection, UpdateCategory, UpdateSection, TranslateContainer,
                             CreateContentTag)):
            self._tree(step)
        elif isinstance(step, (CreateArticle, UpdateArticle, AttachFiles, CreateTranslation, UpdateTranslation)):
            try:
                with self._article(step.key, "creating " if isinstance(step, CreateArticle) else ""):
                    if isinstance(step, CreateArticle):
                        self._create(step)
                    else:
                        self._change(step)
            except _Failed:
                return
        elif isinstance(step, (ArchiveArticle, SetRedirect)):
            try:
                with self._article(step.key, "archiving " if isinstance(step, ArchiveArticle) else "redirecting "):
                    if isinstance(step, SetRedirect):
                        self._redirect(step)
                    else:
                        self.hc.archive_article(step.article_id)
            except _Failed:
                return
        else:
            return  # a decision: nothing to write
        self.report.done.append(step)

    @contextmanager
    def _article(self, key: str, doing: str = "") -> Iterator[None]:
        """A write to one article: a connector error fails the article, not the run (unless it is about the
        credentials or the budget, which every later call would meet too)."""
        try:
            yield
        except (AuthenticationFailed, BudgetExhausted):
            raise
        except ConnectorError as exc:
            self.report.failed.append(key)
            log.warning("kb publish: %s%s failed: %s", doing, key, exc)
            raise _Failed from None

    # -- categories and sections --------------------------------------------
    def _tree(self, step: Step) -> None:
        try:
            self._tree_write(step)
        except RequestRejected as exc:
            nested = (isinstance(step, CreateSection) and step.parent) or (isinstance(step, UpdateSection) and \
                step.reparent and step.parent)
            if not nested or exc.status != 422:
                raise
            assert isinstance(step, (CreateSection, UpdateSection))
            sec = self.spec.section(step.category, step.section)
            raise PublishError(f"section {step.category}/{step.section} is nested in {step.parent}, and this Help "
                               f"Center refuses nested sections (Guide Enterprise only): {exc}", self.spec.file,
                               sec.line if sec else None) from None

    def _tree_write(self, step: Step) -> None:
        if isinstance(step, CreateCategory):
            made = self.hc.create_category(step.name, step.description, step.position, step.locale)
            self.categories[step.category] = int(made["id"])
            self.ids.set("categories", step.category, int(made["id"]))
        elif isinstance(step, CreateSection):
            parent = self.sections[f"{step.category}/{step.parent}"] if step.parent else None
            made = self.hc.create_section(self.categories[step.category], step.name, step.description,
                                          step.position, step.locale, parent)
            self.sections[step.key] = int(made["id"])
            self.ids.set("sections", step.key, int(made["id"]))
        elif isinstance(step, UpdateCategory):
            self.hc.update_category(step.category_id, position=step.position)
        elif isinstance(step, UpdateSection):
            fields: dict[str, int | None] = {"position": step.position} if step.position is not None else {}
            if step.move_to is not None:
                fields["category_id"] = self.categories[step.move_to]
            if step.reparent:
                fields["parent_section_id"] = self.sections[f"{step.category}/{step.parent}"] if step.parent else None
            self.hc.update_section(step.section_id, **fields)
        elif isinstance(step, TranslateContainer):
            oid = (self.categories if step.kind == "categories" else self.sections)[step.ref]
            write = self.hc.create_container_translation if step.new else self.hc.update_container_translation
            write(step.kind, oid, step.locale, step.name, step.description)
        elif isinstance(step, CreateContentTag):
            made = self.hc.create_content_tag(step.name)
            assert self.settings.tag_ids is not None  # read when the plan found the tag missing
            self.settings.tag_ids[step.name] = str(made["id"])

    # -- articles -----------------------------------------------------------
    def _create(self, step: CreateArticle) -> None:
        """Pass 1: the article with its final body and draft flag in one call when every link resolves and no
        image needs uploading; else as a draft, finished by :meth:`_finish_created`."""
        source = self.plan.entries[step.key].source
        section_id = self.sections[step.section]
        rendered = self.bodies.render(source, None, new=True)
        final = not rendered.pending
        digest = content_hash(source.title, rendered.html, source.draft) if final else ""
        body = rendered.html + marker(step.key, digest, body_hash(rendered.html) if final else "")
        meta = metadata(source, section_id, self.settings)
        created = self.hc.create_article(section_id, {
            "title": source.title, "locale": self.bodies.hc_locale[source.locale],
            "draft": source.draft if final else True, "body": body, **as_sent(meta)}, notify_subscribers=step.notify)
        aid = self.bodies.ids[step.key] = int(created["id"])
        self.ids.set("articles", step.key, aid)
        self._sent(step.key, meta)
        if source.attachments:
            self._attach(AttachFiles(step.key, step.locale, aid, tuple((self.bodies.attachment_name(p), str(p))
                                                                      for p in source.attachments)))
        self.created.append((step, aid, final))
        self.progress(step.key)

    def _finish_created(self) -> None:
        """Pass 2 for the articles created in this run, now that every one of them has an id: the source's final
        body where pass 1 could not write it, and the other translations."""
        for step, aid, final in self.created:
            entry = self.plan.entries[step.key]
            try:
                with self._article(step.key):
                    for version in (v for v in entry.versions if v.locale in step.locales):
                        if version is entry.source and final:
                            continue
                        self._write_translation(step.key, aid, version, new=True,
                                                create=version is not entry.source)
            except _Failed:
                continue

    def _attach(self, step: AttachFiles) -> None:
        """Block attachments up (or away), then the list recorded as attached (helpcenter-ids.yaml)."""
        for name, path in step.upload:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.hc.upload_attachment(step.article_id, name, Path(path).read_bytes(), content_type, inline=False)
            self.report.attachments_uploaded += 1
        for _, attachment_id in step.delete:
            self.hc.delete_attachment(attachment_id)
        entry = self.plan.entries[step.key]
        self.ids.record(step.key, {"attachments": sorted(self.bodies.attachment_name(p)
                                                         for p in entry.source.attachments)})

    def _change(self, step: UpdateArticle | AttachFiles | CreateTranslation | UpdateTranslation) -> None:
        if isinstance(step, AttachFiles):
            self._attach(step)
            return
        if isinstance(step, UpdateArticle):
            fields = dict(step.values)
            if "content_tag_ids" in fields:  # a tag created in this run has its id now
                fields["content_tag_ids"] = self.settings.fields(self.plan.entries[step.key].source)["content_tag_ids"]
            if step.move_to is not None:
                fields["section_id"] = self.sections[step.move_to]
            self.hc.update_article_metadata(step.article_id, **as_sent(fields))
            self._sent(step.key, fields)
            return
        version = next(v for v in self.plan.entries[step.key].versions if v.locale == step.locale)
        if isinstance(step, UpdateTranslation) and not step.body:  # a body with Guide content blocks is left
            self.hc.update_translation(step.article_id, self.bodies.hc_locale[version.locale], title=version.title,
                                       draft=version.draft)
            return
        self._write_translation(step.key, step.article_id, version, new=False,
                                create=isinstance(step, CreateTranslation))

    def _redirect(self, step: SetRedirect) -> None:
        """One rule per URL of the removed article: to the same locale of the target article when it has one."""
        for loc in step.locales:
            self.hc.set_redirect_rule(f"/hc/{loc}/articles/{step.article_id}", self._target_url(step.target, loc))

    def _target_url(self, target: str, locale: str) -> str:
        if not ARTICLE_KEY.match(target):
            return target  # a URL or a path, as written
        entry = self.plan.entries.get(target)
        mine = [self.bodies.hc_locale[v.locale] for v in entry.versions] if entry else [locale]
        return f"/hc/{locale if locale in mine else mine[0]}/articles/{self.bodies.ids[target]}"

    def _sent(self, key: str, fields: dict[str, Any]) -> None:
        """Record the settings just written (helpcenter-ids.yaml), so a later change in Guide shows as drift."""
        self.ids.record(key, {k: normalized(k, v) for k, v in fields.items() if k != "section_id"})

    def _write_translation(self, key: str, aid: int, version: Article, new: bool, create: bool) -> None:
        html = self._final_html(version, aid, new)
        body = html + marker(key, content_hash(version.title, html, version.draft), body_hash(html))
        loc = self.bodies.hc_locale[version.locale]
        if create:
            self.hc.create_translation(aid, loc, version.title, body, version.draft)
        else:
            self.hc.update_translation(aid, loc, title=version.title, body=body, draft=version.draft)

    def _final_html(self, version: Article, aid: int, new: bool) -> str:
        """The body with its images uploaded first (as inline attachments of this translation)."""
        rendered = self.bodies.render(version, aid, new)
        if not rendered.uploads:
            return rendered.html
        loc = self.bodies.hc_locale.get(version.locale, version.locale)
        for digest, path in rendered.uploads.items():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            uploaded = self.hc.upload_attachment(aid, f"{digest}-{path.name}", path.read_bytes(), content_type, loc)
            self.bodies.uploaded(aid, loc, digest, uploaded)
            self.report.images_uploaded += 1
        return self.bodies.render(version, aid, new).html


class _Failed(Failure):
    """A write to one article failed (reported and logged): the rest of that article's steps are skipped."""
