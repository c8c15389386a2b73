"""Typed rows: each field of a store row type is the table column of the same name, on both engines.

Written through the store and read back with the test's own SQL (tests/store_sql.py), whose column list is the
row type's field names; and the other way round, rows put in with the test's SQL come out of the store with each
field holding its column's value. A row type whose fields drift from the SQL's column order fails here by name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from store import open_store
from store.accounts import AccountRow, StoredAccount
from store.alerts import ActiveAlert, AlertKey, AlertOccurrence, AlertRow
from store.evaluations import EvaluatedAccount, EvaluationRow, FunnelCount, ProductEvaluationRow
from store.history import HistoryPoint, ProductPoint
from store.nps import NpsLine, NpsResponse, NpsScore, NpsSurvey
from store.organizations import AccountName, OrganizationRow, UnlinkedOrganization
from store.outbox import Announcement, OutboxRow
from store.runs import RunRow
from store.status_periods import StatusPeriodStart
from store.tickets import TicketRow, TicketText
from tests.store_sql import rows

ACCOUNT = "001000000000001AAA"


def target(url: str) -> str | Path:
    return url if url.startswith("postgresql") else Path(url[len("sqlite:///"):])


def stored(url: str, table: str, row: NamedTuple, columns: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    """The table's rows, read as the row type's fields name them (``columns`` renames a field to its column)."""
    names = [(columns or {}).get(f, f) for f in row._fields]
    return rows(target(url), f"SELECT {', '.join(names)} FROM {table}")


def test_rows_written_land_in_the_columns_their_fields_name(store_url: str) -> None:
    ticket = TicketRow(2**31 + 7, 2**31 + 8, "open", "urgent", "question", "件名", '["a"]', "bad",
                       "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", 0, "説明")
    org = OrganizationRow(2**31 + 8, "株式会社テスト", ACCOUNT, None, "2026-10-03T00:00:00Z")
    account = AccountRow(ACCOUNT, '{"Name": "テスト"}', "2026-10-04T00:00:00.000+0000", 0)
    evaluation = EvaluationRow(ACCOUNT, 5, "2026-10-05", "勤怠管理", "stalled", "setup", 42.5, '{"status": "x"}')
    product = ProductEvaluationRow(ACCOUNT, "経費精算", "on_track", "kickoff")
    period = StatusPeriodStart(ACCOUNT, "stalled", "2026-10-05")
    alert = AlertRow(ACCOUNT, "no_login_14d", "warning", "No login", "2026-10-05", "2026-10-06", 5)
    point = HistoryPoint(ACCOUNT, "2026-10-05", "勤怠管理", "stalled", "setup", 42.5, "low", "gold", "churned")
    product_point = ProductPoint(ACCOUNT, "経費精算", "2026-10-05", "on_track", "kickoff")
    answer = NpsLine(3, ACCOUNT, "2026-10-07", 9, "良い")
    with open_store(store_url) as s:
        s.upsert_tickets([ticket])
        s.upsert_organizations([org])
        s.upsert_accounts([account])
        s.upsert_evaluations([evaluation])
        s.replace_evaluation_products([ACCOUNT], [product])
        s.open_status_periods([period])
        s.add_alerts([alert])
        s.write_history([point])
        s.write_product_history([product_point])
        assert s.replace_nps("survey.csv", [answer]) == (0, 1)
        assert s.enqueue_notifications([("#cs", "new", ACCOUNT, "no_login_14d", "2026-10-05", {"title": "題"})], 5) == 1
    assert stored(store_url, "tickets", ticket) == [ticket]
    assert stored(store_url, "organizations", org) == [org]
    assert stored(store_url, "accounts", account) == [account]
    assert stored(store_url, "evaluations", evaluation) == [evaluation]
    assert stored(store_url, "evaluation_products", product) == [product]
    assert stored(store_url, "status_history", period) == [period]
    assert stored(store_url, "alerts", alert) == [alert]
    assert stored(store_url, "account_history", point) == [point]
    assert stored(store_url, "product_history", product_point) == [product_point]
    assert stored(store_url, "nps_responses", answer) == [answer]
    assert rows(target(store_url), "SELECT survey FROM nps_responses") == [("survey.csv",)]
    assert rows(target(store_url), "SELECT channel, kind, account_id, alert_id, occurrence, payload, run_id, "
                "delivered_at, attempts FROM notify_outbox") == [
        ("#cs", "new", ACCOUNT, "no_login_14d", "2026-10-05", '{"title": "題"}', 5, None, 0)]


def fill(url: str) -> None:
    """One row in each table, written with the test's own SQL."""
    where = target(url)
    for sql, params in [
        ("INSERT INTO tickets (id, organization_id, status, subject, description, created_at, updated_at, deleted, "
         "priority, satisfaction) VALUES (11, 21, 'open', '件名', '説明', '2026-10-01T09:00:00Z', "
         "'2026-10-02T09:00:00Z', 0, 'urgent', 'bad')", ()),
        ("INSERT INTO organizations (id, name, account_id, link_problem) VALUES (21, '組織', ?, NULL), "
         "(22, 'リンクなし', NULL, 'no external_id')", (ACCOUNT,)),
        ("INSERT INTO accounts (id, fields, system_modstamp, deleted) VALUES (?, '{\"Name\": \"テスト\"}', NULL, 0), "
         "('001000000000002AAA', '{\"Name\": \"孤立\"}', NULL, 0)", (ACCOUNT,)),
        ("INSERT INTO evaluations (account_id, run_id, evaluated_on, product, status, phase, health_score, result) "
         "VALUES (?, 1, '2026-10-05', '勤怠管理', 'stalled', 'setup', 40.0, '{\"tier\": \"gold\"}')", (ACCOUNT,)),
        ("INSERT INTO evaluation_products (account_id, product, status, phase) VALUES (?, '勤怠管理', 'stalled', "
         "'setup')", (ACCOUNT,)),
        ("INSERT INTO alerts (account_id, alert_id, severity, title, first_seen, last_seen, resolved_at, "
         "run_first_seen) VALUES (?, 'a1', 'critical', 'タイトル', '2026-10-03', '2026-10-05', NULL, 1)", (ACCOUNT,)),
        ("INSERT INTO account_history (account_id, day, product, status, phase, health_score, health_band, tier, "
         "gone) VALUES (?, '2026-10-05', '勤怠管理', 'stalled', 'setup', 40.0, 'low', 'gold', NULL)", (ACCOUNT,)),
        ("INSERT INTO product_history (account_id, product, day, status, phase) VALUES (?, '勤怠管理', "
         "'2026-10-05', 'stalled', 'setup')", (ACCOUNT,)),
        ("INSERT INTO nps_responses (survey, line, account_id, answered_on, score, comment) VALUES "
         "('s.csv', 2, ?, '2026-10-07', 6, 'まあまあ')", (ACCOUNT,)),
        ("INSERT INTO runs (command, started_at, finished_at, status, exit_code, report) VALUES "
         "('sync', '2026-10-05T00:00:00Z', '2026-10-05T00:01:00Z', 'ok', 0, '{\"duration_s\": 1.5}')", ()),
        ("INSERT INTO notify_outbox (channel, kind, account_id, alert_id, occurrence, payload, created_at, attempts, "
         "last_error) VALUES ('#cs', 'new', ?, 'a1', '2026-10-03', '{\"title\": \"題\"}', "
         "'2026-10-03T00:00:00Z', 2, 'HTTP 500')", (ACCOUNT,)),
    ]:
        rows(where, sql, params)


