"""The tuning corpus for ``kb gaps`` (corpus A), also the sandbox's ticket text.

Tickets for a Japanese attendance SaaS ("クラウド勤怠"), the product of the sample
knowledge base, written the way they arrive: e-mail with business boilerplate
(お世話になっております … よろしくお願いいたします), signatures, top-posted
quoted replies and forwarded mails (sometimes the question is the forwarded
part), web-form bodies (``種別：… 会社名：… お名前：…``), phone memos
(``【電話対応メモ】 お客様：… 折り返し先：…``), chat transcripts with system
lines, typos, full- and half-width forms, and some English. Each topic says which
article of the sample KB answers it, or None: the ground truth of the evaluation.

``kb gaps`` is tuned on this corpus; sandbox/ticket_corpus_b.py is held back.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sandbox.corpus import Corpus, Topic, full_width, half_width_kana, pick, typo

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
    Topic("withdraw-approved", None,
          ("承認済みの申請を取り消したい", "承認後の申請の取り消し", "間違えて承認した申請を戻したい", "承認を取り消す方法"),
          ("承認済みになった休暇申請を取り消したいのですが、取り下げボタンが表示されません。",
           "承認者が誤って承認してしまった残業申請を、未承認の状態に戻すことはできますか。",
           "一度承認した申請を取り消す方法を教えてください。申請者からの取り消し依頼です。"),
          ("Cancel an approved request", "Undo an approval"),
          ("A leave request was approved by mistake. How can we undo the approval?",)),
    Topic("location-error", None,
          ("打刻時に位置情報エラー", "位置情報が取得できず打刻できない", "GPSエラーで打刻できません", "位置情報の許可について"),
          ("アプリで出勤を押すと「位置情報を取得できませんでした」と出て打刻できません。",
           "位置情報の許可をしているのに、打刻のたびにGPSエラーになります。",
           "会社の設定で位置情報を必須にしたところ、一部の社員が打刻できなくなりました。"),
          ("Location error when clocking in", "GPS error blocks clock-in"),
          ("The app says it cannot get my location, so I cannot clock in.",)),
)

NOISE_JA = ("お礼", "先日の件", "ご確認のお願い", "至急ご連絡ください", "問い合わせ", "質問です")
ONEOFFS_JA = ("先日はご対応いただきありがとうございました。解決しました。", "担当者変更のご連絡です。",
              "資料を送付いたしましたのでご確認ください。", "打ち合わせの日程について相談させてください。",
              "来期の契約更新について営業の方とお話ししたいです。", "御社主催のセミナーに参加したいのですが申込方法は。",
              "請求書の送付先メールアドレスを追加してください。", "サービス紹介資料をもう一度いただけますか。",
              "年末年始の休業期間を教えてください。", "御社のプライバシーポリシーはどこにありますか。",
              "導入検討中の子会社に紹介したいので、営業担当をご紹介ください。", "テスト送信です。返信不要です。",
              "前回の問い合わせは解決済みなのでクローズしてください。", "メルマガの宛先を変更したいです。",
              "展示会でお会いした件でご連絡しました。", "アンケートの回答期限はいつですか。",
              "画面の色を変更できるようにしてほしいという要望です。", "サポートの電話受付時間を教えてください。",
              "社名変更に伴い登録情報の変更をお願いします。", "カスタマーサクセスの定例会の日程を変更したいです。")
ONEOFFS_EN = ("Thanks for your help, it works now.", "Please see the attached file.", "Who is our account manager?",
              "Do you offer a discount for non-profits?", "Please close my previous ticket.",
              "Is there a status page for outages?")
SPAM = (("ホームページ制作のご案内", "貴社のホームページをリニューアルしませんか。今なら制作費半額キャンペーン中です。"),
        ("【無料】助成金診断のお知らせ", "貴社が受給できる助成金を無料で診断いたします。お気軽にお申し込みください。"),
        ("Increase your sales by 300%", "We help B2B companies generate leads. Reply to book a free call."))

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
AGENTS = ("鈴木", "伊藤", "小川")
ROMAJI = {"山田": "yamada", "佐藤": "sato", "鈴木": "suzuki", "高橋": "takahashi", "田中": "tanaka", "渡辺": "watanabe",
          "木村": "kimura", "林": "hayashi", "清水": "shimizu", "森": "mori"}


def _signature_ja(rng: random.Random, company: str, name: str) -> str:
    n = rng.randrange(1000, 9999)
    return (f"--\n{company}\n{name} 太郎\nTEL: 03-{rng.randrange(1000, 9999)}-{n}\n"
            f"Mail: {rng.choice(['t.yamada', 'soumu', 'jinji', 'admin'])}{n}@example.co.jp")


def _quoted(rng: random.Random, lang: str) -> str:
    if lang == "ja":
        return ("\n\n2026年10月1日(水) 10:00 クラウド勤怠サポート <support@example.com>:\n"
                "> お問い合わせありがとうございます。\n> 詳しい状況を教えていただけますでしょうか。")
    return "\n\nOn Tue, Oct 1, 2026 at 10:00 AM Support <support@example.com> wrote:\n> Thanks for reaching out."


def _question_ja(topic: Topic | None, rng: random.Random) -> str:
    body = pick(rng, topic.ja_questions) if topic else pick(rng, ONEOFFS_JA)
    if topic and rng.random() < 0.4:
        body += pick(rng, topic.ja_questions)
    if rng.random() < 0.2:
        body = typo(body, rng)
    if rng.random() < 0.06:
        body = half_width_kana(body)
    return body


def _subject_ja(topic: Topic | None, rng: random.Random) -> str:
    subject = pick(rng, topic.ja_subjects if topic and rng.random() > 0.1 else NOISE_JA)
    if rng.random() < 0.2:
        subject = typo(subject, rng)
    if rng.random() < 0.15:
        subject = full_width(subject) if rng.random() < 0.5 else half_width_kana(subject)
    if rng.random() < 0.1:
        subject = "Re: " + subject if rng.random() < 0.5 else "【至急】" + subject
    return subject


def _mail_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    intro = pick(rng, INTROS_JA).format(company=company, name=name)
    parts = [pick(rng, GREETINGS_JA), intro, question, pick(rng, EXTRAS_JA), pick(rng, CLOSINGS_JA)]
    text = "\n".join(p for p in parts if p)
    if rng.random() < 0.6:
        text += "\n\n" + _signature_ja(rng, company, name)
    if rng.random() < 0.25:
        text += _quoted(rng, "ja")
    return subject, text


def _forward_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    """An administrator forwarding an employee's mail: the question is in the forwarded part."""
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    employee = pick(rng, ("木村", "林", "清水", "森"))
    text = (f"お世話になっております。{company}の{name}です。\n社員から下記の問い合わせがありましたので転送します。\n"
            f"ご確認をお願いいたします。\n\n---------- 転送メッセージ ----------\n差出人: {employee} <{ROMAJI[employee]}@example.co.jp>\n"
            f"日付: 2026年10月{rng.randrange(1, 28)}日 9:{rng.randrange(10, 59)}\n件名: {subject}\n宛先: {name}\n\n"
            f"{name}さん\n\nお疲れ様です。{employee}です。\n{question}\nよろしくお願いします。")
    return "Fwd: " + subject, text


