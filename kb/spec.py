"""kb.yaml: locales, the category tree, article types and their required sections, writing rules.

Validated like every user-written file here: unknown keys get a suggestion,
and each message names ``kb.yaml:line:col``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceError
from base.regex import UnsupportedPattern, user_regex
from base.schema import At, Choice, Invalid, Nested, Number, Option, Reader, keys
from base.schema import Section as KitSection
from base.suggest import suggest
from base.yamlsrc import load_file, load_text
from kb.model import (
    ARTICLE_KEY,
    ARTICLE_SETTINGS,
    DEFAULT_FIELDS,
    DICTIONARY,
    LEVELS,
    MAX_SECTION_LEVELS,
    SCOPES,
    USER_KINDS,
    ArticleType,
    Category,
    KbError,
    KbSpec,
    RuleSetting,
    Section,
    Setting,
    UserRule,
    parse_setting,
)
from kb.skeleton import TEMPLATES
from kb.writing import RULES

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# -- reading kb.yaml: one function per part, on base.schema's options ---------------------------------------


class _Part(KitSection):
    """kb.yaml's wording: a part is named by what it is (kb.yaml, a category, type 'howto'), not by its key path."""

    def where(self, at: At) -> str:
        return self.name or at.label

    def not_a_mapping(self, value: Any, at: At) -> str:
        return f"{self.where(at)}: expected a mapping"


@dataclass
class Localized(Option):
    """Text, or text per locale (``{ja: …, en: …}``); plain text is the first locale's. ``what`` names it."""

    locales: list[str] = field(default_factory=list)
    what: str = "text"

    def validate(self, value: Any, at: At) -> Any:
        if value is None:
            return {}
        if isinstance(value, str):
            return {self.locales[0]: value}
        if not isinstance(value, dict):
            raise Invalid(f"{self.what}: expected text, or text per locale")
        for k in value:
            if k not in self.locales:
                (at / k).err(f"{self.what}: locale '{k}' is not in locales ({', '.join(self.locales)})"
                             f"{suggest(str(k), self.locales)}")
        return {str(k): str(v) for k, v in value.items()}


@dataclass
class ArticleSetting(Option):
    """One of an article's Help Center settings as a default (kb.yaml) or in front matter: kept with its place."""

    key: str = ""

    def validate(self, value: Any, at: At) -> Any:
        parsed, problem = parse_setting(self.key, value)
        if problem:
            raise Invalid(problem)
        line, col = at.reader.doc.pos(at.path)
        return Setting(parsed, at.reader.doc.file or "kb.yaml", line or 1, col or 1)


_DEFAULTS = Nested(section=_Part({k: ArticleSetting(key=k) for k in (*ARTICLE_SETTINGS, *DEFAULT_FIELDS)},
                                 name="defaults"))
_HC_ID = Number(integer=True, null=True, message="{path}: expected a number (the Help Center's id)")
_TOP = _Part({**keys("locale", "locales", "title", "categories", "types", "default_type", "writing",
                     "help_center_locales", "redirect_to"),
              "permission_group_id": _HC_ID, "user_segment_id": _HC_ID, "defaults": _DEFAULTS,
              "language": Choice(choices=("ja", "en"), message="{path}: '{value}' is not one of ja, en (the language "
                                                               "of kb check's messages)")}, name="kb.yaml")


def load_spec(root: Path, text: str | None = None) -> KbSpec:
    """kb.yaml in ``root`` (its ``text`` as an editor holds it, when given)."""
    path = root / "kb.yaml"
    doc = load_file(path) if text is None else load_text(text, str(path))
    reader = Reader(doc)
    at = reader.at()
    data = _TOP.read(doc.data, at)
    spec = KbSpec(root=root, file=str(path), doc=doc, permission_group_id=data.get("permission_group_id"),
                  user_segment_id=data.get("user_segment_id"), defaults=data.get("defaults") or {})
    spec.locale = str(data.get("locale", "ja"))
    spec.messages = data.get("language")
    locales = data.get("locales") or [spec.locale]
    spec.locales = [str(x) for x in (locales if isinstance(locales, list) else [locales])]
    if spec.locale not in spec.locales:
        spec.locales.insert(0, spec.locale)
    for key, read in _PARTS.items():  # in this order: a part may need what an earlier one read
        read(spec, data.get(key), at / key)
    if reader.problems:
        raise KbError(reader.problems)
    return spec


