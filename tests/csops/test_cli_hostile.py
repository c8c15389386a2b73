"""`csops` commands on hostile input (issue 25): what a facts file, a remote name, a signal or the clock can do
that once crashed, reached the terminal or lied in the run record. Through the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import Workspace
from tests.rules.test_check import write_rules

TODAY = ("--today", "2026-11-23")


def rules_eval(rules: Path, facts: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "csops", "rules", "eval", "--rules", str(rules), "--facts",
                           str(facts), "--today", "2026-11-23"], capture_output=True, text=True, timeout=120)


def test_a_deeply_nested_json_facts_file_is_a_located_error(tmp_path: Path) -> None:
    """F6: json.loads recursed into 100,000 '[' and crashed with RecursionError (exit 70)."""
    facts = tmp_path / "facts.json"
    facts.write_text('[\n  {"id": "A1", "product": ' + "[" * 100_000 + "]" * 100_000 + "}\n]\n", encoding="utf-8")
    proc = rules_eval(write_rules(tmp_path), facts)
    assert proc.returncode == 78, proc.stderr
    assert f"{facts}:2:" in proc.stderr and "nested more than 64 levels" in proc.stderr
    assert "unexpected" not in proc.stderr


ESCAPES = ["\x1b]0;owned\x07", "\x1b[2J\x1b[H", "\x9b31m", "\u202e", "\x1b[31m"]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_escape_sequences_in_remote_names_never_reach_the_terminal(ws: Workspace) -> None:
    """F7: an account named with an escape sequence recoloured, cleared or retitled the terminal (csops alerts,
    report table). Every name, product and organization carries one; no output may."""
    data = ws.sandbox.data
    for i, account_id in enumerate(sorted(data.accounts)):
        data.accounts[account_id]["Name"] = f"{ESCAPES[i % len(ESCAPES)]}Account {i}\x1b[0m"
        if i % 4 == 0:
            data.accounts[account_id]["Product__c"] = "\x1b[5m勤怠\x1b[0m"
    for org in data.organizations.values():
        org["name"] = "\x1b]8;;http://attacker.example\x07org\x1b]8;;\x07"
    assert ws.cli("sync", *TODAY).exit_code == 0
    some = sorted(data.accounts)[1]
    outputs = {}
    for args in (("alerts",), ("status",), ("orgs", "--unlinked"), ("report", "--by", "product"),
                 ("sync", "--dry-run", "--details", "--today", "2026-12-24"), ("rules", "explain", some)):
        result = ws.cli(*args)
        assert result.exit_code in (0, 3), (args, result.output)
        outputs[args[0]] = result.output
        assert not CONTROL.search(result.output), (args, [c for c in CONTROL.findall(result.output)][:5])
    assert "Account 1" in outputs["alerts"] + outputs["sync"] and "\ufffd" in outputs["rules"]


def test_a_sync_dated_before_the_last_one_is_stopped_before_any_write(ws: Workspace) -> None:
    """F19: a sync dated 40 days before the previous one (a clock set back, a wrong --today) resolved alerts
    before they were first seen, and the report showed -40 days to resolve."""
    assert ws.cli("sync", *TODAY).exit_code == 0
    before = {t: ws.store_rows(f"SELECT * FROM {t}") for t in ("alerts", "evaluations", "account_history", "runs")}
    for args in (("sync",), ("sync", "--dry-run")):
        result = ws.cli(*args, "--today", "2026-10-14", "--allow-mass-change")
        assert result.exit_code == 78, result.output
        assert "dated 2026-10-14, before the last run's 2026-11-23" in result.stderr
    assert {t: ws.store_rows(f"SELECT * FROM {t}") for t in before} == before
    assert ws.store_rows("SELECT COUNT(*) FROM alerts WHERE resolved_at < first_seen") == [(0,)]
    later = ws.cli("sync", "--today", "2026-11-30", "--allow-mass-change")
    assert later.exit_code == 0, later.output
    report = json.loads(ws.cli("report", "--format", "json", "--from", "2026-01-01").stdout)
    assert all(t["median_days"] is None or t["median_days"] >= 0 for t in report["alerts"]["time_to_resolve"])


def test_a_wall_clock_set_back_is_reported_not_folded_into_durations(ws: Workspace) -> None:
    import time_machine

    assert ws.cli("sync", *TODAY).exit_code == 0
    with time_machine.travel(datetime.now(UTC) - timedelta(hours=2), tick=True):
        result = ws.cli("sync", *TODAY)
    assert result.exit_code == 0, result.output
    assert "the system clock is" in result.stderr and "behind the start of the last run" in result.stderr
    (_, report), = ws.store_rows("SELECT id, report FROM runs ORDER BY id DESC LIMIT 1")
    details = json.loads(report)
    assert 7000 <= details["clock_behind_seconds"] <= 7300 and 0 <= details["duration_s"] < 600
