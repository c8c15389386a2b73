"""Realistic support-ticket text for the sandbox, the demo and the ``kb gaps`` evaluation set.

Tickets for a Japanese attendance SaaS ("クラウド勤怠"), written the way customers
write: business boilerplate around the question (お世話になっております …
よろしくお願いいたします), signatures with names, phone numbers and e-mail
addresses, quoted replies, typos, full-width and half-width forms, English
product words inside Japanese text, and some English tickets.

Each topic says which article of the sample knowledge base (kb/articles)
answers it, or ``None`` when none does: the ground truth of the evaluation.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    id: str
    article: str | None  # the sample KB article that answers it (category/section/slug), or None
    ja_subjects: tuple[str, ...]
    ja_bodies: tuple[str, ...]
    en_subjects: tuple[str, ...]
    en_bodies: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("login", "troubleshooting/login/cannot-sign-in",
          ("ログインできません", "ログインできない", "パスワードを入れてもログインできない", "ログイン画面でエラーになる",
           "パスワードを忘れてログインできません"),
          ("昨日まで使えていたのに、今朝からログインできなくなりました。パスワードは合っているはずです。",
           "ログイン画面でメールアドレスとパスワードを入力すると「認証に失敗しました」と表示されます。",
           "パスワードを忘れてしまいログインできません。再設定の方法を教えてください。",
           "従業員から、ログインしようとするとエラーになると問い合わせがありました。"),
          ("Cannot log in", "Login fails", "Unable to sign in to Cloud Kintai", "Forgot my password, can't sign in"),
          ("Since this morning I cannot log in. The login page says authentication failed although the password "
           "is correct.", "One of our employees forgot the password and cannot sign in. How do we reset it?")),
    Topic("missing-punches", "troubleshooting/data/missing-punches",
          ("打刻データが反映されない", "打刻が反映されません", "出勤の打刻が勤務表に出てこない", "打刻したのに記録がない"),
          ("出勤時に打刻したのですが、勤務表に反映されていません。", "退勤の打刻が反映されず、勤務時間が0時間になっています。",
           "ICカードで打刻したデータが管理画面に表示されません。"),
          ("Clock-in not showing on timesheet", "Punches are missing", "Clock out not recorded"),
          ("I clocked in this morning but the punch does not appear on my timesheet.",
           "Several employees' clock-out punches are missing from yesterday.")),
    Topic("sso", "admin/integrations/saml-sso",
          ("SSOの設定方法", "SAML連携の設定について", "シングルサインオンを設定したい", "Azure ADとのSSO設定"),
          ("Azure ADを使ってSAMLでシングルサインオンを設定したいのですが、手順を教えてください。",
           "SSOを有効にしたいです。IdP側に登録するエンティティIDはどこで確認できますか。",
           "Oktaとのシングルサインオン連携は可能でしょうか。設定方法を知りたいです。"),
          ("SSO setup question", "How to configure SAML SSO", "Single sign-on with Okta"),
          ("We want to enable SAML single sign-on with Azure AD. Where do we find the entity ID and ACS URL?",
           "Is SSO with Okta supported? Please tell us how to set it up.")),
    Topic("mobile-clock-in", "employees/timecard/clock-in",
          ("スマホから打刻する方法", "スマートフォンで打刻したい", "アプリでの打刻のやり方", "外出先から打刻できますか"),
          ("直行直帰の社員がスマートフォンから打刻する方法を教えてください。",
           "スマホアプリで出勤・退勤の打刻をするにはどうすればよいですか。位置情報は記録されますか。",
           "外出先からアプリで打刻したいのですが、やり方がわかりません。"),
          ("How to clock in from the mobile app", "Clocking in from my phone"),
          ("Our field staff need to clock in from their phones. How does it work and is the location recorded?",)),
    Topic("overtime", "employees/requests/overtime-request",
          ("残業申請のやり方", "残業の申請方法を教えてください", "残業申請ができない", "時間外労働の申請について"),
          ("残業する場合の申請方法を教えてください。事前申請が必要でしょうか。",
           "残業申請の画面がどこにあるかわかりません。",
           "部下が残業申請をしようとしていますが、手順がわからないそうです。"),
          ("How do I request overtime?", "Overtime request"),
          ("How do employees submit an overtime request before working late?",)),
    Topic("approve", "employees/requests/approve-requests",
          ("申請の承認方法", "承認ボタンが見つからない", "部下の申請を承認したい", "差し戻しのやり方"),
          ("部下から届いた申請を承認する方法がわかりません。", "申請を差し戻したいのですが、どこから操作しますか。",
           "承認者に設定されましたが、承認の画面が見つかりません。"),
          ("How to approve requests", "Where do I approve leave requests?"),
          ("I am an approver but cannot find where to approve my team's requests.",)),
    Topic("invite", "admin/users/invite-users",
          ("従業員の招待方法", "招待メールが届かない", "新しい社員を追加したい", "ユーザーを招待したい"),
          ("新入社員を追加したいのですが、招待の手順を教えてください。",
           "従業員を招待しましたが、招待メールが届いていないようです。",
           "ユーザーの追加はどこから行いますか。"),
          ("How to invite employees", "Invitation email not received"),
          ("We hired new staff. How do we invite them to Cloud Kintai?",)),
    Topic("roles", "admin/users/roles",
          ("権限設定について", "管理者権限を付与したい", "権限の種類を知りたい", "閲覧権限の設定"),
          ("部長に管理者権限を付与したいのですが、どの権限を選べばよいですか。",
           "権限の種類と、それぞれで操作できる画面を教えてください。",
           "一般社員に他の人の勤務表が見えないように権限を設定したいです。"),
          ("Permission roles", "How to give admin rights"),
          ("What permission roles are there and what can each one see?",)),
    Topic("payroll-export", "admin/integrations/payroll-export",
          ("給与ソフトへのデータ出力", "給与計算用のCSV出力", "勤怠データを給与計算ソフトに出したい", "月次データのエクスポート"),
          ("月末に勤怠データを給与計算ソフトに取り込むため、CSVで出力したいです。",
           "給与計算ソフト向けの出力形式はどこで選べますか。",
           "勤怠データのエクスポート方法を教えてください。給与ソフトに連携したいです。"),
          ("Cannot export report", "Export attendance data for payroll"),
          ("How do we export monthly attendance data as CSV for our payroll software?",)),
    Topic("api", "admin/integrations/api-access",
          ("APIの利用方法", "APIトークンの発行", "API連携について", "APIで従業員を登録したい"),
          ("自社システムからAPIで勤怠データを取得したいです。トークンの発行方法を教えてください。",
           "APIのアクセストークンはどこで発行しますか。",
           "REST APIで従業員を作成できますか。"),
          ("API token", "API rate limit reached", "How to use the REST API"),
          ("We want to read attendance data from our own system through the API. Where is the API token?",
           "Our integration hits the API rate limit. What are the limits?")),
    Topic("work-rules", "getting-started/setup/work-rules",
          ("就業ルールの設定", "所定労働時間の設定方法", "休憩時間の設定", "締め日を変更したい"),
          ("所定労働時間と休憩時間の設定方法を教えてください。",
           "パートと正社員で就業ルールを分けたいのですが、可能でしょうか。",
           "締め日を月末から20日に変更したいです。"),
          ("Setting working hours", "How to set work rules"),
          ("How do we set standard working hours and breaks for part-time staff?",)),
    Topic("trial", "getting-started/faq/trial-faq",
          ("無料トライアルについて", "トライアル期間の延長", "トライアル終了後のデータ", "試用期間について"),
          ("無料トライアルの期間を延長することはできますか。",
           "トライアル終了後、登録したデータは本契約に引き継がれますか。",
           "トライアル中に使える機能に制限はありますか。"),
          ("Free trial question", "Extend the trial"),
          ("Can we extend the free trial? Will our data be kept after the trial?",)),
    # --- topics the sample knowledge base does not cover -------------------------------------------------
    Topic("employee-csv-import", None,
          ("CSVの取り込みでエラーが出る", "従業員CSVのインポートエラー", "CSVインポートで文字化け", "従業員の一括登録ができない"),
          ("従業員情報をCSVで一括登録しようとすると「3行目: 部署コードが不正です」とエラーになります。",
           "CSVファイルを取り込むと氏名が文字化けします。Excelで保存したファイルです。",
           "従業員マスタのCSVインポートで、日付の形式エラーが出て取り込めません。"),
          ("CSV import error", "Employee CSV upload fails", "Bulk import of employees garbled"),
          ("Importing our employee CSV fails with 'invalid department code on line 3'.",
           "The names in the CSV import come out garbled. The file was saved from Excel.")),
    Topic("invoice", None,
          ("請求書の宛名を変更したい", "請求書の再発行", "請求先住所の変更", "領収書の発行について"),
          ("請求書の宛名を会社名から部署名に変更したいです。", "先月分の請求書を再発行していただけますか。",
           "本社移転に伴い、請求先の住所を変更したいです。"),
          ("Change billing address on invoice", "Invoice reissue", "Need a receipt"),
          ("Please change the company name on our invoices and reissue last month's invoice.",)),
    Topic("paid-leave", None,
          ("有給休暇の付与日数が違う", "有給の残日数がおかしい", "有休が自動付与されない", "年次有給休暇の付与について"),
          ("入社半年の社員に有給休暇が付与されていません。自動付与の設定はどこですか。",
           "有給の残日数が実際より少なく表示されています。",
           "年次有給休暇の付与日数が労基法の日数と違うようです。"),
          ("Paid leave balance wrong", "Paid leave not granted automatically"),
          ("The paid leave balance shown for several employees is lower than it should be.",)),
    Topic("shift", None,
          ("シフト表の作成方法", "シフトを一括で登録したい", "シフト管理について", "シフトパターンの設定"),
          ("来月のシフト表を作成したいのですが、一括で登録する方法はありますか。",
           "早番・遅番のシフトパターンを登録したいです。",
           "アルバイトのシフトを週ごとに作成する手順を教えてください。"),
          ("How to create shift schedules", "Bulk shift registration"),
          ("We need to create next month's shift schedule for part-timers. Can we register shifts in bulk?",)),
    Topic("app-crash", None,
          ("アプリが落ちる", "アプリが起動しない", "Androidアプリが強制終了する", "アップデート後にアプリが開かない"),
          ("最新版にアップデートしてから、Androidでアプリを開くとすぐに落ちます。",
           "iPhoneのアプリが起動直後に強制終了します。",
           "アプリが固まって動かなくなります。再インストールしても直りません。"),
          ("Mobile app crashes", "App closes on startup", "Android app keeps crashing"),
          ("Since the last update the Android app crashes as soon as it opens.",)),
    Topic("slack", None,
          ("Slack連携の設定", "Slackに通知したい", "Slackで打刻できますか", "Slack通知が届かない"),
          ("打刻漏れの通知をSlackに送りたいのですが、連携の方法を教えてください。",
           "Slack連携を設定しましたが、通知が届きません。",
           "Slackのコマンドで出勤・退勤を打刻できますか。"),
          ("Slack integration", "Slack notifications not arriving"),
          ("Can Cloud Kintai post missed-punch reminders to a Slack channel?",)),
    Topic("cancel", None,
          ("解約の手続き", "解約後のデータ削除", "契約を終了したい", "アカウントの削除方法"),
          ("来月末で解約したいのですが、手続きを教えてください。",
           "解約した場合、データはいつ削除されますか。事前にデータを保存したいです。",
           "契約を終了する方法と、最終月の請求について教えてください。"),
          ("How to cancel our subscription", "Data deletion after cancellation"),
          ("We would like to cancel at the end of next month. What happens to our data?",)),
    Topic("two-factor", None,
          ("二段階認証の端末変更", "機種変更で認証コードが受け取れない", "2段階認証を解除したい", "認証アプリの再設定"),
          ("スマートフォンを機種変更したため、二段階認証のコードが受け取れません。",
           "二段階認証の認証アプリを新しい端末に移したいです。",
           "管理者として、従業員の2段階認証をリセットすることはできますか。"),
          ("Two-factor authentication new phone", "Reset 2FA for an employee"),
          ("I changed my phone and no longer receive the two-factor authentication code.",)),
    Topic("holiday-calendar", None,
          ("祝日カレンダーの設定", "会社独自の休日を登録したい", "年末年始休暇の設定", "休日の設定方法"),
          ("会社の創立記念日を休日として登録したいです。", "年末年始の休暇をカレンダーに設定する方法を教えてください。",
           "祝日が勤務日になっています。祝日カレンダーはどこで設定しますか。"),
          ("Company holiday calendar", "Set public holidays"),
          ("How do we add our company's own holidays to the calendar?",)),
    Topic("ip-restriction", None,
          ("IPアドレス制限の設定", "社外からのアクセスを制限したい", "IP制限について", "特定のネットワークからだけ打刻させたい"),
          ("セキュリティのため、社内ネットワークからのみアクセスできるようにIP制限をかけたいです。",
           "IPアドレスで打刻できる場所を制限できますか。",
           "IP制限を設定したら在宅勤務の社員がログインできなくなりました。"),
          ("IP address restriction", "Restrict access to office network"),
          ("Can we restrict access to Cloud Kintai to our office IP addresses?",)),
)

NOISE_JA = ("お礼", "先日の件", "ご確認のお願い", "至急ご連絡ください", "問い合わせ", "質問です")
NOISE_BODIES_JA = ("先日はご対応いただきありがとうございました。解決しました。", "担当者変更のご連絡です。",
                   "資料を送付いたしましたのでご確認ください。", "打ち合わせの日程について相談させてください。")
NOISE_EN = ("Thanks", "Follow-up", "Question")
NOISE_BODIES_EN = ("Thanks for your help, it works now.", "Please see the attached file.")

GREETINGS_JA = ("お世話になっております。", "いつもお世話になっております。", "お世話になります。",
                "いつも大変お世話になっております。", "お疲れ様です。", "")
COMPANIES = ("株式会社さくら商事", "みなと製作所", "Aozora Systems株式会社", "ひかり物流株式会社", "やまと建設")
NAMES_JA = ("山田", "佐藤", "鈴木", "高橋", "田中", "渡辺")
INTROS_JA = ("{company}の{name}です。", "{company} 総務部の{name}と申します。", "{company}人事部 {name}です。", "")
CLOSINGS_JA = ("よろしくお願いいたします。", "何卒よろしくお願い申し上げます。", "お手数をおかけしますが、よろしくお願いいたします。",
               "ご確認のほど、よろしくお願いいたします。", "以上、よろしくお願いします。")
EXTRAS_JA = ("急ぎではありません。", "至急対応をお願いします。", "画面のスクリーンショットを添付します。",
             "社内の複数名で同じ現象が起きています。", "", "", "")
GREETINGS_EN = ("Hello,", "Hi team,", "Dear support,", "Hi,")
CLOSINGS_EN = ("Thanks,", "Best regards,", "Kind regards,", "Thank you in advance.")


def _typo(text: str, rng: random.Random) -> str:
    """One dropped, doubled or swapped character, as hurried writers do."""
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1:]
    if kind < 0.7:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _widths(text: str, rng: random.Random) -> str:
    """Full-width ASCII (ＣＳＶ, ＳＳＯ) or half-width katakana (ｱﾌﾟﾘ), as pasted from other tools."""
    if rng.random() < 0.5:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    out = []
    for c in text:
        name = unicodedata.name(c, "")
        if name.startswith("KATAKANA LETTER"):
            half = unicodedata.lookup("HALFWIDTH " + name) if _has_half(name) else c
            out.append(half)
        else:
            out.append(c)
    return "".join(out)


def _has_half(name: str) -> bool:
    try:
        unicodedata.lookup("HALFWIDTH " + name)
    except KeyError:
        return False
    return True


def _signature_ja(rng: random.Random, company: str, name: str) -> str:
    n = rng.randrange(1000, 9999)
    return (f"--\n{company}\n{name} 太郎\nTEL: 03-{rng.randrange(1000, 9999)}-{n}\n"
            f"Mail: {rng.choice(['t.yamada', 'soumu', 'jinji', 'admin'])}{n}@example.co.jp")


def _quoted(rng: random.Random, lang: str) -> str:
    if lang == "ja":
        return ("\n\n2026年10月1日(水) 10:00 クラウド勤怠サポート <support@example.com>:\n"
                "> お問い合わせありがとうございます。\n> 詳しい状況を教えていただけますでしょうか。")
    return "\n\nOn Tue, Oct 1, 2026 at 10:00 AM Support <support@example.com> wrote:\n> Thanks for reaching out."


def ticket_text(topic: Topic | None, lang: str, rng: random.Random) -> tuple[str, str]:
    """A (subject, description) pair on ``topic`` (None: noise) in ``lang`` ("ja" or "en")."""
    if lang == "en":
        subject = rng.choice(topic.en_subjects if topic else NOISE_EN)
        body = rng.choice(topic.en_bodies if topic else NOISE_BODIES_EN)
        if rng.random() < 0.15:
            body = _typo(body, rng)
        text = f"{rng.choice(GREETINGS_EN)}\n\n{body}\n\n{rng.choice(CLOSINGS_EN)}\n{rng.choice(NAMES_JA)}"
        if rng.random() < 0.5:
            text += f"\n{rng.choice(COMPANIES)}\nPhone: +81 3 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
        if rng.random() < 0.2:
            text += _quoted(rng, "en")
        return subject, text
    subject = rng.choice(topic.ja_subjects if topic else NOISE_JA)
    body = rng.choice(topic.ja_bodies if topic else NOISE_BODIES_JA)
    if topic and rng.random() < 0.4:
        body += rng.choice(topic.ja_bodies)
    if rng.random() < 0.2:
        subject = _typo(subject, rng)
    if rng.random() < 0.2:
        body = _typo(body, rng)
    if rng.random() < 0.15:
        subject = _widths(subject, rng)
    if rng.random() < 0.1:
        subject = "Re: " + subject if rng.random() < 0.5 else "【至急】" + subject
    company, name = rng.choice(COMPANIES), rng.choice(NAMES_JA)
    intro = rng.choice(INTROS_JA).format(company=company, name=name)
    parts = [rng.choice(GREETINGS_JA), intro, body, rng.choice(EXTRAS_JA), rng.choice(CLOSINGS_JA)]
    text = "\n".join(p for p in parts if p)
    if rng.random() < 0.6:
        text += "\n\n" + _signature_ja(rng, company, name)
    if rng.random() < 0.2:
        text += _quoted(rng, "ja")
    return subject, text


def topic_weights(topics: tuple[Topic, ...] = TOPICS) -> list[float]:
    """A long tail, as real ticket volumes have, in an order that mixes covered and uncovered topics."""
    order = sorted(range(len(topics)), key=lambda i: (i * 7) % len(topics))
    rank = {topic: r for r, topic in enumerate(order)}
    return [1.0 / (1 + 0.25 * rank[i]) for i in range(len(topics))]