def _title(spec: KbSpec, value: Any, at: At) -> None:
    spec.title = at.check(Localized(locales=spec.locales, what="title"), value, fallback={})


_HC_LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def redirect_problem(target: Any) -> str | None:
    """Why ``target`` cannot be where a removed article's URL leads: it must be an article's key
    (category/section/slug) or a URL or path as Zendesk's redirect rules take them (https://, http:// or /)."""
    if isinstance(target, str) and (ARTICLE_KEY.match(target) or (target.startswith(("https://", "http://", "/"))
                                    and not any(c.isspace() for c in target))):
        return None
    return (f"expected an article (category/section/slug) or a URL or path starting with https://, http:// or /, "
            f"got {target!r}")


def _redirects(spec: KbSpec, value: Any, at: At) -> None:
    """``redirect_to: {category/section/old-slug: category/section/new-slug or URL}``: where the URL of an article
    archived by ``kb publish --archive-removed`` leads (a Help Center redirect rule)."""
    if value is None:
        return
    if not isinstance(value, dict):
        at.err("redirect_to: expected a mapping of removed articles (category/section/slug) to their new place")
        return
    for old, target in value.items():
        problem = None if isinstance(old, str) and ARTICLE_KEY.match(old) else \
            f"redirect_to: {old!r} is not an article's key (category/section/slug)"
        problem = problem or redirect_problem(target)
        if problem:
            (at / old).err(f"redirect_to.{old}: {problem}" if not problem.startswith("redirect_to") else problem)
            continue
        line, col = at.reader.doc.pos((*at.path, old))
        spec.redirect_to[old] = Setting(target, at.reader.doc.file or "kb.yaml", line or 1, col or 1)


def _hc_locales(spec: KbSpec, value: Any, at: At) -> None:
    """``help_center_locales: {en: en-us}``: the Help Center locale each kb locale publishes to."""
    if value is None:
        return
    if not isinstance(value, dict):
        at.err("help_center_locales: expected a mapping such as {en: en-us}")
        return
    for k, v in value.items():
        if k not in spec.locales:
            (at / k).err(f"help_center_locales: '{k}' is not one of locales ({', '.join(spec.locales)})"
                         f"{suggest(str(k), spec.locales)}")
        elif not isinstance(v, str) or not _HC_LOCALE.match(v):
            (at / k).err(f"help_center_locales.{k}: expected a Help Center locale code such as en-us, got {v!r}")
        else:
            spec.help_center_locales[str(k)] = v


_TYPE = _Part(keys("title", "required"))


def _types(spec: KbSpec, types: Any, at: At) -> None:
    if types is None:
        return
    if not isinstance(types, dict):
        at.err("types: expected a mapping of type ids")
        return
    for tid, raw in types.items():
        t = _TYPE.read(raw, (at / tid).labelled(f"type '{tid}'"))
        req = t.get("required") or {}
        required: dict[str, list[str]] = {}
        for loc, heads in ({spec.locale: req} if isinstance(req, list) else req if isinstance(req, dict) else {}
                           ).items():
            where = at / tid / "required" / loc
            if loc not in spec.locales:
                where.err(f"type '{tid}': locale '{loc}' is not in locales")
            if not isinstance(heads, list) or not all(isinstance(h, str) for h in heads):
                where.err(f"type '{tid}': required.{loc} must be a list of headings")
                continue
            required[str(loc)] = heads
        title = (at / tid / "title").check(Localized(locales=spec.locales, what=f"type '{tid}' title"),
                                           t.get("title"), fallback={})
        spec.types[str(tid)] = ArticleType(str(tid), title, required)


def _default_type(spec: KbSpec, value: Any, at: At) -> None:
    spec.default_type = value
    if value is not None and value not in spec.types:
        at.err(f"default_type: unknown type '{value}'{suggest(str(value), spec.types)}")


_CATEGORY = _Part({**keys("id", "title", "description", "position", "related", "default_type", "sections"),
                   "defaults": _DEFAULTS}, name="a category")
_SECTION = _Part({**keys("id", "title", "description", "position", "default_type", "sections"),
                  "defaults": _DEFAULTS}, name="a section")


