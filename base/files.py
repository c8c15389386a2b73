"""The one way csops writes a file: whole or not at all, never through a link it was not given, never on top of a
file it must not replace.

- The bytes go to a temporary file beside the target, with an unpredictable name created with ``O_EXCL`` and
  ``O_NOFOLLOW`` (:func:`tempfile.mkstemp`), so nothing planted at a guessable name (``report.html.tmp``) is
  followed. It is flushed to disk and renamed over the target: a reader sees the old file or the new one.
- A target that is a symbolic link is written through only when the user named that path (``--out``): the file it
  points to gets the new content and the link stays. Anywhere else a link is refused, as is a link among the
  folders between ``within`` and the target.
- ``overwrite=False`` (``csops init``, ``--write-config``) puts the file in place with ``link()``, which fails on
  any existing name, a dangling link included.
- Any failure removes the temporary file and raises :class:`WriteError` with the path and the reason (exit 74);
  no space left says so.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from base.errors import InputError, StorageFailure

NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV})


class WriteError(StorageFailure):
    """A file or folder could not be written (exit 74). Nothing half-written was left behind."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class WouldOverwrite(InputError, WriteError):
    """A file that must not be replaced exists already (exit 78)."""


def reason(exc: OSError) -> str:
    if exc.errno in NO_SPACE:
        return f"no space left on the device ({exc.strerror})"
    return exc.strerror or str(exc)


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # no way to read it without setting it: put it back at once
    os.umask(current)
    return current


_UMASK = _umask()

LINK_REFUSED = ("it is a symbolic link, and csops writes through no link it was not given by name: remove the link, "
                "or name the file it points to")


def check_no_links(path: Path, within: Path) -> None:
    """Refuse when any existing folder between ``within`` and ``path`` (``path`` included) is a symbolic link."""
    current = within
    for part in path.relative_to(within).parts:
        current = current / part
        if current.is_symlink():
            raise WriteError(current, LINK_REFUSED)


def make_folder(path: Path, within: Path) -> None:
    """Create ``path`` and the folders between it and ``within`` (which exists), following no link on the way."""
    current = within
    for part in path.relative_to(within).parts:
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            if current.is_symlink():
                raise WriteError(current, LINK_REFUSED) from None
            if not current.is_dir():
                raise WriteError(current, "it exists and is not a folder") from None
        except OSError as exc:
            raise WriteError(current, reason(exc)) from None


def make_named_folder(path: Path) -> None:
    """Create a folder the user named (``--out reports/r.html``) and those above it; links are theirs to use."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(path, reason(exc)) from None


def _target(path: Path, named: bool, overwrite: bool, within: Path | None) -> Path:
    if within is not None:
        check_no_links(path.parent, within)
    if not path.is_symlink():
        return path
    if not overwrite:
        raise WouldOverwrite(path, "it exists already (a symbolic link), and csops overwrites nothing here")
    if not named:
        raise WriteError(path, LINK_REFUSED)
    return Path(os.path.realpath(path))


def _mode(target: Path, perms: int | None) -> int:
    if perms is not None:
        return perms
    with contextlib.suppress(OSError):
        st = os.stat(target, follow_symlinks=False)
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)  # replacing a file keeps its permissions
    return 0o666 & ~_UMASK


def _put_in_place(tmp: str, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise WouldOverwrite(target, "it exists already, and csops overwrites nothing here") from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # A file system without hard links: claim the name exclusively, then replace that empty claim.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        except FileExistsError:
            raise WouldOverwrite(target, "it exists already, and csops overwrites nothing here") from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system lets a folder be opened and synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = None,
                named: bool = False, overwrite: bool = True, perms: int | None = None, within: Path | None = None,
                durable: bool = True) -> Iterator[IO[Any]]:
    """A file object whose content replaces ``path`` when the block ends without an exception.

    ``named``: the user gave this path (a link there is written through to its file). ``within``: the folder the
    path must stay in without crossing a link. ``perms``: the file's mode (default: the replaced file's, or
    0666 less the umask). ``durable=False`` skips the fsyncs, for files in a folder that is itself swapped in whole.
    """
    target = _target(Path(path), named, overwrite, within)
    binary = "b" in mode
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(target, reason(exc)) from None
    placed = False
    try:
        os.fchmod(fd, _mode(target, perms))
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else newline) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        _put_in_place(tmp, target, overwrite)
        placed = True
        if durable:
            _sync_folder(target.parent)
    except OSError as exc:
        raise WriteError(target, reason(exc)) from None
    finally:
        if not placed:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def copy_file(source: Path, path: Path | str, **options: Any) -> None:
    """Copy ``source``'s bytes to ``path`` through :func:`atomic_open` (same options as :func:`write_file`)."""
    with source.open("rb") as src, atomic_open(path, "wb", **options) as fh:
        shutil.copyfileobj(src, fh)


def write_file(path: Path | str, data: str | bytes, *, encoding: str = "utf-8", newline: str | None = None,
               named: bool = False, overwrite: bool = True, perms: int | None = None, within: Path | None = None,
               durable: bool = True) -> None:
    """Write ``data`` (text or bytes) to ``path`` through :func:`atomic_open`."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w", encoding=encoding, newline=newline, named=named,
                     overwrite=overwrite, perms=perms, within=within, durable=durable) as fh:
        fh.write(data)
