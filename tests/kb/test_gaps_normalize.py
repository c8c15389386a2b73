"""Ticket normalisation for kb gaps: what is left is the customer's question, whatever the layout.

Each case is a ticket as it arrives (the store's masked text), written here from how support inboxes look,
not from the generators the evaluation uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.gaps.glossary import SYNONYMS
from kb.gaps.normalize import Glossary, Normalizer, content_words
from kb.gaps.rules import BOILERPLATE_FILE, RULES_FILE, GapsRulesError, fold, load_rules
from tests.budget import cpu_budget

MAIL = """お世話になっております。
株式会社さくら商事 総務部の山田と申します。
ＣＳＶの取り込みで「3行目: 部署コードが不正です」とエラーになります。
弊社規定により本メールは機密です。
よろしくお願いいたします。

--
株式会社さくら商事
山田 太郎
TEL: <phone>

2026年10月1日(水) 10:00 サポート <<email>>:
> お問い合わせありがとうございます。
"""

LAYOUTS = {
    "web form, label and value on one line": (
        "種別：不具合\n会社名：北斗商事株式会社\nお名前：<name>\nメールアドレス：<email>\n電話番号：<phone>\n"
        "お問い合わせ内容：\n有給休暇の残日数が合いません。", "有給休暇の残日数が合いません",
        ("北斗", "不具合", "種別")),
    "web form, label on its own line": (
        "【お問い合わせフォーム】\n\n■貴社名\n東和テック株式会社\n\n■ご担当者様氏名\n<name>\n\n■ご用件\n"
        "シフトの一括登録ができません。\n\n――――――――\nこのメールはお問い合わせフォームから自動送信されています。",
        "シフトの一括登録ができません", ("東和", "自動送信", "フォーム")),
    "telephone note": (
        "[TEL受付] 2026/10/02 14:05 受付：山本\n会社：丸の内物産 佐々木様\nTEL：<phone>\n用件：\n"
        "請求書の宛名を変更したいとのこと。\n対応：折り返し予定", "請求書の宛名を変更したいとのこと",
        ("丸の内", "山本", "折り返し", "受付")),
    "a ticket an agent wrote for a customer": (
        "※お客様よりお電話があったため代理起票します。\n\n--- お客様のお申し出 ---\nアプリが起動直後に落ちます。\n"
        "--- 以上 ---\n担当：サポート 岡", "アプリが起動直後に落ちます", ("代理", "お申し出", "担当", "岡")),
    "LINE talk log": (
        "[LINE] サポートとのトーク履歴\n保存日時：2026/10/02 15:00\n\n2026/10/02(金)\n14:01\t坂本\tすみません\n"
        "14:02\t坂本\t二段階認証のコードが届きません\n14:02\tサポート\tお問い合わせありがとうございます。\n"
        "14:05\t坂本\t[スタンプ]\n14:06\t坂本\t坂本が写真を送信しました", "二段階認証のコードが届きません",
        ("坂本", "トーク", "スタンプ", "写真", "ありがとう")),
    "in-app message": (
        "ユーザーID: u-88812\nOS: iOS 17.4\nアプリバージョン: 5.3.1 (531)\n端末: iPhone 15\n----\n"
        "位置情報がオンなのに打刻時にエラーが出ます。", "位置情報がオンなのに打刻時にエラーが出ます",
        ("ios", "iphone", "u-88812", "531")),
    "拝啓/敬具 letter": (
        "東和テック株式会社\n人事部 佐々木 健\n\n拝啓　盛夏の候、貴社ますますご清栄のこととお慶び申し上げます。\n"
        "平素は格別のご高配を賜り、厚く御礼申し上げます。\nさて、祝日の設定方法についてご教示いただけますでしょうか。\n"
        "敬具", "祝日の設定方法について", ("盛夏", "清栄", "高配", "東和", "佐々木", "敬具")),
    "HTML remnants": (
        "<div>お世話になっております。</div><div><br></div><div>IP制限を設定したいです。</div><div>&nbsp;</div>"
        "<div>よろしくお願いします。</div>", "ip制限を設定したいです", ("div", "nbsp", "世話")),
    "Outlook reply above an unquoted thread": (
        "お世話になっております。\n締め日を20日に変更したいです。\nよろしくお願いいたします。\n\n"
        "From: サポート <<email>>\nSent: Monday, September 1, 2026 3:10 PM\nTo: 小川\n"
        "Subject: RE: ログインできません\n\n"
        "パスワードの再設定は設定画面から行えます。", "締め日を20日に変更したいです", ("パスワード", "ログイン")),
    "question at the bottom of a > thread": (
        "> サポートです。\n> 確認いたします。\n>> 先日の件ですが\n\n"
        "ありがとうございます。もう一点、解約の手続きを教えてください。",
        "解約の手続き", ("確認いたします", "先日")),
    "forwarded employee mail": (
        "社員から下記の問い合わせがありましたので転送します。\n\n---------- Forwarded message ---------\n"
        "From: 木村 <<email>>\nDate: 2026/10/01\nSubject: 残業申請\n\n残業申請のボタンが見当たりません。",
        "残業申請のボタンが見当たりません", ("from", "date", "木村")),
    "call transcript (お客様： is what the customer said, not a form field)": (
        "【通話の自動文字起こし】\nオペレーター：お電話ありがとうございます。サポートセンターでございます。\n"
        "お客様：もしもし、北斗商事の田中と申します。\nオペレーター：ご用件をお伺いします。\n"
        "お客様：えーと、有給休暇の付与日数が正しく計算されていないようです。\nオペレーター：承知しました。\n"
        "お客様：はい。", "有給休暇の付与日数が正しく計算されていないようです", ("北斗", "田中", "ありがとう", "承知")),
    "phone memo whose お客様 field names the customer": (
        "【電話対応メモ】\nお客様：株式会社みなと運輸 総務課 佐藤様\n折り返し先：<phone>\n"
        "内容：シフト表をPDFで出力したいとのこと。", "シフト表をpdfで出力したいとのこと", ("みなと", "佐藤", "総務")),
    "fax cover sheet, the question between two rules": (
        "ＦＡＸ送信票\n送信日：2026年10月2日　枚数：1枚（本紙含む）\n宛先：サポートセンター　御中\n"
        "発信元：東和テック株式会社　総務部　<name>\nＴＥＬ：<phone>　ＦＡＸ：<phone>\n―――――――――――\n"
        "有給休暇の付与日数を変更したいです。\n―――――――――――\n※ご回答はＦＡＸにてお願いいたします。",
        "有給休暇の付与日数を変更したいです", ("東和", "御中", "ご回答", "送信票")),
    "form posted as JSON": (
        '{"form_id": "lp-2", "fields": {"company": "北斗商事株式会社", "name": "<name>", "email": "<email>", '
        '"message": "シフトの一括登録ができません。"}}', "シフトの一括登録ができません", ("北斗", "name", "{")),
    "a reply under the quotes it answers, with their attribution": (
        "佐藤です。ご丁寧にありがとうございました。\n\n2026/10/2 17:39、サポート wrote:\n> 佐藤様\n"
        "> 祝日の設定は管理画面から行えます。\n\n別件ですが、退職者のデータを削除したいです。\n佐藤",
        "退職者のデータを削除したいです", ("祝日", "wrote")),
    "English mail": (
        "Hi team,\n\nOur payroll export fails with an encoding error.\n\nCheers,\nEmily Carter\nHR | Pacific Rim "
        "Logistics\nTel: <phone>", "our payroll export fails with an encoding error", ("emily", "pacific", "cheers")),
    "English chat": (
        "Chat started: 2026-10-05 10:23\nBot: Hi! How can we help you today?\nEmily: hi\n"
        "Emily: the app crashes when I open it\nBot: Thanks, an agent will reply by email.\nChat ended by visitor",
        "the app crashes when i open it", ("bot", "agent", "started")),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_each_layout_keeps_the_question_and_drops_the_rest(name: str) -> None:
    text, question, gone = LAYOUTS[name]
    cleaned = Normalizer().clean("質問", text)
    assert question in cleaned.body, (name, cleaned.body)
    for word in gone:
        assert fold(word) not in cleaned.body, (name, word, cleaned.body)


def test_greetings_signature_quote_and_team_boilerplate(tmp_path: Path) -> None:
    doc = Normalizer().clean("Re: 【至急】CSVの取り込みでエラー", MAIL)
    assert doc.subject == "csvの取り込みでエラー"
    assert "部署コードが不正です" in doc.body and "弊社規定" in doc.body
    for gone in ("世話", "山田", "さくら", "サポート", "tel", "いたします"):
        assert gone not in doc.body, gone
    (tmp_path / BOILERPLATE_FILE).write_text("# ours\n弊社規定により本メールは機密です\n", encoding="utf-8")
    assert "弊社規定" not in Normalizer(load_rules(tmp_path)).clean("CSV", MAIL).body
    (tmp_path / BOILERPLATE_FILE).unlink()
    (tmp_path / RULES_FILE).write_text("drop_lines: ['^弊社規定']\n", encoding="utf-8")
    assert "弊社規定" not in Normalizer(load_rules(tmp_path)).clean("CSV", MAIL).body


def test_team_rules_cut_at_labels_and_agents(tmp_path: Path) -> None:
    (tmp_path / RULES_FILE).write_text(
        "cut_at: ['^=== 社内メモ ===$']\nform_labels: {drop: [店舗コード], keep: [ご相談]}\nagents: [はるか]\n",
        encoding="utf-8")
    n = Normalizer(load_rules(tmp_path))
    ticket = "店舗コード：S-0042\nご相談：\n打刻修正の承認が反映されません\n=== 社内メモ ===\n再起動で直るかも"
    assert n.clean("", ticket).body == "打刻修正の承認が反映されません"
    chat = "10:01\tはるか\tご用件をどうぞ\n10:02\t田中\tSlack連携を設定したい"
    assert n.clean("", chat).body == "slack連携を設定したい"


@pytest.mark.parametrize("text, message", [
    ("drop_lines: ['(a+)+\\1']\n", "not a pattern RE2 accepts"),
    ("cut_at: ['(?=x)']\n", "lookarounds are not supported"),
    ("drop_lines: ['" + "a" * 600 + "']\n", "longer than 500"),
    ("synonyms: [[ログイン]]\n", "at least two terms"),
    ("boilerplat: [x]\n", "did you mean 'boilerplate'"),
    ("form_labels: {dorp: [x]}\n", "did you mean 'drop'"),
    ("agents: サポート\n", "expected a list"),
])
def test_gaps_yaml_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / RULES_FILE).write_text("# ours\n" + text, encoding="utf-8")
    with pytest.raises(GapsRulesError) as err:
        load_rules(tmp_path)
    assert message in str(err.value) and f"{tmp_path / RULES_FILE}:2:" in str(err.value)


def test_a_hostile_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    """RE2: what backtracks for minutes in Python's re takes microseconds."""
    (tmp_path / RULES_FILE).write_text("drop_lines: ['^(a+)+$']\n", encoding="utf-8")
    n = Normalizer(load_rules(tmp_path))
    with cpu_budget(2):
        n.clean("", "a" * 5000 + "b\n" + "a" * 5000)


def test_japanese_and_english_share_their_words_through_the_glossary() -> None:
    g = Glossary(SYNONYMS)
    ja = content_words(fold("機種変更で二段階認証のコードが届きません"), g)
    en = content_words(fold("I changed my phone and the two-factor authentication code never arrives"), g)
    assert {"機種変更", "二段階認証", "コード"} <= set(ja.split()) & set(en.split())
    assert content_words(fold("サインイン画面でエラー"), g) == content_words(fold("ログイン画面でエラー"), g)


def test_a_glossary_term_is_not_cut_out_of_a_longer_katakana_word() -> None:
    g = Glossary((*SYNONYMS, ("アルバイト", "パート", "part-timer")))
    assert content_words(fold("パートナー制度の資料"), g) == "パートナー制度 資料"
    assert content_words(fold("パートさんの打刻"), g) == "アルバイト 打刻"
    assert content_words(fold("スマホアプリで打刻"), g) == "スマートフォンアプリ 打刻"  # two terms side by side
    assert content_words(fold("サインイン画面"), g) == "ログイン画面"
