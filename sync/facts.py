"""Facts per account: its Salesforce fields plus aggregates of the tickets of its linked organizations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from rules.ruleset import RuleSet
from sync.store import Store

OPEN = ("new", "open", "pending", "hold")


def ticket_aggregates(store: Store, today: date) -> dict[str, dict[str, Any]]:
    """Per Salesforce Account Id: the ticket aggregates the rules may name (one grouped query)."""
    d7 = (today - timedelta(days=7)).isoformat()
    d30 = (today - timedelta(days=30)).isoformat()
    placeholders = ", ".join("?" for _ in OPEN)
    rows = store.query(
        f"""
        SELECT o.account_id AS account_id,
               SUM(CASE WHEN t.status IN ({placeholders}) THEN 1 ELSE 0 END) AS tickets_open,
               SUM(CASE WHEN t.created_at >= ? THEN 1 ELSE 0 END) AS tickets_last_7d,
               SUM(CASE WHEN t.created_at >= ? THEN 1 ELSE 0 END) AS tickets_last_30d,
               SUM(CASE WHEN t.priority = 'urgent' AND t.status IN ({placeholders}) THEN 1 ELSE 0 END)
                   AS urgent_open,
               MAX(t.created_at) AS last_ticket_at,
               SUM(CASE WHEN t.satisfaction = 'bad' AND t.updated_at >= ? THEN 1 ELSE 0 END) AS csat_bad_30d
        FROM tickets t JOIN organizations o ON o.id = t.organization_id
        WHERE t.deleted = 0 AND o.account_id IS NOT NULL
        GROUP BY o.account_id
        """,
        (*OPEN, d7, d30, *OPEN, d30),
    )
    return {r["account_id"]: {k: v for k, v in dict(r).items() if k != "account_id"} for r in rows}


ZERO_AGGREGATES = {"tickets_open": 0, "tickets_last_7d": 0, "tickets_last_30d": 0, "urgent_open": 0,
                   "last_ticket_at": None, "csat_bad_30d": 0}


def account_facts(store: Store, rules: RuleSet, today: date) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(account id, its Salesforce fields, raw facts by fact name) for every live account."""
    aggregates = ticket_aggregates(store, today)
    mapping = [(f.name, f.field, f.aggregate) for f in rules.facts.values() if f.field or f.aggregate]
    for row in store.conn.execute("SELECT id, fields FROM accounts WHERE deleted = 0 ORDER BY id"):
        fields = json.loads(row["fields"])
        agg = aggregates.get(row["id"], ZERO_AGGREGATES)
        raw: dict[str, Any] = {}
        for name, field, aggregate in mapping:
            raw[name] = fields.get(field) if field else agg.get(aggregate or "")
        yield row["id"], fields, raw
