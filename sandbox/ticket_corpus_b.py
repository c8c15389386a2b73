"""The held-back corpus for ``kb gaps`` (corpus B): kept apart from everything ``kb gaps`` is tuned on.

Written before the tuning of issue 32 began and not changed by it (see bench/gaps.py for how it is
used). The same product as the sample knowledge base (an attendance SaaS, クラウド勤怠), but other
customers, other phrasings and other layouts than sandbox/ticket_corpus.py: web forms with the label
on its own line, telephone notes, tickets an agent wrote for a customer (代理起票), LINE talk logs,
in-app messages, long ``>`` threads with the new question at the bottom, Outlook replies above an
unquoted thread, 拝啓/敬具 letters, HTML remnants, half-width katakana, 〒/TEL/FAX/内線 signatures, about a
quarter in English, vague subjects, one-off questions and spam. Eight uncovered topics, several of them
lexically close to covered ones (an approved punch correction that never applies; an SMS code that does
not arrive; 変形労働時間制).
"""

from __future__ import annotations

import random

from sandbox.corpus import Corpus, Topic, full_width, half_width_kana, pick, typo

TOPICS: tuple[Topic, ...] = (
    Topic("login", "troubleshooting/login/cannot-sign-in",
          ("サインインできなくなりました", "ログインエラーについて", "アカウントがロックされたようです",
           "パスワード再設定の件", "ログインできない従業員がいます"),
          ("今朝からサインインしようとすると「メールアドレスまたはパスワードが正しくありません」と出て入れません。",
           "パスワードを何度か間違えたらアカウントがロックされてしまいました。解除するにはどうすればいいですか。",
           "パスワードを忘れた社員がいるのですが、再設定はどこから行えばよいでしょうか。",
           "ログイン画面で正しいパスワードを入れても同じ画面に戻ってしまい、中に入れません。",
           "パート従業員の一人がログインできないと言っています。ID・パスワードは合っているそうです。",
           "ブラウザを変えてもサインインできません。パスワードの再発行をお願いしたいです。"),
          ("Can't sign in", "Locked out of my account", "Password reset", "Login not working"),
          ("I keep getting 'incorrect email or password' when I try to sign in, although I'm sure the password is right.",
           "After a few wrong attempts my account got locked. How can I unlock it?",
           "One of our staff forgot her password. Where can she reset it?",
           "Since this morning I'm unable to log in to the web console.")),
    Topic("missing-punches", "troubleshooting/data/missing-punches",
          ("打刻したのに一覧に出ない", "退勤打刻が記録されていない", "打刻データの件", "出勤記録が空欄になっている"),
          ("朝ちゃんと打刻したのに、勤怠一覧を見ると出勤時刻が空欄になっています。",
           "地下の現場でアプリから打刻した分が、夕方になっても勤怠に上がってきません。",
           "退勤ボタンを押したはずなのに、記録が残っていない日が何日かあります。",
           "電波の悪いところで打刻したデータが反映されていないようです。どうすれば送信されますか。",
           "数名の従業員について、昨日の打刻が一覧に表示されていません。"),
          ("Clock-out missing", "Punch not recorded", "Timesheet shows no clock-in"),
          ("I clocked out yesterday but the timesheet shows nothing for that day.",
           "Punches made in the basement (no signal) never showed up in the attendance list.",
           "Some of my clock-ins are missing although I pressed the button.")),
    Topic("sso", "admin/integrations/saml-sso",
          ("Google WorkspaceとのSAML連携", "SSO導入の相談", "シングルサインオンの設定手順", "HENNGE OneでのSSO"),
          ("Google WorkspaceのアカウントでSAML認証によるシングルサインオンを使いたいのですが、設定手順を教えてください。",
           "HENNGE OneをIdPとしてSSO連携できますか。ACS URLなど必要な情報を知りたいです。",
           "シングルサインオンを有効化する予定です。IdPにはどのメタデータを登録すればよいでしょうか。",
           "情報システム部から、SAMLでSSOを構成するよう依頼されました。手順書はありますか。"),
          ("SAML SSO with Google Workspace", "Setting up single sign-on", "SSO configuration"),
          ("We'd like to configure SAML single sign-on with Google Workspace as our IdP. What are the steps?",
           "Which ACS URL and metadata do we need to set up SSO with Entra ID?")),
    Topic("mobile-clock-in", "employees/timecard/clock-in",
          ("スマホで出退勤を記録したい", "アプリでの打刻方法", "直行直帰の社員の打刻", "GPS打刻について"),
          ("営業担当が直行直帰のため、スマホのアプリで出勤と退勤を記録させたいです。使い方を教えてください。",
           "スマートフォンアプリで打刻したとき、位置情報は記録されるのでしょうか。",
           "新しく入った社員にスマホからの打刻方法を説明したいのですが、手順を教えてください。",
           "外回りの社員がスマートフォンから出勤打刻をする方法を知りたいです。"),
          ("Clocking in with the smartphone app", "Mobile clock-in for field staff"),
          ("How do our field workers clock in and out with the smartphone app? Is GPS recorded?",
           "Can employees record their start and end times from their phones?")),
    Topic("overtime-request", "employees/requests/overtime-request",
          ("残業申請の出し方", "残業の事前申請について", "時間外申請のやり方を教えてください", "残業申請画面"),
          ("残業をする前に申請を出すルールにしたのですが、従業員側の申請の出し方がわかりません。",
           "時間外勤務の申請はどの画面から行えばよいですか。",
           "残業申請を出したいのですが、申請メニューのどこにあるのか見つかりません。",
           "新人から残業の申請方法を聞かれました。手順を教えていただけますか。"),
          ("How to submit an overtime request", "Requesting overtime in advance"),
          ("Where do employees submit an overtime request before staying late?",
           "How does a staff member apply for overtime in the app?")),
    Topic("approve", "employees/requests/approve-requests",
          ("申請の承認手順", "上長の承認方法", "差し戻しをしたい", "承認待ちの申請について"),
          ("課長として部下の申請を承認する立場になりましたが、どこから承認すればよいのでしょうか。",
           "部下から届いた休暇申請を差し戻したいです。操作方法を教えてください。",
           "承認待ちの申請が溜まっているのですが、承認画面の開き方がわかりません。",
           "上長が申請を承認する流れを教えてください。通知は届きますか。"),
          ("How do managers approve requests?", "Send a request back to the employee"),
          ("I'm a team lead now. Where do I approve or reject my team's requests?",
           "How can an approver send a leave request back for correction?")),
    Topic("invite", "admin/users/invite-users",
          ("新入社員のアカウント追加", "招待メールの再送", "従業員を登録したい", "招待メールが来ないそうです"),
          ("4月入社の社員のアカウントを追加したいのですが、招待の手順を教えてください。",
           "新しいアルバイトを招待したところ、本人に招待メールが届いていないそうです。",
           "従業員の登録方法を教えてください。メールアドレスを持っていない人もいます。",
           "招待メールを再送する方法はありますか。"),
          ("Adding new employees", "Invitation email never arrived"),
          ("We have five new hires starting Monday. How do we invite them?",
           "A new employee says the invitation email never arrived. Can we resend it?")),
    Topic("payroll-export", "admin/integrations/payroll-export",
          ("給与ソフト用の勤怠データ出力", "弥生給与への取り込み", "月次勤怠のCSV出力", "給与計算向けデータの出し方"),
          ("毎月の給与計算のために、勤怠データを弥生給与に取り込める形式で出力したいです。",
           "月次の勤怠集計をCSVでダウンロードして給与計算ソフトに渡したいのですが、どこから出力できますか。",
           "給与計算ソフト向けの出力フォーマットを選ぶ画面が見つかりません。",
           "締め後に勤怠データを給与システムへ連携する方法を教えてください。"),
          ("Export attendance to payroll software", "Monthly CSV for payroll"),
          ("How do we download the monthly attendance data as a CSV for our payroll software?",)),
    Topic("roles", "admin/users/roles",
          ("管理者を追加したい", "閲覧のみの権限", "権限の違いについて", "労務担当の権限設定"),
          ("総務の担当者にも管理者の権限を付けたいです。どこで設定できますか。",
           "他の従業員の勤怠を見られるが、設定は変更できない権限はありますか。",
           "管理者・承認者・労務担当・一般の権限の違いを教えてください。"),
          ("Admin rights for a colleague", "What can each role do?"),
          ("What is the difference between the Approver and Payroll roles?",
           "How do I give a colleague administrator rights?")),
    # --- not answered by the sample knowledge base -------------------------------------------------------
    Topic("correction-not-applied", None,
          ("打刻修正が反映されない", "承認済みの修正申請が勤怠に反映されません", "修正申請後も打刻時刻が変わらない",
           "打刻修正の承認後の反映について"),
          ("打刻修正申請を出して上長が承認したのに、勤怠一覧の打刻時刻が修正前のままです。",
           "承認済みになっている打刻修正が、いつまで経っても勤務表に反映されません。",
           "退勤時刻の修正申請が承認されたのですが、勤務時間が再計算されていないようです。",
           "修正申請のステータスは「承認済み」なのに、出勤時刻が元の時刻のまま変わりません。",
           "打刻の修正を承認したのに、集計に反映されるまでどれくらいかかりますか。まだ古い時刻のままです。"),
          ("Approved punch correction not applied", "Corrected clock-in time not updated"),
          ("My punch correction request was approved, but the timesheet still shows the old clock-in time.",
           "Approved corrections are not reflected in the attendance totals.")),
    Topic("sms-code", None,
          ("SMS認証コードが届かない", "確認コードが来ません", "二要素認証のコードが届かない", "ワンタイムパスワードのSMS"),
          ("ログイン時に送られるはずのSMSの認証コードが届きません。電話番号は正しく登録されています。",
           "二要素認証を有効にしたら、確認コードのSMSが来なくてログインできない社員がいます。",
           "ワンタイムパスワードがSMSで届かないのですが、再送や別の受け取り方法はありますか。",
           "キャリアメールの設定のせいか、認証コードのショートメッセージを受信できません。"),
          ("SMS verification code not arriving", "2FA code never received"),
          ("The SMS verification code never arrives when I try to log in.",
           "Since we enabled two-factor authentication some staff don't receive the text message code.")),
    Topic("flex-hours", None,
          ("変形労働時間制の設定", "1ヶ月単位の変形労働時間制について", "変形労働の対応可否", "1年単位の変形労働時間制"),
          ("当社は1ヶ月単位の変形労働時間制を採用しています。週ごとに所定時間が違うのですが、設定できますか。",
           "1年単位の変形労働時間制で、繁忙期と閑散期の所定労働時間を分けて管理したいです。",
           "変形労働時間制の場合、残業時間の計算は月の総枠で行われますか。設定方法を教えてください。",
           "シフト制ではなく変形労働時間制として法定労働時間の総枠を設定したいです。"),
          ("Variable working hours system", "Monthly averaged working hours (henkei rodo)"),
          ("We use a one-month variable working hours system. Can the scheduled hours differ by week?",
           "How do we configure the yearly variable working hours scheme for busy and quiet seasons?")),
    Topic("receipt-upload", None,
          ("領収書の画像が添付できない", "経費精算の領収書アップロード", "レシート画像のエラー", "経費申請に写真を付けられない"),
          ("経費精算で領収書の写真を添付しようとすると「ファイル形式が正しくありません」と表示されます。",
           "スマホで撮ったレシートの画像が経費申請にアップロードできません。",
           "交通費の申請に領収書のPDFを添付したいのですが、容量オーバーになります。",
           "経費の申請画面で領収書を添付するボタンを押しても何も起きません。"),
          ("Cannot attach receipt to expense claim", "Receipt photo upload fails"),
          ("When I attach a receipt photo to my expense claim it says the file type is invalid.",
           "Uploading a PDF receipt to an expense report fails every time.")),
    Topic("overtime-limit", None,
          ("36協定の上限アラート", "残業時間の上限管理", "月45時間を超えそうな人の把握", "36協定の超過警告"),
          ("36協定の上限（月45時間）を超えそうな従業員を事前に把握したいです。アラートは出せますか。",
           "残業時間が上限に近づいたら本人と上長に警告を出す設定はありますか。",
           "特別条項付きの36協定を結んでいます。年720時間の上限を管理する方法を教えてください。",
           "時間外労働の上限規制に対応するため、残業が一定時間を超えたら通知したいです。"),
          ("Overtime cap alerts (Article 36 agreement)", "Warn when overtime nears the legal limit"),
          ("Can we get an alert when an employee's overtime approaches the 45-hour monthly cap?",
           "We need warnings before staff exceed the overtime limit in our Article 36 agreement.")),
    Topic("retire-employee", None,
          ("退職者のアカウント削除", "退職した社員の扱い", "退職者を一覧から消したい", "退職処理の方法"),
          ("先月末で退職した社員のアカウントを削除したいのですが、過去の勤怠データはどうなりますか。",
           "退職者が従業員一覧に残ったままです。ログインできないようにして一覧から外す方法を教えてください。",
           "退職処理をするとライセンス数から外れますか。手順を知りたいです。",
           "退職日を登録したいのですが、どこで設定しますか。"),
          ("Removing a leaver", "Deactivate an employee who left"),
          ("An employee left last month. How do we deactivate her account but keep her records?",
           "Do retired employees still count toward our license seats?")),
    Topic("ic-card", None,
          ("ICカードの登録方法", "交通系ICで打刻したい", "カードリーダーの打刻", "社員証カードの紐付け"),
          ("SuicaなどのICカードをかざして打刻できるようにしたいです。カードの登録方法を教えてください。",
           "社員証のICカードを従業員に紐付ける手順がわかりません。",
           "カードリーダーを購入しましたが、ICカードを読み取っても打刻されません。",
           "交通系ICカードを紛失した社員のカードを差し替えたいです。"),
          ("Registering IC cards for clock-in", "Card reader not recording punches"),
          ("We want staff to clock in by tapping their transit IC card. How do we register the cards?",)),
    Topic("timesheet-pdf", None,
          ("出勤簿のPDF出力", "勤務表を印刷したい", "出勤簿の保存について", "労働基準監督署向けの帳票"),
          ("労基署の調査に備えて、全従業員の出勤簿をPDFで出力して保管したいです。",
           "月ごとの勤務表を印刷して本人に確認のサインをもらいたいのですが、PDFにできますか。",
           "法定三帳簿の出勤簿を出力する機能はありますか。",
           "従業員別の勤務表をまとめてPDFでダウンロードする方法を教えてください。"),
          ("Print timesheets as PDF", "Attendance register for labour inspection"),
          ("We need to print each employee's monthly timesheet as a PDF for our records.",)),
)

