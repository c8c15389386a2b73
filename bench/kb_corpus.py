"""The articles bench/kb.py generates, for the other kb benches.

bench/kb.py is loaded by its path: imported by name from bench/, it would shadow the kb package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(root: Path, articles: int) -> None:
    """bench/kb.py's knowledge base of ``articles`` articles, written under ``root``."""
    spec = importlib.util.spec_from_file_location("bench_kb", ROOT / "bench" / "kb.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, articles)