def test_rows_read_hold_their_columns_in_the_fields_of_the_same_name(store_url: str) -> None:
    open_store(store_url).close()
    fill(store_url)
    with open_store(store_url) as s:
        assert list(s.ticket_texts("2026-01-01")) == [TicketText(11, "2026-10-01T09:00:00Z", "件名", "説明")]
        assert s.ticket_text(11) == TicketText(11, "2026-10-01T09:00:00Z", "件名", "説明")
        assert s.ticket_aggregates(["open"], "2026-09-28", "2026-09-05") == {
            ACCOUNT: {"tickets_open": 1, "tickets_last_7d": 1, "tickets_last_30d": 1, "urgent_open": 1,
                      "last_ticket_at": "2026-10-01T09:00:00Z", "csat_bad_30d": 1}}
        assert s.unlinked_organizations() == [UnlinkedOrganization(22, "リンクなし", "no external_id")]
        assert s.accounts_without_organization() == [AccountName("001000000000002AAA", "孤立")]
        assert next(s.live_accounts()) == StoredAccount(ACCOUNT, '{"Name": "テスト"}')
        assert s.find_accounts("テス") == [AccountName(ACCOUNT, "テスト")]
        assert list(s.evaluated_accounts()) == [EvaluatedAccount(ACCOUNT, "勤怠管理", '{"tier": "gold"}',
                                                                 '{"Name": "テスト"}')]
        assert s.evaluation(ACCOUNT) == ({"tier": "gold"}, "2026-10-05")
        assert s.status_funnel() == [FunnelCount("勤怠管理", "stalled", 1)]
        assert s.open_alerts() == {AlertKey(ACCOUNT, "a1")}
        assert s.alert_periods() == [AlertOccurrence(ACCOUNT, "a1", "2026-10-03", None)]
        assert s.active_alerts() == [ActiveAlert(ACCOUNT, "テスト", "a1", "critical", "タイトル", "2026-10-03",
                                                 "2026-10-05")]
        point = HistoryPoint(ACCOUNT, "2026-10-05", "勤怠管理", "stalled", "setup", 40.0, "low", "gold", None)
        assert list(s.history()) == [point]
        assert s.latest_history() == {ACCOUNT: point}
        product_point = ProductPoint(ACCOUNT, "勤怠管理", "2026-10-05", "stalled", "setup")
        assert list(s.product_history()) == [product_point]
        assert s.latest_product_history() == {(ACCOUNT, "勤怠管理"): product_point}
        assert s.nps_responses() == [NpsScore("s.csv", ACCOUNT, "2026-10-07", 6)]
        assert s.nps_answers() == [NpsResponse("s.csv", ACCOUNT, "2026-10-07", 6, "まあまあ")]
        assert s.nps_surveys() == [NpsSurvey("s.csv", 1, "2026-10-07", "2026-10-07")]
        [pending] = s.pending_notifications("#cs")
        assert pending == OutboxRow(pending.id, "#cs", "new", ACCOUNT, "a1", "2026-10-03", {"title": "題"},
                                    "2026-10-03T00:00:00Z", 2, "HTTP 500")
        assert s.alert_announcements([(ACCOUNT, "a1")], "2026-10-06") == {(ACCOUNT, "a1"): Announcement("2026-10-03",
                                                                                                    ["#cs"])}
        [run] = s.recent_runs(5)
        assert run == RunRow(run.id, "sync", "2026-10-05T00:00:00Z", "2026-10-05T00:01:00Z", "ok", 0,
                             {"duration_s": 1.5})
    assert json.loads(json.dumps(ActiveAlert(ACCOUNT, None, "a", "warning", "t", "d", "d")._asdict())) == {
        "account_id": ACCOUNT, "account": None, "alert": "a", "severity": "warning", "title": "t",
        "first_seen": "d", "last_seen": "d", "owner": None}  # csops alerts --json's keys, and the owner's name


