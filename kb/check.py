"""``kb check``: structure (front matter, headings, required sections, links, images) and writing rules."""

from __future__ import annotations

import functools
import gc
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kb import suppress
from kb.articles import Article, Finding, load_articles, rel_path
from kb.parallel import forked_map
from kb.placeholders import check_placeholders, required_headings
from kb.prose import Prose, extract, has_ja
from kb.spec import KbSpec, UserRule
from kb.writing import Emit, run_builtin, run_user_rules
from rules.yamlsrc import suggest

LEVEL_ORDER = {"error": 0, "warning": 1, "suggestion": 2, "info": 3}


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "error")


def heading_id(text: str) -> str:
    explicit = re.search(r"\{[^}]*#([\w-]+)[^}]*\}\s*$", text)
    if explicit:
        return explicit.group(1)
    from markdown.extensions.toc import slugify_unicode  # Python-Markdown costs start-up; few links have anchors

    plain = re.sub(r"[`*_~]|\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return str(slugify_unicode(plain, "-"))


def anchors(prose: Prose) -> set[str]:
    """Heading ids as the renderer makes them (slugify_unicode, _1 for repeats); computed once per article."""
    if prose.anchors is not None:
        return prose.anchors
    out: set[str] = set()
    for h in prose.headings:
        base = heading_id(h.text)
        anchor, n = base, 0
        while anchor in out:
            n += 1
            anchor = f"{base}_{n}"
        out.add(anchor)
    prose.anchors = out
    return out


def required_regex(required: list[str]) -> re.Pattern[str]:
    """markdownlint MD043's pattern: names in order; '*' any number, '+' one or more, 'name?' optional."""
    return _required_regex(tuple(required))


@functools.lru_cache(maxsize=64)
def _required_regex(required: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for item in required:
        if item == "*":
            parts.append(r"(?:[^\n]*\n)*")
        elif item == "+":
            parts.append(r"(?:[^\n]*\n)+")
        elif item.endswith("?"):
            parts.append(f"(?:{re.escape(item[:-1])}\\n)?")
        else:
            parts.append(f"{re.escape(item)}\\n")
    return re.compile("".join(parts))


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
    proses: dict[Path, Prose] = {}  # filled in each worker, for its own articles and the ones they link to

    def prose_of(a: Article) -> Prose:
        prose = proses.get(a.path)
        if prose is None:
            prose = proses[a.path] = extract(a.body, a.body_line)
        return prose

    by_path = {_norm(a.path): a for a in all_articles}
    slugs = {a.slug for a in all_articles}
    inside = _norm(os.path.realpath(spec.root)) + os.sep
    required = required_headings(spec)

    def check_one(a: Article) -> list[Finding]:
        prose = prose_of(a)
        out: list[Finding] = []

        def emit(line: int, col: int, rule: str, message: str) -> None:
            setting = spec.rules.get(rule)
            if setting is None or setting.enabled:
                out.append(Finding(a.rel, line, col, setting.level if setting else "error", rule, message))

        def emit_user(line: int, col: int, rule: UserRule, message: str) -> None:
            out.append(Finding(a.rel, line, col, rule.level, rule.id, message))

        _structure(spec, a, prose, emit, prose_of, by_path, slugs, inside)
        run_builtin(spec, prose, emit)
        run_user_rules(spec.user_rules, prose, emit_user)
        check_placeholders(a.body, a.body_line, required, emit, a.locale)
        return _unsuppressed(spec, a, out)

    for found in forked_map(check_one, selected, procs=workers):
        findings += found
    findings.sort(key=lambda f: (f.path, f.line, f.col, LEVEL_ORDER.get(f.level, 3), f.rule))
    return CheckResult(findings, selected)


def _unsuppressed(spec: KbSpec, a: Article, found: list[Finding]) -> list[Finding]:
    """The article's findings less the suppressed ones, plus a note for each suppression that silenced nothing."""
    if "-->" not in a.body and not a.disable:
        return found
    problems: list[Finding] = []
    sups = article_suppressions(spec, a, problems)
    return suppress.apply(found, sups) + suppress.unused(a.rel, sups) + problems


def article_suppressions(spec: KbSpec, a: Article, problems: list[Finding]) -> list[suppress.Suppression]:
    """The suppression comments in the body and the front matter's ``kb: {disable: […]}``."""
    known = set(spec.rules) | {r.id for r in spec.user_rules}
    substitutions = {r.id for r in spec.user_rules if r.kind == "substitution"}
    sups = suppress.parse(a.rel, a.body, a.body_line, known, substitutions, problems)
    if a.disable:
        line, col = a.front_pos("kb")
        rules = set()
        for name in a.disable:
            if name in known:
                rules.add(name)
            else:
                problems.append(Finding(a.rel, line, col, "warning", "unknown-suppression",
                                        f"kb.disable: no rule '{name}'{suggest(name, known)}"))
        if rules:
            sups.append(suppress.Suppression(line, col, f"kb: {{disable: [{', '.join(a.disable)}]}}",
                                             frozenset(rules), 1, 1 << 30))
    return sups


def _norm(path: Path | str) -> str:
    """An absolute, normalised path without touching the file system (resolve() costs a stat per part)."""
    return os.path.normpath(os.path.abspath(path))


def _expand(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        out += sorted(p.rglob("*.md")) if p.is_dir() else [p]
    return out


_ATTR_END = re.compile(r"\s*\{[^}]*\}\s*$")
_RAW_MARKER = re.compile(r"csops-source|data-csops-key", re.IGNORECASE)


def _raw_marker(a: Article, emit: Emit) -> None:
    """A publish marker copied into the source (from a published page) would claim another article's
    identity on the Help Center: always an error."""
    if not _RAW_MARKER.search(a.body):
        return
    for i, line in enumerate(a.body.split("\n")):
        m = _RAW_MARKER.search(line)
        if m:
            emit(a.body_line + i, m.start() + 1, "raw-marker", "a kb publish marker (csops-source span) is in the "
                 "article; delete it: publish adds its own")


def _structure(spec: KbSpec, a: Article, prose: Prose, emit: Emit, prose_of: Callable[[Article], Prose],
               by_path: dict[str, Article], slugs: set[str], inside: str) -> None:
    """The article's structure; ``inside`` is the kb folder's real path and a separator (what a link's
    real path must start with)."""
    _raw_marker(a, emit)
    # title
    if a.title:
        limit = int(spec.rules["title-length"].options["max" if has_ja(a.title) else "max_en"])
        if len(a.title) > limit:
            emit(*a.front_pos("title"), "title-length", f"title is {len(a.title)} characters long (max {limit})")
    # headings
    seen_siblings: dict[tuple[str, ...], set[str]] = {}
    stack: list[tuple[int, str]] = []
    previous = 1
    for h in prose.headings:
        if h.level == 1:
            emit(h.line, h.col, "heading-structure",
                 "the front matter title is the article's H1: start body headings at ##")
        elif h.level > previous + 1:
            emit(h.line, h.col, "heading-structure", f"heading level skips from H{previous} to H{h.level}")
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        parent = tuple(t for _, t in stack)
        siblings = seen_siblings.setdefault(parent, set())
        if h.text in siblings:
            emit(h.line, h.col, "heading-structure", f"duplicate heading '{h.text}' among its siblings")
        siblings.add(h.text)
        stack.append((h.level, h.text))
        previous = h.level
    # required sections of the type
    t = spec.types.get(a.type or "")
    required = t.required.get(a.locale) if t else None
    if t and required:
        h2 = [_ATTR_END.sub("", h.text) if "{" in h.text else h.text for h in prose.headings if h.level == 2]
        if not required_regex(required).fullmatch("".join(x + "\n" for x in h2)):
            want = " → ".join(required)
            line = next((h.line for h in prose.headings if h.level == 2), a.body_line)
            emit(line, 1, "required-sections", f"a '{t.id}' article needs the sections {want} "
                                               f"(found: {', '.join(h2) or 'none'})")
    # links and images
    for link in prose.links:
        target = link.target.strip()
        if link.image:
            if not link.text.strip():
                emit(link.line, link.col, "image-alt", "image has no alt text: ![what it shows](…)")
        elif not link.text.strip(" `*_"):
            emit(link.line, link.col, "empty-link", "link has no text")
        if not target:
            emit(link.line, link.col, "empty-link", "link has no target")
            continue
        parts = urlsplit(target)
        if parts.scheme or target.startswith("//"):
            continue
        path_part, fragment = unquote(parts.path), parts.fragment
        if not path_part:
            if fragment and fragment not in anchors(prose):
                emit(link.line, link.col, "internal-link", f"no heading with the anchor '#{fragment}' in this article")
            continue
        resolved = _norm(os.path.join(a.path.parent, path_part))
        real = os.path.realpath(resolved)  # symlinks followed: a link out of images/ is outside too
        if not real.startswith(inside):
            emit(link.line, link.col, "image-exists" if link.image else "internal-link",
                 f"'{path_part}' leads outside the knowledge base ({real}); csops never reads it: "
                 "copy the file under the kb folder")
            continue
        if link.image:
            if not os.path.exists(resolved):
                emit(link.line, link.col, "image-exists", f"image '{path_part}' not found "
                                                          f"({rel_path(spec, Path(resolved))})")
            continue
        if path_part.endswith(".md"):
            other = by_path.get(resolved)
            if other is None:
                name = posixpath.basename(path_part)[:-3]
                hint = " (an article with that slug exists elsewhere: fix the relative path)" if name in slugs else ""
                emit(link.line, link.col, "internal-link", f"linked article '{path_part}' not found{hint}")
            elif fragment and fragment not in anchors(prose_of(other)):
                emit(link.line, link.col, "internal-link", f"no heading with the anchor '#{fragment}' in {other.rel}")
        elif not os.path.exists(resolved):
            emit(link.line, link.col, "internal-link", f"linked file '{path_part}' not found")
