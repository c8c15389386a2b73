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

ROOT = Path(__file__).resolve().parents[1]
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