COMPANIES = ("株式会社北斗テクノ", "丸の内フーズ株式会社", "東和メディカル株式会社", "有限会社みどり園芸",
             "ネクスト建工株式会社", "医療法人 青葉会", "株式会社あけぼの保育", "しまなみ運輸株式会社",
             "株式会社ルミナ企画", "合同会社カワセミ")
COMPANIES_EN = ("Pacific Rim Logistics", "Northwind Foods KK", "Lumina Design Inc.", "Kawasemi Partners LLC",
                "Harbor Medical Group")
PEOPLE = ("中村 美咲", "小林 健一", "加藤 由美", "吉田 翔", "山口 直子", "松本 大輔", "井上 彩", "木村 拓也")
PEOPLE_EN = ("Emily Carter", "Ken Watanabe", "Sarah Lin", "Tom Becker", "Aiko Mori")
DEPARTMENTS = ("人事総務部", "管理本部 労務課", "経営企画室", "総務課", "店舗運営部")
AGENTS = ("サポート 佐藤", "サポート 高木", "CS 森", "カスタマーサクセス 岡田")
PREFIXES = ("", "", "", "お忙しいところ恐縮です。", "導入して間もないのですが、", "先週あたりから、",
            "従業員から問い合わせがあったのですが、", "本日、", "初歩的な質問で申し訳ありませんが、")