def test_owner_names_are_kept_per_owner_and_name_the_alerts_owner(store_url: str) -> None:
    with open_store(store_url) as s:
        s.upsert_accounts([AccountRow(ACCOUNT, '{"Name": "テスト", "ownerid": "005000000000002AAA"}', None, 0)])
        s.add_alerts([AlertRow(ACCOUNT, "a1", "critical", "タイトル", "2026-10-03", "2026-10-03", 1)])
        s.write_owner_names({"005000000000002AAA": "佐藤 花子", "00G000000000001AAA": None}, "2026-10-04")
        s.write_owner_names({"005000000000002AAA": "佐藤 花子（異動）"}, "2026-10-05")
        assert s.owner_names() == {"005000000000002AAA": "佐藤 花子（異動）"}  # the newest name; a queue has none
        [alert] = s.active_alerts()
        assert alert.owner == "佐藤 花子（異動）"  # the field found whatever its case, as Salesforce names fields


def test_write_log_rows_keep_any_text_on_both_engines(store_url: str) -> None:
    """The write log is loaded with COPY on PostgreSQL: text COPY would read as its own syntax (a tab, a newline, a
    backslash, ``\\N`` for null) lands as written, and null stays null."""
    from store.writelog import OK, SENT, WriteEntry

    hostile = ["a\tb", "line\nnext", "back\\slash", "\\N", "'quoted' \"double\"", "解約見込\r\n", "", None,
               {"k": ["\t", "\\"]}, 12.5]
    entries = [WriteEntry(7, "2026-10-05T00:00:00Z", "Account", ACCOUNT, ACCOUNT, f"F{i}__c", v, v, SENT,
                          None if i % 2 else "err\tor\\", None if i % 3 else f"reason\t{v}")
               for i, v in enumerate(hostile)]
    with open_store(store_url) as s:
        assert s.log_writes(entries) == len(entries)
        s.settle_writes(7, "Account", {})
        assert s.run_writes(7) == [e._replace(result=OK) for e in entries]
    raw = rows(target(store_url), "SELECT old_value, error, reason FROM write_log ORDER BY id")
    assert raw == [(json.dumps(e.old, ensure_ascii=False), e.error, e.reason) for e in entries]


def test_queries_over_more_ids_than_one_in_list_holds_answer_for_every_id(store_url: str) -> None:
    """A caller's list of ids is queried a slice at a time (store.connection.in_lists): every id of 1,201 answers,
    on both engines, with no id lost at a slice's edge."""
    from store.connection import IN_LIST_SIZE

    n = 2 * IN_LIST_SIZE + 201
    ids = [f"001{i:012d}AAA" for i in range(n)]
    with open_store(store_url) as s:
        s.upsert_accounts([AccountRow(a, json.dumps({"Name": f"n{i}"}), "2026-10-04T00:00:00.000+0000", 0)
                           for i, a in enumerate(ids)])
        s.write_history([HistoryPoint(a, "2026-10-05", "勤怠管理", "on_track", "setup", float(i), "low", "gold", None)
                         for i, a in enumerate(ids)])
        assert s.live_among([*ids, "001999999999999AAA"]) == set(ids)
        fields = s.account_fields(reversed(ids))
        assert [fields[a]["Name"] for a in ids] == [f"n{i}" for i in range(n)]
        assert s.health_before(ids, "2026-10-06") == {a: float(i) for i, a in enumerate(ids)}
