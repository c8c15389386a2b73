"""SQL fact sources through the CLI (README "Facts from your database"): a rule reading ``active_users_7d`` from
the team's PostgreSQL (the test server), DuckDB or SQLite, in ``csops sync`` against the sandbox."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import RULES, Workspace

TODAY = ("--today", "2026-11-23")
WRITE = "PATCH /services/data/v60.0/composite/sobjects"

USAGE_RULES = """\
sources:
  usage:
    url: ${{USAGE_DB_URL}}
    query: {query}
    key: account_id
{extra}
facts:
  active_users_7d: {{type: number, source: usage{column}}}
"""
#: The sample rules' usage alert, on the source's fact instead of a Salesforce field.
ANOMALY = ('when: "go_live_on != null and active_ratio < 0.3"',
           'when: "active_users_7d != null and active_users_7d < 5"')
INCREMENTAL = "SELECT account_id, active_users_7d FROM usage WHERE updated_at >= :since"


def use_rules(ws: Workspace, query: str = INCREMENTAL, extra: str = "", column: str = "") -> Path:
    """The workspace reads the sample rules with usage_anomaly raised by the source's fact, and a usage.yaml that
    holds the source and that fact."""
    rules = ws.path / "onboarding.yaml"
    text = RULES.read_text(encoding="utf-8")
    assert ANOMALY[0] in text
    rules.write_text(text.replace(*ANOMALY), encoding="utf-8")
    path = ws.path / "usage.yaml"
    path.write_text(USAGE_RULES.format(query=json.dumps(query), extra=extra,
                                       column=f", column: {column}" if column else ""), encoding="utf-8")
    text = ws.config.read_text(encoding="utf-8")
    ws.config.write_text(text.replace(f"files: [{RULES}]", f"files: [{rules}, {path}]"), encoding="utf-8")
    assert f"{rules}, {path}" in ws.config.read_text(encoding="utf-8")
    return path


def accounts(ws: Workspace) -> list[str]:
    return sorted(ws.sandbox.data.accounts)


def pg_usage(url: str, ids: list[str]) -> None:
    """usage: five accounts, updated two hours ago (outside the look-back); the second keyed by its 15-character
    Id, the third with 2 active users (the alert), one row for no account of ours."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE usage (account_id text, active_users_7d integer, updated_at timestamptz)")
        rows = [(ids[0], 40), (ids[1][:15], 12), (ids[2], 2), (ids[3], 7), ("001000000000000AAA", 9)]
        for account_id, users in rows:
            conn.execute("INSERT INTO usage VALUES (%s, %s, now() - interval '2 hours')", (account_id, users))


