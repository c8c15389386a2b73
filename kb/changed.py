"""``kb check --changed [--base REF]``: only the articles a change can affect, so a team that adopts csops on an
existing Help Center is not blocked by findings in files nobody touched.

What a change affects:

- the articles changed (edited, added, untracked) against REF, and their translations (``slug.md`` and
  ``slug.<locale>.md``: a title or a heading changed in one is a question for the others);
- the articles that link to a changed, moved or deleted file (an article, an image): their links may now be
  broken or point at an anchor that is gone;
- everything, when kb.yaml changed (the rules, the tree or the types did).

REF is compared through its merge base with HEAD (``git diff $(git merge-base REF HEAD)``, what a pull request
shows), with uncommitted and untracked files included; REF defaults to HEAD (what is not committed yet).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from base.errors import UsageError
from kb.articles import Article
from kb.model import KbSpec
from kb.paths import local_target

# Markdown link and image targets, inline ``](target)`` and reference definitions ``[x]: target``
_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)


class ChangedError(UsageError):
    """``--changed`` cannot work here: no git, not a repository, an unknown REF (usage error)."""


def _git(cwd: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        raise ChangedError("--changed needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise ChangedError(f"git {args[0]} took more than 120 s") from None
    if proc.returncode != 0:
        raise ChangedError(f"git {' '.join(args[:2])}: {proc.stderr.strip() or f'exit {proc.returncode}'}")
    return proc.stdout


def changed_files(kb_root: Path, base: str = "HEAD") -> set[str]:
    """Real paths of the files that differ from ``base`` (its merge base with HEAD), deleted ones included, and the
    untracked ones."""
    if not base or base.startswith("-"):
        raise ChangedError(f"--base {base!r}: expected a git revision (a branch, tag or commit)")
    try:
        top = Path(_git(kb_root, "rev-parse", "--show-toplevel").strip())
    except ChangedError as exc:
        raise ChangedError(f"--changed: {kb_root} is not inside a git repository ({exc})") from None
    try:
        commit = _git(top, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").strip()
    except ChangedError:
        raise ChangedError(f"--base {base}: no such revision in {top}") from None
    if base != "HEAD":
        commit = _git(top, "merge-base", commit, "HEAD").strip()
    names = _git(top, "diff", "--name-only", "--no-renames", "-z", commit, "--").split("\0")
    names += _git(top, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    return {os.path.realpath(top / n) for n in names if n}


def affected(spec: KbSpec, articles: list[Article], changed: set[str]) -> list[Article] | None:
    """The articles to check for these changed files (real paths), in the knowledge base's order; None: all of
    them (kb.yaml changed)."""
    if os.path.realpath(spec.file) in changed:
        return None
    real = {id(a): os.path.realpath(a.path) for a in articles}
    touched = {(a.category, a.section, a.slug) for a in articles if real[id(a)] in changed}
    out = []
    for a in articles:
        if (a.category, a.section, a.slug) in touched or _links_into(a, changed):
            out.append(a)
    return out


def _links_into(a: Article, changed: set[str]) -> bool:
    if "](" not in a.text and "]:" not in a.text:
        return False
    for m in _TARGET.finditer(a.text):
        target = local_target(a.path, m.group(1) or m.group(2))
        if target is not None and os.path.realpath(target) in changed:
            return True
    return False