ASKS = ("", "", "ご教示いただけますと幸いです。", "確認をお願いできますでしょうか。", "対処法を教えていただけますか。",
        "お手数ですがご回答をお願いします。", "急ぎで対応したいです。", "何か設定が必要でしょうか。")
EN_PREFIXES = ("", "", "Quick question: ", "We just started using Kintai and ", "Not sure if this is a bug, but ")
EN_ASKS = ("", "Could you advise?", "Any help appreciated.", "Please let us know what to do.", "Thanks in advance.")
VAGUE = ("Re: 至急", "質問", "お問い合わせ", "ご相談", "確認のお願い", "（件名なし）", "Fw: 転送します", "教えてください")
VAGUE_EN = ("Question", "Help", "Re: urgent", "(no subject)", "Follow up")

ONEOFFS_JA = (
    "年末年始のサポート窓口の営業日を教えてください。", "御社の導入事例として取材させていただけないでしょうか。",
    "請求書を受け取りました。ありがとうございました。", "先日の打ち合わせのお礼です。資料も拝見しました。",
    "営業担当の方に連絡を取りたいのですが、連絡先を教えてください。", "オンラインセミナーの録画は公開されますか。",
    "パートナー制度について資料をいただきたいです。", "ヘルプページの一部リンクが切れているようです。",
    "担当者が変更になりましたのでご連絡します。", "御社のロゴデータをいただくことは可能でしょうか。",
    "アンケートに回答しました。特に問題ありません。", "利用規約の改定内容について確認したいです。",
    "システムの稼働率の実績を教えてください。", "セキュリティチェックシートの記入をお願いできますか。",
    "ISMSの認証状況を教えてください。", "見積書の有効期限を延ばしていただけますか。",
    "代理店経由での契約に切り替えられますか。", "社内勉強会で画面キャプチャを使ってもよいですか。",
    "メールマガジンの配信を停止したいです。", "ユーザー会の開催予定はありますか。",
    "操作研修の追加開催をお願いしたいです。", "導入支援の担当者と日程を調整したいです。",
    "データセンターの所在地を教えてください。", "英語版のマニュアルはありますか。",
    "問題は解決しました。ご対応ありがとうございました。", "昨日の障害の原因報告書をいただけますか。",
    "請求書払いから口座振替に変更したいです。", "インボイス登録番号を教えてください。",
    "新しい機能の要望です。勤怠画面に天気を表示してほしいです。", "支払期日を1週間延ばしていただけないでしょうか。",
    "テスト送信です。", "電話がつながりにくかったのでメールで失礼します。折り返しは不要です。",
)
ONEOFFS_EN = ("Do you have a SOC 2 report we could review?", "Is there a partner program for resellers?",
              "Thanks, that solved it!", "Please update our billing contact.", "Where is your data center located?",
              "Can we get a quote for 300 more seats?", "Is the English manual available as a PDF?",
              "Just testing the support address.")
