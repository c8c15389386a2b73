"""Facts per account: its Salesforce fields plus aggregates of the tickets of its linked organizations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from rules.ruleset import RuleSet
from store import Store
from store.tickets import NO_TICKETS

OPEN = ("new", "open", "pending", "hold")


def ticket_aggregates(store: Store, today: date) -> dict[str, dict[str, Any]]:
    """Per Salesforce Account Id: the ticket aggregates the rules may name (one grouped query)."""
    d7 = (today - timedelta(days=7)).isoformat()
    d30 = (today - timedelta(days=30)).isoformat()
    return store.ticket_aggregates(OPEN, d7, d30)


def account_facts(store: Store, rules: RuleSet, today: date) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(account id, its Salesforce fields, raw facts by fact name) for every live account."""
    aggregates = ticket_aggregates(store, today)
    mapping = [(f.name, f.field, f.aggregate) for f in rules.facts.values() if f.field or f.aggregate]
    for account_id, fields_json in store.live_accounts():
        fields = json.loads(fields_json)
        agg = aggregates.get(account_id, NO_TICKETS)
        raw: dict[str, Any] = {}
        for name, field, aggregate in mapping:
            raw[name] = fields.get(field) if field else agg.get(aggregate or "")
        yield account_id, fields, raw
