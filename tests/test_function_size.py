"""Functions under 60 lines outside tests (STYLE.md; issue 26): ruff's C90 and PLR0912/PLR0915 bound complexity,
branches and statements, and this bounds length, which none of them measures (a long run of plain statements)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_imports import PACKAGES, ROOT

MAX_LINES = 60


def long_functions(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line name (N lines)`` for each function in ``path`` longer than MAX_LINES, from its ``def`` to its
    last line (decorators and the blank lines after it not counted)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_LINES:
                found.append(f"{path.relative_to(root).as_posix()}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_over_60_lines_outside_tests() -> None:
    files = [p for d in (*PACKAGES, "bench") for p in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 100
    assert [f for path in files for f in long_functions(path)] == []


def test_the_measure_counts_from_def_to_the_last_line(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES))
    sample = tmp_path / "sample.py"
    sample.write_text(f"@decorator\ndef long():\n{body}\n\ndef short():\n    return 1\n", encoding="utf-8")
    assert long_functions(sample, tmp_path) == [f"sample.py:2 long ({MAX_LINES + 1} lines)"]
