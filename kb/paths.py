"""Paths built from data: remote names and article references must stay where they belong.

Help Center data (marker keys, locales, attachment names) and article sources
(image and link targets) name files.  Every such name is checked here before
anything is read or written: one component at a time for remote names, and by
resolving symlinks for the final path, which must stay under its root.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from base.errors import InputError, UsageError

_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


class BuildRefused(UsageError):
    """The output folder is not one kb build may replace (usage error)."""


class UnsafePath(InputError):
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


def split_url(url: str) -> SplitResult | None:
    """A link or image source as written in an article or a Help Center body, split into its parts; None when it
    cannot be (``http://[::1/x``: an unclosed ``[``), which is then no file of the kb and kept as written."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def local_target(source: Path, url: str) -> Path | None:
    """The file a relative link or image source in the article at ``source`` names (symlinks followed);
    None for URLs with a scheme, protocol-relative URLs, anchors, empty paths and what is no URL at all."""
    parts = split_url(url)
    if parts is None or parts.scheme or url.startswith(("#", "//")) or not parts.path:
        return None
    return (source.parent / unquote(parts.path)).resolve()


def escapes(root: Path, source: Path, url: str) -> Path | None:
    """Where ``url`` leads when that is outside ``root`` (``../../etc/passwd``, ``/etc/hostname``, a symlink
    out of ``images/``): such a file is never read, copied or uploaded.  None when it stays inside."""
    target = local_target(source, url)
    if target is None or target.is_relative_to(root.resolve()):
        return None
    return target
