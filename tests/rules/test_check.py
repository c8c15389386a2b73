"""`csops rules check` and `csops rules eval` through the CLI: errors at check time, with file:line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli
from tests.rules.test_engine import RULES

ROOT = Path(__file__).resolve().parents[2]


def check(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", str(path)])
    return result.exit_code, result.output, path


def line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_shipped_example_passes() -> None:
    result = CliRunner().invoke(cli, ["rules", "check", str(ROOT / "rules" / "onboarding.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok: " in result.output


def test_the_test_rules_pass(tmp_path: Path) -> None:
    code, out, _ = check(tmp_path, RULES)
    assert code == 0, out


def test_unknown_fact_names_rule_line_and_suggestion(tmp_path: Path) -> None:
    text = RULES.replace('when: "days_since_last_login >= 14"', 'when: "days_since_last_logn >= 14"')
    code, out, path = check(tmp_path, text)
    assert code == 78
    line = line_of(text, "days_since_last_logn")
    assert f"{path}:{line}:" in out
    assert "alert 'no_login_14d': unknown fact 'days_since_last_logn' (did you mean 'days_since_last_login'?)" in out
    assert "(column 1 of the expression)" in out


def test_syntax_error(tmp_path: Path) -> None:
    text = RULES.replace('done: "setup_on != null"}\n    Expense', 'done: "setup_on != != null"}\n    Expense')
    code, out, path = check(tmp_path, text)
    assert code == 78
    assert f"{path}:{line_of(text, 'setup_on != != null')}:" in out
    assert "phase 'setup' of product '勤怠管理': syntax error at '!='" in out


def test_type_error_date_compared_with_number(tmp_path: Path) -> None:
    text = RULES.replace('when: "ratio < 0.3"', 'when: "setup_on < 3"')
    code, out, _ = check(tmp_path, text)
    assert code == 78
    assert "alert 'low_usage': type error" in out
    assert "setup_on (date)" in out


def test_condition_must_be_true_or_false(tmp_path: Path) -> None:
    code, out, _ = check(tmp_path, RULES.replace('done: "kickoff_done"', 'done: "users + 1"'))
    assert code == 78
    assert "the condition gives a number, but true or false is needed" in out


def test_name_used_before_it_is_computed(tmp_path: Path) -> None:
    code, out, _ = check(tmp_path, RULES.replace('done: "kickoff_done"', 'done: "health_score > 100"'))
    assert code == 78
    assert "'health_score' is not known yet here: it is computed after the facts and onboarding phases" in out


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  max: 200\n", "  max: 200\n  bandz: []\n", "unknown key 'bandz' in health (did you mean 'bands'?)"),
    ("severity: critical", "severity: critcal", "severity 'critcal' is not one of info, warning, critical "
                                                "(did you mean 'critical'?)"),
    ("statuses: [completed]", "statuses: [complete]", "unknown status 'complete' (did you mean 'completed'?)"),
    ("Tier__c: tier", "Tier__c: tire", "writeback.Tier__c: unknown value 'tire' (did you mean 'tier'?)"),
    ("{type: bool, field: Kickoff__c}", "{type: boolean, field: Kickoff__c}",
     "facts.kickoff_done.type: 'boolean' is not a fact type"),
    ("aggregate: tickets_last_30d}", "aggregate: tickets_last_31d}", "(did you mean 'tickets_last_30d'?)"),
    ("due_day: 30, done", "due_day: 5, done", "due_day 5 is before the previous phase's (7)"),
    ("score: 0.5}", "score: 5}", "score 5 must be between 0 and 1"),
    ("linear: {fact: tickets_last_30d, from: 10, to: 0}", "linear: {fact: tickets_last_30, from: 10, to: 0}",
     "unknown fact 'tickets_last_30' (did you mean 'tickets_last_30d'?)"),
    ("  start: start\n", "  start: product\n", "the start must be a date"),
])
def test_structural_mistakes(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in RULES
    text = RULES.replace(old, new, 1)
    code, out, path = check(tmp_path, text)
    assert code == 78, out
    assert message in out
    assert f"{path}:" in out


def test_several_problems_reported_together(tmp_path: Path) -> None:
    text = RULES.replace("days_since_last_login >= 14", "days_since_lastlogin >= 14").replace(
        "ratio < 0.3", "ratoi < 0.3")
    code, out, _ = check(tmp_path, text)
    assert code == 78
    assert "days_since_lastlogin" in out and "ratoi" in out


def test_invalid_yaml(tmp_path: Path) -> None:
    code, out, path = check(tmp_path, "facts:\n  a: {type: date\n")
    assert code == 78
    assert f"{path}:3:" in out and "invalid YAML" in out


def write_rules(tmp_path: Path) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def test_eval_csv_with_japanese_values(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    csv_file = tmp_path / "accounts.csv"
    csv_file.write_text("id,product,start,kickoff_done,setup_on,users,seats,tickets_last_30d,arr\n"
                        "A1,勤怠管理,2026-10-01,はい,,40,100,5,12000000\n"
                        "A2,Expense,2026-11-20,,,90,100,0,\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(csv_file),
                                      "--today", "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out[0]["id"] == "A1" and out[0]["status"] == "stalled" and out[0]["phase"] == "setup"
    assert out[0]["days_overdue"] == 23
    assert out[0]["alerts"] == ["setup_late", "stalled_long", "unhealthy"]
    assert out[0]["health"] == {"score": 50.0, "max": 200.0, "band": "red", "missing": []}
    assert out[0]["tier"] == "A"
    assert out[0]["writeback"]["Status__c"] == "オンボ滞留"
    assert out[1]["status"] == "on_track"
    text = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(csv_file),
                                    "--today", "2026-11-23"])
    assert "A1" in text.output and "初期設定" in text.output and "as of 2026-11-23 (Asia/Tokyo)" in text.output


def test_eval_json(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    facts = tmp_path / "a.json"
    facts.write_text(json.dumps([{"id": "X", "product": "Expense", "start": "2026-10-01", "setup_on": "2026-10-10",
                                  "users": 10, "seats": 100}]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(facts),
                                      "--today", "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["status"] == "completed"


@pytest.mark.parametrize(("content", "message"), [
    ("id,product,start\nA1,勤怠管理,2026-13-01\n", "accounts.csv:2: column 'start': '2026-13-01' is not a valid date"),
    ("id,product,strat\nA1,勤怠管理,2026-10-01\n",
     "accounts.csv:1: column 'strat' is not a fact (did you mean 'start'?)"),
    ("id,users\nA1,many\n", "accounts.csv:2: column 'users': 'many' is not a valid number"),
    ("product\n勤怠管理\n", "accounts.csv:2: 'id' is missing"),
])
def test_eval_bad_input_names_file_line_and_column(tmp_path: Path, content: str, message: str) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "accounts.csv"
    f.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(f)])
    assert result.exit_code == 78
    assert message in result.stderr


def test_eval_bad_json(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    f = tmp_path / "a.json"
    f.write_text('[{"id": "A",}]', encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "eval", "--rules", str(rules), "--facts", str(f)])
    assert result.exit_code == 78
    assert f"{f}:1:" in result.stderr and "invalid JSON" in result.stderr


@pytest.mark.parametrize(("old", "new", "message"), [
    ('when: "ratio < 0.3"', 'when: "ratio ＜ 0.3"', "full-width operator '＜': write the half-width '<'"),
    ('when: "days_since_last_login >= 14"', 'when: "days_since_last_login >= １４"',
     "full-width digit '１４': write the half-width '14'"),
    ('when: "ratio < 0.3"', 'when: "ratio\u3000< 0.3"', "full-width space '\u3000': write the half-width ' '"),
])
def test_full_width_characters_in_a_condition_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in RULES
    text = RULES.replace(old, new)
    code, out, path = check(tmp_path, text)
    assert code == 78
    assert f"{path}:{line_of(text, new.split(': ', 1)[1])}:" in out and message in out, out


def test_full_width_text_inside_quotes_is_allowed(tmp_path: Path) -> None:
    text = RULES.replace('when: "ratio < 0.3"', "when: \"ratio < 0.3 and product != '勤怠　管理＞'\"")
    code, out, _ = check(tmp_path, text)
    assert code == 0, out


@pytest.mark.parametrize(("old", "new", "message"), [
    ("\n  seats: {type: number", "\n\u3000 seats: {type: number",
     "a full-width space (U+3000) in the indentation; indent with half-width spaces"),
    ("\n  seats: {type: number", "\n\t seats: {type: number", "a tab in the indentation; YAML indents with spaces"),
    ('done: "kickoff_done"}', 'done: "kickoff_done}', "a quote opened on this line is not closed"),
])
def test_yaml_mistakes_point_at_their_own_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert RULES.count(old) == 1
    text = RULES.replace(old, new)
    code, out, path = check(tmp_path, text)
    assert code == 78
    assert f"{path}:{line_of(text, new.strip()[:12])}:" in out and message in out, out


def test_a_quote_left_open_to_the_end_of_the_file(tmp_path: Path) -> None:
    text = RULES.replace("  Evaluated__c: evaluated_on", '  Evaluated__c: "evaluated_on\n  Other__c: tier')
    code, out, path = check(tmp_path, text)
    assert code == 78
    assert f"{path}:{line_of(text, 'Evaluated__c')}:" in out and "a quote opened on this line is not closed" in out


def test_structure_and_expression_problems_reported_together(tmp_path: Path) -> None:
    """A misspelt key no longer hides a misspelt fact in a condition (the README promises "all at once")."""
    text = RULES.replace("severity: warning, when: \"days_since_last_login >= 14\"",
                         "severty: warning, when: \"days_since_lastlogin >= 14\"")
    assert text != RULES
    code, out, path = check(tmp_path, text)
    assert code == 78
    line = line_of(text, "days_since_lastlogin")
    assert "unknown key" in out and "severty" in out, out
    assert "unknown fact 'days_since_lastlogin'" in out and f"{path}:{line}:" in out, out


def test_every_problem_of_a_file_in_one_run(tmp_path: Path) -> None:
    """Issue 26: a line with three misspelt facts took three runs of rules check to fix (one unknown name a run).
    Every mistake of the file, in the same condition or not, structure or condition, comes out of one run."""
    text = (RULES.replace('when: "days_since_start > 30 and setup_on == null"',
                          'when: "days_since_strat > 30 and setup_no == null and kickof_done"')
            .replace("severity: info", "severity: notice")
            .replace("weight: 100\n      linear", "weight: 0\n      linear")
            .replace('when: "ratio < 0.3"', 'when: "setup_on < 3"'))
    code, out, path = check(tmp_path, text)
    assert code == 78, out
    three = line_of(text, "days_since_strat")
    expected = [
        (three, "unknown fact 'days_since_strat' (did you mean 'days_since_start'?) (column 1 of the expression)"),
        (three, "unknown fact 'setup_no' (did you mean 'setup_on'?) (column 27 of the expression)"),
        (three, "unknown fact 'kickof_done' (did you mean 'kickoff_done'?) (column 48 of the expression)"),
        (line_of(text, "severity: notice"), "alert 'stalled_long': severity 'notice' is not one of info, warning, "
                                            "critical"),
        (line_of(text, "weight: 0"), "component 'support': weight must be greater than 0"),
        (line_of(text, "setup_on < 3"), "alert 'low_usage': type error"),
    ]
    shown = out.replace("Error: ", "").splitlines()
    for line, message in expected:
        assert any(ln.startswith(f"{path}:{line}:") and message in ln for ln in shown), (message, out)
    lines = [int(ln.split(":")[1]) for ln in shown if ln.startswith(str(path))]
    assert len(lines) == len(expected) and lines == sorted(lines)  # in file order


def test_report_keys_target_days_and_completed_on(tmp_path: Path) -> None:
    """onboarding.target_days names products; onboarding.completed_on must be a date fact."""
    anchor = "  start: start\n"
    assert anchor in RULES
    text = RULES.replace(anchor, anchor + "  target_days: {勤怠: 90}\n")
    code, out, path = check(tmp_path, text)
    assert code == 78
    assert f"{path}:{line_of(text, 'target_days')}" in out and "unknown key '勤怠'" in out and "勤怠管理" in out
    text = RULES.replace(anchor, anchor + "  completed_on: users\n")
    code, out, path = check(tmp_path, text)
    assert code == 78 and "onboarding.completed_on: fact 'users' is a number; the completion must be a date" \
        in out and f"{path}:{line_of(text, 'completed_on')}" in out


def test_per_product_writeback_mistakes_are_located(tmp_path: Path) -> None:
    text = RULES + ("  Expense_Status__c: {value: status_label, product: Expence}\n"
                    "  Expense_Score__c: {value: health_score, product: Expense}\n"
                    "  Expense_Tier__c: {value: tier}\n")
    code, out, path = check(tmp_path, text)
    assert code == 78
    assert f"{path}:{line_of(text, 'Expence')}:" in out
    assert "writeback.Expense_Status__c.product: unknown product 'Expence' (did you mean 'Expense'?)" in out
    assert "writeback.Expense_Score__c.value: 'health_score' is not a value per product" in out
    assert "writeback.Expense_Tier__c: 'product' is required" in out


def readme_names(start: str, end: str) -> list[str]:
    """The `names` the README's rule file section lists between two phrases."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    begin = text.index(start) + len(start)
    return re.findall(r"`([a-z_0-9]+)`", text[begin:text.index(end, begin)])


def test_the_readme_lists_the_writeback_sources_and_ticket_aggregates_the_code_knows() -> None:
    """Each list is written once in the code (rules.ruleset.WRITEBACK_SOURCES, store.tickets.TICKET_AGGREGATES);
    the README is the one other place that names them."""
    from rules.ruleset import AGGREGATES, PER_PRODUCT_SOURCES, WRITEBACK_SOURCES

    assert readme_names("Salesforce field ← one of", ". For an account with several") == list(WRITEBACK_SOURCES)
    assert readme_names("For an account with several", "are its worst product's") == list(PER_PRODUCT_SOURCES)
    assert readme_names("a ticket `aggregate` the sync computes", ", or an `expr`") == list(AGGREGATES)
