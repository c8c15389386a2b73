"""Paths built from data: remote names and article references must stay where they belong.

Help Center data (marker keys, locales, attachment names) and article sources
(image and link targets) name files.  Every such name is checked here before
anything is read or written: one component at a time for remote names, and by
resolving symlinks for the final path, which must stay under its root.
"""

from __future__ import annotations

import re
from pathlib import Path

_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


class UnsafePath(Exception):
    """A path built from Help Center data would land outside the target folder."""


def safe_part(name: str) -> bool:
    """One path component taken from remote data: no separators, no ``..``, no hidden or control names."""
    return (0 < len(name) <= 200 and not name.startswith(".") and name.isprintable()
            and not any(c in name for c in '/\\:\x00'))


def safe_locale(locale: str) -> bool:
    return bool(_LOCALE.match(locale))


def inside(root: Path, path: Path) -> Path:
    """``path`` with symlinks resolved, provided it stays under ``root``; else :class:`UnsafePath`."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise UnsafePath(f"{path} resolves to {resolved}, outside {root}")
    return resolved
