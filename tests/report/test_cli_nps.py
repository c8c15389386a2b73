"""``csops nps import|surveys|remove`` and the NPS the report prints, through the CLI on a synced store."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest

from store import open_store
from tests.conftest import Workspace
from tests.store.test_lock_and_store import older_store, target
from tests.store_sql import rows

#: The README's example (REFERENCE.md's published check): 8 detractors, 31 passives, 10 promoters → +4.08.
LOGLASS = [3] * 4 + [6] * 4 + [7] * 15 + [8] * 16 + [9] * 5 + [10] * 5
PERIOD = ("--from", "2026-06-01", "--to", "2026-11-30")


@pytest.fixture
def synced(ws: Workspace) -> Workspace:
    result = ws.cli("sync", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    return ws


def survey_rows(ws: Workspace, scores: list[int], first_day: int = 20) -> list[tuple[str, str, int, str]]:
    """One answer per score from 10-20 on, a day apart, wrapping into November: one survey over two months."""
    ids = sorted(ws.sandbox.data.accounts)
    rows = []
    for i, score in enumerate(scores):
        day = first_day + i % 29
        when = f"2026/10/{day}" if day <= 31 else f"2026/11/{day - 31}"
        account = ids[i % len(ids)][:15] if i % 2 else ids[i % len(ids)]  # both Id lengths
        rows.append((account, when, score, "使いやすい" if i % 3 else ""))
    return rows


def write_csv(path: Path, rows: list[tuple[str, str, int, str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["account,date,score,comment"] + [f"{a},{d},{s},{c}" for a, d, s, c in rows]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def report(ws: Workspace, *args: str) -> dict:  # type: ignore[type-arg]
    result = ws.cli("report", "--format", "json", *PERIOD, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def count(ws: Workspace) -> int:
    return int(ws.store_rows("SELECT COUNT(*) FROM nps_responses")[0][0])


def test_the_readme_example_through_the_cli(synced: Workspace, tmp_path: Path) -> None:
    """49 answers of one survey over October and November: the survey's NPS is +4.08, the months are not."""
    ws = synced
    f = write_csv(tmp_path / "oct" / "answers.csv", survey_rows(ws, LOGLASS), encoding="cp932")
    dry = ws.json("nps", "import", str(f), "--dry-run")
    assert dry["imported"] == 0 and count(ws) == 0
    out = ws.json("nps", "import", str(f))
    assert out["survey"].startswith("sha256:") and out["survey"] == dry["survey"]
    assert (out["encoding"], out["answers"], out["imported"], out["replaced"], out["duplicates"]) == \
        ("cp932", 49, 49, 0, [])
    rep = report(ws)
    shares = {"n": 49, "nps": 4.08, "promoters": 20.41, "passives": 63.27, "detractors": 16.33}
    assert rep["nps_surveys"] == [{"segment": "all", "survey": out["survey"], "first": "2026-10-20",
                                   "last": "2026-11-17", **shares, "outside_period": 0}]
    assert rep["nps_period"] == [{"segment": "all", "from": "2026-06-01", "to": "2026-11-30", **shares}]
    # per month: each month's answers only (24 in October, 25 in November), never the survey's figure
    monthly = {m["month"]: m for m in rep["nps"]}
    assert {k: m["n"] for k, m in monthly.items()} == {"2026-10": 24, "2026-11": 25}
    assert all(m["nps"] != 4.08 for m in monthly.values())
    # the table shows it too, and the CSV has one number per row for the survey
    table = ws.cli("report", *PERIOD).stdout
    from base.terminal import width

    by_owner = ws.cli("report", *PERIOD, "--by", "owner").stdout  # the longest segments: 18-character Ids
    assert "NPS per survey" in by_owner and max(width(line) for line in by_owner.splitlines()) <= 120
    survey_line = next(line for line in table.splitlines() if line.startswith("all") and out["survey"] in line)
    assert survey_line.split()[-6:] == ["49", "+4.08", "20.41", "63.27", "16.33", "0"]
    rows = list(csv.DictReader(io.StringIO(ws.cli("report", "--format", "csv", *PERIOD).stdout)))
    assert {"section": "nps_surveys", "segment": "all", "key": out["survey"], "metric": "nps",
            "value": "4.08"} in rows
    assert {"section": "nps_period", "segment": "all", "key": "", "metric": "nps", "value": "4.08"} in rows


