"""The sandbox's SOQL datetime comparisons: every row's value is made canonical UTC text, checked against a
plain strptime reading of the same text (the way the sandbox did it before it had to read 100,000 rows a query)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from sandbox.soql import _norm_dt


def reference(value: str) -> str:
    m = re.match(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2}):?(\d{2})$", value.replace("Z", "+0000"))
    if not m:
        return value
    dt = datetime.strptime(m.group(1) + m.group(2) + m.group(3), "%Y-%m-%dT%H:%M:%S%z")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.parametrize("value", [
    "2026-11-20T10:00:00.000+0000", "2026-11-20T10:00:00Z", "2026-11-20T23:30:00.000-0530",
    "2026-11-20T10:00:00+09:00", "2026-12-31T23:59:59.999+1400", "2024-02-29T00:00:00-0000",
    "2026-11-20T10:00:00.123456-00:00", "2026-11-20", "not a date", "",
])
def test_a_datetime_is_read_as_strptime_reads_it(value: str) -> None:
    assert _norm_dt(value) == reference(value)


@pytest.mark.parametrize("value", ["2026-13-20T10:00:00Z", "2025-02-29T10:00:00+0000", "2026-01-01T25:00:00+0900",
                                   "2026-04-31T00:00:00.000+0000"])
def test_an_impossible_datetime_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        reference(value)
    with pytest.raises(ValueError):
        _norm_dt(value)
