"""A fresh held-back corpus for ``kb gaps`` (corpus E), written on 2026-12-07 by a helper that did not work on kb/gaps.

Corpora A to D had all been read by the people tuning ``kb gaps`` by the time E was written (D's figures were
printed at the end of the last stop), so none of them is held back any more. E was written from the issue's
description of real tickets, the sample knowledge base (kb/articles) and the shared machinery of
sandbox/corpus.py, without reading kb/gaps, and landed before ``kb gaps`` or bench/gaps.py ever ran on it. Its
figures are printed by ``python bench/gaps.py --only E --skip-large``; whoever changes kb/gaps is not to look at
its tickets, its normalised text or its proposals.

The same product (クラウド勤怠) and knowledge base; other customers (security guards, logistics warehouses, hotels,
building maintenance, nurseries, printers, a driving school, an agricultural co-op, pharmacies, IT contractors),
other phrasings and other layouts than A to D:

- in Japanese: a WordPress Contact Form 7 notification, a chatbot hand-off transcript, a question relayed by a
  reseller, a long thread under ``-----Original Message-----`` headers, each older mail quoted one ``>`` deeper,
  with the new question at the bottom, an issue-tracker (Backlog) notification, HTML whose entities were never decoded
  (``&nbsp;``, ``&#12300;``, ``<br />``), a customer-success manager's meeting minutes (agent-written), an SMS
  relayed to the help desk, a voicemail transcription with fillers, and plain mail with seasonal greetings and
  ``-- `` signatures;
- in English (about a fifth): a Jira Service Management ticket in wiki markup, the chatbot hand-off, a reseller's
  relay, an Outlook-style thread quoted under ``-----Original Message-----`` with the question at the bottom, a
  hurried mail from a phone, and a customer-success manager's QBR notes.

Customers write with vague subjects, typos, full-width ASCII, half-width katakana, and background sentences that
have nothing to do with their question. Nine covered topics map to real articles (the API one to an article in
English only). Seven uncovered topics are what a writer needs, most of them next to a covered one: approval in
two or more steps (next to approving a request), renewing the SAML signing certificate of a running SSO (next to
setting SSO up), an invitation link that has expired (next to inviting employees and invitations that never
arrive), being signed out after a short idle time (next to not being able to sign in), recording attendance from
a computer's browser (next to clocking in from a phone), punches recorded twice (next to punches that are
missing) and showing the screens in English or other languages for foreign staff. Words were chosen the way
customers say them, not from kb gaps' glossary or kb/gaps.yaml.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.corpus import Corpus, Topic, full_width, half_width_kana, pick, typo

TOPICS: tuple[Topic, ...] = (
    Topic("login", "troubleshooting/login/cannot-sign-in",
          ("入れなくなりました", "パスワード再設定", "アカウント凍結？", "ログイン出来ない件", "PW失念"),
          ("PWを失念してしまいました。自分で新しいパスワードに変えられる画面はありますか？",
           "何回か入力をミスしたら「アカウントがロックされています」と出るようになりました。いつ解除されますか。",
           "夜勤明けのスタッフがパスワードを続けて間違えたらしく、入れなくなっています。管理側ですぐ使えるようにできますか？",
           "メールアドレスもパスワードも合っているはずなのに、何度やってもログイン画面に戻されてしまいます。",
           "うちはSSOを入れている会社なのですが、新しく来た人がパスワード欄に何を入れればいいのか分からないと言っています。"),
          ("Can't log into Kintai", "Account locked?", "password help"),
          ("I've forgotten my password. Can I pick a new one myself from the login page?",
           "After several wrong tries the screen now says my account is locked. How long until it lets me back in?",
           "Our night manager mistyped her password too many times and is shut out. Can an admin release it now?")),
    Topic("missing-punches", "troubleshooting/data/missing-punches",
          ("打刻が消えた？", "出勤データがありません", "倉庫で押した打刻", "記録されていない日がある"),
          ("冷凍倉庫の中で出勤を押したスタッフの記録が、管理画面の一覧に出てきません。倉庫内は電波が入りにくいです。",
           "機内モードに気づかないまま退勤を押したようで、昨日の退勤が一覧にありません。電波が戻れば自動で上がりますか？",
           "スマホでは打刻完了と表示されたのに、事務所で勤怠一覧を見ると空欄です。通信が悪かったのかもしれません。",
           "山あいの現場で打刻した分が、次の日になっても一覧に出てきていません。"),
          ("Punches missing from the list", "clock-out not recorded"),
          ("A driver clocked out where there was no reception, and that entry never appeared in the web list.",
           "The app said the punch went through, but the admin side shows nothing. He was probably out of signal.")),
    Topic("mobile-clock-in", "employees/timecard/clock-in",
          ("アプリでの出退勤のつけ方", "スマホ打刻の手順", "位置情報って取られる？", "退勤押し忘れ"),
          ("パートさん向けに、スマートフォンのアプリで出勤・退勤をつける流れをまとめたいので手順を教えてください。",
           "アプリで打刻するとGPSで場所が会社に伝わるのでしょうか。従業員から不安の声が出ています。",
           "退勤を押し忘れて帰ってしまいました。後から直すにはどこから申請すればいいですか？",
           "アプリを入れてみたものの、出勤を押す場所が見つかりません。"),
          ("How do I clock in on the app?", "Location on the app", "forgot to clock out"),
          ("Just installed the app. Where's the button to start my shift, and how do I end it?",
           "A few staff asked whether the app records where they are when they punch in. Does it?",
           "I forgot to clock out yesterday. How do I get that fixed from my phone?")),
    Topic("overtime-request", "employees/requests/overtime-request",
          ("残業申請について", "残業の申請方法", "残業申請を取り下げたい"),
          ("定時を過ぎて作業が残りそうなとき、残業の申請はどの画面から出せばいいですか。",
           "出した残業申請の時間を間違えました。まだ承認されていないので、いったん取り下げて出し直したいです。",
           "残業の申請に、終わる予定の時刻と理由を書く欄はありますか？初めて申請します。"),
          ("Overtime: where to ask", "Cancel my overtime request"),
          ("How do I put in for overtime before I stay late? I can't find where to submit it.",
           "I submitted overtime for the wrong date and it hasn't been approved yet. Can I pull it back?")),
    Topic("approve", "employees/requests/approve-requests",
          ("承認操作について", "申請を戻したい", "承認待ちの確認"),
          ("スタッフから届いた申請を承認する操作が分かりません。どのメニューから入りますか。",
           "申請の日付が間違っていたので本人に戻したいです。理由を書いて返すことはできますか。",
           "申請が来たら、承認する側にメールなどで知らせが届くのでしょうか。"),
          ("Approving staff requests", "Send a request back"),
          ("I'm a supervisor now. How do I approve the requests my staff send me?",
           "If a request has mistakes, can I return it to the person with my reason attached?")),
    Topic("invite", "admin/users/invite-users",
          ("スタッフの登録方法", "招待メールが来ない", "新人を追加したい", "まとめて招待"),
          ("新しく入った人をシステムに追加したいです。招待の手順を教えてください。",
           "招待メールを送ったと言われたのに、本人のところには何も来ていないそうです。",
           "来月80人ほど一度に入社します。1人ずつ招待するしかないですか？",
           "従業員を招待するときに、権限も一緒に決めてしまえますか？"),
          ("Adding new staff", "Invite email not received"),
          ("How do I add a new employee so they get an email to set up their account?",
           "We have about 70 seasonal workers starting. Is there a way to invite them all from a spreadsheet?",
           "Our new starter has no invite in her mailbox, spam folder included.")),
    Topic("sso", "admin/integrations/saml-sso",
          ("SSOの設定", "Entra IDとの連携", "シングルサインオン導入"),
          ("社内のIdPを使ってシングルサインオンにしたいです。SAMLの設定手順を教えてください。",
           "IdP側にアプリを登録するときに入れるACS URLは何ですか？",
           "Oktaから入れるようにしたいのですが、クラウド勤怠側ではどこで有効化しますか。",
           "SSOを有効にしたら、パスワードで入れる人は誰もいなくなりますか？"),
          ("Setting up SAML", "SSO with Okta"),
          ("We want staff to sign in through our Okta tenant. How is SAML switched on from your end?",
           "Which ACS URL goes into the app we're registering in Okta?")),
    Topic("payroll-export", "admin/integrations/payroll-export",
          ("給与ソフト連携用CSV", "勤怠データの書き出し", "データ出力できない"),
          ("月の勤怠を給与ソフトに読み込ませたいので、CSVで書き出す方法を教えてください。",
           "給与計算ソフトの種類ごとに出力形式を選べると聞きました。どこで選びますか？",
           "データ出力のボタンがグレーで押せません。何か先にやっておくことがありますか？"),
          ("Payroll CSV", "export greyed out"),
          ("How do I pull this month's hours into a CSV file for the payroll tool we use?",
           "The export button is greyed out for last month. Do I need to close the period first?")),
    Topic("api", "admin/integrations/api-access",
          ("APIトークン発行", "APIの上限", "API連携の認証方法"),
          ("社内の人事システムから従業員データを読みたいので、APIのトークンの作り方を知りたいです。",
           "APIの呼び出し制限は1分あたり何回ですか？",
           "作ったトークンをメモし忘れました。画面でもう一度見られますか？",
           "curlでAPIを叩くとき、トークンはどのヘッダーに載せればいいですか。"),
          ("API token", "rate limit"),
          ("Where in the settings do I create a token for the REST API?",
           "How many calls per minute does the API accept per token?")),
    # --- not answered by the sample knowledge base -------------------------------------------------------
    Topic("approval-steps", None,
          ("承認を2段階にしたい", "承認ルートの設定", "課長→部長の順で承認", "多段階承認"),
          ("休暇の申請を、まず課長、次に部長という順番で承認する流れにしたいです。承認者を二人並べられますか？",
           "部署ごとに承認ルートを変えたいです。営業所は所長の後に本社の人事が承認する形です。",
           "一次承認者がOKしたら二次承認者に回る、という設定はありますか。",
           "店長の承認のあとにエリア長も確認するようにしたいです。申請が二人の承認を通るようにできますか。"),
          ("Two-step approval", "Approval chain"),
          ("Can requests go through two approvers in sequence, first the section chief and then the division head?",
           "We need a different approval chain per department. Is that configurable?",
           "Is there a way to require a second sign-off after the first approver says yes?")),
    Topic("sso-certificate", None,
          ("SSO証明書の更新", "IdPの証明書期限", "SAML署名証明書の差し替え"),
          ("IdPの署名証明書が来月で期限切れになります。クラウド勤怠側で新しい証明書に差し替える手順を教えてください。",
           "Entra IDで証明書をローテーションする予定です。SSOが止まらないように、切り替えの順番を知りたいです。",
           "SAMLの証明書を更新したいのですが、どの画面で新しい証明書を登録しますか。期限は今月末です。",
           "証明書の期限が切れたせいか、今朝から全員SSOで入れません。新しい証明書はどこで登録しますか。"),
          ("SAML certificate expiring", "Rotating the IdP signing cert"),
          ("Our IdP signing certificate expires on the 30th. How do we roll over to the new cert without breaking SSO?",
           "Azure is rotating our SAML certificate next week. What do we need to update on the Kintai side?",
           "Our SSO cert renewed this morning and nobody can get in through SSO. Where do we upload the new one?")),
    Topic("invite-expired", None,
          ("招待リンクが無効", "招待メールの期限切れ", "招待URLが開けない", "招待の送り直し"),
          ("招待メールのリンクを押すと「このリンクは有効期限が切れています」と出ます。送り直すにはどうしたらいいですか。",
           "入社前に招待を送っておいたら、初出勤の日にはリンクが使えなくなっていました。招待の有効期限は何日ですか？",
           "招待メールは届いているのですが、URLを開くと無効と表示されてパスワードを決められません。",
           "招待を送ってから2週間放っておいた人が、今になって登録しようとしたらエラーです。再招待はどこからできますか。"),
          ("Invite link expired", "Resend invitation"),
          ("The invitation link says it has expired. How do I send a fresh one?",
           "How many days is an invite link valid? A few people didn't click it in time.",
           "Our new recruit got the invite email but the link shows 'invalid or expired' when she opens it.")),
    Topic("session-timeout", None,
          ("すぐにログアウトされる", "自動ログアウトの時間", "ログイン状態を保持したい", "勝手にログアウト"),
          ("管理画面で作業していると、少し席を外しただけでログアウトされてしまいます。自動でログアウトされるまでの時間は変えられますか。",
           "入力の途中でセッションが切れて、書いた内容が消えてしまいました。ログイン状態をもっと長く保てませんか。",
           "アプリを開くたびにログインし直すように言われます。ログインしたままにしておく設定はありますか？",
           "共用の端末だけは、15分くらい操作がなければ自動で抜けるようにしたいです。時間の設定はどこですか。"),
          ("Keeps logging me out", "Session timeout setting"),
          ("The admin console kicks me out if I leave it idle for a few minutes. Can that be made longer?",
           "Every time I open the app it wants me to sign in again. Is there a 'stay signed in' option?",
           "I lost a half-filled form because the session expired. How long is a session and can we change it?")),
    Topic("browser-punch", None,
          ("パソコンから打刻したい", "PCでの出退勤", "スマホがない社員の打刻", "ブラウザ打刻"),
          ("スマホを持っていない社員がいます。パソコンのブラウザから出勤・退勤を記録できますか。",
           "事務職は一日中パソコンの前にいるので、PCの画面から打刻できるようにしたいです。",
           "社用スマホを渡していない人向けに、会社のPCで打刻する方法はありますか？",
           "在宅の日はノートPCから出勤を押したいのですが、Web版に打刻ボタンは出ますか。"),
          ("Punching in from a computer", "Browser clock-in?"),
          ("Some of our office staff don't have smartphones. Can they clock in from a web browser on their desktop?",
           "Is there a clock-in button in the web version, or is it app-only?",
           "I work from a laptop all day. Can I start and end my workday on the website instead of the phone app?")),
    Topic("duplicate-punch", None,
          ("打刻が二重になっている", "同じ打刻が2件", "重複データの削除", "出勤が2回"),
          ("ある社員の出勤打刻が同じ時刻で2件入っています。片方だけ消すことはできますか。",
           "ボタンを連打したらしく、退勤が三つも記録されました。余分な打刻を削除したいです。",
           "電波が戻ったときにまとめて送られたのか、同じ日の出勤が二重に登録されています。集計がおかしくなっています。",
           "勤怠一覧で出勤が2回表示される日があり、労働時間が倍になっています。重複を直す方法を教えてください。"),
          ("Duplicate punches", "Clock-in recorded twice"),
          ("One employee has two identical clock-ins on Monday. How do I delete the extra one?",
           "The app logged her clock-out twice after she tapped it repeatedly, and now her hours are doubled.",
           "Some days show the same start time two times in the list. Can duplicates be removed?")),
    Topic("display-language", None,
          ("英語表示にしたい", "外国人スタッフ向け", "多言語対応", "ベトナム語は？"),
          ("技能実習生が多いので、アプリの表示を英語やベトナム語に切り替えられますか。",
           "外国籍のスタッフが日本語の画面を読めません。言語を変える設定はどこにありますか。",
           "管理画面は日本語のまま、従業員のアプリだけ英語にすることはできますか。",
           "ネパール出身のスタッフから、母国語か英語で表示してほしいと頼まれました。対応している言語を教えてください。"),
          ("Display language", "English UI?"),
          ("Our staff are mostly non-Japanese speakers. Can the app be shown in English?",
           "How do I switch my screen language from Japanese to English?",
           "Is there Vietnamese or Indonesian support in the mobile app?")),
)

COMPANIES = ("株式会社あおば警備保障", "東和ロジスティクス株式会社", "ホテルみずうみ荘", "株式会社ビルテック中部",
             "社会福祉法人 ひだまり保育園", "有限会社 丸岡印刷", "いずみ自動車教習所", "JAみどり野 営農センター",
             "株式会社つばさ調剤薬局", "株式会社ネクストリンクシステムズ")
DOMAINS = ("aoba-keibi.co.jp", "towa-logi.jp", "mizuumiso.jp", "biltech-chubu.co.jp", "hidamari-hoiku.or.jp",
           "maruoka-print.com", "izumi-ds.jp", "ja-midorino.or.jp", "tsubasa-ph.co.jp", "nextlink-sys.co.jp")
COMPANIES_EN = ("Bluewater Logistics KK", "Kyoto Garden Hotel", "Pinecrest International School",
                "Orbit Staffing Japan")
DOMAINS_EN = ("bluewater-logi.example", "kyotogarden.example", "pinecrest.example", "orbitstaff.example")
PEOPLE = ("山口 恵", "森田 拓也", "石原 千尋", "大野 誠", "村上 さやか", "岡本 隆", "福田 奈々", "坂本 悠斗",
          "西村 佳子")
PEOPLE_EN = ("Hannah Brooks", "Diego Alvarez", "Priya Nair", "Tom Fischer", "Yuki Bennett", "Mai Nguyen")
DEPTS = ("総務部", "業務管理課", "人事労務チーム", "フロント事務所", "管理本部 システム課", "経営企画室")
TITLES_EN = ("HR Manager", "General Affairs", "Site Supervisor", "IT Support", "Front Office Lead")
RESELLERS = ("株式会社ミライOAサービス", "北陸ビジネスソリューション株式会社", "有限会社テクノサポート岡山")
CSMS = ("石井", "北村", "吉岡")
CSMS_EN = ("Aya Ishii", "Jun Kitamura", "Rina Yoshioka")
VAGUE = ("お問合せ", "至急お願いします", "ご教示ください", "問い合わせ（2回目）", "【ご確認】",
         "（件名を入力してください）", "教えてください", "困っています")
VAGUE_EN = ("Quick question", "urgent!!", "Support needed", "Re: follow up", "(none)")
SEASONS = ("寒さが厳しくなってまいりましたが、いかがお過ごしでしょうか。", "朝晩冷え込むようになりました。",
           "年末のお忙しい時期に失礼いたします。", "")
# Background a customer adds before the question, unrelated to the topic.
CONTEXT_JA = ("", "", "", "", "", "うちは交代制で24時間動いている職場です。", "今年の春から使わせてもらっています。",
              "全体で40人ほどの職場です。", "拠点が3つに分かれています。", "前任から引き継いだばかりで不慣れです。",
              "別件で以前もお世話になりました。", "ヘルプページは一通り読みました。")
CLOSE_JA = ("", "", "", "ご回答いただけると助かります。", "現場が困っているので早めにお願いできればと思います。",
            "説明が下手ですみません。", "以上です。", "お返事をお待ちしております。")
CONTEXT_EN = ("", "", "", "We run a hotel with lots of part-time staff. ", "I took over admin duties last week. ",
              "Apologies if this is covered somewhere. ")
CLOSE_EN = ("", "", "Thanks in advance.", "Much appreciated.", "Please advise.", "Kind regards.")

ONEOFFS_JA = (
    "来期から従業員数が増えるので、プラン変更の見積もりを出してください。", "請求先の住所が変わりました。",
    "インボイス制度の登録番号を教えていただけますか。", "御社の年末年始の営業日を知りたいです。",
    "先日の操作説明会、とても参考になりました。お礼申し上げます。",
    "担当者が退職するため、窓口を私に変更してください。",
    "ISMSの認証を取得しているか教えてください。", "社内稟議に使うので、会社概要の資料をいただけますか。",
    "解決しましたので、この問い合わせはクローズで大丈夫です。", "前回の問い合わせ番号が分からなくなりました。",
    "展示会でお話を伺った者です。営業の方から連絡をいただけますか。",
    "御社のサービスを紹介したら何か特典はありますか。",
    "間違えて送信してしまいました。破棄してください。", "口座振替の申込用紙を送ってください。",
    "メンテナンスの予定はどこで確認できますか。", "弊社の顧客向けセミナーで御社の名前を出しても良いですか。",
    "サポート窓口の電話番号が変わったのでしょうか。", "請求書の宛名を正式名称に直してほしいです。",
    "御社で採用はしていますか。知人が興味を持っています。", "利用規約の改定内容を詳しく知りたいです。",
    "今月の請求額が先月と違う理由を教えてください。", "障害が起きた日の稼働率の報告書はもらえますか。",
    "以前の担当の方にお礼を伝えてください。", "セキュリティチェックシートへの記入をお願いしたいです。",
    "この問い合わせフォームの送信完了メールが届きません。", "紙の利用マニュアルは販売していますか。",
    "御社の所在地を教えてください。郵送したいものがあります。", "試しに送っています。届いていますか？",
)
ONEOFFS_EN = ("Can you send us a W-8BEN-E or equivalent tax form?", "Could we visit your Osaka office?",
              "Issue resolved on our end, feel free to close.", "Which account manager looks after us these days?",
              "Could you confirm you received our signed renewal?", "Can we subscribe to your service status updates?",
              "Billing emails should now go to our accounts team; please change the contact.",
              "Do you sponsor any HR meetups in Tokyo?", "Sorry, this was meant for a different vendor.",
              "What's your data center region?")
SPAM = (("【SEO対策】検索順位を上げませんか",
         "御社サイトを拝見しました。月額1万円から上位表示を保証します。詳しくは返信ください。"),
        ("ご入金確認のお願い", "お客様のアカウントで未払いがあります。24時間以内に下記URLより確認してください http://pay-check.example/"),
        ("社員研修のご案内", "新入社員向けビジネスマナー研修、残席わずか。オンライン受講可。"),
        ("Partnership opportunity", "Hello, we help SaaS companies 10x their leads. Book a call this week: "
         "http://leadrocket.example/call"),
        ("Invoice #88231 overdue", "Please open the attached file to review the overdue amount. attachment: inv.html"))


@dataclass(frozen=True)
class Customer:
    """Who wrote the ticket: the customer's company, name, department and contact lines."""

    company: str
    name: str
    dept: str
    email: str
    phone: str

    @property
    def short_name(self) -> str:
        """What a mail calls them by: a Japanese name's surname (written first), an English name's given name."""
        return self.name.split()[0]


