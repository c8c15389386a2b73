"""The plan: from the local articles, kb.yaml and a snapshot of the Help Center, the typed steps that make the Help
Center match, in the order a run applies them. Planning reads (an article's attachments, at most once) and never
writes.

Order: categories and sections; which Help Center article each file is (by marker, stored id, --adopt; never
guessed); articles held back by kb check errors; new articles; changes to existing ones (metadata, then each
translation that differs and was not edited in the Help Center); files removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from base.errors import SourceError
from base.suggest import suggest
from kb.articles import HELP_CENTER_FIELDS, Article
from kb.model import ARTICLE_KEY, Category, KbError, KbSpec, Section
from kb.publish.bodies import CSOPS_FILE, Bodies
from kb.publish.ids import HelpCenterIds
from kb.publish.markers import body_hash, content_hash
from kb.publish.remote import Remote, RemoteTranslation
from kb.publish.settings import Settings, normalized, remote_fields
from kb.publish.steps import (
    Adopted,
    ArchiveArticle,
    AttachFiles,
    Blocked,
    Conflict,
    CreateArticle,
    CreateCategory,
    CreateContentTag,
    CreateSection,
    CreateTranslation,
    Drifted,
    Duplicate,
    Held,
    Removed,
    Renamed,
    SetRedirect,
    Skipped,
    Step,
    TranslateContainer,
    Unchanged,
    UpdateArticle,
    UpdateCategory,
    UpdateSection,
    UpdateTranslation,
)


@dataclass(frozen=True)
class Options:
    """What the writer asked for: ``only`` these article keys; write only the ``locale`` translations;
    ``force``: overwrite drifted translations and publish articles with check errors."""

    archive_removed: bool = False
    adopt: bool = False
    only: set[str] | None = None
    locale: str | None = None
    force: bool = False
    create_tags: bool = False
    replace_content_blocks: bool = False


@dataclass
class Entry:
    """One article (all its local translations) and which Help Center article it is."""

    key: str
    versions: list[Article]
    section: str  # category/section
    section_id: int | None  # on the Help Center now; None: its section is created in this run
    article_id: int | None = None
    how: str = "new"  # marker | stored | moved | adopt | new
    moved_from: str | None = None  # the key its marker names, when the file moved or was renamed since

    @property
    def source(self) -> Article:
        return self.versions[0]


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)  # the articles this run may write
    categories: dict[str, int] = field(default_factory=dict)  # kb id → Help Center id, of those that exist
    sections: dict[str, int] = field(default_factory=dict)  # category/section → Help Center id, likewise


#: The article endpoint's fields as the writer knows them: the front matter key of each of kb.articles'
#: HELP_CENTER_FIELDS, and the settings' names (kb.publish.settings).
SETTING_NAMES = {**{f.remote: f.key for f in HELP_CENTER_FIELDS},
                 "permission_group_id": "permission_group", "user_segment_id": "user segment",
                 "user_segment_ids": "user_segments", "content_tag_ids": "content_tags",
                 "comments_disabled": "comments"}


def metadata(a: Article, section_id: int | None, settings: Settings) -> dict[str, Any]:
    """What goes through the article endpoint: the article's fields there (kb.articles.HELP_CENTER_FIELDS),
    its section, its settings (who may see and edit it, content tags, comments)."""
    meta: dict[str, Any] = {f.remote: getattr(a, f.key) for f in HELP_CENTER_FIELDS
                            if not f.translation and getattr(a, f.key) is not None}
    if section_id is not None:
        meta["section_id"] = section_id
    return {**meta, **settings.fields(a)}


class Planner:
    def __init__(self, spec: KbSpec, remote: Remote, ids: HelpCenterIds, bodies: Bodies,
                 settings: Settings, redirects: dict[str, str] | None = None) -> None:
        self.spec, self.remote, self.ids, self.bodies, self.settings = spec, remote, ids, bodies, settings
        self.redirects = redirects or {}  # a removed article's key → where its URL leads

    def plan(self, articles: list[Article], options: Options) -> Plan:
        plan = Plan()
        self.tree(plan)
        plan.steps += [CreateContentTag(name) for name in self.settings.missing_tags]
        self.identify(plan, articles, options)
        self._link_ids(plan.entries.values())
        if not options.force:
            self._gate(plan)
        for entry in plan.entries.values():
            if entry.article_id is None:
                plan.steps.append(self._create(entry, options.locale))
        for entry in plan.entries.values():
            if entry.article_id is not None:
                plan.steps += self._changes(entry, options)
        if options.only is None:
            plan.steps += self._removed({a.key for a in articles}, options.archive_removed, plan)
        return plan

    # -- categories and sections --------------------------------------------
    def tree(self, plan: Plan) -> None:
        """Categories and sections by stored id (else by name): create, rename, move, translate."""
        for cat in sorted(self.spec.categories.values(), key=lambda c: c.position):
            texts = self._texts(cat.title, cat.description)
            cid = _find(self.remote.categories, self.ids.get("categories", cat.id), texts, self.remote, None)
            if cid is None:
                first_loc, (name, desc) = next(iter(texts.items()))
                plan.steps.append(CreateCategory(cat.id, first_loc, name, desc, cat.position))
            else:
                self.ids.set("categories", cat.id, cid)
                plan.categories[cat.id] = cid
                if self.remote.categories[cid].get("position") != cat.position:
                    plan.steps.append(UpdateCategory(cat.id, cid, cat.position))
            plan.steps += self._translations("categories", cat.id, cid, texts)
            for sec in _tree_order(cat):
                self._section(plan, cat, sec, cid)

    def _section(self, plan: Plan, cat: Category, sec: Section, cid: int | None) -> None:
        key = f"{cat.id}/{sec.id}"
        texts = self._texts(sec.title, sec.description)
        stored = self.ids.get("sections", key)
        if cid is not None:
            sid = _find(self.remote.sections, stored, texts, self.remote, cid)
        else:  # in a category created in this run: only its stored id can name it
            sid = stored if stored in self.remote.sections else None
        if sid is None:
            sid = self._moved_section(cat.id, sec.id)
        if sid is None:
            first_loc, (name, desc) = next(iter(texts.items()))
            plan.steps.append(CreateSection(cat.id, sec.id, first_loc, name, desc, sec.position, sec.parent))
        else:
            self.ids.set("sections", key, sid)
            plan.sections[key] = sid
            item = self.remote.sections[sid]
            moved = cid is None or item.get("category_id") != cid
            parent = plan.sections.get(f"{cat.id}/{sec.parent}") if sec.parent else None
            reparent = item.get("parent_section_id") != parent or (sec.parent is not None and parent is None)
            if moved or reparent or item.get("position") != sec.position:
                plan.steps.append(UpdateSection(cat.id, sec.id, sid,
                                                sec.position if item.get("position") != sec.position else None,
                                                cat.id if moved else None, reparent, sec.parent))
        plan.steps += self._translations("sections", key, sid, texts)

    def _moved_section(self, category: str, section: str) -> int | None:
        """A section kb.yaml moved to another category: helpcenter-ids.yaml has it under a key kb.yaml no longer
        has, with the same section id; it keeps its Help Center id (and its articles, their URLs)."""
        gone = [k for k, sid in self.ids.ids["sections"].items() if k.split("/")[-1] == section
                and self.spec.section(*k.split("/", 1)) is None and sid in self.remote.sections]
        if len(gone) != 1:
            return None
        sid = self.ids.ids["sections"][gone[0]]
        self.ids.rename("sections", gone[0], f"{category}/{section}")
        return sid

    def _texts(self, title: dict[str, str], description: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Help Center locale → (name, description), the default locale first."""
        hc_locale = self.bodies.hc_locale
        locs = sorted(hc_locale, key=lambda x: x != self.spec.locale)
        return {hc_locale[loc]: (self.spec.text(title, loc), self.spec.text(description, loc)) for loc in locs}

    def _translations(self, kind: str, ref: str, oid: int | None, texts: dict[str, tuple[str, str]]) -> list[Step]:
        """Names and descriptions go through translations; a container created in this run has its first."""
        if oid is None:
            first_loc, (name, desc) = next(iter(texts.items()))
            have = {first_loc: {"title": name, "body": desc}}
        else:
            have = self.remote.tree_translations.get(oid, {})
        out: list[Step] = []
        for loc, (name, desc) in texts.items():
            tr = have.get(loc)
            if tr is not None and tr.get("title") == name and (tr.get("body") or "") == desc:
                continue
            what = ("new translation",) if tr is None else tuple(w for w, differs in (
                ("name", tr.get("title") != name), ("description", (tr.get("body") or "") != desc)) if differs)
            out.append(TranslateContainer(kind, ref, loc, name, desc, what))
        return out

    # -- articles: identity -------------------------------------------------
    def identify(self, plan: Plan, articles: list[Article], options: Options) -> None:
        """Which Help Center article each key is: the one helpcenter-ids.yaml names for it, or its marker's; else
        an article whose file moved or was renamed (its marker names a file that is gone: the same slug, or the
        same content); else by --adopt; else new.

        Ambiguity is never guessed: two articles for one key, or an unmarked article with the same title in the
        same section, skip the key with a step saying how to resolve it."""
        groups: dict[str, list[Article]] = {}
        for a in articles:
            groups.setdefault(a.key, []).append(a)
        self.bodies.locales = {k: [v.locale for v in vs] for k, vs in groups.items()}
        local = set(groups)
        claims = self._claims(local)
        entries: list[Entry] = []
        for key, versions in groups.items():
            if options.only is not None and key not in options.only:
                continue
            versions.sort(key=lambda a: (a.locale != self.spec.locale, a.locale))
            section = f"{versions[0].category}/{versions[0].section}"
            entry = Entry(key, versions, section, plan.sections.get(section))
            duplicate = self._known(entry, claims)
            if duplicate is not None:
                plan.steps.append(duplicate)
            else:
                entries.append(entry)
        taken = set(claims) | {e.article_id for e in entries if e.article_id is not None}
        self._link_ids(entries)  # a moved file is recognised by what it renders to, links included
        orphans = [aid for aid in self.remote.articles if aid not in taken and self.remote.keys_of(aid)
                   and not self.remote.keys_of(aid) & local]
        gone: dict[int, list[str]] = {}  # article id → keys the ids file has for it whose file is gone
        for key, aid in self.ids.ids["articles"].items():
            if key not in local:
                gone.setdefault(aid, []).append(key)
        for entry in entries:
            if entry.article_id is None and not self._moved(entry, orphans):
                refusal = self._namesake(entry, options.adopt)
                if refusal is not None:
                    plan.steps.append(refusal)
                    if not isinstance(refusal, Adopted):
                        continue
            if entry.article_id is not None:
                self._keep_id(entry, gone)
            plan.entries[entry.key] = entry

    def _link_ids(self, entries: Iterable[Entry]) -> None:
        """The Help Center article each key's links lead to: its entry's, else its marker's."""
        self.bodies.ids = {e.key: e.article_id for e in entries if e.article_id is not None}
        self.bodies.ids.update({k: min(v) for k, v in self.remote.by_key.items() if k not in self.bodies.ids})

    def _claims(self, local: set[str]) -> dict[int, str]:
        """Live articles helpcenter-ids.yaml gives to a key that has its file (after ``kb mv`` among them)."""
        out: dict[int, str] = {}
        for key, aid in self.ids.ids["articles"].items():
            if key in local and aid in self.remote.articles:
                out.setdefault(aid, key)
        return out

    def _known(self, entry: Entry, claims: dict[int, str]) -> Step | None:
        """Set the entry's article when the ids file or a marker names it; a Duplicate step when two do."""
        key = entry.key
        marked = self.remote.by_key.get(key, set())
        mine = {aid for aid in marked if claims.get(aid, key) == key}
        stored = self.ids.get("articles", key)
        if stored is not None and claims.get(stored) == key:
            mine.add(stored)
        if len(mine) > 1:
            why = "carry this file's marker (two publishes at once?)" if mine <= marked else \
                "are this file's (one by helpcenter-ids.yaml, one by its marker)"
            return Duplicate(key, detail=(f"articles {', '.join(map(str, sorted(mine)))} on the Help Center {why}; "
                                          "archive all but one in Guide, then publish again"))
        if mine:
            entry.article_id = mine.pop()
            entry.how = "marker" if entry.article_id in marked else "stored"
            old = sorted(self.remote.keys_of(entry.article_id) - {key})
            entry.moved_from = old[0] if old and key not in self.remote.keys_of(entry.article_id) else None
        return None

    def _moved(self, entry: Entry, orphans: list[int]) -> bool:
        """An article whose marker names a file that is gone, and that is this file moved or renamed: the same
        slug (a slug is unique in the kb), else exactly the same content (title, body, draft)."""
        slug = [aid for aid in orphans if any(k.rsplit("/", 1)[-1] == entry.source.slug
                                              for k in self.remote.keys_of(aid))]
        found = slug if len(slug) == 1 else [aid for aid in orphans if self._same_content(entry.source, aid)]
        if len(found) != 1:
            return False
        entry.article_id, entry.how = found[0], "moved"
        entry.moved_from = self._old_key(found[0])
        orphans.remove(found[0])
        return True

    def _old_key(self, aid: int) -> str:
        """The key an article had: helpcenter-ids.yaml's (the latest), else its marker's."""
        stored = sorted(k for k, v in self.ids.ids["articles"].items() if v == aid)
        return stored[0] if stored else sorted(self.remote.keys_of(aid))[0]

    def _same_content(self, source: Article, aid: int) -> bool:
        have = self.remote.translations.get((aid, self.bodies.hc_locale[source.locale]))
        if have is None or have.marker is None or have.title != source.title:
            return False
        html = self.bodies.render(source, aid, new=False, look_up=False).html
        return have.marker.digest == content_hash(source.title, html, source.draft)

    def _namesake(self, entry: Entry, adopt: bool) -> Step | None:
        """An unmarked article with the same title in the same section: taken over with --adopt, else refused."""
        if entry.section_id is None or (clash := self.remote.unmarked(entry.section_id, entry.source.title)) is None:
            return None
        if not adopt:
            return Conflict(entry.key, entry.source.locale, (
                f"an article with the same title exists in that section without a csops marker "
                f"(id {clash['id']}); --adopt takes it over"))
        entry.article_id, entry.how = int(clash["id"]), "adopt"
        return Adopted(entry.key, entry.source.locale, f"article {clash['id']}")

    def _keep_id(self, entry: Entry, gone: dict[int, list[str]]) -> None:
        """helpcenter-ids.yaml names the article under its key now, and forgets a key whose file is gone."""
        assert entry.article_id is not None
        self.ids.set("articles", entry.key, entry.article_id)
        for old in gone.get(entry.article_id, ()):
            self.ids.rename("articles", old, entry.key)

    def _gate(self, plan: Plan) -> None:
        """Articles about to be written that have error-level ``kb check`` findings are held back (exit 3)."""
        from kb.check import check

        paths = [v.path for e in plan.entries.values() for v in e.versions if self._would_write(e, v)]
        if not paths:
            return
        errors: dict[str, list[str]] = {}
        for f in check(self.spec, paths).findings:
            if f.level == "error":
                errors.setdefault(f.path, []).append(f"{f.path}:{f.line}:{f.col} {f.rule}: {f.message}")
        for key, entry in list(plan.entries.items()):
            found = [m for v in entry.versions for m in errors.get(v.rel, [])]
            if found:
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                plan.steps.append(Blocked(key, detail=f"kb check: {found[0]}{more}; fix it, or --force publishes "
                                                      "anyway"))
                del plan.entries[key]

    def _would_write(self, entry: Entry, version: Article) -> bool:
        if entry.article_id is None:
            return True
        have = self.remote.translations.get((entry.article_id, self.bodies.hc_locale[version.locale]))
        if have is None or have.marker is None:
            return True
        html = self.bodies.render(version, entry.article_id, new=False, look_up=False).html
        return have.marker.digest != content_hash(version.title, html, version.draft)

    # -- articles: writes ---------------------------------------------------
    def _create(self, entry: Entry, locale: str | None) -> Step:
        source = entry.source
        if locale is not None and source.locale != locale:
            return Skipped(entry.key, source.locale, f"not on the Help Center yet, and its source locale is not "
                                                     f"{locale}")
        written = [v for v in entry.versions if v is source or locale is None or v.locale == locale]
        images = sum(len(self.bodies.render(v, None, new=True).uploads) for v in written)
        notify = source.effective_settings(self.spec).get("notify")
        return CreateArticle(entry.key, source.locale, entry.section, tuple(v.locale for v in written), images,
                             notify is not None and notify.value is True, len(source.attachments),
                             tuple(source.content_blocks))

    def _changes(self, entry: Entry, options: Options) -> list[Step]:
        """An existing article: its metadata, then each translation whose content differs — never one edited
        in the Help Center (drifted) unless ``force``."""
        assert entry.article_id is not None
        out: list[Step] = []
        have = self.remote.articles.get(entry.article_id, {})
        values = self._settings(entry, have, options.force, out)
        move_to = entry.section if entry.section_id is None or have.get("section_id") != entry.section_id else None
        if values or move_to:
            out.append(UpdateArticle(entry.key, entry.source.locale, entry.article_id, values, move_to,
                                     entry.moved_from))
        elif entry.how == "moved":
            out.append(Renamed(entry.key, entry.source.locale, f"from {entry.moved_from}; article "
                                                               f"{entry.article_id} keeps its URL"))
        files = self._files(entry)
        if files is not None:
            out.append(files)
        for version in entry.versions:
            if options.locale is None or version.locale == options.locale:
                out += self._version(entry, entry.article_id, version, options)
        if not out:
            out.append(Unchanged(entry.key))
        return out

    def _settings(self, entry: Entry, have: dict[str, Any], force: bool, out: list[Step]) -> dict[str, Any]:
        """The fields of the article endpoint to write. One that differs on the Help Center both from the file and
        from what csops last sent (helpcenter-ids.yaml) was changed in Guide: drifted, kept unless ``force``."""
        want = metadata(entry.source, None, self.settings)
        remote = remote_fields(have)
        sent = self.ids.sent.get(entry.key, {})
        values: dict[str, Any] = {}
        drifted: list[str] = []
        for name, value in want.items():
            now = normalized(name, remote.get(name))
            if now == normalized(name, value):
                self.ids.record(entry.key, {name: now})
            elif name in sent and normalized(name, sent[name]) != now and entry.how != "adopt":
                drifted.append(name)
            else:
                values[name] = value
        if drifted and not force:
            shown = ", ".join(SETTING_NAMES.get(n, n) for n in drifted)
            out.append(Drifted(entry.key, entry.source.locale, (
                f"settings changed in the Help Center ({shown}); kept. Write them into the front matter, or "
                "--force sets them back")))
        else:
            values.update({n: want[n] for n in drifted})
        return values

    def _files(self, entry: Entry) -> AttachFiles | None:
        """The block attachments to upload or delete, found by name (content hash): the Help Center's are read
        (once) only when helpcenter-ids.yaml does not already record the front matter's list as attached."""
        assert entry.article_id is not None
        want = {self.bodies.attachment_name(p): p for p in entry.source.attachments}
        recorded = self.ids.sent.get(entry.key, {}).get("attachments")
        if recorded is not None and sorted(recorded) == sorted(want):
            return None
        if recorded is None and not want:
            return None  # never given any: nothing csops attached to look for
        have = {str(a.get("file_name")): int(a["id"]) for a in self.bodies.hc.block_attachments(entry.article_id)}
        upload = tuple((n, str(p)) for n, p in want.items() if n not in have)
        delete = tuple(sorted((n, i) for n, i in have.items() if CSOPS_FILE.match(n) and n not in want))
        if not upload and not delete:
            self.ids.record(entry.key, {"attachments": sorted(want)})
            return None
        return AttachFiles(entry.key, entry.source.locale, entry.article_id, upload, delete)

    def _version(self, entry: Entry, aid: int, version: Article, options: Options) -> list[Step]:
        """One translation: nothing when it is as the file says, else its write (or why it is kept). Replacing the
        content blocks of one that has them overwrites what Guide shows of them (its body differs for them)."""
        force = options.force or bool(version.content_blocks and options.replace_content_blocks)
        rendered = self.bodies.render(version, aid, new=False)
        digest = content_hash(version.title, rendered.html, version.draft)
        have = self.remote.translations.get((aid, self.bodies.hc_locale[version.locale]))
        if have is None:
            return [CreateTranslation(entry.key, version.locale, aid, len(rendered.uploads))]
        if version.content_blocks and not options.replace_content_blocks:
            return self._with_blocks(entry, aid, version, have, body_hash(rendered.html))
        if have.marker is not None and have.marker.digest == digest and not (have.marker.sent and have.drifted()):
            return []
        if entry.how != "adopt" and have.drifted() and not force and not have.same_content(version, rendered.html):
            why = "the csops marker was removed" if have.marker is None else "its body differs from what csops sent"
            return [Drifted(entry.key, version.locale, (
                f"edited in the Help Center ({why}); kept. `kb pull {version.rel}` brings the edit into the file, "
                "--force overwrites it"))]
        return [UpdateTranslation(entry.key, version.locale, aid, tuple(have.changes(version, rendered.html)),
                                  len(rendered.uploads))]

    def _with_blocks(self, entry: Entry, aid: int, version: Article, have: RemoteTranslation,
                     body: str) -> list[Step]:
        """A translation whose Help Center body holds Guide content blocks: the API flattens them into text and a
        body written back would replace them, so only its title and draft are written; a body changed in the file
        is held (exit 3) until it is edited in Guide, or --replace-content-blocks."""
        out: list[Step] = []
        fields = tuple(f for f, differs in (("title", have.title != version.title),
                                            ("draft", have.draft != version.draft)) if differs)
        if fields:
            out.append(UpdateTranslation(entry.key, version.locale, aid, fields, body=False))
        if have.marker is None or have.marker.sent != body:
            blocks = ", ".join(version.content_blocks)
            out.append(Held(entry.key, version.locale, (
                f"「{version.title}」 uses Guide content blocks ({blocks}): its body is not written (the API would "
                "replace the blocks with their text); make the change in Guide, or --replace-content-blocks")))
        return out

    def _removed(self, local_keys: set[str], archive: bool, plan: Plan) -> list[Step]:
        """Articles whose file was removed (not moved: a moved file's article is its entry's): reported; archived
        only on request."""
        out: list[Step] = []
        kept = {e.article_id for e in plan.entries.values()} | set(self._claims(local_keys))
        for key, aids in sorted(self.remote.by_key.items()):
            if key in local_keys:
                continue
            for aid in sorted(aids - kept):
                target = self.redirects.get(key)
                if not archive:
                    more = f" and redirects its URL to {target}" if target else ""
                    out.append(Removed(key, detail=f"article {aid} is kept; --archive-removed archives it{more}"))
                    continue
                if target:
                    locales = tuple(sorted(loc for a, loc in self.remote.translations if a == aid))
                    out.append(SetRedirect(key, aid, locales, target))
                out.append(ArchiveArticle(key, aid))
        return out


