"""``kb publish``: make the Help Center match kb/ — plan first, write only what changed, overwrite no one.

    markers.py  the marker in every published translation, and its hashes
    remote.py   what the Help Center holds now (read before planning), its setup checks
    ids.py      helpcenter-ids.yaml, the Help Center ids kept beside kb.yaml
    bodies.py   bodies for the Help Center: cached renders, links and images resolved
    steps.py    the plan's typed steps
    plan.py     the plan: local files + the Help Center's snapshot → steps (reads only)
    apply.py    each step's write, and the report
    report.py   what a run did, or a dry run would do

``--dry-run`` prints the plan; a real run applies the same steps in the same order and prints those it got
through (all of them, unless a write failed).

Identity.  Each published translation ends with a hidden marker (markers.py): the file it came from and what
csops sent.  A fresh clone finds every article by its marker, so it never creates a duplicate.  The first publish
also writes ``helpcenter-ids.yaml`` beside kb.yaml (ids.py): a category renamed in kb.yaml is renamed on the Help
Center, and an article whose marker an editor removed is still recognised.  Two articles with one marker (two
publishes at once from two machines) are reported, never written.

Drift.  A remote body whose hash differs from what csops sent was edited in the Help Center: the plan shows it as
``drifted`` and leaves it alone (exit 3) unless ``--force``; ``kb pull PATH`` brings the edit back into Markdown.

Locales.  kb locales map to the Help Center's enabled locales (``en`` → ``en-us``); categories and sections get a
translation in every locale, since Zendesk hides an article whose section or category is not translated into its
locale.  Images are inline attachments of one article translation (Zendesk deletes one its body no longer
embeds), named by content hash and found again in the bodies or, after an interrupted run, among the article's
attachments.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from base.errors import SourceError
from connectors.zendesk import HelpCenter
from kb.articles import Article, Finding, load_articles
from kb.model import KbError, KbSpec
from kb.paths import escapes
from kb.publish.apply import Applier
from kb.publish.bodies import Bodies, RenderCache
from kb.publish.ids import IDS_FILE, HelpCenterIds
from kb.publish.markers import Marker, canonical, find_marker, strip_markers
from kb.publish.plan import Options, Plan, Planner, redirect_targets
from kb.publish.remote import PublishError, RemoteTranslation, check_locales, map_locales, read_remote
from kb.publish.report import PublishReport
from kb.publish.settings import Access, Settings
from kb.publish.steps import Outcome, Step, Unchanged
from kb.site import outside_references, structural_errors

__all__ = ["IDS_FILE", "HelpCenterIds", "Marker", "Options", "PublishError", "PublishReport", "Publisher",
           "RemoteTranslation", "Step", "Unchanged", "canonical", "find_marker", "map_locales", "strip_markers"]


class Publisher:
    def __init__(self, spec: KbSpec, hc: HelpCenter, base_url: str, permission_group_id: int | None,
                 user_segment_id: int | None, progress: Callable[[str], None] | None = None,
                 cache_dir: Path | None = None) -> None:
        self.spec, self.hc, self.base_url = spec, hc, base_url.rstrip("/")
        self.access = Access(permission_group_id, user_segment_id)
        self.progress = progress
        self.renders = RenderCache((cache_dir or spec.root / ".cache") / "render.json")

    def load(self) -> list[Article]:
        """The articles, refused (exit 78) as ``kb build`` refuses them: structural errors, or a link or
        image leading outside the knowledge base (never read).  The outside check runs on the cached
        render's URL list; the located messages are made only for an article that has one."""
        articles, findings = load_articles(self.spec)
        errors = structural_errors(findings)
        for a in articles:
            _, urls = self.renders.get(a.body, a.locale)
            bad = [u for u, _ in urls if escapes(self.spec.root, a.path, u) is not None]
            if bad:
                errors += outside_references(self.spec, a) or [Finding(
                    a.rel, a.body_line, 1, "error", "internal-link",
                    f"'{bad[0]}' leads outside the knowledge base; csops never reads it")]
        if errors:
            raise KbError([SourceError(f"{f.rule}: {f.message}", f.path, f.line, f.col) for f in errors])
        return articles

    def planner(self, articles: list[Article], options: Options | None = None) -> Planner:
        """After checking the Help Center's setup and every article's settings (exit 78 when they are wrong), a
        planner over a snapshot of it."""
        redirects = redirect_targets(self.spec, articles)
        settings = Settings(self.hc, self.spec, self.access)
        settings.check(articles, (options or Options()).create_tags)
        mapping = check_locales(self.hc, self.spec, articles)
        remote = read_remote(self.hc, sorted(set(mapping.values())))
        ids = HelpCenterIds(self.spec.root, self.hc.client.base_url)
        return Planner(self.spec, remote, ids, Bodies(self.spec, self.hc, self.renders, self.base_url, mapping,
                                                      remote), settings, redirects)

    def publish(self, options: Options | None = None, dry_run: bool = False) -> PublishReport:
        """The plan (a dry run), or the plan applied; ``api_calls`` counts both."""
        options = options or Options()
        before = self.hc.client.session.stats.snapshot().get("zendesk", 0)
        try:
            articles = self.load()
            planner = self.planner(articles, options)
            if dry_run:
                report = PublishReport.planned(planner.plan(articles, options).steps)
            else:
                try:
                    report = Applier(self.hc, planner, planner.plan(articles, options), self.progress).apply()
                finally:
                    planner.ids.save()
        finally:
            self.renders.save()
        report.api_calls = self.hc.client.session.stats.snapshot().get("zendesk", 0) - before
        return report

    def remote_version(self, path: Path) -> tuple[Article, RemoteTranslation, dict[int, Article]]:
        """For ``kb pull PATH``: the file's article, its translation on the Help Center now, and every
        local article translation by Help Center article id in the file's locale (to make links relative)."""
        articles = self.load()
        wanted = path.resolve()
        article = next((a for a in articles if a.path.resolve() == wanted), None)
        if article is None:
            raise PublishError("not an article of this knowledge base", str(path))
        planner = self.planner(articles)
        plan = Plan()
        planner.tree(plan)
        planner.identify(plan, articles, Options())
        entry = plan.entries.get(article.key)
        hc_locale = planner.bodies.hc_locale[article.locale]
        have = planner.remote.translations.get((entry.article_id, hc_locale)) \
            if entry is not None and entry.article_id is not None else None
        if have is None:
            why = next((s.detail for s in plan.steps if isinstance(s, Outcome) and s.key == article.key
                        and s.detail), "")
            raise PublishError(f"not on the Help Center in {hc_locale}" + (f": {why}" if why else ""), str(path))
        by_id: dict[int, Article] = {}
        for e in plan.entries.values():
            if e.article_id is not None:
                by_id[e.article_id] = next((v for v in e.versions if v.locale == article.locale), e.source)
        return article, have, by_id