def explain(ws: Workspace, account_id: str, env: dict[str, str]) -> str:
    result = ws.cli("rules", "explain", account_id, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def alerts_line(explained: str) -> str:
    return next(line for line in explained.splitlines() if line.startswith("alerts:"))


def sync_json(ws: Workspace, env: dict[str, str]) -> dict[str, Any]:
    result = ws.cli("sync", "--json", *TODAY, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_postgresql_source_feeds_the_rules_incrementally(ws: Workspace, pg_url: str) -> None:
    ids = accounts(ws)
    pg_usage(pg_url, ids)
    use_rules(ws)
    env = {"USAGE_DB_URL": pg_url}

    check = ws.cli("rules", "check", env=env)
    assert check.exit_code == 0, check.output
    assert "source usage: 2 columns; active_users_7d read as their types" in check.stdout

    first = sync_json(ws, env)["sources"]["usage"]
    assert first == {"rows": 5, "changed": 5, "since": "1970-01-01T00:00:00+00:00", "skipped": 0}
    assert "active_users_7d = 40  (from source usage)" in explain(ws, ids[0], env)
    assert "active_users_7d = 12  (from source usage)" in explain(ws, ids[1], env)  # keyed by 15 characters
    low = explain(ws, ids[2], env)
    assert "active_users_7d = 2  (from source usage)" in low and "usage_anomaly" in alerts_line(low)
    assert "active_users_7d = null" in explain(ws, ids[5], env)  # no row: null, as a missing Salesforce value

    # The second run's query gets :since (the first run's start less the hour of look-back): the rows written two
    # hours ago are not read again.
    second = sync_json(ws, env)["sources"]["usage"]
    since = dt.datetime.fromisoformat(second["since"])
    assert dt.timedelta(minutes=55) < dt.datetime.now(dt.UTC) - since < dt.timedelta(minutes=70)
    assert (second["rows"], second["changed"]) == (0, 0)

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE usage SET active_users_7d = 30, updated_at = now() WHERE account_id = %s", (ids[2],))
    third = sync_json(ws, env)["sources"]["usage"]
    assert (third["rows"], third["changed"]) == (1, 1)
    now_fine = explain(ws, ids[2], env)
    assert "active_users_7d = 30  (from source usage)" in now_fine and "usage_anomaly" not in alerts_line(now_fine)


def test_rules_check_finds_a_misspelt_column_and_a_value_of_the_wrong_type(ws: Workspace, pg_url: str) -> None:
    pg_usage(pg_url, accounts(ws))
    path = use_rules(ws, column="actve_users_7d")
    env = {"USAGE_DB_URL": pg_url}
    result = ws.cli("rules", "check", env=env)
    assert result.exit_code == 78
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "actve_users_7d" in text)
    assert (f"{path}:{line}:" in result.stderr
            and "source 'usage' returns no column 'actve_users_7d' (did you mean 'active_users_7d'?)" in result.stderr)
    assert ws.cli("rules", "check", "--offline", env=env).exit_code == 0

    use_rules(ws, query="SELECT account_id, 'many' AS active_users_7d FROM usage")
    wrong = ws.cli("rules", "check", env=env)
    assert wrong.exit_code == 78 and "holds 'many' (row 1), not a number" in wrong.stderr


def test_a_source_that_is_down_stops_the_sync_before_anything_is_written(ws: Workspace, pg_url: str) -> None:
    use_rules(ws)
    down = {"USAGE_DB_URL": "postgresql://reader:s3cret-pw@127.0.0.1:1/usage"}
    result = ws.cli("sync", *TODAY, env=down)
    assert result.exit_code == 69, result.output
    assert "source 'usage'" in result.stderr and "nothing was evaluated or written" in result.stderr
    assert "s3cret-pw" not in result.output and "postgresql://reader:***@127.0.0.1:1/usage" in result.stderr
    assert ws.sandbox.stats.get(WRITE, 0) == 0
    assert ws.store_rows("SELECT COUNT(*) FROM evaluations") == [(0,)]
    assert ws.store_rows("SELECT status, exit_code FROM runs") == [("failed", 69)]


def test_on_failure_last_known_evaluates_with_the_stored_values_marked(ws: Workspace, pg_url: str) -> None:
    ids = accounts(ws)
    pg_usage(pg_url, ids)
    use_rules(ws, extra="    on_failure: last_known")
    sync_json(ws, {"USAGE_DB_URL": pg_url})
    down = {"USAGE_DB_URL": "postgresql://reader@127.0.0.1:1/usage"}
    report = sync_json(ws, down)["sources"]["usage"]
    assert report["failed"].startswith("source 'usage'") and report["last_known_at"]
    shown = explain(ws, ids[0], down)
    assert "active_users_7d = 40  (from source usage)" in shown
    assert "note: facts from source 'usage' are its last known values" in shown


def test_the_query_runs_read_only_and_within_its_timeout(ws: Workspace, pg_url: str) -> None:
    pg_usage(pg_url, accounts(ws))
    env = {"USAGE_DB_URL": pg_url}
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE usage_reads")
    use_rules(ws, query="SELECT account_id, active_users_7d, nextval('usage_reads') AS n FROM usage")
    result = ws.cli("sync", *TODAY, env=env)
    assert result.exit_code == 69 and "cannot execute nextval() in a read-only transaction" in result.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT last_value, is_called FROM usage_reads").fetchone() == (1, False)

    use_rules(ws, query="SELECT account_id, active_users_7d FROM usage, pg_sleep(3)",
              extra="    timeout_seconds: 0.5")
    slow = ws.cli("sync", *TODAY, env=env)
    assert slow.exit_code == 69 and "statement timeout" in slow.stderr


def test_a_password_written_in_the_rule_file_is_refused(ws: Workspace) -> None:
    path = use_rules(ws)
    path.write_text(path.read_text().replace("${USAGE_DB_URL}", "postgresql://reader:hunter22@db.example/usage"))
    result = ws.cli("rules", "check", "--offline")
    assert result.exit_code == 78 and "a password is written in the rule file" in result.stderr
    assert "hunter22" not in result.output


def sqlite_usage(path: Path, ids: list[str]) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE usage (account_id TEXT, active_users_7d INTEGER, updated_at TEXT)")
        conn.executemany("INSERT INTO usage VALUES (?, ?, datetime('now', '-2 hours'))",
                         [(ids[0][:15], 3), (ids[1], 25), ("not an id", 1)])
    conn.close()


def duckdb_usage(path: Path, ids: list[str]) -> None:
    import duckdb

    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE usage (account_id VARCHAR, active_users_7d BIGINT, updated_at TIMESTAMP)")
    conn.executemany("INSERT INTO usage VALUES (?, ?, current_timestamp::TIMESTAMP - INTERVAL 2 HOUR)",
                     [[ids[0][:15], 3], [ids[1], 25], ["not an id", 1]])
    conn.close()


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_database_files_as_sources(ws: Workspace, engine: str) -> None:
    ids = accounts(ws)
    (sqlite_usage if engine == "sqlite" else duckdb_usage)(ws.path / f"usage.{engine}", ids)
    use_rules(ws)
    env = {"USAGE_DB_URL": f"{engine}:///usage.{engine}"}  # relative to the project folder
    check = ws.cli("rules", "check", env=env)
    assert check.exit_code == 0, check.output

    preview = ws.cli("pull", "usage", "--preview", env=env)
    assert preview.exit_code == 0, preview.output
    lines = preview.stdout.splitlines()
    assert lines[0].split() == ["account_id", "account", "active_users_7d"]
    assert [ids[0][:15], ids[0], "3"] in [line.split() for line in lines]
    assert "(account_id 'not an id' is not a 15- or 18-character Salesforce Account Id)" in preview.stdout
    assert ws.store_rows("SELECT COUNT(*) FROM source_rows") == [(0,)]  # a preview stores nothing

    first = sync_json(ws, env)["sources"]["usage"]
    assert (first["rows"], first["changed"], first["skipped"]) == (3, 2, 1)
    assert "active_users_7d = 3  (from source usage)" in explain(ws, ids[0], env)
    second = sync_json(ws, env)["sources"]["usage"]
    assert second["since"] != first["since"] and second["rows"] == 0  # two hours ago: before :since

    use_rules(ws, query="DELETE FROM usage RETURNING account_id, active_users_7d")
    writing = ws.cli("sync", *TODAY, env=env)
    assert writing.exit_code == 69 and ("readonly database" in writing.stderr or "read-only mode" in writing.stderr)
    assert "active_users_7d = 3  (from source usage)" in explain(ws, ids[0], env)

    missing = ws.cli("sync", *TODAY, env={"USAGE_DB_URL": f"{engine}:///no-such.{engine}"})
    assert missing.exit_code == 69 and "no database file" in missing.stderr
    assert not (ws.path / f"no-such.{engine}").exists()


def test_a_sqlite_query_past_its_timeout_is_interrupted(ws: Workspace) -> None:
    sqlite_usage(ws.path / "usage.db", accounts(ws))
    use_rules(ws, query="WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                        "SELECT account_id, active_users_7d FROM usage, n WHERE i < 0",
              extra="    timeout_seconds: 0.5")
    result = ws.cli("sync", *TODAY, env={"USAGE_DB_URL": "sqlite:///usage.db"})
    assert result.exit_code == 69 and "interrupted" in result.stderr


def test_misnamed_sources_are_told_with_a_suggestion(ws: Workspace) -> None:
    path = use_rules(ws)
    path.write_text(path.read_text().replace("source: usage", "source: usge"))
    result = ws.cli("rules", "check", "--offline")
    assert result.exit_code == 78 and "unknown source 'usge' (did you mean 'usage'?)" in result.stderr
    use_rules(ws)
    pull = ws.cli("pull", "usge", "--preview")
    assert pull.exit_code == 2 and "no source 'usge' (did you mean 'usage'?)" in pull.stderr


def test_a_source_keyed_by_another_fact(ws: Workspace) -> None:
    """match: the key column holds a Salesforce field's value (here the account's name), not its Id."""
    ids = accounts(ws)
    names = [ws.sandbox.data.accounts[i]["Name"] for i in ids[:2]]
    conn = sqlite3.connect(ws.path / "usage.db")
    with conn:
        conn.execute("CREATE TABLE usage (name TEXT, active_users_7d INTEGER)")
        conn.executemany("INSERT INTO usage VALUES (?, ?)", [(f" {names[0]} ", 4), (names[1], 60), ("nobody", 1)])
    conn.close()
    path = use_rules(ws, query="SELECT name AS account_id, active_users_7d FROM usage", extra="    match: account_name")
    path.write_text(path.read_text() + "  account_name: {type: string, field: Name}\n")
    env = {"USAGE_DB_URL": "sqlite:///usage.db"}
    report = sync_json(ws, env)["sources"]["usage"]
    assert (report["rows"], report["since"]) == (3, None)  # no :since: the whole query each run
    assert "active_users_7d = 4  (from source usage)" in explain(ws, ids[0], env)
    assert "active_users_7d = 60  (from source usage)" in explain(ws, ids[1], env)
    assert "active_users_7d = null" in explain(ws, ids[2], env)
