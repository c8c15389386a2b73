"""Facts from history (README "Facts from history"): a rule on ``health_score_change_30d`` raises its alert over a
history the real sync wrote, on exactly the accounts whose recorded score fell that much; ``days_in_status`` and
``previous_status`` as ``rules explain`` shows them; ``rules check`` knows their types and stages."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import Workspace
from tests.sync.test_org_fit import with_rules

# usage_anomaly's id is one of the sandbox's restricted picklist values (the writeback of alerts): its condition
# becomes the drop
DROP = ('when: "go_live_on != null and active_ratio < 0.3"', 'when: "health_score_change_30d < -20"')
DAYS = ("2026-10-01", "2026-10-15", "2026-10-31", "2026-11-05")


def recorded_drop(ws: Workspace, account: str, today: str) -> float | None:
    """The score change over 30 days from account_history as the sync wrote it: a naive reading of the table."""
    points = ws.store_rows(f"SELECT day, health_score FROM account_history WHERE account_id = '{account}' "
                           f"AND day <= '{today}' ORDER BY day")
    then = (date.fromisoformat(today) - timedelta(days=30)).isoformat()
    before = [s for d, s in points if d <= then]
    now = points[-1][1] if points and points[-1][0] == today else None
    if now is None:
        now = points[-1][1]
    return None if not before or before[-1] is None or now is None else now - before[-1]


def test_a_30_day_score_drop_raises_its_alert_on_the_accounts_it_fell_on(ws: Workspace, tmp_path: Path) -> None:
    with_rules(ws, tmp_path, DROP)
    sb = ws.sandbox
    target = next(a for a, v in sb.data.accounts.items() if v.get("Licensed_Users__c"))
    sb.data.accounts[target]["Active_End_Users__c"] = sb.data.accounts[target]["Licensed_Users__c"]
    for day in DAYS:
        if day == "2026-10-31":  # the end users stop using it: the end-user component falls from 1.0 to 0.1
            sb.data.accounts[target]["Active_End_Users__c"] = 0
        result = ws.cli("sync", "--today", day, "--allow-mass-change")
        assert result.exit_code == 0, result.output
        raised = {a for (a,) in ws.store_rows("SELECT account_id FROM alerts WHERE alert_id = 'usage_anomaly' AND "
                                              f"first_seen <= '{day}' AND (resolved_at IS NULL OR resolved_at > "
                                              f"'{day}')")}
        expected = {a for a in sb.data.accounts if (d := recorded_drop(ws, a, day)) is not None and d < -20}
        assert raised == expected, day
    assert target in raised  # the account that fell by 90 points within 30 days
    assert ws.store_rows("SELECT COUNT(*) FROM alerts WHERE alert_id = 'usage_anomaly' AND first_seen < "
                         "'2026-10-31'") == [(0,)]  # no history 30 days back before then: null, no alert
    explained = ws.cli("rules", "explain", target).stdout
    assert "from history:" in explained and "health_score_change_30d = -" in explained
    result = json.loads(ws.store_rows(f"SELECT result FROM evaluations WHERE account_id = '{target}'")[0][0])
    history = result["history"]
    assert history["health_score_change_30d"] == recorded_drop(ws, target, "2026-11-05")
    statuses = ws.store_rows(f"SELECT day, status FROM account_history WHERE account_id = '{target}' ORDER BY day")
    entered = next(d for d, s in reversed(statuses) if s != statuses[-1][1]) if len(
        {s for _, s in statuses}) > 1 else None
    since = next(d for d, s in statuses if s == statuses[-1][1] and (entered is None or d > entered))
    assert history["days_in_status"] == (date(2026, 11, 5) - date.fromisoformat(since)).days


def test_rules_check_knows_the_facts_from_history(ws: Workspace, tmp_path: Path) -> None:
    ok = with_rules(ws, tmp_path, ("when: \"urgent_open > 0\"",
                                   "when: \"urgent_open > 0 or (days_in_status ?? 0) > 60 and previous_status == "
                                   "'stalled' or (health_score_change_90d ?? 0) < -40\""))
    assert ws.cli("rules", "check", str(ok)).exit_code == 0
    typed = with_rules(ws, tmp_path, ("when: \"urgent_open > 0\"", "when: \"health_score_change_30d =~ 'low'\""))
    result = ws.cli("rules", "check", str(typed))
    assert result.exit_code == 78 and "health_score_change_30d" in result.stderr + result.stdout
    early = with_rules(ws, tmp_path, ("done: \"kickoff_on != null\"}",
                                      "done: \"kickoff_on != null and health_score_change_30d > 0\"}"))
    result = ws.cli("rules", "check", str(early))
    assert result.exit_code == 78 and "health_score_change_30d" in result.stderr + result.stdout
