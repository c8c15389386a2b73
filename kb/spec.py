"""kb.yaml: locales, the category tree, article types and their required sections, writing rules.

Validated like every user-written file here: unknown keys get a suggestion,
and each message names ``kb.yaml:line:col``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceError, SourceErrors
from base.regex import UnsupportedPattern, user_regex
from base.suggest import suggest
from base.yamlsrc import Document, PathKey, load_file, load_text

LEVELS = ("error", "warning", "suggestion")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: An article's Help Center settings: a front matter key each, with defaults in kb.yaml (``defaults:`` at the top,
#: in a category, in a section and its parent sections); the front matter wins, then the nearest default.
ARTICLE_SETTINGS = ("notify", "user_segments", "permission_group", "content_tags", "comments")


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
    if key in ("notify", "comments"):
        return value, None if isinstance(value, bool) else f"{key}: expected true or false, got {value!r}"
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
    return tuple(x.strip() if isinstance(x, str) else x for x in items), None


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
    doc: Document | None = field(default=None, repr=False)

    @property
    def language(self) -> str:
        """The language of kb's messages and docs for this knowledge base: ``ja`` or ``en``."""
        return "ja" if self.locale.split("-")[0] == "ja" else "en"

    def section(self, category: str, section: str) -> Section | None:
        cat = self.categories.get(category)
        return cat.sections.get(section) if cat else None

    def type_for(self, category: str, section: str) -> str | None:
        sec = self.section(category, section)
        cat = self.categories.get(category)
        return (sec.default_type if sec else None) or (cat.default_type if cat else None) or self.default_type

    def defaults_for(self, category: str, section: str) -> dict[str, Setting]:
        """kb.yaml's setting defaults for an article there: the top's, the category's, then each section's from
        the outermost to the article's own, the nearer over the farther."""
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