SPAM = (("【ご提案】貴社サイトのSEO対策について", "突然のご連絡失礼いたします。貴社ホームページを拝見し、検索順位を上げるご提案が"
         "ございます。初月無料でお試しいただけます。詳細はこちら https://seo-boost.example/lp?id=8812"),
        ("営業代行サービスのご案内", "新規開拓のアポイント獲得を代行いたします。成果報酬型で、まずは無料相談から。"),
        ("Your mailbox is almost full", "Dear user, your mailbox storage is 98% full. Verify your account now to "
         "avoid losing messages: http://mail-verify.example/login"),
        ("Congratulations! You have been selected", "Claim your reward today. Limited offer, click the link."),
        ("【重要】お支払い情報の確認", "お客様のアカウントで不審なアクセスがありました。下記URLより情報を更新してください。"))


def _question_ja(topic: Topic, rng: random.Random) -> str:
    core = pick(rng, topic.ja_questions)
    if rng.random() < 0.3:
        other = pick(rng, topic.ja_questions)
        if other != core:
            core += other
    text = pick(rng, PREFIXES) + core + pick(rng, ASKS)
    if rng.random() < 0.12:
        text = typo(text, rng)
    if rng.random() < 0.1:
        text = half_width_kana(text)
    return text


def _question_en(topic: Topic, rng: random.Random) -> str:
    core = pick(rng, topic.en_questions)
    prefix = pick(rng, EN_PREFIXES)
    if prefix.endswith("and "):
        core = core[0].lower() + core[1:]
    text = f"{prefix}{core} {pick(rng, EN_ASKS)}".strip()
    return typo(text, rng) if rng.random() < 0.12 else text