def _categories(spec: KbSpec, cats: Any, at: At) -> None:
    if cats is None:
        return
    if not isinstance(cats, list):
        at.err("categories: expected a list")
        return
    for i, raw in enumerate(cats):
        cat = _category(spec, i, _CATEGORY.read(raw, at / i), at / i)
        if cat is not None:
            spec.categories[cat.id] = cat
    for i, cat in enumerate(spec.categories.values()):
        for k, rel in enumerate(cat.related):
            if rel not in spec.categories:
                (at / i / "related" / k).err(f"category '{cat.id}': related category '{rel}' does not exist"
                                             f"{suggest(rel, spec.categories)}")


def _category(spec: KbSpec, i: int, c: dict[str, Any], at: At) -> Category | None:
    cid = str(c.get("id", ""))
    if not _ID.match(cid):
        (at / "id").err(f"category id '{cid}' must be lower-case letters, digits and - (it is the folder name under "
                        "articles/)")
        return None
    if cid in spec.categories:
        (at / "id").err(f"category '{cid}' is defined twice")
    if "title" not in c:
        at.err(f"category '{cid}': title is required")
    dtype = c.get("default_type")
    if dtype is not None and dtype not in spec.types:
        (at / "default_type").err(f"category '{cid}': unknown type '{dtype}'{suggest(str(dtype), spec.types)}")
    cat = Category(cid, _localized(spec, c, "title", at, f"category '{cid}' title"),
                   _localized(spec, c, "description", at, "description"), int(c.get("position") or i),
                   [str(r) for r in c.get("related") or []], dtype, defaults=c.get("defaults") or {})
    _sections(spec, cat, c.get("sections") or [], at / "sections", None)
    return cat


def _localized(spec: KbSpec, part: dict[str, Any], key: str, at: At, what: str) -> dict[str, str]:
    return (at / key).check(Localized(locales=spec.locales, what=what), part.get(key), fallback={})


def _sections(spec: KbSpec, cat: Category, items: Any, at: At, parent: str | None, level: int = 1) -> None:
    """A category's sections, and the sections nested in them (``sections:`` inside a section, at most
    MAX_SECTION_LEVELS deep): every id unique in the category, since it names the folder of the section's articles
    (articles/<category>/<section>/)."""
    if not isinstance(items, list):
        at.err("sections: expected a list")
        return
    if items and level > MAX_SECTION_LEVELS:
        at.err(f"sections: nested {level} levels deep in category '{cat.id}'; Guide takes at most "
               f"{MAX_SECTION_LEVELS} levels of sections")
        return
    for j, raw in enumerate(items):
        s = _SECTION.read(raw, at / j)
        sid = str(s.get("id", ""))
        if not _ID.match(sid):
            (at / j / "id").err(f"section id '{sid}' must be lower-case letters, digits and -")
            continue
        if sid in cat.sections:
            (at / j / "id").err(f"section '{cat.id}/{sid}' is defined twice (section ids are folder names: one per "
                                "category, nested sections included)")
        st = s.get("default_type")
        if st is not None and st not in spec.types:
            (at / j / "default_type").err(f"section '{cat.id}/{sid}': unknown type '{st}'"
                                          f"{suggest(str(st), spec.types)}")
        cat.sections[sid] = Section(sid, cat.id, _localized(spec, s, "title", at / j, f"section '{sid}' title"),
                                    _localized(spec, s, "description", at / j, "description"),
                                    int(s.get("position") or j), st, parent, s.get("defaults") or {})
        if s.get("sections") is not None:
            _sections(spec, cat, s.get("sections"), at / j / "sections", sid, level + 1)


_WRITING = _Part(keys("rules", "user_rules", "dictionaries"), name="writing")


def _writing(spec: KbSpec, writing: Any, at: At) -> None:
    w = _WRITING.read(writing or {}, at)
    _rule_settings(spec, w.get("rules") or {}, at / "rules")
    _dictionaries(spec, w.get("dictionaries") or [], at / "dictionaries")
    for i, raw in enumerate(w.get("user_rules") or []):
        rule = _user_rule(i, raw, at / "user_rules" / i)
        if rule is not None:
            if not rule.message and spec.messages:
                rule.message = DEFAULT_MESSAGES[rule.kind][spec.messages]
            spec.user_rules.append(rule)


