"""``kb mv OLD NEW``: move or rename an article, or every article of a section or a category, so that ``kb publish``
keeps their Help Center articles (ids, URLs, votes, comments, subscriptions).

OLD and NEW are article files or keys (``category/section/slug``), or a section (``category/section``) or a
category, given as a key or as its folder under ``articles/``. An article moves with its translations. Every
relative link to a moved file, in any article, and every relative link in a moved file, is rewritten to the new
place; ``helpcenter-ids.yaml`` names the same Help Center ids under the new keys (for every Help Center in it).
A section or category must already be in kb.yaml under its new id (rename it there first).

Nothing is lost if it stops midway: the new files are written first (never over an existing file), then the links
and the ids file, and only then are the old files removed.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from base.errors import SourceError
from base.files import make_folder, write_file
from base.suggest import suggest
from kb.articles import Article, load_articles
from kb.model import KbSpec
from kb.paths import UnsafePath, inside, split_url
from kb.prose import extract
from kb.publish.ids import rename_keys

_SLUG = re.compile(r"^[^/\s.][^/\s]*$")


class MoveError(SourceError):
    """The move cannot be made as asked (exit 78); nothing was changed."""


@dataclass
class MoveReport:
    moved: dict[Path, Path] = field(default_factory=dict)  # old file → new file
    links: dict[Path, int] = field(default_factory=dict)  # file (at its new place) → links rewritten in it
    ids: int = 0  # entries of helpcenter-ids.yaml renamed


def parse_place(spec: KbSpec, where: str) -> tuple[str, ...]:
    """An argument of ``kb mv`` as key parts: (category,), (category, section) or (category, section, slug)."""
    text = where.strip().rstrip("/")
    path = Path(text)
    articles = (spec.root / "articles").resolve()
    candidate = path if path.is_absolute() else Path.cwd() / path
    if candidate.resolve().is_relative_to(articles) and (candidate.exists() or text.endswith(".md")):
        text = candidate.resolve().relative_to(articles).as_posix()
    elif text.startswith("articles/"):
        text = text[len("articles/"):]
    parts = tuple(text.split("/")) if text else ()
    if parts and parts[-1].endswith(".md"):
        name = parts[-1][:-3]
        stem, _, suffix = name.rpartition(".")
        parts = (*parts[:-1], stem if stem and suffix in spec.locales else name)
    if not 1 <= len(parts) <= 3 or not all(_SLUG.match(p) for p in parts):
        raise MoveError(f"'{where}' is not an article, a section or a category of this knowledge base "
                        "(category/section/slug, category/section or category, or their files under articles/)")
    return parts


def plan_moves(spec: KbSpec, old: tuple[str, ...], new: tuple[str, ...]) -> dict[Path, Path]:
    """Old file → new file, for every article file OLD names; refused (MoveError) when NEW is no place in kb.yaml
    or a file would land on another."""
    if len(new) == 2 and len(old) == 3:
        new = (*new, old[2])  # an article into a section: its slug kept
    if len(old) != len(new):
        raise MoveError(f"'{'/'.join(old)}' and '{'/'.join(new)}' are not the same kind of place (an article moves "
                        "to an article or a section, a section to a section, a category to a category)")
    _check_place(spec, new)
    base = spec.root.resolve() / "articles"
    source = base.joinpath(*old)
    if len(old) == 3:
        files = sorted(p for p in source.parent.glob(f"{old[2]}*.md") if _slug_of(spec, p) == old[2])
    else:
        files = sorted(source.rglob("*.md")) if source.is_dir() else []
    if not files:
        raise MoveError(f"no article under '{'/'.join(old)}'")
    out: dict[Path, Path] = {}
    for f in files:
        try:
            inside(spec.root, f)
        except UnsafePath:
            raise MoveError(f"{f} leads outside the knowledge base: kb mv never reads or moves it") from None
        rel = f.relative_to(source.parent if len(old) == 3 else source)
        if len(old) == 3:
            suffix = f.name[len(old[2]):]
            target = base.joinpath(*new[:-1]) / f"{new[2]}{suffix}"
        else:
            target = base.joinpath(*new) / rel
        if target.exists():
            raise MoveError(f"{target} exists already: kb mv never writes over a file")
        out[f] = target
    return out


def _slug_of(spec: KbSpec, path: Path) -> str:
    name = path.name[:-3]
    stem, _, suffix = name.rpartition(".")
    return stem if stem and suffix in spec.locales else name


def _check_place(spec: KbSpec, new: tuple[str, ...]) -> None:
    cat = spec.categories.get(new[0])
    if cat is None:
        raise MoveError(f"category '{new[0]}' is not in kb.yaml{suggest(new[0], spec.categories)}: add it (or rename "
                        "the old one) there first", spec.file)
    if len(new) > 1 and new[1] not in cat.sections:
        raise MoveError(f"section '{new[1]}' is not in category '{new[0]}' in kb.yaml"
                        f"{suggest(new[1], cat.sections)}: add it (or rename the old one) there first", spec.file)


def move(spec: KbSpec, old_place: str, new_place: str) -> MoveReport:
    old, new = parse_place(spec, old_place), parse_place(spec, new_place)
    moves = plan_moves(spec, old, new)
    report = MoveReport(moved=moves)
    root = spec.root.resolve()
    articles, _ = load_articles(spec)
    texts = {a.path.resolve(): _relinked(a, moves) for a in articles}
    for src, dst in moves.items():
        text, n = texts.get(src, (src.read_text(encoding="utf-8"), 0))
        make_folder(dst.parent, root)
        write_file(dst, text, overwrite=False, within=root)
        if n:
            report.links[dst] = n
    for path, (text, n) in texts.items():
        if n and path not in moves:
            write_file(path, text, within=root)
            report.links[path] = n
    report.ids = rename_keys(spec.root, old, new if len(new) == len(old) else (*new, old[2]))
    for src in moves:
        src.unlink()
    _remove_empty(spec, {src.parent for src in moves})
    return report


def _remove_empty(spec: KbSpec, folders: set[Path]) -> None:
    base = spec.root.resolve() / "articles"
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != base and folder.is_relative_to(base) and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _relinked(a: Article, moves: dict[Path, Path]) -> tuple[str, int]:
    """``a``'s text with every relative link or image that a move changes rewritten, and how many."""
    here_old = a.path.resolve()
    here_new = moves.get(here_old, here_old)
    lines = a.text.split("\n")
    count = 0
    for link in extract(a.body, a.body_line).links:
        parts = split_url(link.target.strip())
        if parts is None or parts.scheme or link.target.startswith(("#", "//")) or not parts.path:
            continue
        target_old = (here_old.parent / unquote(parts.path)).resolve()
        target_new = moves.get(target_old, target_old)
        if here_new == here_old and target_new == target_old:
            continue
        rel = posixpath.relpath(target_new.as_posix(), here_new.parent.as_posix())
        if rel == unquote(parts.path):
            continue
        path = quote(rel, safe="/") if "%" in parts.path else rel
        new_target = path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment
                                                                           else "")
        i = link.line - 1
        at = lines[i].find(link.target, max(link.col - 1, 0))
        if at < 0:
            continue
        lines[i] = lines[i][:at] + new_target + lines[i][at + len(link.target):]
        count += 1
    return "\n".join(lines), count


def describe(report: MoveReport, root: Path) -> list[str]:
    """What ``kb mv`` prints: each file moved, each file whose links changed, the ids file."""
    def show(p: Path) -> str:
        return os.path.relpath(p, root.resolve().parent)

    out = [f"moved {show(a)} → {show(b)}" for a, b in report.moved.items()]
    out += [f"links {show(p)} ({n})" for p, n in sorted(report.links.items())]
    if report.ids:
        out.append(f"ids   {show(root / 'helpcenter-ids.yaml')} ({report.ids} entries renamed)")
    return out
