"""``kb check``: structure (front matter, headings, required sections, links, images) and writing rules."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb import suppress
from kb.articles import Article, Finding, load_article, load_articles
from kb.fix import fixers, with_edits
from kb.model import KbSpec, UserRule
from kb.parallel import forked_map
from kb.prose import Block, Prose, extract, pack
from kb.spec import required_headings
from kb.writing import RULES, Corpus, Ctx, enabled, run_builtin, run_user_rules
from kb.writing.base import norm_path

TITLE_KINDS = ("substitution", "dictionary", "existence")  # the team's rules that read titles as well
LEVEL_ORDER = {"error": 0, "warning": 1, "suggestion": 2, "info": 3}


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "error")


def check(spec: KbSpec, paths: list[Path] | None = None, workers: int | None = None) -> CheckResult:
    """Every rule over the articles (all, or those under ``paths``), on ``workers`` processes (default: every
    usable core, for 200 articles or more).

    The cyclic garbage collector is paused meanwhile: the run makes hundreds of thousands of small objects
    (blocks, sentences, tokens) and no cycles worth collecting; its passes over them cost about a quarter of
    the CPU time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(spec, paths, workers)
    finally:
        if collecting:
            gc.enable()


def _check(spec: KbSpec, paths: list[Path] | None, workers: int | None) -> CheckResult:
    all_articles, findings = load_articles(spec)
    selected = all_articles
    if paths:
        wanted = {p.resolve() for p in _expand(paths)}
        selected = [a for a in all_articles if a.path.resolve() in wanted]
        findings = [f for f in findings if (spec.root.parent / f.path).resolve() in wanted]
    checker = Checker(spec, all_articles)
    for found in forked_map(checker.check_one, selected, procs=workers):
        findings += found
    findings.sort(key=sort_key)
    return CheckResult(findings, selected)


def sort_key(f: Finding) -> tuple[str, int, int, int, str]:
    return f.path, f.line, f.col, LEVEL_ORDER.get(f.level, 3), f.rule


class Checker:
    """Every rule over one article at a time, against the rest of the knowledge base (``articles``: for links and
    anchors). ``kb check`` makes one per run; ``kb lsp`` keeps one and replaces an article when its file is saved."""

    def __init__(self, spec: KbSpec, articles: list[Article]) -> None:
        self.spec = spec
        self.proses: dict[Path, Prose] = {}  # filled in each worker, for its own articles and the ones they link to
        self.corpus = Corpus({norm_path(a.path): a for a in articles}, {a.slug for a in articles},
                             norm_path(os.path.realpath(spec.root)) + os.sep, self.prose_of, required_headings(spec))
        self.rules = enabled(spec)
        self.table = fixers(spec)
        # the team's word rules read the title too (a brand misspelt there is the first thing readers see)
        self.title_rules = [replace(r, scope="article") for r in spec.user_rules if r.kind in TITLE_KINDS]

    def prose_of(self, a: Article) -> Prose:
        prose = self.proses.get(a.path)
        if prose is None:
            prose = self.proses[a.path] = extract(a.body, a.body_line)
        return prose

    def replace(self, a: Article) -> None:
        """The article as it is now on disk (another article's links and anchors are checked against it)."""
        self.corpus.by_path[norm_path(a.path)] = a
        self.corpus.slugs.add(a.slug)
        self.proses.pop(a.path, None)

    def check_one(self, a: Article, prose: Prose | None = None) -> list[Finding]:
        """The article's findings (its prose given when it is not the corpus's: an editor's unsaved text)."""
        spec = self.spec
        out: list[Finding] = []

        def emit(line: int, col: int, rule: str, message: str) -> None:
            setting = spec.rules.get(rule)
            if setting is None:  # a locked rule
                out.append(Finding(a.rel, line, col, RULES[rule].level, rule, message))
            elif setting.enabled:
                out.append(Finding(a.rel, line, col, setting.level, rule, message))

        def emit_user(line: int, col: int, rule: UserRule, message: str) -> None:
            out.append(Finding(a.rel, line, col, rule.level, rule.id, message))

        prose = prose or self.prose_of(a)
        run_builtin(Ctx(spec, a, prose, self.corpus, emit), self.rules)
        run_user_rules(spec.user_rules, prose, emit_user)
        at = a.title_at() if self.title_rules else None
        if at is not None:
            title = Block("paragraph")
            title.append(a.title, pack(*at))
            run_user_rules(self.title_rules, Prose(blocks=[title]), emit_user)
        return with_edits(spec, a, _unsuppressed(spec, a, out), self.table)


def check_text(checker: Checker, path: Path, text: str) -> list[Finding]:
    """The findings of one article as an editor holds it (``text``, saved or not), sorted."""
    article, findings = load_article(checker.spec, path, text)
    if article is not None:
        findings += checker.check_one(article, extract(article.body, article.body_line))
    return sorted(findings, key=sort_key)


def _unsuppressed(spec: KbSpec, a: Article, found: list[Finding]) -> list[Finding]:
    """The article's findings less the suppressed ones, plus a note for each suppression that silenced nothing."""
    if "-->" not in a.body and not a.disable:
        return found
    problems: list[Finding] = []
    sups = suppress.for_article(spec, a, problems)
    return suppress.apply(found, sups) + suppress.unused(a.rel, sups, spec.say) + problems


def _expand(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        out += sorted(p.rglob("*.md")) if p.is_dir() else [p]
    return out