_USER_RULE = _Part({
    **keys("id", "message", "tokens", "patterns", "ignorecase", "swap", "max", "min", "first", "second", "either"),
    "kind": Choice(choices=USER_KINDS, message="{label}: kind '{value}' is not one of {choices}{suggestion}"),
    "level": Choice(choices=LEVELS, default="warning", message="{label}: level '{value}' is not one of {choices}"),
    "scope": Choice(choices=SCOPES, message="{label}: scope '{value}' is not one of {choices}{suggestion}")},
    name="a user rule")

#: What each kind of user rule needs, as its message names it.
_USER_RULE_NEEDS: dict[str, tuple[Callable[[UserRule], Any], str]] = {
    "existence": (lambda r: r.tokens or r.patterns, "tokens or patterns"),
    "substitution": (lambda r: r.swap, "swap"),
    "occurrence": (lambda r: (r.tokens or r.patterns) and (r.max is not None or r.min is not None),
                   "tokens or patterns, and max or min"),
    "conditional": (lambda r: r.first and r.second, "first and second"),
    "consistency": (lambda r: r.either, "either")}


def _user_rule(i: int, raw: Any, at: At) -> UserRule | None:
    rid = str(raw.get("id", f"user-rule-{i + 1}")) if isinstance(raw, dict) else f"user-rule-{i + 1}"
    r = _USER_RULE.read(raw, at.labelled(f"user rule '{rid}'"))
    kind = r.get("kind")
    if kind is None:
        if isinstance(raw, dict) and "kind" not in raw:
            (at / "kind").err(f"user rule '{rid}': kind 'None' is not one of {', '.join(USER_KINDS)}")
        return None
    scope = r.get("scope", "article" if kind in ("conditional", "consistency", "substitution") else "sentence")
    patterns = [str(p) for p in r.get("patterns") or []]
    for pattern in patterns + [str(r[k]) for k in ("first", "second") if r.get(k)]:
        try:
            user_regex(pattern)
        except UnsupportedPattern as exc:
            at.err(f"user rule '{rid}': {exc}")
    either = r.get("either") or {}
    pairs = list(either.items()) if isinstance(either, dict) else [tuple(x) for x in either]
    rule = UserRule(rid, str(kind), str(r.get("level", "warning")), str(r.get("message", "")),
                    str(scope), [str(t) for t in r.get("tokens") or []], patterns, bool(r.get("ignorecase", False)),
                    {str(k): str(v) for k, v in (r.get("swap") or {}).items()}, r.get("max"), r.get("min"),
                    r.get("first"), r.get("second"), [(str(a), str(b)) for a, b in pairs],
                    at.reader.doc.pos(at.path)[0])
    need, hint = _USER_RULE_NEEDS[rule.kind]
    if not need(rule):
        at.err(f"user rule '{rid}' ({rule.kind}) needs {hint}")
    return rule


#: A team's rule without a message speaks kb.yaml's language when it names one (else each kind's English words).
DEFAULT_MESSAGES = {
    "existence": {"ja": "「{match}」は使いません", "en": "'{match}' should not be used"},
    "substitution": {"ja": "「{match}」ではなく「{replacement}」と書きます",
                     "en": "use '{replacement}' instead of '{match}'"},
    "occurrence": {"ja": "{count}回使われています（上限{max}回、下限{min}回）",
                   "en": "{count} occurrences (max {max}, min {min})"},
    "consistency": {"ja": "「{a}」と「{b}」が混在しています。どちらかに揃えます",
                    "en": "use either '{a}' or '{b}' in one article, not both"},
    "conditional": {"ja": "「{match}」を使う前に定義を書きます", "en": "'{match}' is used but never defined"},
}
_DICTIONARY_MESSAGES = {
    "prh": ("「{match}」ではなく「{replacement}」と書きます（{where}）",
            "use '{replacement}' instead of '{match}' ({where})"),
    "accept": ("「{replacement}」と書きます（「{match}」ではなく。{where}）",
               "use '{replacement}' instead of '{match}' ({where})"),
    "reject": ("「{match}」は使いません（{where}）", "avoid '{match}' ({where})"),
}


_DICTIONARY = _Part(keys("prh", "vale", "id", "level"), name="a dictionary")