def test_same_answers_under_another_name_change_nothing_another_survey_adds(synced: Workspace,
                                                                           tmp_path: Path) -> None:
    ws = synced
    rows = survey_rows(ws, LOGLASS)
    first = ws.json("nps", "import", str(write_csv(tmp_path / "oct" / "answers.csv", rows)))
    before = ws.store_rows("SELECT survey, line, account_id, answered_on, score, comment FROM nps_responses "
                           "ORDER BY 1, 2")
    # a renamed copy, re-saved in Shift_JIS with its rows in another order, dates written the other way
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    shuffled = [(a, d.replace("/", "-"), s, c) for a, d, s, c in shuffled]
    copy = write_csv(tmp_path / "copy of answers.csv", shuffled, encoding="cp932")
    again = ws.cli("nps", "import", str(copy))
    assert again.exit_code == 0, again.output
    assert f"these 49 answers are survey '{first['survey']}' already: nothing changed" in again.stdout
    assert ws.store_rows("SELECT survey, line, account_id, answered_on, score, comment FROM nps_responses "
                         "ORDER BY 1, 2") == before
    # the next survey's export has the same base name in another folder: it adds, it does not replace
    nov = write_csv(tmp_path / "nov" / "answers.csv", survey_rows(ws, [10, 9, 0, 5], first_day=40))
    second = ws.json("nps", "import", str(nov))
    assert second["survey"] != first["survey"] and second["replaced"] == 0 and count(ws) == 49 + 4
    surveys = ws.json("nps", "surveys")
    assert [(s["survey"], s["answers"]) for s in surveys] == [(first["survey"], 49), (second["survey"], 4)]
    assert [s["n"] for s in report(ws)["nps_surveys"]] == [49, 4]
    # naming the same answers again on purpose would count them twice: refused, nothing written
    named = ws.cli("nps", "import", str(copy), "--survey", "2026Q4")
    assert named.exit_code == 78 and f"already stored as survey '{first['survey']}'" in named.stderr
    assert "csops nps remove" in named.stderr and count(ws) == 53
    # a corrected export replaces the survey it corrects when imported under that survey's name
    fixed = [(a, d, 10 if i == 0 else s, c) for i, (a, d, s, c) in enumerate(rows)]
    fixed_file = write_csv(tmp_path / "answers-fixed.csv", fixed)
    warn = ws.cli("nps", "import", str(fixed_file), "--dry-run")
    assert f"48 of these answers are also in survey '{first['survey']}'" in warn.stderr
    assert f"import it with --survey '{first['survey']}'" in warn.stderr
    corrected = ws.json("nps", "import", str(fixed_file), "--survey", first["survey"])
    assert (corrected["replaced"], corrected["imported"], corrected["overlaps"]) == (49, 49, [])
    assert count(ws) == 53
    # remove takes a survey out; an unknown name is named with a suggestion
    assert ws.cli("nps", "remove", "2026Q5").exit_code == 2
    gone = ws.cli("nps", "remove", second["survey"])
    assert gone.exit_code == 0 and "4 answers" in gone.stdout and count(ws) == 49