def redirect_targets(spec: KbSpec, articles: list[Article]) -> dict[str, str]:
    """Where the URL of each removed article leads (kb.yaml's redirect_to, or the article whose front matter
    ``replaces`` it): a target that is no article here, or two targets for one key, is a located error (exit 78)."""
    keys = {a.key for a in articles}
    out: dict[str, str] = {}
    origin: dict[str, str] = {}
    problems: list[SourceError] = []
    for old, setting in spec.redirect_to.items():
        target = str(setting.value)
        if ARTICLE_KEY.match(target) and target not in keys:
            problems.append(SourceError(f"redirect_to.{old}: '{target}' is not an article of this knowledge base"
                                        f"{suggest(target, keys)}", setting.file, setting.line, setting.col))
        out[old], origin[old] = target, f"{setting.file}:{setting.line}"
    for a in articles:
        line, col = a.front_pos("replaces")
        for old in a.replaces:
            if out.get(old, a.key) != a.key:
                problems.append(SourceError(f"replaces: {old} already leads to {out[old]} ({origin[old]})", a.rel,
                                            line, col))
            out[old], origin[old] = a.key, f"{a.rel}:{line}"
    if problems:
        raise KbError(problems)
    return out


def _tree_order(cat: Category) -> list[Section]:
    """A category's sections, each before the sections nested in it, siblings by position."""
    out: list[Section] = []

    def visit(parent: str | None) -> None:
        for sec in sorted((s for s in cat.sections.values() if s.parent == parent), key=lambda s: s.position):
            out.append(sec)
            visit(sec.id)

    visit(None)
    return out


def _find(items: dict[int, dict[str, Any]], stored: int | None, texts: dict[str, tuple[str, str]],
          remote: Remote, category_id: int | None) -> int | None:
    """A category (or a section of ``category_id``) by its stored id, else by a name in any locale."""
    if stored is not None and stored in items:
        return stored
    names = {name for name, _ in texts.values()}
    for oid, item in items.items():
        if category_id is not None and item.get("category_id") != category_id:
            continue
        if item.get("name") in names or any(t.get("title") in names
                                             for t in remote.tree_translations.get(oid, {}).values()):
            return oid
    return None