def _dictionaries(spec: KbSpec, items: Any, at: At) -> None:
    """``writing.dictionaries``: prh dictionaries and Vale vocabularies, read as they are (kb/dictionaries.py)."""
    if not isinstance(items, list):
        at.err("writing.dictionaries: expected a list of {prh: FILE} or {vale: FOLDER}")
        return
    for i, raw in enumerate(items):
        item = _DICTIONARY.read(raw, at / i)
        kinds = [k for k in ("prh", "vale") if k in item]
        level = item.get("level", "warning")
        if len(kinds) != 1 or not isinstance(item[kinds[0]], str):
            (at / i).err("a dictionary is {prh: FILE} or {vale: FOLDER} (relative to kb.yaml)")
        elif level not in LEVELS:
            (at / i / "level").err(f"writing.dictionaries: level '{level}' is not one of {', '.join(LEVELS)}")
        else:
            _dictionary(spec, kinds[0], item, str(level), at / i)


def _dictionary(spec: KbSpec, kind: str, item: dict[str, Any], level: str, at: At) -> None:
    from kb import dictionaries

    where, project = spec.root / item[kind], spec.root.parent
    try:
        if kind == "prh":
            found = [("prh", str(item.get("id", "prh")), dictionaries.load_prh(where, project))]
        else:
            accept, reject = dictionaries.load_vocabulary(where, project)
            rid = str(item.get("id", "vocabulary"))
            found = [("accept", rid, accept), ("reject", f"{rid}-avoid", reject)]
    except SourceError as exc:
        at.reader.problems.append(exc if exc.file else at.reader.doc.error((*at.path, kind), exc.message))
        return
    for what, rid, d in found:
        ja, en = _DICTIONARY_MESSAGES[what]
        spec.user_rules.append(UserRule(rid, DICTIONARY, level, ja if spec.language == "ja" else en, "article",
                                        line=at.reader.doc.pos(at.path)[0], entries=d.entries))


def _rule_settings(spec: KbSpec, settings: Any, at: At) -> None:
    """``writing.rules``: each built-in rule's level, on or off, and options, over the registered defaults
    (kb/writing: a locked rule is not among them)."""
    configurable = {rid: r for rid, r in RULES.items() if not r.locked}
    for rid, r in configurable.items():
        spec.rules[rid] = RuleSetting(r.level, True, dict(r.options))
    for rid, value in (settings.items() if isinstance(settings, dict) else []):
        if rid in RULES and rid not in configurable:
            (at / rid).err(f"writing.rules: '{rid}' is always on at level {RULES[rid].level}: it cannot be changed")
        elif rid not in configurable:
            (at / rid).err(f"writing.rules: unknown rule '{rid}'{suggest(str(rid), configurable)}")
        elif value is False or value == "off":
            spec.rules[rid].enabled = False
        elif isinstance(value, str | dict):
            for k, v in ({"level": value} if isinstance(value, str) else value).items():
                _rule_option(spec.rules[rid], rid, k, v, at / rid)
        else:
            (at / rid).err(f"writing.rules.{rid}: expected a level, 'off', or a mapping")


def _rule_option(setting: RuleSetting, rid: str, key: Any, value: Any, at: At) -> None:
    if key == "level":
        if value not in LEVELS:
            (at / key).err(f"writing.rules.{rid}: level '{value}' is not one of {', '.join(LEVELS)}"
                           f"{suggest(str(value), LEVELS)}")
        else:
            setting.level = value
    elif key == "enabled":
        setting.enabled = bool(value)
    elif key in setting.options:
        setting.options[key] = value
    else:
        (at / key).err(f"writing.rules.{rid}: unknown option '{key}'"
                       f"{suggest(str(key), [*setting.options, 'level', 'enabled'])}")


#: kb.yaml's parts read by a function each, in the order they are read (types before what names a type).
_PARTS: dict[str, Callable[[KbSpec, Any, At], None]] = {
    "title": _title, "redirect_to": _redirects, "help_center_locales": _hc_locales, "types": _types,
    "default_type": _default_type, "categories": _categories, "writing": _writing}


def required_headings(spec: KbSpec) -> frozenset[str]:
    """Section names the types require (the team's and the shipped kb.yaml's): never placeholders themselves."""
    return _shipped_required() | {h.rstrip("?") for t in spec.types.values() for hs in t.required.values()
                                  for h in hs}


@functools.cache
def _shipped_required() -> frozenset[str]:
    shipped = load_spec(TEMPLATES.parent.parent)
    return frozenset(h.rstrip("?") for t in shipped.types.values() for hs in t.required.values() for h in hs)
