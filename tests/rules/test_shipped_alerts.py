"""The alerts of the shipped rule files (rules/onboarding.yaml and the English starter), through `csops rules eval`.

解約見込 has its own alert; the 滞留 alert stays raised on escalation (so its Task stays open); no onboarding
alert for an account whose product has no phases (対象外).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [(ROOT / "rules" / "onboarding.yaml", "勤怠管理"), (ROOT / "csops" / "templates" / "rules.en.yaml",
                                                            "Time Tracking")]
ONBOARDING = {"setup_not_done_30d", "onboarding_stalled", "onboarding_churn_risk"}
FACTS = ("id,product,contract_start,kickoff_on,setup_done_on,last_login,licensed_users,active_users,"
         "active_admins,arr,tickets_last_30d\n"
         # the README's worked example: setup due 10-01, 53 days overdue on 11-23: 解約見込
         "readme,勤怠管理,2026-09-01,2026-09-05,,2026-11-01T10:00:00+09:00,100,45,1,3600000,3\n"
         # setup due 10-31, 23 days overdue: オンボ滞留
         "stalled,勤怠管理,2026-10-01,2026-10-03,,2026-11-22T10:00:00+09:00,100,45,1,3600000,3\n"
         # a product without phases, started long ago, setup never done, last login 22 days ago
         "nophases,Analytics,2026-09-01,,,2026-11-01T10:00:00+09:00,100,45,1,3600000,3\n")


@pytest.mark.parametrize(("rules", "product"), SHIPPED, ids=["ja", "en"])
def test_shipped_alerts(tmp_path: Path, rules: Path, product: str) -> None:
    facts = tmp_path / "accounts.csv"
    facts.write_text(FACTS.replace("勤怠管理", product), encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(facts), "--today",
                                      "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    by_id = {e["id"]: e for e in json.loads(result.stdout)}
    readme = by_id["readme"]
    assert (readme["status"], readme["days_overdue"]) == ("churn_risk", 53)
    assert sorted(readme["alerts"]) == ["no_login_14d", "onboarding_churn_risk", "onboarding_stalled",
                                        "setup_not_done_30d"]
    stalled = by_id["stalled"]
    assert (stalled["status"], stalled["days_overdue"]) == ("stalled", 23)
    assert sorted(stalled["alerts"]) == ["onboarding_stalled", "setup_not_done_30d"]
    nophases = by_id["nophases"]
    assert nophases["status"] == "no_phases"
    assert nophases["alerts"] == ["no_login_14d"]  # not an onboarding alert: it still applies
    assert not ONBOARDING & set(nophases["alerts"])
