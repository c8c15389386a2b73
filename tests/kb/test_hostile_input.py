"""kb commands on hostile input (issue 25): what a kb.yaml, an article or a folder can hold that once hung, crashed
or reached outside the kb. Through the `kb` command, on real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.kb.helpers import article, make_kb, run

KB = str(Path(sys.executable).parent / "kb")
USER_RULES = "  user_rules:\n"


def user_rule(pattern: str) -> tuple[str, str]:
    return USER_RULES, USER_RULES + f"    - {{id: slow, kind: existence, message: x, patterns: ['{pattern}']}}\n"


def test_a_user_rule_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    """F4: `(a+)+$` on Python's re against 72 'a's and a stop took kb check past 30 s; on RE2 it is instant.
    The timeout is a guard against the hang, far above any normal run (2^100 steps never end)."""
    root = make_kb(tmp_path, user_rule("(a+)+$"))
    article(root, "a" * 100 + "。")
    proc = subprocess.run([KB, "--root", str(root), "check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "unexpected" not in proc.stderr


def test_a_pattern_re2_cannot_run_is_a_located_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path, user_rule("(?<=ログ)イン"))
    article(root, "ログインします。")
    result = run(root, "check")
    assert result.exit_code == 78, result.output
    line = next(i for i, text in enumerate((root / "kb.yaml").read_text().splitlines(), 1) if "id: slow" in text)
    assert f"kb.yaml:{line}:" in result.stderr and "user rule 'slow'" in result.stderr
    assert "lookarounds are not allowed" in result.stderr