Layout = Callable[[str, str, random.Random, Customer], tuple[str, str]]


def _phone(rng: random.Random) -> str:
    return pick(rng, (f"052-{rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
                      f"0263({rng.randrange(10, 99)}){rng.randrange(1000, 9999)}",
                      f"080-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                      f"０７６－{rng.randrange(200, 999)}－{rng.randrange(1000, 9999)}",
                      f"+81-3-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"))


def _customer(rng: random.Random, en: bool) -> Customer:
    companies, domains = (COMPANIES_EN, DOMAINS_EN) if en else (COMPANIES, DOMAINS)
    i = rng.randrange(len(companies))
    name = pick(rng, PEOPLE_EN if en else PEOPLE)
    local = pick(rng, ("info", "support-desk", "hr", "kanri", "staff")) + str(rng.randrange(1, 9))
    return Customer(companies[i], name, pick(rng, TITLES_EN if en else DEPTS), f"{local}@{domains[i]}", _phone(rng))


def _question_ja(topic: Topic, rng: random.Random) -> str:
    core = pick(rng, topic.ja_questions)
    if rng.random() < 0.15:
        again = pick(rng, topic.ja_questions)
        core = core if again == core else f"{core}\nあと、{again}"
    text = pick(rng, CONTEXT_JA) + core + pick(rng, CLOSE_JA)
    roll = rng.random()
    if roll < 0.12:
        text = typo(text, rng)
    elif roll < 0.19:
        text = half_width_kana(text)
    elif roll < 0.25:
        text = full_width(text)
    return text


