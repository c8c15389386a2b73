"""One exception tree (base.errors): every exception csops defines derives from its root, and the outcome class it
derives from gives the exit code both the process and the run record use."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

import pytest

from base.errors import (
    Failure,
    Held,
    InputError,
    Partial,
    StorageFailure,
    Terminated,
    TryLater,
    Unavailable,
    UsageError,
    exit_code_for,
    outcome,
)
from base.exits import EXIT_MEANINGS
from tests.test_imports import ROOT, module_files

#: Exceptions defined in csops that are not raised as failures, and why.
OUTSIDE_THE_TREE = {
    "csops.exits:CsopsError": "what the boundary hands click: the wording of a Failure, raised nowhere else",
}


def defined_exceptions() -> dict[str, type[BaseException]]:
    """``module:Class`` → class, for every exception class our modules define (imported, so inheritance counts)."""
    found = {}
    for name in module_files():
        if name == "csops.__main__":
            continue
        module = importlib.import_module(name)
        for _, kind in inspect.getmembers(module, inspect.isclass):
            if issubclass(kind, BaseException) and kind.__module__ == name:
                found[f"{name}:{kind.__qualname__}"] = kind
    return found


def test_every_exception_csops_defines_derives_from_the_root() -> None:
    found = defined_exceptions()
    assert len(found) > 40 and "connectors.salesforce:FieldError" in found  # the walk sees the tree
    outside = sorted(name for name, kind in found.items()
                     if not issubclass(kind, Failure | Terminated) and name not in OUTSIDE_THE_TREE)
    assert outside == []


def test_only_the_boundary_makes_the_click_error() -> None:
    """Commands raise an outcome class (InputError, UsageError…), never an exit number with a message."""
    makers = []
    for name, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("CsopsError"):
                makers.append(name)
    assert set(makers) == {"csops.exits"}


@pytest.mark.parametrize(("kind", "code", "status"), [
    (Failure, 70, "failed"), (InputError, 78, "failed"), (UsageError, 2, "failed"), (Unavailable, 69, "failed"),
    (StorageFailure, 74, "failed"), (TryLater, 75, "stopped"), (Held, 4, "held"), (Partial, 3, "partial")])
def test_each_outcome_carries_its_code_and_run_status(kind: type[Failure], code: int, status: str) -> None:
    assert outcome(kind("x")) == (code, status) and exit_code_for(kind("x")) == code
    assert code in EXIT_MEANINGS


def test_what_is_not_ours_has_its_own_code() -> None:
    assert outcome(ValueError("a bug")) == (70, "failed")
    assert outcome(KeyboardInterrupt()) == (130, "interrupted")
    assert outcome(Terminated()) == (143, "interrupted")
    assert outcome(SystemExit(3)) == (3, "partial")
    assert outcome(None) == (0, "ok") and outcome(None, partial=True) == (3, "partial")


def test_a_domain_error_takes_the_outcome_listed_first_among_its_bases() -> None:
    from connectors.http import BudgetExhausted, ConnectorError, InsecureURL, RequestRejected
    from connectors.salesforce import FieldError
    from store import StoreConfigError, StoreError, StoreUnavailable
    from store.lease import LeaseLost

    assert exit_code_for(FieldError("no field")) == 78 and isinstance(FieldError("x"), RequestRejected)
    assert exit_code_for(InsecureURL("http")) == 78 and exit_code_for(BudgetExhausted("spent")) == 75
    assert exit_code_for(ConnectorError("down")) == 69
    assert exit_code_for(LeaseLost("lost")) == 69
    assert exit_code_for(StoreUnavailable("down")) == 69
    assert exit_code_for(StoreConfigError("bad url")) == 78
    assert exit_code_for(StoreError("disk full")) == 74


def test_the_kb_command_starts_without_the_sync_side() -> None:
    """`kb check` runs on every save in a writer's editor: the connectors, the rules engine, the store and
    rich are not loaded to start it (they once cost most of its start-up)."""
    heavy = ("rule_engine", "simple_salesforce", "requests", "store", "rich", "psycopg", "report.load")
    out = subprocess.run([sys.executable, "-c", "import sys, csops.kb_cli; "
                          f"print(sorted(m for m in {heavy!r} if m in sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"
