"""Ticket subjects and descriptions in the store: capped, PII masked before storing, switchable, migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sandbox.server import Sandbox
from sync.store import MIGRATIONS, Store
from sync.ticket_text import DESCRIPTION_MAX, SUBJECT_MAX, mask_pii
from tests.conftest import Workspace, make_workspace

PII = ("お世話になっております。ログイン後に画面が真っ白になります。\n"
       "再設定URL: https://app.example.jp/reset?token=s3cr3t&user=42#top\n"
       "山田 太郎 / yamada.taro@example.co.jp / 03-1234-5678 / 090-1234-5678 / +81 90 1234 5678")


def test_mask_pii_keeps_the_words_and_drops_the_person() -> None:
    masked = mask_pii(PII)
    for gone in ("s3cr3t", "user=42", "yamada.taro", "example.co.jp", "1234-5678", "+81"):
        assert gone not in masked
    assert "https://app.example.jp/reset?<query>" in masked
    assert masked.count("<phone>") == 3 and "<email>" in masked
    assert "ログイン後に画面が真っ白になります" in masked
    # ids, dates and versions are not phone numbers
    assert mask_pii("ticket 12345, 2024-05-01, v3.2.1") == "ticket 12345, 2024-05-01, v3.2.1"


def test_pull_stores_masked_capped_text(ws: Workspace) -> None:
    sb = ws.sandbox
    live = [t for t, v in sb.data.tickets.items() if v["status"] != "deleted"][:2]
    sb.zendesk.update_tickets([live[0]], subject="Login fails for bob@example.com", description=PII)
    sb.zendesk.update_tickets([live[1]], subject="長い件名" * 200, description="本文" * 5000)
    ws.json("pull", "zendesk")
    rows = dict((r[0], r[1:]) for r in ws.store_rows(
        f"SELECT id, subject, description FROM tickets WHERE id IN ({live[0]}, {live[1]})"))
    subject, description = rows[live[0]]
    assert subject == "Login fails for <email>"
    assert description == mask_pii(PII) and "s3cr3t" not in description
    long_subject, long_description = rows[live[1]]
    assert len(long_subject) == SUBJECT_MAX and len(long_description) == DESCRIPTION_MAX
    # every live ticket has its text; no raw address anywhere in the store
    missing = ws.store_rows("SELECT COUNT(*) FROM tickets WHERE deleted = 0 AND description IS NULL")
    assert missing == [(0,)]
    db = (ws.path / ".csops" / "state.db").read_bytes()
    assert b"yamada.taro" not in db and b"s3cr3t" not in db


def test_store_ticket_text_false_stores_no_text(tmp_path: Path, sandbox: Sandbox) -> None:
    ws = make_workspace(tmp_path, sandbox)
    text = ws.config.read_text(encoding="utf-8")
    ws.config.write_text(text.replace("zendesk:\n", "zendesk:\n  store_ticket_text: false\n", 1), encoding="utf-8")
    out = ws.json("pull", "zendesk")
    assert out["tickets_pulled"] == len(sandbox.data.tickets)
    assert ws.store_rows("SELECT COUNT(*) FROM tickets WHERE subject IS NOT NULL OR description IS NOT NULL") \
        == [(0,)]


def test_old_tickets_get_their_text_with_full(ws: Workspace) -> None:
    ws.json("pull", "zendesk")
    with sqlite3.connect(ws.path / ".csops" / "state.db") as conn:
        conn.execute("UPDATE tickets SET description = NULL")  # as a store migrated from before ticket text holds them
    ws.json("pull", "zendesk")
    assert ws.store_rows("SELECT COUNT(*) FROM tickets WHERE description IS NOT NULL") == [(0,)]
    ws.json("pull", "zendesk", "--full")
    assert ws.store_rows("SELECT COUNT(*) FROM tickets WHERE deleted = 0 AND description IS NULL") == [(0,)]


def test_a_store_from_before_ticket_text_is_migrated_and_keeps_its_tickets(tmp_path: Path) -> None:
    text_version = next(v for v, script in MIGRATIONS if "ADD COLUMN description" in script)
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version, script in MIGRATIONS:
        if version < text_version:
            conn.executescript(script)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    conn.execute("INSERT INTO tickets (id, status, subject, created_at) VALUES (7, 'open', 'old', '2026-01-01')")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.version() == MIGRATIONS[-1][0]
        assert list(store.ticket_texts("2025-01-01")) == [(7, "2026-01-01", "old", None)]
