"""A custom NPS response object for the sandbox (what survey tools write into Salesforce).

Facts encoded (Salesforce Feedback Management docs; REFERENCE.md "CS analytics"):
``SurveyResponse`` / ``SurveyQuestionResponse`` take no custom fields, so survey
tools usually write a custom object with an Account lookup, a score and a date:
here ``NPS_Response__c`` with ``Account__c`` (reference), ``Score__c`` (double:
the REST API returns numbers as JSON numbers, ``9.0`` as ``9.0``), ``Answered_On__c``
(date, ``YYYY-MM-DD``) and ``Comment__c`` (long text area, not filterable). Custom
object and field names are case-insensitive in SOQL and come back in the
describe's spelling. A few seeded rows are wrong the way real data is wrong (a
score out of range, no date, a deleted Account's Id) so a pull has to check them.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sandbox import soql
from sandbox.data import sf_datetime, sf_id

if TYPE_CHECKING:
    from sandbox.server import Sandbox

OBJECT = "NPS_Response__c"
# name: (type, filterable)
FIELDS: dict[str, tuple[str, bool]] = {
    "Id": ("id", True),
    "Account__c": ("reference", True),
    "Score__c": ("double", True),
    "Answered_On__c": ("date", True),
    "Comment__c": ("textarea", False),
    "SystemModstamp": ("datetime", True),
    "IsDeleted": ("boolean", True),
}
_CANON = {k.lower(): k for k in FIELDS}
COMMENTS = ["使いやすい", "サポートが丁寧", "設定が難しい", "動作が遅い", "", "Great onboarding", ""]


class NpsAPI:
    """NPS_Response__c rows, queryable through SOQL like any custom object."""

    def __init__(self, sb: Sandbox, per_account: float = 0.6) -> None:
        self.sb = sb
        rng = random.Random(sb.options.seed * 31 + 7)
        self.rows_by_id: dict[str, dict[str, Any]] = {}
        accounts = sorted(sb.data.accounts)
        n = 0
        for account_id in accounts:
            if rng.random() >= per_account:
                continue
            n += 1
            day = sb.today - timedelta(days=rng.randint(0, 180))
            score = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 4, 6, 10, 12, 6, 4])[0]
            self._add(n, account_id, float(score), day, rng.choice(COMMENTS) or None)
        if accounts:  # data as real orgs have it: out of range, no date, an Account that does not exist
            self._add(n + 1, accounts[0], 11.0, sb.today, None)
            self._add(n + 2, accounts[-1], 7.0, None, None)
            self._add(n + 3, sf_id("001", 999_999_999), 9.0, sb.today, None)
        sb.salesforce.other_objects[OBJECT.lower()] = self

    def _add(self, n: int, account_id: str, score: float, day: date | None, comment: str | None) -> None:
        row_id = sf_id("a0N", n)
        self.rows_by_id[row_id] = {"Id": row_id, "Account__c": account_id, "Score__c": score,
                                   "Answered_On__c": day.isoformat() if day else None, "Comment__c": comment,
                                   "SystemModstamp": sf_datetime(datetime(self.sb.today.year, self.sb.today.month,
                                                                          self.sb.today.day, tzinfo=UTC)),
                                   "IsDeleted": False}

    @staticmethod
    def canonical(name: str) -> str | None:
        return _CANON.get(name.lower())

    def check_query(self, q: soql.Query) -> soql.SoqlError | None:
        for name in q.where_fields:
            if not FIELDS[name][1]:
                return soql.SoqlError("INVALID_FIELD", f"field '{name}' can not be filtered in a query call")
        return None

    def rows(self) -> list[dict[str, Any]]:
        return list(self.rows_by_id.values())

    @staticmethod
    def record(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        rec: dict[str, Any] = {"attributes": {"type": OBJECT,
                                              "url": f"/services/data/v60.0/sobjects/{OBJECT}/{row['Id']}"}}
        rec.update({f: row.get(f) for f in fields})
        return rec
