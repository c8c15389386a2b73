"""Ticket subjects and descriptions in the store: capped, PII masked before storing, switchable, migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.server import Sandbox
from store import MIGRATIONS, Store
from store.ticket_text import DESCRIPTION_MAX, SUBJECT_MAX, mask_pii
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


def test_a_form_posted_as_json_has_its_person_masked() -> None:
    """A landing page's form relayed as the JSON it posted: its name, address and contact keys are fields too."""
    posted = ('{"form_id": "lp-2", "fields": {"company": "Hokuto KK", "full_name": "山田 太郎", '
              '"contact_email": "taro@hokuto.example", "Tel": "０９０－１２３４－５６７８", '
              '"address": "大阪市北区梅田1-1", '
              '"name": "Taro \\"T\\" Yamada", "message": "打刻が反映されません。name: 表示名は?"}}')
    masked = mask_pii(posted)
    for gone in ("山田", "taro", "１２３４", "梅田", "Yamada"):
        assert gone not in masked, gone
    assert '"full_name": "<name>"' in masked and '"address": "<address>"' in masked and '"name": "<name>"' in masked
    assert '"message": "打刻が反映されません。name: 表示名は?"' in masked and '"company": "Hokuto KK"' in masked


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


# Issue 25 F3 and REFERENCE.md "Data safety": the ways Japanese tickets write a phone number or an address.
JAPANESE_PII = ("お電話090-1234-5678までお願いします。\n"
                "携帯は０９０－１２３４－５６７８、会社は０３ー１２３４ー５６７８です。\n"
                "代表 (03) 1234-5678 / 直通 03(1234)5678 / 090.1111.2222 / 080‐2222‐3333 / 070−4444−5555\n"
                "〒150-0001 東京都渋谷区神宮前1-2-3\n"
                "ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ または suzuki＠example.co.jp へ\n"
                "お名前：佐藤 花子\n【電話番号】03-9876-5432\nメールアドレス：hanako@example.jp\n"
                "ご住所　大阪府大阪市北区梅田9-9\n"
                "打刻が2026-11-01から反映されません（チケット #40051、v3.2.1、3,600,000円、09:00-18:00）。")


def test_pull_masks_japanese_phone_formats_form_fields_and_full_width_addresses(ws: Workspace) -> None:
    sb = ws.sandbox
    tid = next(t for t, v in sb.data.tickets.items() if v["status"] != "deleted")
    sb.zendesk.update_tickets([tid], subject="至急 お電話０９０ー１２３４ー５６７８まで", description=JAPANESE_PII)
    ws.json("pull", "zendesk")
    [(subject, description)] = ws.store_rows(f"SELECT subject, description FROM tickets WHERE id = {tid}")
    assert subject == "至急 お電話<phone>まで"
    for gone in ("1234", "１２３４", "5678", "1111", "2222", "3333", "4444", "9876", "150-0001", "yamada",
                 "ｙａｍａｄａ", "suzuki", "hanako", "佐藤", "花子", "梅田", "大阪市"):
        assert gone not in description, gone
    assert description.count("<phone>") == 9 and description.count("<email>") == 3
    assert "〒<postal> 東京都渋谷区" in description and "お名前：<name>" in description
    assert "ご住所\u3000<address>" in description
    assert "打刻が2026-11-01から反映されません（チケット #40051、v3.2.1、3,600,000円、09:00-18:00）。" in description
    db = (ws.path / ".csops" / "state.db").read_bytes()
    for gone in ("090-1234", "０９０", "hanako", "佐藤 花子"):
        assert gone.encode() not in db, gone


_FULL = str.maketrans({chr(0x30 + i): chr(0xFF10 + i) for i in range(10)})
_DASHES = ("-", "－", "ー", "‐", "−", ".", " ")


@st.composite
def japanese_phone(draw: st.DrawFn) -> tuple[str, str]:
    """A Japanese phone number in one of the written forms, and its subscriber digits."""
    kind = draw(st.sampled_from(["mobile", "landline", "free", "paren-area", "paren-local", "bare", "intl"]))
    d = lambda n: "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=n, max_size=n)))  # noqa: E731
    sep = draw(st.sampled_from(_DASHES))
    last = d(4)
    if kind == "mobile":
        number = f"{draw(st.sampled_from(['090', '080', '070']))}{sep}{d(4)}{sep}{last}"
    elif kind == "landline":
        area = draw(st.sampled_from(["03", "06", "045", "011", "0422"]))
        number = f"{area}{sep}{d(6 - len(area))}{sep}{last}"
    elif kind == "free":
        last = d(3)
        number = f"0120{sep}{d(3)}{sep}{last}"
    elif kind == "paren-area":
        number = f"(03){draw(st.sampled_from(['', ' ']))}{d(4)}-{last}"
    elif kind == "paren-local":
        number = f"03({d(4)}){last}"
    elif kind == "bare":
        number = f"090{d(4)}{last}"
    else:
        number = f"+81{draw(st.sampled_from([' ', '-']))}90{sep}{d(4)}{sep}{last}"
    if draw(st.booleans()):
        number = number.translate(_FULL).replace("(", "（").replace(")", "）")
    return number, last