class _Ck:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[SourceError] = []

    def err(self, path: PathKey, message: str) -> None:
        self.problems.append(self.doc.error(path, message))

    def keys(self, value: Any, path: PathKey, known: tuple[str, ...], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.err(path, f"{what}: expected a mapping")
            return {}
        for k in value:
            if k not in known:
                self.err((*path, k), f"unknown key '{k}' in {what}{suggest(str(k), known)}")
        return value

    def defaults(self, value: Any, path: PathKey) -> dict[str, Setting]:
        """``defaults:`` of the top, a category or a section: article settings, each checked and located."""
        out: dict[str, Setting] = {}
        for key, v in self.keys(value, path, ARTICLE_SETTINGS, "defaults").items() if value is not None else ():
            if key not in ARTICLE_SETTINGS:
                continue
            parsed, problem = parse_setting(key, v)
            if problem:
                self.err((*path, key), problem)
                continue
            line, col = self.doc.pos((*path, key))
            out[key] = Setting(parsed, self.doc.file or "kb.yaml", line or 1, col or 1)
        return out

    def localized(self, value: Any, path: PathKey, locales: list[str], what: str) -> dict[str, str]:
        if value is None:
            return {}
        if isinstance(value, str):
            return {locales[0]: value}
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k not in locales:
                    self.err((*path, k), f"{what}: locale '{k}' is not in locales ({', '.join(locales)})"
                                         f"{suggest(str(k), locales)}")
                out[str(k)] = str(v)
            return out
        self.err(path, f"{what}: expected text, or text per locale")
        return {}


def load_spec(root: Path, text: str | None = None) -> KbSpec:
    """kb.yaml in ``root`` (its ``text`` as an editor holds it, when given)."""
    path = root / "kb.yaml"
    doc = load_file(path) if text is None else load_text(text, str(path))
    ck = _Ck(doc)
    data = ck.keys(doc.data, (), ("locale", "locales", "title", "categories", "types", "default_type", "writing",
                                  "permission_group_id", "user_segment_id", "help_center_locales", "defaults",
                                  "redirect_to"), "kb.yaml")
    spec = KbSpec(root=root, file=str(path), doc=doc)
    spec.locale = str(data.get("locale", "ja"))
    locales = data.get("locales") or [spec.locale]
    spec.locales = [str(x) for x in (locales if isinstance(locales, list) else [locales])]
    if spec.locale not in spec.locales:
        spec.locales.insert(0, spec.locale)
    for key in ("permission_group_id", "user_segment_id"):
        v = data.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            ck.err((key,), f"{key}: expected a number (the Help Center's id)")
        else:
            setattr(spec, key, v)
    spec.title = ck.localized(data.get("title"), ("title",), spec.locales, "title")
    spec.defaults = ck.defaults(data.get("defaults"), ("defaults",))
    _redirects(spec, data.get("redirect_to"), ck)
    _hc_locales(spec, data.get("help_center_locales"), ck)
    _types(spec, data.get("types") or {}, ck)
    spec.default_type = data.get("default_type")
    if spec.default_type is not None and spec.default_type not in spec.types:
        ck.err(("default_type",), f"default_type: unknown type '{spec.default_type}'"
                                  f"{suggest(str(spec.default_type), spec.types)}")
    _categories(spec, data.get("categories") or [], ck)
    _writing(spec, data.get("writing") or {}, ck)
    if ck.problems:
        raise KbError(ck.problems)
    return spec


_HC_LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
ARTICLE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*/[^/\s]+$")


def redirect_problem(target: Any) -> str | None:
    """Why ``target`` cannot be where a removed article's URL leads: it must be an article's key
    (category/section/slug) or a URL or path as Zendesk's redirect rules take them (https://, http:// or /)."""
    if isinstance(target, str) and (ARTICLE_KEY.match(target) or (target.startswith(("https://", "http://", "/"))
                                    and not any(c.isspace() for c in target))):
        return None
    return (f"expected an article (category/section/slug) or a URL or path starting with https://, http:// or /, "
            f"got {target!r}")


def _redirects(spec: KbSpec, value: Any, ck: _Ck) -> None:
    """``redirect_to: {category/section/old-slug: category/section/new-slug or URL}``: where the URL of an article
    archived by ``kb publish --archive-removed`` leads (a Help Center redirect rule)."""
    if value is None:
        return
    if not isinstance(value, dict):
        ck.err(("redirect_to",), "redirect_to: expected a mapping of removed articles (category/section/slug) to "
                                 "their new place")
        return
    for old, target in value.items():
        path: PathKey = ("redirect_to", old)
        problem = None if isinstance(old, str) and ARTICLE_KEY.match(old) else \
            f"redirect_to: {old!r} is not an article's key (category/section/slug)"
        problem = problem or redirect_problem(target)
        if problem:
            ck.err(path, f"redirect_to.{old}: {problem}" if not problem.startswith("redirect_to") else problem)
            continue
        line, col = ck.doc.pos(path)
        spec.redirect_to[old] = Setting(target, ck.doc.file or "kb.yaml", line or 1, col or 1)


def _hc_locales(spec: KbSpec, value: Any, ck: _Ck) -> None:
    """``help_center_locales: {en: en-us}``: the Help Center locale each kb locale publishes to."""
    if value is None:
        return
    if not isinstance(value, dict):
        ck.err(("help_center_locales",), "help_center_locales: expected a mapping such as {en: en-us}")
        return
    for k, v in value.items():
        path: PathKey = ("help_center_locales", k)
        if k not in spec.locales:
            ck.err(path, f"help_center_locales: '{k}' is not one of locales ({', '.join(spec.locales)})"
                         f"{suggest(str(k), spec.locales)}")
        elif not isinstance(v, str) or not _HC_LOCALE.match(v):
            ck.err(path, f"help_center_locales.{k}: expected a Help Center locale code such as en-us, got {v!r}")
        else:
            spec.help_center_locales[str(k)] = v


def _types(spec: KbSpec, types: Any, ck: _Ck) -> None:
    if not isinstance(types, dict):
        ck.err(("types",), "types: expected a mapping of type ids")
        return
    for tid, t in types.items():
        path: PathKey = ("types", tid)
        t = ck.keys(t, path, ("title", "required"), f"type '{tid}'")
        req = t.get("required") or {}
        if isinstance(req, list):
            req = {spec.locale: req}
        required: dict[str, list[str]] = {}
        for loc, heads in (req.items() if isinstance(req, dict) else []):
            if loc not in spec.locales:
                ck.err((*path, "required", loc), f"type '{tid}': locale '{loc}' is not in locales")
            if not isinstance(heads, list) or not all(isinstance(h, str) for h in heads):
                ck.err((*path, "required", loc), f"type '{tid}': required.{loc} must be a list of headings")
                continue
            required[str(loc)] = heads
        spec.types[str(tid)] = ArticleType(str(tid), ck.localized(t.get("title"), (*path, "title"), spec.locales,
                                                                  f"type '{tid}' title"), required)


def _categories(spec: KbSpec, cats: Any, ck: _Ck) -> None:
    if not isinstance(cats, list):
        ck.err(("categories",), "categories: expected a list")
        return
    for i, c in enumerate(cats):
        path: PathKey = ("categories", i)
        c = ck.keys(c, path, ("id", "title", "description", "position", "related", "default_type", "sections",
                              "defaults"), "a category")
        cid = str(c.get("id", ""))
        if not _ID.match(cid):
            ck.err((*path, "id"), f"category id '{cid}' must be lower-case letters, digits and - (it is the folder "
                                  "name under articles/)")
            continue
        if cid in spec.categories:
            ck.err((*path, "id"), f"category '{cid}' is defined twice")
        if "title" not in c:
            ck.err(path, f"category '{cid}': title is required")
        dtype = c.get("default_type")
        if dtype is not None and dtype not in spec.types:
            ck.err((*path, "default_type"),
                   f"category '{cid}': unknown type '{dtype}'{suggest(str(dtype), spec.types)}")
        cat = Category(cid, ck.localized(c.get("title"), (*path, "title"), spec.locales, f"category '{cid}' title"),
                       ck.localized(c.get("description"), (*path, "description"), spec.locales, "description"),
                       int(c.get("position") or i), [str(r) for r in c.get("related") or []], dtype,
                       defaults=ck.defaults(c.get("defaults"), (*path, "defaults")))
        _sections(spec, cat, c.get("sections") or [], (*path, "sections"), None, ck)
        spec.categories[cid] = cat
    for i, cat in enumerate(spec.categories.values()):
        for k, rel in enumerate(cat.related):
            if rel not in spec.categories:
                ck.err(("categories", i, "related", k), f"category '{cat.id}': related category '{rel}' does not "
                                                        f"exist{suggest(rel, spec.categories)}")


def _sections(spec: KbSpec, cat: Category, items: Any, path: PathKey, parent: str | None, ck: _Ck) -> None:
    """A category's sections, and the sections nested in them (``sections:`` inside a section): every id unique in
    the category, since it names the folder of the section's articles (articles/<category>/<section>/)."""
    if not isinstance(items, list):
        ck.err(path, "sections: expected a list")
        return
    for j, s in enumerate(items):
        sp: PathKey = (*path, j)
        s = ck.keys(s, sp, ("id", "title", "description", "position", "default_type", "defaults"), "a section")
        sid = str(s.get("id", ""))
        if not _ID.match(sid):
            ck.err((*sp, "id"), f"section id '{sid}' must be lower-case letters, digits and -")
            continue
        if sid in cat.sections:
            ck.err((*sp, "id"), f"section '{cat.id}/{sid}' is defined twice (section ids are folder names: one per "
                                "category, nested sections included)")
        st = s.get("default_type")
        if st is not None and st not in spec.types:
            ck.err((*sp, "default_type"),
                   f"section '{cat.id}/{sid}': unknown type '{st}'{suggest(str(st), spec.types)}")
        cat.sections[sid] = Section(sid, cat.id, ck.localized(s.get("title"), (*sp, "title"), spec.locales,
                                                              f"section '{sid}' title"),
                                    ck.localized(s.get("description"), (*sp, "description"), spec.locales,
                                                 "description"), int(s.get("position") or j), st, parent,
                                    ck.defaults(s.get("defaults"), (*sp, "defaults")))
        if s.get("sections") is not None:
            _sections(spec, cat, s.get("sections"), (*sp, "sections"), sid, ck)


def _writing(spec: KbSpec, writing: Any, ck: _Ck) -> None:
    w = ck.keys(writing, ("writing",), ("rules", "user_rules", "dictionaries"), "writing")
    _rule_settings(spec, w.get("rules") or {}, ck)
    _dictionaries(spec, w.get("dictionaries") or [], ck)
    for i, r in enumerate(w.get("user_rules") or []):
        path = ("writing", "user_rules", i)
        r = ck.keys(r, path, ("id", "kind", "level", "message", "scope", "tokens", "patterns", "ignorecase", "swap",
                              "max", "min", "first", "second", "either"), "a user rule")
        rid = str(r.get("id", f"user-rule-{i + 1}"))
        kind = r.get("kind")
        if kind not in USER_KINDS:
            ck.err((*path, "kind"), f"user rule '{rid}': kind '{kind}' is not one of {', '.join(USER_KINDS)}"
                                    f"{suggest(str(kind), USER_KINDS)}")
            continue
        level = r.get("level", "warning")
        if level not in LEVELS:
            ck.err((*path, "level"), f"user rule '{rid}': level '{level}' is not one of {', '.join(LEVELS)}")
        scope = r.get("scope", "article" if kind in ("conditional", "consistency", "substitution") else "sentence")
        if scope not in SCOPES:
            ck.err((*path, "scope"), f"user rule '{rid}': scope '{scope}' is not one of {', '.join(SCOPES)}"
                                     f"{suggest(str(scope), SCOPES)}")
        patterns = [str(p) for p in r.get("patterns") or []]
        for p in patterns + [str(r[k]) for k in ("first", "second") if r.get(k)]:
            try:
                user_regex(p)
            except UnsupportedPattern as exc:
                ck.err(path, f"user rule '{rid}': {exc}")
        either = r.get("either") or {}
        pairs = list(either.items()) if isinstance(either, dict) else [tuple(x) for x in either]
        rule = UserRule(rid, str(kind), str(level), str(r.get("message", "")), str(scope),
                        [str(t) for t in r.get("tokens") or []], patterns, bool(r.get("ignorecase", False)),
                        {str(k): str(v) for k, v in (r.get("swap") or {}).items()},
                        r.get("max"), r.get("min"), r.get("first"), r.get("second"),
                        [(str(a), str(b)) for a, b in pairs], ck.doc.pos(path)[0])
        need = {"existence": rule.tokens or rule.patterns, "substitution": rule.swap,
                "occurrence": (rule.tokens or rule.patterns) and (rule.max is not None or rule.min is not None),
                "conditional": rule.first and rule.second, "consistency": rule.either}[rule.kind]
        if not need:
            hint = {"existence": "tokens or patterns", "substitution": "swap", "occurrence":
                    "tokens or patterns, and max or min", "conditional": "first and second",
                    "consistency": "either"}[rule.kind]
            ck.err(path, f"user rule '{rid}' ({rule.kind}) needs {hint}")
        spec.user_rules.append(rule)


_DICTIONARY_MESSAGES = {
    "prh": ("「{match}」ではなく「{replacement}」と書きます（{where}）",
            "use '{replacement}' instead of '{match}' ({where})"),
    "accept": ("「{replacement}」と書きます（「{match}」ではなく。{where}）",
               "use '{replacement}' instead of '{match}' ({where})"),
    "reject": ("「{match}」は使いません（{where}）", "avoid '{match}' ({where})"),
}


def _dictionaries(spec: KbSpec, items: Any, ck: _Ck) -> None:
    """``writing.dictionaries``: prh dictionaries and Vale vocabularies, read as they are (kb/dictionaries.py)."""
    from kb import dictionaries

    if not isinstance(items, list):
        ck.err(("writing", "dictionaries"), "writing.dictionaries: expected a list of {prh: FILE} or {vale: FOLDER}")
        return
    project = spec.root.parent
    for i, item in enumerate(items):
        path: PathKey = ("writing", "dictionaries", i)
        item = ck.keys(item, path, ("prh", "vale", "id", "level"), "a dictionary")
        kinds = [k for k in ("prh", "vale") if k in item]
        level = item.get("level", "warning")
        if len(kinds) != 1 or not isinstance(item[kinds[0]], str):
            ck.err(path, "a dictionary is {prh: FILE} or {vale: FOLDER} (relative to kb.yaml)")
            continue
        if level not in LEVELS:
            ck.err((*path, "level"), f"writing.dictionaries: level '{level}' is not one of {', '.join(LEVELS)}")
            continue
        where = spec.root / item[kinds[0]]
        try:
            if kinds[0] == "prh":
                found = [("prh", str(item.get("id", "prh")), dictionaries.load_prh(where, project))]
            else:
                accept, reject = dictionaries.load_vocabulary(where, project)
                rid = str(item.get("id", "vocabulary"))
                found = [("accept", rid, accept), ("reject", f"{rid}-avoid", reject)]
        except SourceError as exc:
            ck.problems.append(exc if exc.file else ck.doc.error((*path, kinds[0]), exc.message))
            continue
        for kind, rid, d in found:
            ja, en = _DICTIONARY_MESSAGES[kind]
            spec.user_rules.append(UserRule(rid, DICTIONARY, str(level), ja if spec.language == "ja" else en,
                                            "article", line=ck.doc.pos(path)[0], entries=d.entries))


def _rule_settings(spec: KbSpec, settings: Any, ck: _Ck) -> None:
    """``writing.rules``: each built-in rule's level, on or off, and options, over the registered defaults
    (kb/writing: a locked rule is not among them)."""
    from kb.writing import RULES

    configurable = {rid: r for rid, r in RULES.items() if not r.locked}
    for rid, r in configurable.items():
        spec.rules[rid] = RuleSetting(r.level, True, dict(r.options))
    for rid, value in (settings.items() if isinstance(settings, dict) else []):
        path: PathKey = ("writing", "rules", rid)
        if rid in RULES and rid not in configurable:
            ck.err(path, f"writing.rules: '{rid}' is always on at level {RULES[rid].level}: it cannot be changed")
            continue
        if rid not in configurable:
            ck.err(path, f"writing.rules: unknown rule '{rid}'{suggest(str(rid), configurable)}")
            continue
        if value is False or value == "off":
            spec.rules[rid].enabled = False
        elif isinstance(value, str):
            _rule_option(spec.rules[rid], rid, "level", value, path, ck)
        elif isinstance(value, dict):
            for k, v in value.items():
                _rule_option(spec.rules[rid], rid, k, v, path, ck)
        else:
            ck.err(path, f"writing.rules.{rid}: expected a level, 'off', or a mapping")


def _rule_option(setting: RuleSetting, rid: str, key: Any, value: Any, path: PathKey, ck: _Ck) -> None:
    if key == "level":
        if value not in LEVELS:
            ck.err((*path, key), f"writing.rules.{rid}: level '{value}' is not one of {', '.join(LEVELS)}"
                                 f"{suggest(str(value), LEVELS)}")
        else:
            setting.level = value
    elif key == "enabled":
        setting.enabled = bool(value)
    elif key in setting.options:
        setting.options[key] = value
    else:
        ck.err((*path, key), f"writing.rules.{rid}: unknown option '{key}'"
                             f"{suggest(str(key), [*setting.options, 'level', 'enabled'])}")
