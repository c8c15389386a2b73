"""Fixtures of the connector tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.server import Sandbox
from tests.conftest import make_sandbox


@pytest.fixture
def hc() -> Iterator[Sandbox]:
    """A sandbox for Help Center tests (few accounts and tickets)."""
    sb = make_sandbox(accounts=3, tickets=3)
    try:
        yield sb
    finally:
        sb.stop()
