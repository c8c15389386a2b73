"""Days in the report are days in the rules' time zone, read by the engine's own function.

A start fact that is a datetime at 00:30 in Tokyo is 15:30 UTC the day before: cut to its UTC date it lands
in the previous day (and month), and the report's deadline disagrees with the sync's by a day.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rules.engine import Engine
from rules.ruleset import load_and_compile
from store import Store
from sync.record import record_evaluations
from tests.conftest import RULES, Workspace

START = "2026-09-30T15:30:00.000+0000"  # 2026-10-01 00:30 in Asia/Tokyo: day 0 is October 1st
DONE = {"kickoff_on": "2026-10-02", "setup_done_on": "2026-10-20", "training_done_on": "2026-11-30",
        "go_live_on": "2026-12-30", "licensed_users": 10, "active_users": 9}


def record(store: Store, rules: Path, day: str, accounts: dict[str, dict[str, object]], run: int) -> None:
    """What a sync on ``day`` records for these accounts (through the sync's own record step)."""
    engine = Engine(load_and_compile([rules], dt.date.fromisoformat(day)))
    evaluations = []
    for account_id, raw in accounts.items():
        facts = engine.facts(raw)
        evaluations.append((engine.evaluate(account_id, facts), facts))
    record_evaluations(store, run, engine.rules, evaluations, engine.today)


def test_a_start_at_0030_tokyo_lands_in_its_cohort_and_deadline(ws: Workspace, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text(encoding="utf-8").replace(
        "contract_start:    {type: date,", "contract_start:    {type: datetime,"), encoding="utf-8")
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(rules)), encoding="utf-8")
    base = {"product": "勤怠管理", "contract_start": START}  # target 90 days: the deadline is 2026-12-30
    with Store(ws.path / ".csops" / "state.db") as store:
        run = store.start_run("sync")
        record(store, rules, "2026-10-05", {"on_deadline": base, "never": base}, run)
        # completed on 2026-12-30, day 90: within (read in UTC, the start would be 09-30 and this a day late)
        record(store, rules, "2026-12-30", {"on_deadline": {**base, **DONE}, "never": base}, run)
        record(store, rules, "2027-01-05", {"on_deadline": {**base, **DONE}, "never": base}, run)
        facts = store.evaluation("on_deadline")
        assert facts is not None and facts[0]["facts"]["contract_start"].startswith("2026-09-30T15:30")
    result = ws.cli("report", "--format", "json", "--from", "2026-10-01", "--to", "2027-01-05")
    assert result.exit_code == 0, result.output
    comp = json.loads(result.stdout)["completion"]
    assert comp["cohorts"] == [{"segment": "all", "cohort": "2026-10", "received": 2, "within": 1, "failed": 1,
                                "completed_late": 0, "not_completed": 1, "churned": 0, "in_window": 0,
                                "date_unknown": 0, "rate": 0.5, "rate_n": 2}]
    assert comp["date_sources"] == {"history": 1, "fact": 0, "unknown": 0}
    assert [(d["due_month"], d["due"], d["on_time"]) for d in comp["due"]] == [("2026-12", 2, 1)]
    # on its deadline day, the one not completed is still in window
    on_the_day = json.loads(ws.cli("report", "--format", "json", "--from", "2026-10-01", "--to",
                                   "2026-12-30").stdout)["completion"]
    assert (on_the_day["cohorts"][0]["within"], on_the_day["cohorts"][0]["in_window"]) == (1, 1), on_the_day["cohorts"]
