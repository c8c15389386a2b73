"""A store csops cannot use: a clear message with the path and what to do, exit 74, the file left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import Store
from tests.conftest import Workspace


def point_store_at(ws: Workspace, path: Path) -> None:
    text = ws.config.read_text(encoding="utf-8")
    lines = [f"  url: sqlite:///{path}" if ln.strip().startswith("url: sqlite") else ln for ln in text.splitlines()]
    assert lines != text.splitlines(), "the workspace config has no store.url line"
    ws.config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def damaged(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "state" / "state.db"
    path.parent.mkdir()
    if kind == "garbage":
        path.write_bytes(b"this is not a database\n" * 200)
    else:
        Store(path).close()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    return path


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
@pytest.mark.parametrize("command", [("status",), ("sync", "--dry-run")])
def test_a_damaged_store_is_explained_and_left_alone(ws: Workspace, kind: str, command: tuple[str, ...]) -> None:
    path = damaged(ws.path, kind)
    before = path.read_bytes()
    point_store_at(ws, path)
    proc = ws.run(*command)
    assert proc.returncode == 74, proc.stderr
    assert str(path) in proc.stderr and "damaged or not a csops store" in proc.stderr
    assert "csops sync --full" in proc.stderr and "unexpected" not in proc.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [("status",), ("sync", "--dry-run")])
def test_a_store_folder_that_cannot_be_made(ws: Workspace, command: tuple[str, ...]) -> None:
    blocker = ws.path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be", encoding="utf-8")
    point_store_at(ws, blocker / "state.db")
    proc = ws.run(*command)
    assert proc.returncode == 74, proc.stderr
    assert str(blocker) in proc.stderr and "store.url" in proc.stderr and "unexpected" not in proc.stderr
