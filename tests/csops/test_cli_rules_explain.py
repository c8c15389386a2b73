"""``csops rules explain`` and the team's words and time zone in ``status`` and ``sync``."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from tests.conftest import Workspace

TODAY = ("--today", "2026-11-23")


def _go_live_short(ws: Workspace) -> tuple[str, float]:
    """An account past go-live whose active ratio is under the 0.5 its last phase needs."""
    for acc_id, a in sorted(ws.sandbox.data.accounts.items()):
        lic, act = a.get("Licensed_Users__c"), a.get("Active_End_Users__c")
        if "勤怠管理" in a["Product__c"].split(";") and a.get("Go_Live_Date__c") and lic and act is not None \
                and act / lic < 0.5 and a.get("Training_Completed_Date__c"):
            return acc_id, act / lic
    raise AssertionError("the sandbox has no such account")


def test_explain_names_the_failed_part_with_its_values(ws: Workspace) -> None:
    ws.json("sync", *TODAY)
    acc_id, ratio = _go_live_short(ws)
    out = ws.cli("rules", "explain", acc_id)
    assert out.exit_code == 0, out.output
    shown = f"{ratio:.2f}".rstrip("0").rstrip(".")
    assert f"because active_ratio {shown} < 0.5" in out.stdout
    # dates as dates, numbers as a person writes them, the status in the team's words
    assert re.search(r"contract_start = \d{4}-\d\d-\d\d  \(", out.stdout)
    assert "T00:00:00" not in out.stdout and not re.search(r"= \d+\.0\b", out.stdout)
    assert not re.search(r"\d\.\d{3,}", out.stdout)
    label = ws.sandbox.data.accounts[acc_id]["Onboarding_Status__c"]
    assert f"status: {label}" in out.stdout


def test_explain_accepts_15_character_ids_and_names(ws: Workspace) -> None:
    before = ws.cli("rules", "explain", "anything")
    assert before.exit_code == 78 and "run `csops sync` first" in before.stderr
    ws.json("sync", *TODAY)
    acc_id = sorted(ws.sandbox.data.accounts)[5]
    name = ws.sandbox.data.accounts[acc_id]["Name"]
    full = ws.cli("rules", "explain", acc_id).stdout
    assert ws.cli("rules", "explain", acc_id[:15]).stdout == full
    assert ws.cli("rules", "explain", name).stdout == full
    assert full.startswith(f"{acc_id} ({name})")
    ambiguous = ws.cli("rules", "explain", name.split(" ")[0][:1])
    assert sum(name[0] in a["Name"] for a in ws.sandbox.data.accounts.values()) > 1
    assert ambiguous.exit_code == 2 and "give one Id" in ambiguous.stderr


def test_status_and_sync_speak_the_teams_language_and_time(ws: Workspace) -> None:
    sync = ws.cli("sync", *TODAY)
    rules_line = next(ln for ln in sync.stdout.splitlines() if ln.startswith("rules:"))
    assert "順調" in rules_line and "on_track" not in rules_line
    started = ws.json("status")["runs"][0]["started_at"]
    local = dt.datetime.fromisoformat(started.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Tokyo"))
    text = ws.cli("status").stdout
    assert "started (Asia/Tokyo)" in text and local.strftime("%Y-%m-%d %H:%M") in text
    assert started not in text
