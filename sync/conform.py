"""Writeback values checked against describe before any write, and compared as Salesforce stores them.

Salesforce keeps a multi-select picklist deduplicated and in the order its values are defined in Setup
(Help 000231088), rejects values outside a restricted picklist, text past ``length`` and numbers past
``precision``. Checking here means a value that cannot fit is reported for its record and never sent, and
a rerun over unchanged data sees no difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sync.writeback import same

NUMBER_TYPES = ("double", "currency", "percent", "int", "long")
TEXT_TYPES = ("string", "textarea", "picklist", "multipicklist", "email", "phone", "url")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Misfit:
    """A value that cannot be stored in its field, and why."""

    field: str
    value: Any
    code: str
    message: str


def picklist_values(desc: dict[str, Any]) -> list[str]:
    return [str(v.get("value")) for v in desc.get("picklistValues") or [] if v.get("active", True)]


def conform(name: str, value: Any, desc: dict[str, Any]) -> tuple[Any, Misfit | None]:
    """``value`` as field ``desc`` would store it, or the reason it cannot be stored."""
    if value is None:
        return None, None
    kind = str(desc.get("type", "string"))
    if kind == "multipicklist":
        return _multi(name, value, desc)
    if kind in NUMBER_TYPES:
        return _number(name, value, desc)
    if kind == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            return value, Misfit(name, value, "INVALID_TYPE", f"{name} is a date field; {value!r} is not a date")
        return value, None
    if kind == "boolean":
        if not isinstance(value, bool):
            return value, Misfit(name, value, "INVALID_TYPE", f"{name} is a checkbox; {value!r} is not true/false")
        return value, None
    if kind in TEXT_TYPES:
        return _text(name, value, desc)
    return value, Misfit(name, value, "INVALID_TYPE", f"{name} is a {kind} field; csops cannot write it")


def _text(name: str, value: Any, desc: dict[str, Any]) -> tuple[Any, Misfit | None]:
    if isinstance(value, bool | dict | list):
        return value, Misfit(name, value, "INVALID_TYPE", f"{name} is a text field; {value!r} is not text")
    text = str(value)
    if desc.get("type") == "picklist" and desc.get("restrictedPicklist") and text not in picklist_values(desc):
        return text, Misfit(name, value, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                            f"{name}: '{text}' is not a value of this restricted picklist "
                            f"({', '.join(picklist_values(desc))})")
    length = int(desc.get("length") or 0)
    if length and len(text) > length:
        return text, Misfit(name, value, "STRING_TOO_LONG", f"{name}: {len(text)} characters, the field holds "
                                                              f"{length}")
    return text, None


def _multi(name: str, value: Any, desc: dict[str, Any]) -> tuple[Any, Misfit | None]:
    given = value if isinstance(value, list) else str(value).split(";")
    chosen = list(dict.fromkeys(str(v).strip() for v in given if str(v).strip()))
    order = picklist_values(desc)
    unknown = [v for v in chosen if v not in order]
    if unknown and desc.get("restrictedPicklist"):
        return value, Misfit(name, value, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                             f"{name}: '{unknown[0]}' is not a value of this restricted multi-select picklist")
    ordered = [v for v in order if v in chosen] + sorted(unknown)
    return (";".join(ordered) if ordered else None), None


def _number(name: str, value: Any, desc: dict[str, Any]) -> tuple[Any, Misfit | None]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value, Misfit(name, value, "INVALID_TYPE", f"{name} is a number field; {value!r} is not a number")
    precision, scale = int(desc.get("precision") or 0), int(desc.get("scale") or 0)
    if precision and abs(value) >= 10 ** (precision - scale):
        return value, Misfit(name, value, "NUMBER_OUTSIDE_VALID_RANGE",
                             f"{name}: {value} does not fit number({precision}, {scale})")
    return value, None


def stored_equal(old: Any, new: Any, desc: dict[str, Any] | None) -> bool:
    """Equal as Salesforce stores them; multi-select picklists compare as sets."""
    if desc is not None and desc.get("type") == "multipicklist":
        return _as_set(old) == _as_set(new)
    return same(old, new)


def _as_set(value: Any) -> frozenset[str]:
    if value in (None, ""):
        return frozenset()
    return frozenset(v.strip() for v in str(value).split(";") if v.strip())


def plan_values(current: dict[str, Any], wanted: dict[str, Any],
                describe: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], list[Misfit]]:
    """The fields of ``wanted`` to write (conformed, only those that differ) and the values that cannot fit."""
    out: dict[str, Any] = {}
    misfits: list[Misfit] = []
    for name, value in wanted.items():
        desc = describe.get(name)
        if desc is None:
            out[name] = value
            continue
        fitted, misfit = conform(name, value, desc)
        if misfit is not None:
            misfits.append(misfit)
        elif not stored_equal(current.get(name), fitted, desc):
            out[name] = fitted
    return out, misfits
