"""A full disk for fault tests, two honest ways.

``tmpfs``: a 64 KiB tmpfs mounted on a folder (needs root: a container's CI runs as root, a laptop usually not);
writes there fail with ENOSPC, as on a full disk. ``fsize``: the command runs with RLIMIT_FSIZE set, so any write
past that size fails with EFBIG (SIGXFSZ ignored, as a shell's ``ulimit -f`` leaves it) — it needs no privilege,
so CI always runs one of the two. csops treats both errors as "no space left".
"""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TINY = "64k"


def mount_tiny(folder: Path, size: str = TINY) -> bool:
    """A tmpfs of ``size`` (64 KiB) on ``folder``; False when this process may not mount."""
    if not shutil.which("mount"):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    return proc.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 64 KiB file system (skipped where mounting needs a privilege this run lacks: the
    ``fsize_limit`` tests cover the same path there)."""
    folder = tmp_path / "tiny"
    if not mount_tiny(folder):
        pytest.skip("cannot mount a tmpfs here (not root); the RLIMIT_FSIZE variant covers a full disk")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fsize_limit(limit: int) -> Callable[[], None]:
    """A ``preexec_fn`` that makes every write past ``limit`` bytes of a file fail with EFBIG."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply
