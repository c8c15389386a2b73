"""Facts per account: its Salesforce fields plus aggregates of the tickets of its linked organizations."""

from __future__ import annotations

import json
from collections.abc import Container, Iterator
from datetime import date, timedelta
from typing import Any

from rules.engine import PastPoint
from rules.ruleset import RuleSet
from store import Store
from store.tickets import NO_TICKETS
from sync.sources import source_values

OPEN = ("new", "open", "pending", "hold")


def ticket_aggregates(store: Store, today: date, kept: bool = False) -> dict[str, dict[str, Any]]:
    """Per Salesforce Account Id: the ticket aggregates the rules may name (one grouped query over every ticket;
    ``kept``: from the store's table of them, computed again for the accounts whose tickets or organizations changed
    since, and for all on a new day: the same figures, what a sync that records reads)."""
    d7 = (today - timedelta(days=7)).isoformat()
    d30 = (today - timedelta(days=30)).isoformat()
    return (store.kept_ticket_aggregates if kept else store.ticket_aggregates)(OPEN, d7, d30)


def account_facts(store: Store, rules: RuleSet, today: date, aggregates: dict[str, dict[str, Any]] | None = None,
                  only: Container[str] | None = None) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(account id, its Salesforce fields, raw facts by fact name) for every live account (of ``only``, when
    given: asked once per live account, in Id order); ``aggregates``: :func:`ticket_aggregates` when the caller
    already has them."""
    if aggregates is None:
        aggregates = ticket_aggregates(store, today)
    mapping = [(f.name, f.field, f.aggregate) for f in rules.facts.values() if f.field or f.aggregate]
    sources = [(source, stored, [(f.name, f.source_column) for f in rules.source_facts(name)])
               for name, (source, stored) in source_values(store, rules).items()]
    for account_id, fields_json in store.live_accounts():
        if only is not None and account_id not in only:
            continue
        fields = json.loads(fields_json)
        agg = aggregates.get(account_id, NO_TICKETS)
        raw: dict[str, Any] = {}
        for name, field, aggregate in mapping:
            raw[name] = fields.get(field) if field else agg.get(aggregate or "")
        for source, stored, columns in sources:
            key = account_id if source.match is None else _text(raw.get(source.match))
            found = stored.get(key) if key is not None else None
            values = json.loads(found) if found is not None else {}
            for name, column in columns:
                raw[name] = values.get(column)
        yield account_id, fields, raw


def _text(value: Any) -> str | None:
    """A matched fact's value as a source's key column holds it (text, trimmed; 12.0 as 12)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def past_points(store: Store, today: date) -> dict[str, list[PastPoint]]:
    """Per account, its history points before ``today`` (oldest first): what the facts from history read."""
    out: dict[str, list[PastPoint]] = {}
    for h in store.history((today - timedelta(days=1)).isoformat()):
        out.setdefault(h.account_id, []).append(PastPoint(date.fromisoformat(h.day), h.status, h.phase,
                                                          h.health_score))
    return out