def test_exact_duplicate_rows_are_reported_and_counted_once(synced: Workspace, tmp_path: Path) -> None:
    ws = synced
    rows = survey_rows(ws, LOGLASS)
    # line 2 (the first answer) appears again at the end, once with its 15-character Id: the same answer
    account = rows[0][0]
    doubled = [*rows, rows[0], (account[:15], rows[0][1].replace("/", "-"), rows[0][2], rows[0][3])]
    f = write_csv(tmp_path / "export.csv", doubled)
    result = ws.cli("nps", "import", str(f))
    assert result.exit_code == 0, result.output
    assert f"{f}:51: repeats line 2 exactly: counted once" in result.stderr
    assert f"{f}:52: repeats line 2 exactly: counted once" in result.stderr
    assert "imported 49 answers" in result.stdout and count(ws) == 49
    assert report(ws)["nps_period"][0]["nps"] == 4.08
    # the same file without the repeats is the same survey
    same = ws.cli("nps", "import", str(write_csv(tmp_path / "clean.csv", rows)))
    assert "nothing changed" in same.stdout
    # two people of one account giving the same answer on one day are told apart by a respondent column
    one = ws.sandbox.data.accounts and sorted(ws.sandbox.data.accounts)[0]
    two = tmp_path / "two.csv"
    two.write_text(f"account,date,score,respondent\n{one},2026-11-02,9,a@example.jp\n{one},2026-11-02,9,"
                   f"b@example.jp\n{one},2026-11-02,9,a@example.jp\n", encoding="utf-8")
    out = ws.json("nps", "import", str(two))
    assert out["answers"] == 2 and out["duplicates"] == [{"line": 4, "repeats": 2}]
    assert "example.jp" not in str(ws.store_rows("SELECT * FROM nps_responses"))  # respondents are not stored


def test_nps_import_errors_name_file_line_and_column(ws: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("account,date,scroe\n", encoding="utf-8")
    r = ws.cli("nps", "import", str(f))
    assert r.exit_code == 78 and "bad.csv:1: unknown column 'scroe' (did you mean 'score'?)" in r.stderr
    account = next(iter(ws.sandbox.data.accounts))
    f.write_text(f"account,date,score\n{account},2027-01-01,9\n{account},2027-13-01,9\nnope,2027-01-01,11\n"
                 f"{account},2027-01-01,８\n", encoding="utf-8")
    r = ws.cli("nps", "import", str(f))
    assert r.exit_code == 78
    assert "bad.csv:3: date: '2027-13-01' is not a date" in r.stderr
    assert "bad.csv:4: account: 'nope' is not a 15- or 18-character Salesforce Account Id" in r.stderr
    assert not (ws.path / ".csops" / "state.db").exists()  # checked before the store is even opened
    f.write_bytes(b"account,date,score\n\xff\xfe\xff,2027-01-01,9\n")
    assert ws.cli("nps", "import", str(f)).exit_code == 78
    f.write_text("account,date,score\n", encoding="utf-8")
    r = ws.cli("nps", "import", str(f))
    assert r.exit_code == 78 and "bad.csv: no answers (a header row only)" in r.stderr
    f.write_text(f"account,date,score\n{account},2027-01-01,9\n", encoding="utf-8")
    r = ws.cli("nps", "import", str(f), "--survey", "bad\nname")
    assert r.exit_code == 2 and "control characters" in r.stderr


def test_answers_imported_before_surveys_keep_their_file_name(store_url: str) -> None:
    """A store from before surveys (schema 8) keyed answers by file name: that name becomes the survey's."""
    older_store(store_url, 8)
    rows(target(store_url), "INSERT INTO nps_responses (source, line, account_id, answered_on, score) VALUES "
                            "('answers.csv', 2, '001000000000001AAA', '2026-10-01', 9)")
    with open_store(store_url) as store:
        assert store.nps_responses() == [("answers.csv", "001000000000001AAA", "2026-10-01", 9)]
        assert store.nps_surveys() == [("answers.csv", 1, "2026-10-01", "2026-10-01")]
        assert store.replace_nps("answers.csv", [(2, "001000000000001AAA", "2026-10-02", 10, None)]) == (1, 1)


def test_html_report_lists_surveys_escaped(synced: Workspace, tmp_path: Path) -> None:
    ws = synced
    f = write_csv(tmp_path / "answers.csv", survey_rows(ws, LOGLASS))
    assert ws.cli("nps", "import", str(f), "--survey", "<b>2026 Q4</b> & co").exit_code == 0
    out = tmp_path / "report.html"
    assert ws.cli("report", "--format", "html", "--out", str(out), *PERIOD).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "&lt;b&gt;2026 Q4&lt;/b&gt; &amp; co" in text and "<b>2026 Q4</b>" not in text
    assert "<td>4.08</td>" in text and "<td>2026-10-20 – 2026-11-17</td>" in text
