"""SQL lives only in the store: no query text and no reaching into the store's connection anywhere else.

Every .py file of the shipped packages is parsed; a string constant that reads as SQL, or an attribute
access to the store's connection or its low-level query methods, fails the test with file:line. The
store package (``store/``) is the only place for both; Salesforce's SOQL is not SQL and is allowed by file,
each with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("base", "connectors", "csops", "kb", "notify", "report", "rules", "store", "sync")

#: The store: the only package whose modules may hold SQL and touch the connection.
STORE_PACKAGE = "store/"

#: Files whose SELECT … FROM text is SOQL, sent to Salesforce (never to the store).
SOQL_FILES = {
    "connectors/salesforce.py": "builds the SOQL of the account pull, the formula re-read and describe checks",
    "sync/nps.py": "builds the SOQL that pulls NPS answers from a Salesforce object",
    "notify/salesforce_task.py": "builds the SOQL that finds the open Tasks carrying csops' keys",
}

#: Files that run SQL against a database that is not csops's store, each with the reason.
EXTERNAL_SQL_FILES = {
    "connectors/sqlsource.py": "runs the team's own query (a rule file's SQL fact source) against the team's "
                               "database or warehouse, read-only; its only SQL text wraps that query in a LIMIT for "
                               "rules check and pull --preview. csops's own state never goes through it",
}

SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
                 r"|\bCREATE\s+(TABLE|INDEX|UNIQUE)\b|\bDROP\s+TABLE\b|\bALTER\s+TABLE\b|\bPRAGMA\b|\bVACUUM\b")
INTERNALS = {"conn", "_conn", "_query", "_rows", "_execute", "_executemany", "_scalar", "_tuples", "_stream"}


def strings(tree: ast.AST) -> list[tuple[ast.expr, str]]:
    """Every string literal; an f-string as one text (``{}`` where a value goes), so SELECT {x} FROM {y} reads."""
    inner: set[int] = set()
    out: list[tuple[ast.expr, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                inner.add(id(v))
                parts.append(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}")
            out.append((node, "".join(parts)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inner:
            out.append((node, node.value))
    return out


def findings(rel: str, source: str) -> list[str]:
    tree = ast.parse(source, rel)
    out = []
    for node, text in strings(tree):
        if SQL.search(text) and rel not in SOQL_FILES and rel not in EXTERNAL_SQL_FILES:
            out.append(f"{rel}:{node.lineno}: SQL text outside the store: {text.strip()[:60]!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in INTERNALS:
            out.append(f"{rel}:{node.lineno}: reaches into the store ('.{node.attr}')")
    return out


def test_sql_lives_only_in_the_store() -> None:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(STORE_PACKAGE):
                problems += findings(rel, path.read_text(encoding="utf-8"))
    assert not problems, "move these into a named Store method:\n" + "\n".join(problems)


def test_the_guard_sees_sql_and_reaching_in() -> None:
    code = ('rows = store._query("SELECT id FROM accounts WHERE deleted = 0")\n'
            'store.conn.execute(f"UPDATE accounts SET fields = {x}")\n'
            'x = "PRAGMA page_count"\n'
            'y = f"SELECT {cols} FROM {table}"\n'
            'ok = "Select the accounts from the list"\n')
    found = findings("csops/example.py", code)
    assert [f.split(":")[1] for f in found].count("1") == 2
    assert any(f.startswith("csops/example.py:2:") and "UPDATE accounts" in f for f in found)
    assert any(f.startswith("csops/example.py:2:") and "'.conn'" in f for f in found)
    assert any(f.startswith("csops/example.py:3:") for f in found)
    assert any(f.startswith("csops/example.py:4:") for f in found)
    assert not any(f.startswith("csops/example.py:5:") for f in found)


def test_every_soql_allowance_is_still_needed() -> None:
    for rel in [*SOQL_FILES, *EXTERNAL_SQL_FILES]:
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert any(SQL.search(t) for _, t in strings(ast.parse(text))), \
            f"{rel} holds no SOQL any more: drop it from SOQL_FILES"