def _question_en(topic: Topic, rng: random.Random) -> str:
    text = f"{pick(rng, CONTEXT_EN)}{pick(rng, topic.en_questions)} {pick(rng, CLOSE_EN)}".strip()
    roll = rng.random()
    if roll < 0.15:
        text = typo(text, rng)
    elif roll < 0.27:
        text = text.lower()
    return text


# --- Japanese layouts ----------------------------------------------------------------------------------------

def _contact_form7(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """A WordPress Contact Form 7 notification, as the plugin mails it to the support address."""
    body = "\n".join((f"差出人: {w.name} <{w.email}>", f"会社名: {w.company}", f"電話: {w.phone}",
                      f"題名: {subject}", "", "メッセージ本文:", question, "", "-- ",
                      "このメールは クラウド勤怠 公式サイト (https://kintai.example) "
                      "のお問い合わせフォームから送信されました"))
    return (subject if rng.random() < 0.6 else f"クラウド勤怠 公式サイト \"{subject}\""), body


def _bot_lines(rng: random.Random, en: bool) -> tuple[str, str, str, str]:
    if en:
        return ("[Bot] Hi! What can I help you with? Choose a category: Sign-in / Time records / Billing / Other",
                "[Visitor] Other", "[Bot] Sorry, I couldn't find an answer. Connecting you to a person...",
                "[System] No agent is available right now. A ticket has been created and we'll reply by email.")
    return ("🤖 チャットボット：こんにちは！ご用件のカテゴリを選んでください（ログイン／打刻／請求／その他）",
            pick(rng, ("👤 お客様：その他", "👤 お客様：わからない", "👤 お客様：担当者と話したい")),
            "🤖 チャットボット：該当する回答が見つかりませんでした。オペレーターにおつなぎします。",
            "⚙ システム：ただいまオペレーターが不在のため、チケットを作成しました。メールでご回答いたします。")


def _bot_handoff_ja(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    return _bot_handoff(subject, question, rng, w, en=False)


def _bot_handoff_en(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    return _bot_handoff(subject, question, rng, w, en=True)


def _bot_handoff(subject: str, question: str, rng: random.Random, w: Customer, en: bool) -> tuple[str, str]:
    """A help-site chatbot that gave up and opened a ticket with the whole transcript."""
    hello, choice, handover, ticket = _bot_lines(rng, en)
    asker = "[Visitor] " if en else "👤 お客様："
    time = f"{rng.randrange(8, 22):02d}:{rng.randrange(0, 59):02d}"
    body = "\n".join((f"{'Chat started' if en else 'チャット開始'} {time}", hello, choice, handover, asker + question,
                      ticket, f"{'Visitor email' if en else '訪問者メール'}: {w.email}"))
    return (subject if rng.random() < 0.3 else ("Chatbot handoff" if en else "チャットボットからの引き継ぎ")), body


def _reseller(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """A reseller relaying its client's question, wrapped in the reseller's own greeting and signature."""
    partner = pick(rng, RESELLERS)
    body = "\n".join(("クラウド勤怠 ご担当者様", "", "いつも大変お世話になっております。",
                      f"販売パートナーの{partner}でございます。", "",
                      f"弊社のお客様（{w.company}様、契約ID：K-{rng.randrange(10000, 99999)}）より、",
                      "下記のご質問をいただいております。お手数ですがご回答をお願いできますでしょうか。", "",
                      "――― お客様からのご質問 ―――", question, "――― ここまで ―――", "",
                      "ご回答はお客様へ直接ではなく、弊社宛てにいただけますと幸いです。", "",
                      f"{partner}", f"ソリューション営業部　{pick(rng, ('今井', '宮本', '平田'))}",
                      f"TEL {_phone(rng)}"))
    return (subject if rng.random() < 0.5 else f"【{partner}】お客様からのお問い合わせ"), body


def _quoted_history(messages: list[list[str]]) -> list[str]:
    """Messages oldest first, each sent as a reply quoting the whole previous one: the newest comes out on
    top with ``>``, the oldest at the bottom with the most ``>``."""
    out: list[str] = []
    for depth, message in enumerate(reversed(messages), start=1):
        out += [(">" * depth + " " + line).rstrip() for line in message]
        out.append(">" * depth)
    return out


def _earlier_exchange_ja(rng: random.Random, w: Customer, about: Topic) -> list[list[str]]:
    """An earlier exchange on another matter: the customer's question, support's answer, a follow-up, the close."""
    days = iter(sorted(rng.sample(range(1, 29), 4)))

    def header(sender: str, to: str, re: str) -> list[str]:
        sent = f"2026/10/{next(days):02d} {rng.randrange(9, 18)}:{rng.randrange(10, 59)}"
        return ["-----Original Message-----", f"From: {sender}", f"Sent: {sent}", f"To: {to}",
                f"Subject: {re}{old_subject}", ""]
    old_subject = pick(rng, about.ja_subjects)
    us, them = "クラウド勤怠カスタマーサポート <support@kintai.example>", f"{w.name} <{w.email}>"
    footer = ["", "*************************************************", "クラウド勤怠カスタマーサポート",
              "受付：平日 9:00〜17:30（土日祝・年末年始を除く）", "ヘルプセンター：https://help.kintai.example",
              "本メールの内容は、宛先のお客様への回答を目的としたものです。",
              "お心当たりのない方は、お手数ですが削除のうえご一報ください。",
              "*************************************************"]
    signature = ["", "――――――――――――――――", w.company, f"{w.dept}　{w.name}", f"TEL：{w.phone}", f"Mail：{w.email}",
                 "――――――――――――――――"]
    return [
        [*header(them, us, ""), "お世話になります。", pick(rng, about.ja_questions),
         "社内で確認しても分からなかったので質問させてください。", *signature],
        [*header(us, them, "RE: "), f"{w.company}", f"{w.short_name}様", "",
         "お問い合わせありがとうございます。クラウド勤怠カスタマーサポートの森です。",
         "担当部署に確認しましたが、今の設定のままで問題なくお使いいただけます。",
         "念のため、管理画面の［設定］から内容をご確認のうえ、保存ボタンを押していただけますでしょうか。",
         "操作後も状況が変わらない場合は、お手数ですが画面のスクリーンショットを添えてご返信ください。",
         "なお、当窓口の受付時間は平日9時から17時30分となっております。", "", "担当：森", *footer],
        [*header(them, us, "RE: RE: "), "森様", "", "早速のご回答ありがとうございます。",
         "保存し直してみましたが、念のため明日の朝もう一度様子を見てみます。", "変わらなければまたご連絡します。",
         *signature],
        [*header(us, them, "RE: RE: "), f"{w.short_name}様", "", "ご確認ありがとうございます。",
         "承知いたしました。また気になる点があれば、この件名のままお送りください。", "", "担当：森", *footer],
    ]


def _original_message_thread(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """A reply under a long thread (Outlook's -----Original Message----- headers, each level quoted again with
    one more >), the new question at the bottom."""
    history = _earlier_exchange_ja(rng, w, pick(rng, TOPICS))[: rng.randrange(2, 5)]
    lines = _quoted_history(history)
    tail = ("", "森様", "", "お世話になっております。前の件はおかげさまで片付きました。",
            pick(rng, ("続けてで恐縮ですが、別の質問です。", "ついでにもう一点お聞きします。")), question, "",
            f"{w.company} {w.dept}", w.name)
    return "RE: RE: " + subject, "\n".join([*lines, *tail])


def _backlog(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """A notification from the customer's issue tracker (Backlog) that they share with us."""
    key = f"KINTAI_SUP-{rng.randrange(10, 400)}"
    body = "\n".join((f"{w.name} さんが課題を追加しました。", "", f"[{key}] {subject}",
                      f"種別: {pick(rng, ('質問', '要望', 'その他'))}　優先度: {pick(rng, ('高', '中', '低'))}　"
                      f"担当者: 未設定　期限日: 2026/11/{rng.randrange(1, 28):02d}", "", "詳細:", question, "",
                      "----------------------------------------------------------------------",
                      f"https://{w.email.split('@')[1].split('.')[0]}.backlog.example/view/{key}",
                      "※ このメールはBacklogから自動送信されています。返信しても課題には反映されません。"))
    return (subject if rng.random() < 0.4 else f"[{key}] 課題の追加通知"), body


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("「", "&#12300;").replace("」", "&#12301;")


def _raw_html(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """A mail whose HTML part reached the ticket undecoded: tags, &nbsp; and numeric entities."""
    body = "".join(("<html><body><div style=\"font-family:'MS Pゴシック'\">", "<p>ご担当者様<br />", "<br />",
                    f"お世話になっております。&nbsp;{w.company}の{w.short_name}です。</p>",
                    f"<p>{_entities(question).replace(chr(10), '<br />')}</p>",
                    "<p>以上、よろしくお願いいたします。</p>", "<hr size=\"1\" />",
                    f"<p>{w.company}&#12288;{w.dept}<br />{w.name}<br />TEL&nbsp;{w.phone}</p>",
                    "</div></body></html>"))
    return subject, body


def _csm_minutes(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """Minutes a customer-success manager filed after a regular call: the customer's question among the items."""
    csm = pick(rng, CSMS)
    body = "\n".join(("【定例ミーティング議事録】",
                      f"日時：2026/10/{rng.randrange(1, 28):02d} 15:00-15:30（オンライン）",
                      f"参加者：{w.company} {w.name}様、弊社CSM {csm}", "", "■共有事項",
                      f"・利用状況：打刻率 {rng.randrange(70, 99)}%、アクティブ管理者 {rng.randrange(1, 6)}名",
                      f"・次回契約更新：2027年{rng.randrange(1, 12)}月", "", "■お客様からのご質問（要回答）",
                      "・" + question.replace("\n", "\n　"), "", "■次回アクション",
                      f"・{csm}：上記ご質問への回答をメールで送付", f"・{w.short_name}様：社内アンケートの結果共有"))
    return (subject if rng.random() < 0.3 else f"議事録_{w.company}様_定例"), body


def _sms(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """An SMS to the help desk's number, relayed into a ticket by the SMS gateway."""
    text = half_width_kana(question) if rng.random() < 0.4 else question
    body = "\n".join(("SMS受信通知", f"送信元：{_phone(rng)}",
                      f"受信日時：2026/10/{rng.randrange(1, 28):02d} "
                      f"{rng.randrange(6, 23):02d}:{rng.randrange(0, 59):02d}",
                      "本文：", text, "", "※本メールはSMSゲートウェイから自動転送されています"))
    return "SMS受信 " + subject[:12], body


def _voicemail(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """An answering machine's transcription: the caller's words with their fillers, no punctuation of its own."""
    filler = pick(rng, ("えー、", "あのー、", "えっと、"))
    body = "\n".join(("【留守番電話 文字起こし】", f"着信番号：{w.phone}", f"録音時間：0:{rng.randrange(20, 59)}",
                      "――――", f"{filler}もしもし、{w.company}の{w.short_name}と申します。", f"{filler}{question}",
                      pick(rng, ("えー、", "まあ、", "")) + "お手すきの際に折り返しいただけますでしょうか。",
                      "失礼します。",
                      "――――", "※自動文字起こしのため、誤りを含む場合があります。"))
    return (subject if rng.random() < 0.3 else "留守電メッセージ"), body


def _plain_mail_ja(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    opening = pick(rng, ("クラウド勤怠 ご担当窓口様", "サポートセンター御中", "ご担当者さま"))
    body = "\n".join((opening, "", "お世話になっております。" + pick(rng, SEASONS),
                      f"{w.company}{pick(rng, ('', 'の'))}{w.dept}、{w.short_name}です。", "", question, "",
                      pick(rng, ("以上、よろしくお願いいたします。", "お手すきの際にご回答ください。",
                                 "ご多忙のところ恐れ入りますが、よろしくお願いします。")), "", "-- ",
                      "==============================", f"{w.company}", f"{w.dept}　{w.name}",
                      f"Tel：{w.phone}　Mobile：{_phone(rng)}", f"E-mail：{w.email}",
                      "=============================="))
    return subject, body


# --- English layouts -----------------------------------------------------------------------------------------

def _jira(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    """A Jira Service Management request, wiki markup and all."""
    body = "\n".join(("h3. Summary", subject, f"*Reporter:* {w.name} ({w.company})",
                      f"*Component:* {pick(rng, ('Web', 'Mobile', 'Admin'))}   *Priority:* "
                      f"{pick(rng, ('Minor', 'Major', 'Trivial'))}", "h3. Description", question, "",
                      "{color:#97a0af}Created via Jira Service Management portal{color}"))
    return (subject if rng.random() < 0.5 else f"[JSM-{rng.randrange(100, 999)}] New request"), body


def _reseller_en(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    body = "\n".join(("Hi Kintai partner team,", "",
                      f"Our client {w.company} (contract K-{rng.randrange(10000, 99999)}) asked us the following:", "",
                      "\"" + question + "\"", "", "Could you get back to us and we'll pass it on?", "",
                      "Best,", "Ken Imai", "Partner Solutions, Mirai OA Service"))
    return (subject if rng.random() < 0.5 else f"Client question from {w.company}"), body


def _original_message_thread_en(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    about = pick(rng, TOPICS)
    old = pick(rng, about.en_subjects)
    us, them = "Kintai Customer Support <support@kintai.example>", f"{w.name} <{w.email}>"

    days = iter(sorted(rng.sample(range(1, 29), 4)))

    def header(sender: str, re: str) -> list[str]:
        return ["-----Original Message-----", f"From: {sender}", f"Sent: October {next(days)}, 2026",
                f"Subject: {re}{old}", ""]
    history = [
        [*header(them, ""), "Hello,", "", pick(rng, about.en_questions), "", w.short_name],
        [*header(us, "RE: "), f"Hi {w.short_name},", "", "Thanks for writing in. We looked into this with our product",
         "team and there's nothing wrong with your account settings; the change you made earlier is saved.",
         "If it still looks odd tomorrow, reply with a screenshot and the time it happened.", "",
         "Best regards,", "Kintai Customer Support"],
        [*header(them, "RE: "), "Thanks, I'll keep an eye on it and let you know.", "", w.short_name],
        [*header(us, "RE: "), f"Hi {w.short_name}, sounds good. We'll leave the ticket open for a week.", "", "Kintai"],
    ][: rng.randrange(2, 5)]
    tail = ("", "Hi again,", "", "That sorted it, thank you. Different question this time:", question, "", w.name,
            w.dept)
    return "RE: " + subject, "\n".join([*_quoted_history(history), *tail])


def _phone_mail_en(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    body = "\n".join((pick(rng, ("hi", "Hello,", "hey support")), question, "",
                      pick(rng, ("Sent from my iPhone", "Sent from Outlook for Android", "Get Outlook for iOS"))))
    return subject, body


def _qbr_notes(subject: str, question: str, rng: random.Random, w: Customer) -> tuple[str, str]:
    body = "\n".join((f"QBR notes - {w.company}", f"Date: 2026-10-{rng.randrange(1, 28):02d}",
                      f"Attendees: {w.name} ({w.dept}), {pick(rng, CSMS_EN)} (CSM)", "",
                      f"- Usage: {rng.randrange(40, 400)} active employees, adoption steady",
                      "- Renewal: on track", "- Open question from the customer:", "  " + question, "",
                      "Action: CSM to follow up by email with the answer."))
    return (subject if rng.random() < 0.3 else f"QBR follow-up: {w.company}"), body


LAYOUTS_JA: tuple[tuple[Layout, int], ...] = (
    (_contact_form7, 16), (_bot_handoff_ja, 9), (_reseller, 8), (_original_message_thread, 13), (_backlog, 6),
    (_raw_html, 7), (_csm_minutes, 8), (_sms, 5), (_voicemail, 6), (_plain_mail_ja, 22))
LAYOUTS_EN: tuple[tuple[Layout, int], ...] = (
    (_jira, 18), (_bot_handoff_en, 15), (_reseller_en, 12), (_original_message_thread_en, 18), (_phone_mail_en, 22),
    (_qbr_notes, 15))


def write(label: str, lang: str, rng: random.Random) -> tuple[str, str]:
    if label == "spam":
        return pick(rng, SPAM)
    en = lang == "en"
    customer = _customer(rng, en)
    if label.startswith("oneoff-"):
        n = int(label.split("-")[1])
        question = ONEOFFS_EN[n % len(ONEOFFS_EN)] if en else ONEOFFS_JA[n % len(ONEOFFS_JA)]
        subject = pick(rng, VAGUE_EN if en else VAGUE) if rng.random() < 0.55 else question[:18]
    else:
        topic = next(t for t in TOPICS if t.id == label)
        question = _question_en(topic, rng) if en else _question_ja(topic, rng)
        subject = pick(rng, topic.en_subjects if en else topic.ja_subjects)
        roll = rng.random()
        if roll < 0.2:
            subject = pick(rng, VAGUE_EN if en else VAGUE)
        elif not en and roll < 0.28:
            subject = typo(subject, rng) if roll < 0.24 else half_width_kana(subject)
    layouts = LAYOUTS_EN if en else LAYOUTS_JA
    layout = rng.choices([f for f, _ in layouts], weights=[n for _, n in layouts])[0]
    return layout(subject, question, rng, customer)


CORPUS = Corpus("E (held back, unseen)", TOPICS, oneoffs=len(ONEOFFS_JA), write=write, english=0.23,
                oneoff_share=0.085, spam_share=0.014,
                rising=frozenset({"session-timeout", "duplicate-punch", "invite"}))
