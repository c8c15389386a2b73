"""base.files, the one file writer: what each promise means on a real file system."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from base.files import WouldOverwrite, WriteError, atomic_open, make_folder, write_file


def test_a_failure_inside_the_block_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    for fault in (ValueError("render failed"), KeyboardInterrupt()):
        with pytest.raises(type(fault)), atomic_open(target) as fh:
            fh.write("half of the new")
            raise fault
        assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["out.txt"]


def test_no_overwrite_refuses_any_existing_name_a_dangling_link_included(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    (tmp_path / "file").write_text("mine")
    for name in ("link", "file"):
        with pytest.raises(WouldOverwrite):
            write_file(tmp_path / name, "new", overwrite=False)
    assert not (tmp_path / "nowhere").exists() and (tmp_path / "file").read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == ["file", "link"]
    write_file(tmp_path / "fresh", "new", overwrite=False)
    assert (tmp_path / "fresh").read_text() == "new"


def test_a_link_is_followed_only_when_the_user_named_it(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "named.txt"
    link.symlink_to(target)
    with pytest.raises(WriteError, match="symbolic link"):
        write_file(link, "new")
    assert target.read_text() == "old" and link.is_symlink()
    write_file(link, "new", named=True)
    assert target.read_text() == "new" and link.is_symlink()


def test_within_refuses_a_linked_folder_on_the_way(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "images").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WriteError, match="symbolic link"):
        write_file(root / "images" / "a.png", b"png", within=root)
    with pytest.raises(WriteError, match="symbolic link"):
        make_folder(root / "images" / "sub", root)
    assert os.listdir(outside) == []


def test_permissions_given_kept_or_from_the_umask(tmp_path: Path) -> None:
    secret = tmp_path / "secret.env"
    secret.write_text("x")
    secret.chmod(0o644)
    write_file(secret, "y", perms=0o600)
    assert secret.stat().st_mode & 0o777 == 0o600
    shared = tmp_path / "shared.txt"
    shared.write_text("x")
    shared.chmod(0o640)
    write_file(shared, "y")
    assert shared.stat().st_mode & 0o777 == 0o640
    write_file(tmp_path / "new.txt", "z")  # as open() would make it, not mkstemp's 0600
    current = os.umask(0o022)
    os.umask(current)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o666 & ~current
