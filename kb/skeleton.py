"""``kb new``: an article skeleton of the right type from the Jinja2 templates in templates/articles/."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from base.errors import SourceError
from base.files import make_folder, write_file
from base.suggest import suggest
from kb.model import KbSpec

TEMPLATES = Path(__file__).resolve().parent / "templates" / "articles"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class NewArticleError(SourceError):
    pass


def new_article(spec: KbSpec, where: str, slug: str, title: str, type_: str | None = None,
                locale: str | None = None) -> Path:
    category, _, section = where.strip("/").partition("/")
    if category not in spec.categories:
        raise NewArticleError(f"unknown category '{category}'{suggest(category, spec.categories)}", spec.file)
    if section not in spec.categories[category].sections:
        raise NewArticleError(f"unknown section '{section}' in '{category}'"
                              f"{suggest(section, spec.categories[category].sections)}", spec.file)
    if not _SLUG.match(slug):
        raise NewArticleError(f"slug '{slug}' must be lower-case letters, digits and - (it becomes the file name "
                              "and the URL)")
    locale = locale or spec.locale
    if locale not in spec.locales:
        raise NewArticleError(f"locale '{locale}' is not in kb.yaml ({', '.join(spec.locales)})", spec.file)
    kind = type_ or spec.type_for(category, section) or "how-to"
    if kind not in spec.types:
        raise NewArticleError(f"unknown type '{kind}'{suggest(kind, spec.types)}", spec.file)
    name = f"{slug}.md" if locale == spec.locale else f"{slug}.{locale}.md"
    path = spec.root / "articles" / category / section / name
    if os.path.lexists(path):
        raise NewArticleError(f"{path} already exists")
    import jinja2  # here: kb check reads TEMPLATES (kb.placeholders) and has no other use for Jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True)
    env.filters["yaml"] = lambda v: json.dumps(str(v), ensure_ascii=False)
    template_name = f"{kind}.{locale}.md.j2"
    headings = [h.rstrip("?") for h in spec.types[kind].required.get(locale, []) if h not in ("*", "+")]
    if not (TEMPLATES / template_name).exists():
        template_name = "generic.md.j2"
        if not headings:
            headings = ["Overview" if locale == "en" else "概要"]
    text = env.get_template(template_name).render(title=title, type=kind, headings=headings)
    make_folder(path.parent, spec.root)
    write_file(path, text, overwrite=False, within=spec.root)
    return path
