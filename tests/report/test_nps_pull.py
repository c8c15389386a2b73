"""``csops nps pull``: NPS answers from a Salesforce custom object, over HTTP to the sandbox."""

from __future__ import annotations

import json

from sandbox.salesforce_nps import OBJECT
from tests.conftest import Workspace

CONFIG = """
report:
  nps:
    object: nps_response__c
    account_field: account__c
    score_field: Score__c
    date_field: Answered_On__c
    comment_field: Comment__c
"""
QUERY = "GET /services/data/{version}/queryAll/"


def test_nps_pull_checks_records_and_replaces_the_previous_pull(ws: Workspace) -> None:
    sb = ws.sandbox
    rows = sb.nps.rows()
    good = [r for r in rows if r["Answered_On__c"] and 0 <= r["Score__c"] <= 10 and r["Account__c"] in
            sb.data.accounts]
    assert ws.cli("nps", "pull").exit_code == 78  # not configured
    with ws.config.open("a", encoding="utf-8") as f:
        f.write(CONFIG)
    dry = json.loads(ws.cli("nps", "pull", "--dry-run", "--json").stdout)
    assert dry["imported"] == 0 and dry["answers"] == len(rows) - 2  # score 11 and no date are skipped
    sb.reset_stats()
    out = json.loads(ws.cli("nps", "pull", "--json").stdout)
    assert out["records"] == len(rows) and out["skipped"] == 2 and out["imported"] == len(rows) - 2
    assert any("Score__c: 11.0 is not a whole number from 0 to 10" in p for p in out["problems"])
    assert any("Answered_On__c: None is not a date" in p for p in out["problems"])
    assert sb.calls("GET /services/data/{version}/query") <= 2  # one query (paged by 2000), no per-record calls
    stored = ws.store_rows("SELECT account_id, answered_on, score, survey FROM nps_responses ORDER BY 1, 2")
    assert {(a, d, s) for a, d, s, _ in stored} >= {(r["Account__c"], r["Answered_On__c"], int(r["Score__c"]))
                                                    for r in good}
    assert {src for *_, src in stored} == {f"salesforce:{OBJECT.lower()}"} == {out["survey"]}
    again = json.loads(ws.cli("nps", "pull", "--json").stdout)
    assert again["replaced"] == out["imported"]
    assert ws.store_rows("SELECT COUNT(*) FROM nps_responses") == [(out["imported"],)]


def test_nps_pull_refuses_a_name_that_is_not_a_field(ws: Workspace) -> None:
    with ws.config.open("a", encoding="utf-8") as f:
        f.write(CONFIG.replace("Score__c", "Score__c FROM Account --"))
    result = ws.cli("nps", "pull")
    assert result.exit_code == 78 and "is not a Salesforce object or field name" in result.stderr
