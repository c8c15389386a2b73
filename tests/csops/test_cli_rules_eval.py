"""``csops rules eval`` on facts as a Japanese Excel user saves them, and health when facts are null."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli
from tests.rules.test_check import write_rules

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "rules" / "onboarding.yaml"
HEADER = "id,product,start,kickoff_done,setup_on,users,seats,tickets_last_30d,arr\n"


def run_eval(rules: Path, facts: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(facts), "--today",
                                      "2026-11-23", *extra])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("encoding", "said"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"),
                                                ("cp932", "Shift_JIS (cp932)")])
def test_excel_csv_dates_numbers_and_encodings(tmp_path: Path, encoding: str, said: str) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + 'A1,勤怠管理,2026/10/1,はい,2026/10/8 9:05,40,100,5,"12,000,000"\n'
                          "A2,勤怠管理,2026-10-01,はい,2026-10-08,40,100,5,12000000\n", encoding=encoding)
    code, out, err = run_eval(rules, f, "--json")
    assert code == 0, err
    assert f"read as {said}" in err
    a1, a2 = json.loads(out)
    assert {k: v for k, v in a1.items() if k != "id"} == {k: v for k, v in a2.items() if k != "id"}
    assert a1["tier"] == "A" and a1["status"] == "completed"


def test_unquoted_thousands_every_bad_row_and_duplicates_are_reported(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + "A1,勤怠管理,2026-10-01,はい,,40,100,5,3,600,000\n"   # shifts nothing: refused
                          "A2,勤怠管理,2026-13-01,,,40,100,5,\n"
                          "A3,勤怠管理,2026-10-01,,,many,100,5,\n"
                          "A2,Expense,2026-10-01,,,1,100,0,\n", encoding="utf-8")
    code, out, err = run_eval(rules, f)
    assert code == 78
    assert out == ""
    assert f"{f}:2: 11 cells but the header has 9" in err and '"3,600,000"' in err
    assert f"{f}:3: column 'start': '2026-13-01' is not a valid date" in err
    assert f"{f}:4: column 'users': 'many' is not a valid number" in err
    assert f"{f}:5: id 'A2' is given twice (first at {f}:3)" in err


def test_problems_are_capped(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + "".join(f"A{i},勤怠管理,soon,,,1,1,1,1\n" for i in range(120)), encoding="utf-8")
    code, _, err = run_eval(rules, f)
    assert code == 78 and "… and 70 more problems" in err and err.count("is not a valid date") == 50


def test_neither_utf8_nor_shift_jis(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "accounts.csv"
    f.write_bytes(HEADER.encode() + b"A1,\xff\xfe\xfa,2026-10-01,,,1,1,1,1\n")
    code, _, err = run_eval(rules, f)
    assert code == 78 and "neither UTF-8 nor Shift_JIS" in err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + "".join(f"A{i:05d},勤怠管理,2026-10-01,はい,,40,100,5,1\n" for i in range(3000)),
                 encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "csops", "rules", "eval", "--rules", str(rules), "--facts",
                             str(f), "--today", "2026-11-23"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()          # what `| head -1` does after its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Error" not in err and "BrokenPipe" not in err and "Exception" not in err


def test_health_leaves_a_component_out_only_when_all_its_inputs_are_null(tmp_path: Path) -> None:
    """Shipped rules: never logged in must not score better than last seen 22 days ago (was 97.1 vs 80)."""
    f = tmp_path / "accounts.csv"
    f.write_text("id,product,contract_start,kickoff_on,last_login,licensed_users,active_users,active_admins,"
                 "arr,tickets_last_30d\n"
                 "seen22,勤怠管理,2026-09-01,2026-09-05,2026-11-01T10:00:00+09:00,100,45,1,3600000,3\n"
                 "never,勤怠管理,2026-09-01,2026-09-05,,100,45,1,3600000,3\n"
                 "nothing,勤怠管理,2026-09-01,2026-09-05,,100,45,,3600000,3\n", encoding="utf-8")
    code, out, err = run_eval(SHIPPED, f, "--json")
    assert code == 0, err
    by_id = {e["id"]: e["health"] for e in json.loads(out)}
    assert by_id["seen22"]["score"] == 80.0 and by_id["seen22"]["missing"] == []
    assert by_id["never"] == by_id["seen22"]
    # admins' inputs (active_admins, days_since_last_login) all null: only then is it left out
    assert by_id["nothing"]["missing"] == ["admins"]


def test_a_component_on_status_only_scores_as_documented_for_52_accounts(tmp_path: Path) -> None:
    """The issue's case: a progress ladder on `status` only, 52 accounts; every score is the README's."""
    import csv
    import datetime as dt
    import random

    from tests.rules.naive import NaiveRules
    from tests.rules.status_ladder import write_status_ladder_rules

    rules, spec = write_status_ladder_rules(tmp_path)
    rng = random.Random(52)
    today = dt.date(2026, 11, 23)
    rows = []
    for i in range(52):
        start = today - dt.timedelta(days=rng.randint(-5, 150))
        done = [start + dt.timedelta(days=rng.randint(0, 100)) if rng.random() < 0.7 else None for _ in range(4)]
        done = [d if d is not None and d <= today else None for d in done]
        rows.append({"id": f"acc{i:02d}", "product": rng.choice(["勤怠管理", "経費精算"]),
                     "contract_start": start.isoformat(), "kickoff_on": done[0], "setup_done_on": done[1],
                     "training_done_on": done[2], "go_live_on": done[3], "licensed_users": 100,
                     "active_users": rng.choice([None, 10, 55, 90]), "arr": 3_600_000})
    f = tmp_path / "accounts.csv"
    with f.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, err = run_eval(rules, f, "--json")
    assert code == 0, err
    got = {e["id"]: e for e in json.loads(out)}
    naive = NaiveRules(spec, today)
    for row in rows:
        want = naive.evaluate({k: (None if v is None else str(v)) for k, v in row.items()})
        health = got[row["id"]]["health"]
        assert (health["score"], health["band"], health["missing"]) == (want.score, want.band, want.missing), row
        assert "progress" not in health["missing"]
    statuses = {e["status"] for e in got.values()}
    assert {"on_track", "stalled", "churn_risk", "completed"} <= statuses
    # the example: a stalled account with full usage is 0.4 × 50 + 1.0 × 50 = 70.0, 注意
    stalled = next(e for e in got.values() if e["status"] == "stalled" and
                   next(r for r in rows if r["id"] == e["id"])["active_users"] == 90)
    assert (stalled["health"]["score"], stalled["health"]["band"]) == (70.0, "注意")


def test_rules_check_prints_each_components_inputs(tmp_path: Path) -> None:
    from tests.rules.status_ladder import write_status_ladder_rules

    rules, _ = write_status_ladder_rules(tmp_path)
    result = CliRunner().invoke(cli, ["rules", "check", str(rules)])
    assert result.exit_code == 0, result.output
    assert "  progress (ladder, weight 50): inputs status (computed); always scored" in result.stdout
    assert "  usage (ladder, weight 50): inputs active_ratio\n" in result.stdout
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "ladder:\n        - {when: \"active_ratio >= 0.8\", score: 1.0}\n        - {when: \"active_ratio >= 0.5\", "
        "score: 0.6}\n        - {score: 0.2}", "linear: {fact: days_overdue, from: 30, to: 0}"), encoding="utf-8")
    bad = CliRunner().invoke(cli, ["rules", "check", str(rules)])
    assert bad.exit_code == 78
    assert "health component 'usage': a linear scale reads a fact, and 'days_overdue' is computed" in bad.stderr
