"""`csops` commands on hostile input (issue 25): what a facts file, a remote name, a signal or the clock can do
that once crashed, reached the terminal or lied in the run record. Through the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.rules.test_check import write_rules


def rules_eval(rules: Path, facts: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "csops", "rules", "eval", "--rules", str(rules), "--facts",
                           str(facts), "--today", "2026-11-23"], capture_output=True, text=True, timeout=120)


def test_a_deeply_nested_json_facts_file_is_a_located_error(tmp_path: Path) -> None:
    """F6: json.loads recursed into 100,000 '[' and crashed with RecursionError (exit 70)."""
    facts = tmp_path / "facts.json"
    facts.write_text('[\n  {"id": "A1", "product": ' + "[" * 100_000 + "]" * 100_000 + "}\n]\n", encoding="utf-8")
    proc = rules_eval(write_rules(tmp_path), facts)
    assert proc.returncode == 78, proc.stderr
    assert f"{facts}:2:" in proc.stderr and "nested more than 64 levels" in proc.stderr
    assert "unexpected" not in proc.stderr
