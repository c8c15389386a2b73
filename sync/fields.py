"""Field identity and fit: every field a config or rule file names, resolved once against describe.

Salesforce field names are case-insensitive, and records come back keyed by the describe spelling; a rule
that says ``product__c`` must read ``Product__c``. After :func:`canonical_rules` every name in the rule
set is the canonical one, so SOQL, the store, the facts, the diff and the writeback all agree.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rules.ruleset import WRITEBACK_SOURCES, RuleSet
from sync.conform import NUMBER_TYPES, TEXT_TYPES, picklist_values

_FIELD_KINDS = {"number": NUMBER_TYPES, "text": TEXT_TYPES, "date": ("date", "string", "textarea"),
                "multi": ("multipicklist", "string", "textarea")}


def canonical_rules(rs: RuleSet, describe: dict[str, dict[str, Any]]) -> RuleSet:
    """Rewrite the rule set's field names to their describe spelling (unknown names are left as written,
    for :meth:`SalesforceClient.check_fields` to report with a suggestion)."""
    lower = {k.lower(): k for k in describe}
    for name, fact in list(rs.facts.items()):
        if fact.field and fact.field.lower() in lower:
            rs.facts[name] = dataclasses.replace(fact, field=lower[fact.field.lower()])
    rs.writeback = {lower.get(k.lower(), k): v for k, v in rs.writeback.items()}
    rs.writeback_products = {lower.get(k.lower(), k): v for k, v in rs.writeback_products.items()}
    return rs


def canonical_names(names: list[str], describe: dict[str, dict[str, Any]]) -> list[str]:
    lower = {k.lower(): k for k in describe}
    return list(dict.fromkeys(lower.get(n.lower(), n) for n in names))


def calculated_fields(fields: list[str], describe: dict[str, dict[str, Any]]) -> list[str]:
    """The formula and roll-up fields among ``fields``: their value changes without SystemModstamp."""
    return [f for f in fields if (describe.get(f) or {}).get("calculated")]


def writeback_findings(rs: RuleSet, describe: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(problem, how to fix it) for each writeback field whose values cannot all be stored."""
    out: list[tuple[str, str]] = []
    for name, source in rs.writeback.items():
        desc = describe.get(name)
        if desc is None:
            continue
        kind = str(desc.get("type"))
        want = WRITEBACK_SOURCES[source].kind
        if kind not in _FIELD_KINDS[want]:
            out.append((f"writeback {name} ({kind}) cannot hold {source} (a {want} value)",
                        f"map {source} to a {' or '.join(_FIELD_KINDS[want][:2])} field, or change the "
                        f"field's type in Setup"))
            continue
        out.extend(_value_findings(rs, name, source, desc))
    return out


def _value_findings(rs: RuleSet, name: str, source: str, desc: dict[str, Any]) -> list[tuple[str, str]]:
    possible = WRITEBACK_SOURCES[source].values
    if possible is None:
        return []
    values = possible(rs)
    out = []
    if desc.get("type") in ("picklist", "multipicklist") and desc.get("restrictedPicklist"):
        allowed = picklist_values(desc)
        missing = [v for v in values if v not in allowed]
        if missing:
            out.append((f"writeback {name}: restricted picklist lacks {', '.join(repr(m) for m in missing)} "
                        f"(from {source})", f"add {', '.join(missing)} to {name}'s values in Setup, or change the "
                        f"rules so {source} only produces {', '.join(allowed)}"))
    length = int(desc.get("length") or 0)
    joined = [";".join(values)] if source == "alerts" and desc.get("type") != "multipicklist" else values
    long = [v for v in joined if length and len(v) > length]
    if long:
        out.append((f"writeback {name}: '{long[0][:40]}' is {len(long[0])} characters; the field holds {length}",
                    f"make {name} longer in Setup, or shorten the value in the rules"))
    return out
