"""No import cycles in csops's own code.

Two checks. As in pip-tools' ``tests/test_circular_imports.py`` (an idea from
pytest's self-tests), every first-party module is imported alone, after all the
others were forgotten, so one that only works when something else was imported
first fails here. And, since an import inside a function only bites when that
function runs (the demo importing the CLI that imports the demo did), the
import graph of all first-party packages is read from the source, function
bodies included, and must have no cycle.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("base", "connectors", "csops", "kb", "notify", "report", "rules", "sandbox", "store", "sync")


@functools.cache
def module_files() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")) if (ROOT / pkg).is_dir() else []:
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """First-party modules ``name`` imports anywhere in its file (``TYPE_CHECKING`` blocks excepted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@functools.cache
def import_graph() -> dict[str, set[str]]:
    files = module_files()
    graph = {name: imports_of(name, path, set(files)) for name, path in files.items()}
    # A module importing its own package (``import rules as rules_pkg`` for its folder) is not a cycle.
    return {n: {t for t in deps if not n.startswith(t + ".")} for n, deps in graph.items()}


def test_no_import_cycle_through_the_cli() -> None:
    graph = import_graph()
    shell = {n: {d for d in deps if d in graph and d.split(".")[0] == "csops"} for n, deps in graph.items()
             if n.split(".")[0] == "csops"}
    assert find_cycle(shell) is None, " → ".join(find_cycle(shell) or [])


def test_no_import_cycle_in_any_package() -> None:
    """rules/notify.py ↔ rules/ruleset.py, sandbox/server.py ↔ its API modules and kb/spec.py ↔ kb/writing (the
    loader reads the rules' registry, the rules read the spec's types: kb/model.py) were cycles (issue 26)."""
    graph = import_graph()
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


#: Imports each module named in argv first in a clean slate: every first-party module is forgotten before it, so
#: one that works only when another was imported before it fails. Third-party modules stay loaded: they are not
#: what is checked, and loading them once instead of once per module is what keeps this fast.
CLEAN_SLATE = (
    "import importlib, sys, traceback\n"
    f"ours = {PACKAGES!r}\n"
    "failed = []\n"
    "for name in sys.argv[1:]:\n"
    "    for loaded in [m for m in sys.modules if m.split('.')[0] in ours]:\n"
    "        del sys.modules[loaded]\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception:\n"
    "        failed.append(name + ': ' + traceback.format_exc(limit=3))\n"
    "print('\\n'.join(failed))\n"
    "sys.exit(1 if failed else 0)\n")


@pytest.mark.slow
@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_imports_alone(package: str) -> None:
    """One interpreter per package (so the workers share the packages out), not one per module."""
    names = sorted(n for n in module_files() if n.split(".")[0] == package and n != "csops.__main__")
    proc = subprocess.run([sys.executable, "-c", CLEAN_SLATE, *names], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_clean_slate_catches_a_module_that_needs_another_imported_first(tmp_path: Path) -> None:
    """The check itself: ``base.late`` uses ``base.early`` without importing it, which works only after it."""
    pkg = tmp_path / "base"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "early.py").write_text("X = 1\n", encoding="utf-8")
    (pkg / "late.py").write_text("import base\nY = base.early.X\n", encoding="utf-8")
    run = [sys.executable, "-c", CLEAN_SLATE]
    assert subprocess.run([*run, "base.early", "base.late"], cwd=tmp_path, capture_output=True,
                          timeout=60).returncode == 1
    together = [sys.executable, "-c", "import base.early, base.late"]
    assert subprocess.run(together, cwd=tmp_path, capture_output=True, timeout=60).returncode == 0


def test_layers_below_the_shell_never_import_it() -> None:
    """csops → sync/kb/report → rules/connectors: nothing under csops/ is imported from below."""
    upward = {n: sorted(d for d in deps if d.split(".")[0] == "csops") for n, deps in import_graph().items()
              if n.split(".")[0] != "csops"}
    assert not {n: d for n, d in upward.items() if d}


def test_base_imports_nothing_of_ours() -> None:
    """base/ is the floor every layer stands on: it imports only itself and what BASE_LIBRARIES allows."""
    ours = {n: sorted(d for d in deps if d.split(".")[0] != "base") for n, deps in import_graph().items()
            if n.split(".")[0] == "base"}
    assert ours and not {n: d for n, d in ours.items() if d}


def test_rule_engine_is_imported_through_rules_expr_alone() -> None:
    """rules/__init__.py gives rule-engine its parser tables before it is imported (rules/_parsetab.py): a module
    importing rule_engine itself, first in a process, would have it build them again."""
    found = []
    for name, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            tops = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [name for t in tops if t.split(".")[0] == "rule_engine" and name != "rules.expr"]
    assert found == []


#: The libraries base/ may import beside the standard library, each in the one module that is the way to use it.
BASE_LIBRARIES = {"yaml": "base.yamlsrc", "re2": "base.regex"}


def test_base_imports_the_standard_library_and_each_library_in_one_module() -> None:
    """``kb`` starts through base/ (the exit codes, located errors, the redactor), so base stays light."""
    found = []
    for name, path in module_files().items():
        if name.split(".")[0] != "base":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            tops = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for top in (t.split(".")[0] for t in tops):
                if top not in sys.stdlib_module_names and top != "base" and BASE_LIBRARIES.get(top) != name:
                    found.append(f"{name}: {top}")
    assert found == []


def test_one_yaml_loader_one_suggest_one_redactor_in_base() -> None:
    """The YAML loader and located errors (rules.yamlsrc), redaction (connectors.redact) and "did you mean" (once in
    each of those and connectors.salesforce, with different case handling) live in base/ only (issue 26)."""
    moved = {"rules.yamlsrc", "connectors.redact"}
    sources = [p for d in (*PACKAGES, "tests", "bench") for p in sorted((ROOT / d).rglob("*.py"))]
    imports, suggests = [], []
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
                     if isinstance(node, ast.ImportFrom) else [])
            imports += [f"{rel}: {n}" for n in names if n in moved]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "suggest":
                suggests.append(rel)
    assert imports == []
    assert suggests == ["base/suggest.py"]
    assert not (ROOT / "rules" / "yamlsrc.py").exists() and not (ROOT / "connectors" / "redact.py").exists()


