"""rules/_parsetab.py: rule-engine's PLY parser tables, shipped so that csops does not build them at every start.

Written by PLY itself. After a rule-engine upgrade whose grammar differs, write them again with
``.venv/bin/python tests/rules/test_parser_tables.py`` (the test below fails until then).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "_parsetab.py"


def write_tables(folder: Path) -> Path:
    """The tables PLY writes for the installed rule-engine's grammar, into ``folder``. Under a module name of their
    own: PLY writes nothing when it could read tables under the name it is given, and the shipped ones are read."""
    from rule_engine._vendor.ply import yacc
    from rule_engine.parser import Parser

    yacc.yacc(module=Parser(), debug=False, write_tables=True, outputdir=str(folder), tabmodule="fresh_tables")
    return folder / "fresh_tables.py"


def tables(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), found)  # PLY's own output
    return {k: found[k] for k in ("_tabversion", "_lr_method", "_lr_signature", "_lr_action", "_lr_goto")}


def test_the_shipped_tables_are_those_of_the_installed_grammar(tmp_path: Path) -> None:
    fresh = tables(write_tables(tmp_path))
    assert tables(SHIPPED) == fresh, "rule-engine's grammar changed: run python tests/rules/test_parser_tables.py"


def test_the_cli_parses_conditions_with_the_shipped_tables() -> None:
    """PLY read the shipped tables (it keeps the very dict it read) instead of building its own."""
    code = ("import csops.cli, rule_engine, rules._parsetab as t\n"
            "assert rule_engine.Rule.parser._parser.action is t._lr_action\n"
            "assert rule_engine.Rule('a > 1').matches({'a': 2})\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


if __name__ == "__main__":
    SHIPPED.write_text(write_tables(Path(__import__("tempfile").mkdtemp())).read_text(encoding="utf-8"),
                       encoding="utf-8")
    print(f"wrote {SHIPPED}")
