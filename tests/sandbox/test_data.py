"""The sandbox's generated data."""

from __future__ import annotations

import datetime as dt

from sandbox.data import account_records, generate


def test_the_accounts_one_at_a_time_are_those_generated_with_everything_else() -> None:
    """bench/sync.py --synthetic fills its store from account_records: the same accounts, in the same order, as the
    sandbox serves for the same seed (tickets and organizations drawn after them change nothing)."""
    today = dt.date(2026, 11, 23)
    assert list(account_records(7, 300, today)) == list(generate(7, 300, 500, today).accounts.items())
    assert list(account_records(7, 300, today))[:40] == list(account_records(7, 40, today))
    assert list(account_records(8, 40, today)) != list(account_records(7, 40, today))