def _web_form_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    text = (f"種別：{pick(rng, ('操作方法', '不具合', '契約・請求', 'その他'))}\n会社名：{company}\nお名前：{name} 太郎\n"
            f"メールアドレス：{ROMAJI[name]}{rng.randrange(10, 99)}@example.co.jp\n電話番号：03-{rng.randrange(1000, 9999)}-"
            f"{rng.randrange(1000, 9999)}\nお問い合わせ内容：\n{question}")
    return (subject if rng.random() < 0.5 else "お問い合わせフォームより"), text


def _phone_memo_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    text = (f"【電話対応メモ】\nお客様：{company} {name}様\n折り返し先：090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"
            f"\n内容：{question}\n対応者：{pick(rng, AGENTS)}（{pick(rng, ('折り返し済み', '記事を案内', '要確認'))}）")
    return (subject if rng.random() < 0.6 else "電話問い合わせ"), text


def _chat_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    agent = pick(rng, AGENTS)
    text = (f"チャットが開始されました\n[10:{rng.randrange(10, 40)}] オペレーター({agent}): お問い合わせありがとうございます。"
            f"ご用件をお知らせください。\n[10:{rng.randrange(40, 50)}] お客様: {question}\n[10:{rng.randrange(50, 59)}] "
            f"オペレーター({agent}): 確認してメールでご連絡いたします。\nチャットが終了しました")
    return (subject if rng.random() < 0.3 else "チャットでのお問い合わせ"), text