def test_the_store_stands_below_sync_kb_and_report() -> None:
    """store/ is read by sync, kb and report alike, so it imports none of them (only base/ and connectors/)."""
    upward = {n: sorted(d for d in deps if d.split(".")[0] not in ("store", "base", "connectors"))
              for n, deps in import_graph().items() if n.split(".")[0] == "store"}
    assert upward and not {n: d for n, d in upward.items() if d}


def test_kb_and_report_read_the_store_not_sync() -> None:
    """kb and report need the store's tables, not the cron job: they import ``store``, never ``sync``."""
    through_sync = {n: sorted(d for d in deps if d.split(".")[0] == "sync") for n, deps in import_graph().items()
                    if n.split(".")[0] in ("kb", "report")}
    assert not {n: d for n, d in through_sync.items() if d}


#: What sync/ may take from notify/, name by name: the rule files' notify section, the outbox rows it plans and
#: writes in its own transaction, and the type of the delivery report the shell hands back.
SYNC_FROM_NOTIFY = {"notify.config": {"NotifySpec"}, "notify.enqueue": {"Planned", "enqueue", "plan"},
                    "notify.deliver": {"DeliveryReport"}}


def test_sync_only_enqueues_notifications() -> None:
    """A sync puts alert changes in the outbox; delivering them is the shell's (csops.jobs hands the job a
    ``deliver`` callback), so sync/ names no channel kind, no outbox delivery and no ``deliver`` (issue 26 item 5)."""
    taken: dict[str, set[str]] = {}
    for name, path in module_files().items():
        if name.split(".")[0] != "sync":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "notify":
                taken.setdefault(node.module or "", set()).update(a.name for a in node.names)
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "notify" for a in node.names):
                taken.setdefault("import notify", set()).add(name)
    assert taken and taken.keys() <= SYNC_FROM_NOTIFY.keys(), taken
    assert {m: sorted(n - SYNC_FROM_NOTIFY[m]) for m, n in taken.items() if n - SYNC_FROM_NOTIFY[m]} == {}


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_commands_are_composed_in_one_place() -> None:
    """Command modules never import ``csops.cli`` or one another."""
    files = module_files()
    for name, path in files.items():
        if name.startswith("csops.cmd_") or name == "csops.demo":
            deps = imports_of(name, path, set(files))
            assert not {d for d in deps if d.startswith("csops.cmd_") or d == "csops.cli"}, name


def test_nothing_in_csops_drives_the_cli_through_a_test_runner() -> None:
    """The demo calls the library (csops.jobs), as a cron run does, not ``CliRunner``."""
    users = [p.name for p in (ROOT / "csops").glob("*.py") if "click.testing" in p.read_text(encoding="utf-8")]
    assert users == []
