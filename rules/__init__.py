"""The rules engine: pure functions from an account's facts and a date to an evaluation.

Nothing here does I/O beyond reading the team's YAML rule files.
"""

import importlib
import sys

#: rule-engine builds its LALR parser tables (PLY) when it is imported, about half a second of every csops start,
#: and never writes them down. PLY first reads ``rule_engine.parser.parsetab`` when that module exists and uses it
#: only when its grammar signature matches rule-engine's grammar, so the tables of the rule-engine csops is tested
#: with are shipped in rules/_parsetab.py (written by PLY itself; tests/rules/test_parser_tables.py says how to
#: write them again). Under another rule-engine whose grammar differs, PLY builds its own tables, as without them.
PLY_TABLES = "rule_engine.parser.parsetab"
sys.modules.setdefault(PLY_TABLES, importlib.import_module("rules._parsetab"))
