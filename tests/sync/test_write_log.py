"""The write log (issue 27 item 1), through `csops sync` and `csops log` against the sandbox, on both engines: the
log holds exactly the field updates the Salesforce emulator received, with the values it received."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import RULES, Workspace
from tests.store.test_engines import on_store
from tests.sync.test_sync import TODAY


def logged(ws: Workspace, run: int) -> list[dict[str, Any]]:
    result = ws.cli("log", "--run", str(run), "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def received(ws: Workspace) -> Counter[tuple[str, str, str, bool]]:
    """What the emulator received: (record, field, value as JSON, applied)."""
    return Counter((rid, f, json.dumps(v, ensure_ascii=False), ok) for rid, f, v, ok in ws.sandbox.salesforce.received)


def as_received(rows: list[dict[str, Any]]) -> Counter[tuple[str, str, str, bool]]:
    return Counter((r["record_id"], r["field"], json.dumps(r["new"], ensure_ascii=False), r["result"] == "ok")
                   for r in rows)


def edited_rules(tmp_path: Path) -> Path:
    """A copy of the shipped rules the test may edit, named in csops.yaml."""
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def use_rules(ws: Workspace, path: Path) -> None:
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(path)), encoding="utf-8")


def test_the_log_holds_what_salesforce_received(ws: Workspace, store_url: str, tmp_path: Path) -> None:
    on_store(ws, store_url)
    sb = ws.sandbox
    bad = sorted(sb.data.accounts)[0]
    sb.salesforce.reject[bad] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "変更できません")
    assert ws.cli("sync", *TODAY).exit_code == 3
    first = logged(ws, 1)
    assert first and as_received(first) == received(ws)
    assert {r["result"] for r in first if r["account_id"] == bad} == {"rejected"}
    assert all(r["error"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION: 変更できません" for r in first
               if r["account_id"] == bad)
    assert all(r["old"] is None and r["reason"].startswith(f"writeback {r['field']}: ") for r in first)
    status = next(r for r in first if r["field"] == "Onboarding_Status__c" and r["result"] == "ok")
    assert sb.data.accounts[status["account_id"]]["Onboarding_Status__c"] == status["new"]
    assert "status " in status["reason"]

    # a rule edit: the second run logs what it changed, with the value Salesforce held before
    rules = edited_rules(tmp_path)
    rules.write_text(rules.read_text(encoding="utf-8").replace("{name: green, min: 140}", "{name: 良好, min: 140}"),
                     encoding="utf-8")
    use_rules(ws, rules)
    sb.salesforce.reject.clear()
    sb.salesforce.received.clear()
    assert ws.cli("sync", *TODAY).exit_code == 0
    second = logged(ws, 2)
    assert as_received(second) == received(ws)
    bands = [r for r in second if r["field"] == "Health_Band__c" and r["account_id"] != bad]
    assert bands and all(r["old"] == "green" and r["new"] == "良好" and r["result"] == "ok" for r in bands)
    assert "health " in bands[0]["reason"] and "(良好)" in bands[0]["reason"]

    # csops log ACCOUNT: newest first, with the rule behind each
    account = bands[0]["account_id"]
    history = ws.json("log", account)
    assert [r["run"] for r in history] == sorted((r["run"] for r in history), reverse=True)
    assert {r["run"] for r in history} == {1, 2}
    assert len(history) == sum(1 for r in first + second if r["account_id"] == account)
    text = ws.cli("log", account)
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    band_line = next(line for line in lines if "Health_Band__c" in line and "良好" in line)
    assert "green → 良好" in band_line and "ok" in band_line and "writeback Health_Band__c: health_band" in band_line
    assert lines.index(band_line) < next(i for i, line in enumerate(lines) if "(empty) →" in line)
    table = list(csv.DictReader(io.StringIO(ws.cli("log", "--run", "2", "--csv").stdout.lstrip("\ufeff"))))
    assert len(table) == len(second) and {r["new"] for r in table if r["field"] == "Health_Band__c"} >= {"良好"}


def test_log_asks_for_an_account_or_a_run(ws: Workspace) -> None:
    assert ws.cli("log").exit_code == 2
    assert ws.cli("sync", *TODAY).exit_code == 0
    missing = ws.cli("log", "--run", "99")
    assert missing.exit_code == 78 and "no such run" in missing.stderr
    assert ws.cli("log", "no such account anywhere").exit_code == 78


def test_the_log_forgets_after_write_log_days(ws: Workspace) -> None:
    assert ws.cli("sync", *TODAY).exit_code == 0
    total, scores = ws.store_rows("SELECT COUNT(*), SUM(field = 'Health_Score__c') FROM write_log")[0]
    assert scores > 0
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace("sync:\n", "sync:\n  write_log_days: 30\n"),
                         encoding="utf-8")
    with sqlite3.connect(ws.path / ".csops" / "state.db") as conn:  # written 31 days ago, as far as the log knows
        old = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
        conn.execute("UPDATE write_log SET written_at = ? WHERE field = 'Health_Score__c'", (old,))
    assert ws.cli("sync", *TODAY).exit_code == 0
    assert ws.store_rows("SELECT COUNT(*), SUM(field = 'Health_Score__c') FROM write_log")[0] == (total - scores, 0)
