"""NPS answers from a Salesforce object (``report.nps`` in csops.yaml), for ``csops nps pull``.

Survey tools write a custom object (an Account lookup, a score, a date) because
Feedback Management's ``SurveyResponse`` takes no custom fields. One SOQL query
(paged by 2000) reads every answer; each record is checked as untrusted input
(an Account Id, a whole score 0-10, a date) and a bad one is reported, not stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from store.nps import NpsLine

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


class Querying(Protocol):
    def query_records(self, soql: str) -> list[dict[str, Any]]: ...


@dataclass
class NpsPull:
    rows: list[NpsLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    records: int = 0


def nps_soql(sobject: str, account: str, score: str, day: str, comment: str | None) -> str:
    names = [sobject, account, score, day] + ([comment] if comment else [])
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        raise ValueError(f"report.nps: '{bad[0]}' is not a Salesforce object or field name")
    cols = ", ".join(["Id", account, score, day] + ([comment] if comment else []))
    return f"SELECT {cols} FROM {sobject} ORDER BY {day}, Id"


def _get(record: dict[str, Any], name: str) -> Any:
    """A field by name whatever its letter case (Salesforce answers in the describe's spelling)."""
    lowered = name.lower()
    return next((v for k, v in record.items() if k.lower() == lowered), None)


def check_record(record: dict[str, Any], account: str, score: str, day: str,
                 comment: str | None) -> tuple[str, str, int, str | None] | str:
    """(account id, date, score, comment), or what is wrong with the record."""
    acc, value, when = _get(record, account), _get(record, score), _get(record, day)
    if not isinstance(acc, str) or not _ID.match(acc):
        return f"{account}: {acc!r} is not an Account Id"
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not 0 <= value <= 10:
        return f"{score}: {value!r} is not a whole number from 0 to 10"
    try:
        answered = date.fromisoformat(str(when)[:10]) if when else None
    except ValueError:
        answered = None
    if answered is None:
        return f"{day}: {when!r} is not a date"
    text = _get(record, comment) if comment else None
    return acc, answered.isoformat(), int(value), (str(text) if text else None)


def pull_nps(client: Querying, sobject: str, account: str, score: str, day: str,
             comment: str | None = None) -> NpsPull:
    out = NpsPull()
    for i, record in enumerate(client.query_records(nps_soql(sobject, account, score, day, comment)), 1):
        out.records += 1
        checked = check_record(record, account, score, day, comment)
        if isinstance(checked, str):
            out.problems.append(f"{sobject} {record.get('Id')}: {checked}")
        else:
            out.rows.append(NpsLine(i, *checked))
    return out
