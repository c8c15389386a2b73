"""The exit-code table names exception classes as text; these tests hold the names to the code."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from csops.exits import EXIT_CODES, EXIT_CONFIG, EXIT_IOERR, EXIT_UNAVAILABLE, exit_code_for


@pytest.mark.parametrize("name", [name for name, _ in EXIT_CODES])
def test_every_name_in_the_table_is_an_exception_class_defined_where_it_says(name: str) -> None:
    module, _, qualname = name.partition(":")
    kind = getattr(importlib.import_module(module), qualname)
    assert isinstance(kind, type) and issubclass(kind, BaseException)
    assert f"{kind.__module__}:{kind.__qualname__}" == name  # a re-export's module would never match


def test_a_subclass_maps_through_its_base_and_the_first_match_wins() -> None:
    from store import StoreConfigError, StoreError, StoreUnavailable
    from store.lease import LeaseLost

    assert exit_code_for(LeaseLost("lost")) == EXIT_UNAVAILABLE
    assert exit_code_for(StoreUnavailable("down")) == EXIT_UNAVAILABLE
    assert exit_code_for(StoreConfigError("bad url")) == EXIT_CONFIG
    assert exit_code_for(StoreError("disk full")) == EXIT_IOERR
    assert exit_code_for(ValueError("a bug")) is None


def test_the_kb_command_starts_without_the_sync_side() -> None:
    """`kb check` runs on every save in a writer's editor: the connectors, the rules engine, the store and
    rich are not loaded to start it (they once cost most of its start-up)."""
    heavy = ("rule_engine", "simple_salesforce", "requests", "store", "rich", "psycopg", "report.load")
    out = subprocess.run([sys.executable, "-c", "import sys, csops.kb_cli; "
                          f"print(sorted(m for m in {heavy!r} if m in sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