def _line_works_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    """A chat export with the speaker and time on a line of their own and the message under it."""
    name = pick(rng, NAMES_JA)
    h = rng.randrange(9, 17)
    parts = [p for p in question.replace("。", "。\n").splitlines() if p.strip()]
    lines = ["===== トーク書き出し =====", f"{name} {h}:{rng.randrange(0, 20):02d}", "お疲れ様です。ちょっとお聞きしたいのですが"]
    lines += ["", f"サポート窓口 {h}:{rng.randrange(20, 30)}", "はい、どうぞ。"]
    lines += ["", f"{name} {h}:{rng.randrange(30, 40)}", *parts]
    lines += ["", f"サポート窓口 {h}:{rng.randrange(40, 59)}", "承知しました。確認して折り返します。"]
    return (subject if rng.random() < 0.5 else "トークからの問い合わせ"), "\n".join(lines)


def _proxy_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    text = (f"本件、{company} {name}様からの電話を受け、代わりに起票しました。\n\n【ご相談内容】\n{question}\n\n"
            f"【対応メモ】\n{pick(rng, ('次回訪問時に確認', 'マニュアル送付済み', '開発に確認中'))}（{pick(rng, AGENTS)}）")
    return f"[代理] {subject}", text


def _outlook_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    old = pick(rng, TOPICS)
    text = (f"お世話になっております。{company}の{name}です。\n{question}\nよろしくお願いいたします。\n\n"
            f"-----Original Message-----\nFrom: support@example.com\nSent: 2026/09/{rng.randrange(10, 28)} 11:02\n"
            f"To: {ROMAJI[name]}@example.co.jp\nSubject: RE: {pick(rng, old.ja_subjects)}\n\n{name}様\n"
            f"サポートです。{pick(rng, old.ja_questions)}という件について回答いたします。\n設定画面をご確認ください。")
    return "RE: " + subject, text


def _letter_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    text = (f"クラウド勤怠 ご担当者様\n\n謹啓 貴社ますますご発展のこととお喜び申し上げます。\n日頃より格別のご愛顧を賜り、"
            f"誠にありがとうございます。\n{question}\n今後ともよろしくお願い申し上げます。\n謹白\n\n{company}\n{name}")
    return subject, text


def _html_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    company, name = pick(rng, COMPANIES), pick(rng, NAMES_JA)
    text = (f"<p>お世話になっております。</p><p>{question}</p><p>よろしくお願いします。</p><p>&nbsp;</p>"
            f"<p>{company}<br>{name}</p>")
    return subject, text


