"""A throwaway knowledge base: the shipped kb.yaml (optionally edited) and articles written by the test."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from csops.kb_cli import kb

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "kb"

HOWTO_JA = """---
title: {title}
---

## 概要

{body}

## 手順

1. ［設定］を開きます。
"""

HOWTO_EN = """---
title: {title}
---

## Overview

{body}

## Steps

1. Open **Settings**.
"""


def make_kb(tmp: Path, yaml_edit: tuple[str, str] | list[tuple[str, str]] | None = None,
            with_samples: bool = False) -> Path:
    root = tmp / "kb"
    root.mkdir()
    text = (SHIPPED / "kb.yaml").read_text(encoding="utf-8")
    for old, new in ([yaml_edit] if isinstance(yaml_edit, tuple) else yaml_edit or []):
        assert old in text, old
        text = text.replace(old, new)
    (root / "kb.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(SHIPPED / "images", root / "images")
    if with_samples:
        shutil.copytree(SHIPPED / "articles", root / "articles")
    else:
        (root / "articles").mkdir()
    return root


def write(root: Path, rel: str, text: str) -> Path:
    path = root / "articles" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def article(root: Path, body: str, title: str = "テスト記事", rel: str = "employees/timecard/test.md",
            en: bool = False) -> Path:
    return write(root, rel, (HOWTO_EN if en else HOWTO_JA).format(title=title, body=body))


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(kb, ["--root", str(root), *args], catch_exceptions=False)


def findings(root: Path, *paths: Path) -> list[dict[str, object]]:
    import json

    result = run(root, "check", "--format", "json", *map(str, paths))
    assert result.exit_code in (0, 1), result.output
    return list(json.loads(result.stdout))


def rules_found(root: Path, *paths: Path) -> list[str]:
    return [str(f["rule"]) for f in findings(root, *paths)]