def _phone(rng: random.Random) -> str:
    return pick(rng, (f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                      f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                      f"06({rng.randrange(1000, 9999)}){rng.randrange(1000, 9999)}"))


def _email(rng: random.Random) -> str:
    return f"{pick(rng, ('m.nakamura', 'soumu', 'k.kobayashi', 'jinji', 'y.kato'))}@{pick(rng, ('hokuto-t', 'marunouchi-f', 'towa-med', 'akebono'))}.co.jp"


def _signature(rng: random.Random, company: str, person: str) -> str:
    rule = pick(rng, ("━━━━━━━━━━━━━━━━━━━━", "*********************************", "──────────────"))
    return (f"{rule}\n{company}\n{pick(rng, DEPARTMENTS)}　{person}\n〒{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}"
            f" 東京都千代田区丸の内{rng.randrange(1, 3)}-{rng.randrange(1, 9)}-{rng.randrange(1, 20)}\n"
            f"TEL：{_phone(rng)}（内線{rng.randrange(100, 999)}）　FAX：03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}\n"
            f"Mail：{_email(rng)}\n{rule}")


def _webform(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    kind = pick(rng, ("操作方法について", "不具合のご報告", "設定について", "その他"))
    body = (f"【お問い合わせフォーム】\n\n■貴社名\n{company}\n\n■ご担当者様氏名\n{person}\n\n■メールアドレス\n"
            f"{_email(rng)}\n\n■電話番号\n{_phone(rng)}\n\n■お問い合わせ種別\n{kind}\n\n■お問い合わせ内容\n{question}\n\n"
            "――――――――――――――――――\nこのメールはお問い合わせフォームから自動送信されています。")
    return (subject if rng.random() < 0.4 else "Webフォームからのお問い合わせ"), body


def _phone_note(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"[TEL受付] 2026/{rng.randrange(6, 12)}/{rng.randrange(1, 28)} {rng.randrange(9, 18)}:{rng.randrange(10, 59)}"
            f" 受付：{pick(rng, AGENTS)}\n会社：{company} {person}様\nTEL：{_phone(rng)}\n用件：\n{question}\n対応："
            f"{pick(rng, ('ヘルプ記事をご案内、解決しなければ再連絡', '確認のうえ折り返し', '開発へエスカレーション予定'))}")
    return (subject if rng.random() < 0.5 else f"電話受付 {company}様"), body


def _proxy(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"※{company} {person}様よりお電話にてお問い合わせがあったため、代理起票します。\n\n--- お客様のお申し出 ---\n"
            f"{question}\n--- 以上 ---\n\n担当：{pick(rng, AGENTS)}")
    return f"【代理起票】{company}様", body


def _line(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    family = person.split()[0]
    day = f"2026/{rng.randrange(6, 12):02d}/{rng.randrange(1, 28):02d}"
    h = rng.randrange(9, 18)
    parts = [p for p in question.replace("。", "。\n").splitlines() if p.strip()]
    lines = ["[LINE] クラウド勤怠サポートとのトーク履歴", f"保存日時：{day} {h + 1}:00", "", f"{day}(木)",
             f"{h}:01\t{family}\tすみません、質問です"]
    for i, part in enumerate(parts):
        lines.append(f"{h}:{2 + i:02d}\t{family}\t{part}")
        if i == 0:
            lines.append(f"{h}:{2 + i:02d}\tクラウド勤怠サポート\tお問い合わせありがとうございます。担当者より順次回答いたします。")
    if rng.random() < 0.5:
        lines.append(f"{h}:30\t{family}\t[スタンプ]")
    if rng.random() < 0.4:
        lines.append(f"{h}:31\t{family}\t{family}が写真を送信しました")
    return "LINEからのお問い合わせ", "\n".join(lines)


def _in_app(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    os_name = pick(rng, ("iOS 17.4", "Android 14", "iOS 16.7", "Android 13"))
    body = (f"ユーザーID: u-{rng.randrange(10000, 99999)}\nOS: {os_name}\nアプリバージョン: 5.{rng.randrange(0, 9)}.{rng.randrange(0, 9)}"
            f" ({rng.randrange(500, 599)})\n端末: {pick(rng, ('iPhone 13', 'Pixel 7', 'Galaxy S23', 'iPhone SE'))}\n"
            f"----\n{question}")
    return "[App] お問い合わせ", body


def _mail(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    greeting = pick(rng, ("クラウド勤怠 サポートご担当者様\n\nいつもお世話になっております。",
                          "サポートセンター御中\n\n平素より大変お世話になっております。", "お世話になります。"))
    intro = pick(rng, (f"{company}の{person.split()[0]}でございます。", f"{company} {person}です。", ""))
    closing = pick(rng, ("以上、よろしくお願いいたします。", "お手数をおかけいたしますが、何卒よろしくお願い申し上げます。",
                         "ご確認のほどよろしくお願いいたします。"))
    body = "\n".join(p for p in (greeting, intro, "", question, "", closing, "", _signature(rng, company, person)) if p
                     is not None)
    return subject, body


def _long_thread(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    """A reply at the bottom of a long ``>`` thread: the new question comes after 2,000+ characters of quotes."""
    family = person.split()[0]
    old_topic = pick(rng, TOPICS)
    history = []
    for n in range(rng.randrange(7, 11)):
        depth = "> " * (n % 3 + 1)
        said = (f"{family}様\n\nお問い合わせいただきありがとうございます。クラウド勤怠サポートでございます。\n"
                f"ご連絡いただいた件につきまして、{pick(rng, old_topic.ja_questions)}とのことで承知いたしました。\n"
                "現在、担当部署にて確認を進めております。恐れ入りますが、今しばらくお待ちくださいますようお願い申し上げます。\n"
                "なお、ご不明な点がございましたら、本メールにご返信ください。\n")
        history.append("\n".join(depth + line for line in said.splitlines()))
        history.append(f"{depth}\n{depth}2026年{rng.randrange(6, 11)}月{rng.randrange(1, 28)}日 10:{rng.randrange(10, 59)}"
                       f" サポート <support@kintai.example>:")
    body = (f"{pick(rng, ('お世話になっております。', 'いつもお世話になっております。'))}\n{family}です。\n\n"
            + "\n".join(history) + "\n\nご回答ありがとうございます。別件で追加の質問です。\n" + question
            + f"\n\nよろしくお願いいたします。\n{family}")
    return "Re: " * rng.randrange(1, 4) + subject, body


def _outlook(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    """A reply above an unquoted earlier thread (Outlook's default): the old thread is another topic's."""
    old = pick(rng, TOPICS)
    header = pick(rng, (
        f"From: クラウド勤怠サポート <support@kintai.example>\nSent: Monday, September {rng.randrange(1, 30)}, 2026 "
        f"3:{rng.randrange(10, 59)} PM\nTo: {person} <{_email(rng)}>\nSubject: RE: {pick(rng, old.ja_subjects)}",
        f"差出人: クラウド勤怠サポート <support@kintai.example>\n送信日時: 2026年9月{rng.randrange(1, 30)}日 15:"
        f"{rng.randrange(10, 59)}\n宛先: {person} <{_email(rng)}>\n件名: RE: {pick(rng, old.ja_subjects)}"))
    old_body = (f"{person.split()[0]}様\n\nクラウド勤怠サポートです。\n{pick(rng, old.ja_questions)}の件、ご案内いたします。\n"
                "設定画面から該当の項目をご確認ください。\nその他ご不明点があればお気軽にお問い合わせください。")
    body = (f"お世話になっております。\n{question}\nよろしくお願いいたします。\n\n{_signature(rng, company, person)}\n\n"
            f"{header}\n\n{old_body}")
    return "RE: " + subject, body


def _letter(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    season = pick(rng, ("時下ますますご清栄のこととお慶び申し上げます。", "秋冷の候、貴社ますますご盛栄のこととお慶び申し上げます。",
                        "新緑の候、貴社いよいよご清祥のこととお慶び申し上げます。"))
    body = (f"{company}\n{pick(rng, DEPARTMENTS)} {person}\n\n拝啓　{season}\n平素は格別のお引き立てを賜り、厚く御礼申し上げます。\n"
            f"さて、{question}\nつきましては、ご教示賜りますようお願い申し上げます。\nまずは取り急ぎご連絡まで。\n\n敬具")
    return subject, body


def _html(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"<div>お世話になっております。</div><div>{company}の{person.split()[0]}です。</div><div><br></div>"
            f"<div>{question.replace('。', '。<br>')}</div><div>&nbsp;</div><div>よろしくお願いいたします。</div>"
            f"<div><br></div><div>--</div><div>{company}&nbsp;{person}</div>")
    return subject, body


def _en_mail(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    sign = (f"{pick(rng, ('Cheers', 'Best', 'Many thanks', 'Regards'))},\n{person}\n{pick(rng, ('HR Manager', 'Office Admin', 'Payroll'))}"
            f" | {company}\nTel: +81-3-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}")
    body = f"{pick(rng, ('Hello Support Team,', 'Hi there,', 'Dear Kintai support,'))}\n\n{question}\n\n{sign}"
    if rng.random() < 0.35:
        old = pick(rng, TOPICS)
        body += (f"\n\n-----Original Message-----\nFrom: Kintai Support <support@kintai.example>\nSent: 2026-09-"
                 f"{rng.randrange(10, 28)}\nSubject: {pick(rng, old.en_subjects)}\n\nHi {person.split()[0]},\n"
                 f"{pick(rng, old.en_questions)} We have looked into it; please check the settings page.")
    return subject, body


def _en_form(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"New inquiry from the website\n\nInquiry type: {pick(rng, ('Technical', 'How-to', 'Other'))}\nCompany: {company}\n"
            f"Contact name: {person}\nEmail: {_email(rng)}\nPhone: +81 3 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}\n"
            f"Message:\n{question}\n\n--\nSent via kintai.example/contact")
    return (subject if rng.random() < 0.5 else "Website inquiry"), body


def _en_chat(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    first = person.split()[0]
    body = (f"Chat started: 2026-10-{rng.randrange(1, 28):02d} 10:{rng.randrange(10, 59)}\nBot: Hi! How can we help you today?\n"
            f"{first}: hi\n{first}: {question}\nBot: Thanks, an agent will reply by email.\nChat ended by visitor")
    return "[In-app chat] New conversation", body


LAYOUTS_JA = ((_webform, 18), (_phone_note, 9), (_proxy, 6), (_line, 10), (_in_app, 8), (_mail, 17),
              (_long_thread, 9), (_outlook, 11), (_letter, 4), (_html, 8))
LAYOUTS_EN = ((_en_mail, 50), (_en_form, 30), (_en_chat, 20))


def write(label: str, lang: str, rng: random.Random) -> tuple[str, str]:
    if label == "spam":
        return SPAM[rng.randrange(len(SPAM))]
    en = lang == "en"
    company = pick(rng, COMPANIES_EN if en else COMPANIES)
    person = pick(rng, PEOPLE_EN if en else PEOPLE)
    if label.startswith("oneoff-"):
        n = int(label.split("-")[1])
        question = ONEOFFS_EN[n % len(ONEOFFS_EN)] if en else ONEOFFS_JA[n % len(ONEOFFS_JA)]
        subject = pick(rng, VAGUE_EN if en else VAGUE) if rng.random() < 0.6 else question[:20]
    else:
        topic = next(t for t in TOPICS if t.id == label)
        question = _question_en(topic, rng) if en else _question_ja(topic, rng)
        subject = pick(rng, topic.en_subjects if en else topic.ja_subjects)
        if rng.random() < 0.15:
            subject = pick(rng, VAGUE_EN if en else VAGUE)
        elif not en and rng.random() < 0.08:
            subject = full_width(subject)
    layouts = LAYOUTS_EN if en else LAYOUTS_JA
    layout = rng.choices([f for f, _ in layouts], weights=[w for _, w in layouts])[0]
    return layout(subject, question, rng, company, person)


CORPUS = Corpus("B (held back)", TOPICS, oneoffs=len(ONEOFFS_JA), write=write, english=0.24,
                rising=frozenset({"correction-not-applied", "receipt-upload", "login"}))