def _bottom_reply_ja(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    """A reply written under the whole quoted conversation."""
    name = pick(rng, NAMES_JA)
    old = pick(rng, TOPICS)
    quoted = []
    for _ in range(rng.randrange(6, 10)):
        quoted += [f"＞ {name}様", f"＞ いつもご利用ありがとうございます。{pick(rng, old.ja_questions)}",
                   "＞ 上記の件、引き続き調査しております。進展がありましたらご連絡いたします。",
                   "＞ 恐れ入りますが、いましばらくお待ちください。", "＞", "＞ ＞ 前回のお問い合わせ内容を引用しています。"]
    text = "\n".join(quoted) + f"\n\n{name}です。ありがとうございます。もう一点あります。\n{question}\n以上です。"
    return "Re: Re: " + subject, text


def _mail_en(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    text = f"{pick(rng, GREETINGS_EN)}\n\n{question}\n\n{pick(rng, CLOSINGS_EN)}\n{pick(rng, NAMES_JA)}"
    if rng.random() < 0.5:
        text += f"\n{pick(rng, COMPANIES)}\nPhone: +81 3 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
    if rng.random() < 0.2:
        text += _quoted(rng, "en")
    return subject, text


def _web_form_en(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    text = (f"Company: {pick(rng, COMPANIES)}\nName: {pick(rng, NAMES_JA)} Taro\nEmail: staff{rng.randrange(10, 99)}@example.com"
            f"\nTopic: {pick(rng, ('Product', 'Billing', 'Other'))}\nMessage: {question}")
    return (subject if rng.random() < 0.6 else "Contact form"), text


Layout = Callable[[str, str, random.Random], tuple[str, str]]
def _chat_en(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    text = (f"Transcript\n[10:{rng.randrange(10, 30)}] Visitor: hello\n[10:{rng.randrange(30, 40)}] Agent Mike: Hi, how can I "
            f"help?\n[10:{rng.randrange(40, 50)}] Visitor: {question}\n[10:{rng.randrange(50, 59)}] Agent Mike: Let me check and "
            "get back to you by email.")
    return (subject if rng.random() < 0.4 else "Chat transcript"), text


def _phone_mail_en(subject: str, question: str, rng: random.Random) -> tuple[str, str]:
    return subject, f"{question}\n\nSent from my iPhone"


LAYOUTS_JA: tuple[tuple[Layout, int], ...] = (
    (_mail_ja, 30), (_forward_ja, 6), (_web_form_ja, 14), (_phone_memo_ja, 9), (_chat_ja, 8), (_line_works_ja, 7),
    (_proxy_ja, 5), (_outlook_ja, 8), (_letter_ja, 3), (_html_ja, 5), (_bottom_reply_ja, 5))
LAYOUTS_EN: tuple[tuple[Layout, int], ...] = ((_mail_en, 55), (_web_form_en, 20), (_chat_en, 15), (_phone_mail_en, 10))


def ticket_text(topic: Topic | None, lang: str, rng: random.Random) -> tuple[str, str]:
    """A (subject, description) pair on ``topic`` (None: a one-off) in ``lang`` ("ja" or "en")."""
    if lang == "en":
        subject = pick(rng, topic.en_subjects) if topic else pick(rng, ("Thanks", "Follow-up", "Question"))
        question = pick(rng, topic.en_questions) if topic else pick(rng, ONEOFFS_EN)
        if rng.random() < 0.15:
            question = typo(question, rng)
        layouts = LAYOUTS_EN
    else:
        subject, question = _subject_ja(topic, rng), _question_ja(topic, rng)
        layouts = LAYOUTS_JA
    layout = rng.choices([f for f, _ in layouts], weights=[w for _, w in layouts])[0]
    return layout(subject, question, rng)


def write(label: str, lang: str, rng: random.Random) -> tuple[str, str]:
    if label == "spam":
        return pick(rng, SPAM)
    if label.startswith("oneoff-"):
        n = int(label.split("-")[1])
        if lang == "en":
            question = ONEOFFS_EN[n % len(ONEOFFS_EN)]
            layouts = LAYOUTS_EN
            subject = pick(rng, ("Thanks", "Follow-up", "Question"))
        else:
            question = ONEOFFS_JA[n % len(ONEOFFS_JA)]
            layouts = LAYOUTS_JA
            subject = _subject_ja(None, rng)
        layout = rng.choices([f for f, _ in layouts], weights=[w for _, w in layouts])[0]
        return layout(subject, question, rng)
    return ticket_text(next(t for t in TOPICS if t.id == label), lang, rng)


def topic_weights(topics: tuple[Topic, ...] = TOPICS) -> list[float]:
    """A long tail, as real ticket volumes have, in an order that mixes covered and uncovered topics."""
    order = sorted(range(len(topics)), key=lambda i: (i * 7) % len(topics))
    rank = {topic: r for r, topic in enumerate(order)}
    return [1.0 / (1 + 0.25 * rank[i]) for i in range(len(topics))]


CORPUS = Corpus("A (tuning)", TOPICS, oneoffs=len(ONEOFFS_JA), write=write, english=0.25,
                rising=frozenset({"employee-csv-import", "paid-leave", "login", "app-crash"}))
