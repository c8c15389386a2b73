"""Conditions that would stall or crash the sync: catastrophic regexes and absurd nesting, refused or bounded."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from csops.cli import cli
from tests.budget import cpu_budget
from tests.rules.test_check import check, line_of, write_rules
from tests.rules.test_engine import RULES

LOW_USAGE = 'when: "ratio < 0.3"'


def test_a_catastrophic_pattern_cannot_stall_evaluation(tmp_path: Path) -> None:
    """``(a+)+$`` against 'aaa…ab' takes exponential time in Python's re; csops matches in linear time."""
    rules = write_rules(tmp_path)
    text = rules.read_text(encoding="utf-8").replace(
        LOW_USAGE, "when: 'product =~ \"(a+)+$\"'", 1).replace("statuses: [completed]", "", 1)
    rules.write_text(text, encoding="utf-8")
    facts = tmp_path / "accounts.json"
    facts.write_text(json.dumps([{"id": f"A{i}", "product": "a" * 50_000 + "b", "start": "2026-10-01"}
                                 for i in range(20)]), encoding="utf-8")
    with cpu_budget(5):
        result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(facts),
                                          "--today", "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    assert all("low_usage" not in row["alerts"] for row in json.loads(result.stdout))


def test_patterns_that_need_backtracking_are_refused_at_check(tmp_path: Path) -> None:
    text = RULES.replace(LOW_USAGE, "when: 'product =~ \"(a)\\\\1\"'")
    code, out, path = check(tmp_path, text)
    assert code == 78, out
    assert f"{path}:{line_of(text, 'product =~')}:" in out
    assert "backreferences and lookarounds are not allowed" in out


def test_a_pattern_from_a_fact_is_refused(tmp_path: Path) -> None:
    text = RULES.replace(LOW_USAGE, 'when: "product =~ product"')
    code, out, _ = check(tmp_path, text)
    assert code == 78, out
    assert "a regular expression must be a literal string" in out


def test_a_condition_with_500_ands(tmp_path: Path) -> None:
    text = RULES.replace(LOW_USAGE, 'when: "' + " and ".join(["ratio < 0.3"] * 500) + '"')
    with cpu_budget(5):
        code, out, path = check(tmp_path, text)
    assert code == 78, out
    assert f"{path}:{line_of(text, 'ratio < 0.3 and')}:" in out and "nested too deeply" in out