_TEXT = st.text(st.sampled_from("お電話携帯番号はまでへ、。です至急連絡ください（）「」 \n"), max_size=12)
_LOCAL = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789._+-"), min_size=2, max_size=12)
_DOMAIN = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=2, max_size=10)


def _digits(text: str) -> str:
    return "".join(c for c in text.translate(str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)}))
                   if c.isdigit())


@settings(max_examples=300, deadline=None)
@given(before=_TEXT, phone=japanese_phone(), after=_TEXT)
def test_every_written_form_of_a_japanese_phone_number_is_masked(before: str, phone: tuple[str, str],
                                                                  after: str) -> None:
    number, last = phone
    masked = mask_pii(before + number + after)
    assert masked == before + "<phone>" + after
    assert last not in _digits(masked)


@settings(max_examples=200, deadline=None)
@given(before=_TEXT, local=_LOCAL, domain=_DOMAIN, at=st.sampled_from("@＠"), wide=st.booleans(), after=_TEXT)
def test_every_written_form_of_an_email_address_is_masked(before: str, local: str, domain: str, at: str,
                                                           wide: bool, after: str) -> None:
    address = f"{local}{at}{domain}.co.jp"
    if wide:
        address = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in address)
    masked = mask_pii(before + address + after)
    assert masked == before + "<email>" + after


@settings(max_examples=200, deadline=None)
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), day=st.integers(1, 28), ticket=st.integers(1, 10**7),
       amount=st.integers(0, 10**9), version=st.tuples(st.integers(0, 20), st.integers(0, 99), st.integers(0, 999)))
def test_dates_ids_amounts_and_versions_are_not_phone_numbers(year: int, month: int, day: int, ticket: int,
                                                              amount: int, version: tuple[int, int, int]) -> None:
    text = (f"{year}-{month:02d}-{day:02d} {year}/{month}/{day} {year}.{month:02d}.{day:02d} チケット#{ticket} "
            f"{amount:,}円 v{version[0]}.{version[1]}.{version[2]} {month:02d}:{day:02d}-18:00")
    assert mask_pii(text) == text


QUOTE = "> お問い合わせいただきありがとうございます。担当部署にて確認を進めております。今しばらくお待ちください。\n"
BOTTOM_QUESTION = ("お世話になっております。\n\n" + QUOTE * 100 + "\n\nご回答ありがとうございます。別件で質問です。\n"
                   "承認済みの打刻修正が勤怠一覧に反映されません。\nよろしくお願いいたします。")
UNDER_ATTRIBUTION = ("佐藤です。ご丁寧にありがとうございました。\n\nOn Fri, Oct 2, 2026 at 17:39 サポート wrote:\n"
                     + QUOTE * 90 + "> \n> On Thu, Oct 1, 2026 佐藤 wrote:\n> > 祝日の設定方法を教えてください。\n\n"
                     "上記は解決しました。別件ですが、退職者のデータを削除したいです。\n佐藤")
OUTLOOK_REPLY = ("お世話になっております。\nSMSの認証コードが届きません。\nよろしくお願いいたします。\n\n"
                 "From: サポート <support@kintai.example>\nSent: Monday, September 1, 2026 3:10 PM\nTo: 中村\n"
                 "Subject: RE: ログインできません\n\n" + "パスワードの再設定は設定画面から行えます。\n" * 220)


def test_a_long_thread_keeps_the_newest_unquoted_message(ws: Workspace) -> None:
    """The question under 3,000 characters of quotes (with or without the reply header that introduces them),
    or above an unquoted thread, is what the store keeps."""
    sb = ws.sandbox
    live = [t for t, v in sb.data.tickets.items() if v["status"] != "deleted"][:3]
    assert min(len(BOTTOM_QUESTION), len(OUTLOOK_REPLY), len(UNDER_ATTRIBUTION)) > 2 * DESCRIPTION_MAX
    sb.zendesk.update_tickets([live[0]], subject="Re: Re: 打刻の件", description=BOTTOM_QUESTION)
    sb.zendesk.update_tickets([live[1]], subject="RE: ログインできません", description=OUTLOOK_REPLY)
    sb.zendesk.update_tickets([live[2]], subject="Re: Re: 打刻の件", description=UNDER_ATTRIBUTION)
    ws.json("pull", "zendesk")
    rows = dict(ws.store_rows(f"SELECT id, description FROM tickets WHERE id IN ({live[0]}, {live[1]}, {live[2]})"))
    assert "承認済みの打刻修正が勤怠一覧に反映されません。" in rows[live[0]] and "担当部署" not in rows[live[0]]
    assert "SMSの認証コードが届きません。" in rows[live[1]] and "パスワードの再設定" not in rows[live[1]]
    assert "<email>" not in rows[live[1]]  # the earlier thread's header went with it
    # a reply header followed by quotes introduces them: the message goes on under them
    assert "退職者のデータを削除したいです。" in rows[live[2]] and "ご丁寧に" in rows[live[2]]
    assert "wrote" not in rows[live[2]] and "担当部署" not in rows[live[2]]


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
