"""A second held-back corpus for ``kb gaps`` (corpus C), written after kb gaps' glossary and kb/gaps.yaml.

Corpus B (sandbox/ticket_corpus_b.py) was written before the tuning, but the built-in glossary and the sample
KB's kb/gaps.yaml synonyms were written with it in view: some of their terms (averaged working hours,
article 36, card reader, team lead, text message, 上長, …) occur in corpus B and in neither corpus A nor the
articles. Corpus C was written before kb gaps ran on it, and the glossary and kb/gaps.yaml were not changed
after. kb/gaps was changed after (how a topic is judged against a near one, katakana compounds in the
glossary, groups that share no word), on what corpora A and B showed only: C's proposals and tickets were
never looked at, only its figures (bench/gaps.py), so they are what a team whose tickets csops has never
seen would get.

The same product as the sample knowledge base (クラウド勤怠), other customers, other topics left
unanswered, other phrasings and other layouts than corpora A and B: a help-center request form with
browser details, Microsoft Teams and Slack Connect exports, a voice-call transcript, an NPS survey answer,
a note a salesperson escalated, a manager forwarding an employee's mail, a Gmail-style reply above a
quoted thread, a mobile mail with a carrier footer, a confidentiality notice, HTML with styled spans, and
in English an in-app messenger, mail with a legal footer, a web form and a forwarded mail. Seven
uncovered topics, most lexically close to a covered one (a delegate approver beside approving, a
reminder to clock in beside clocking in and missing punches, a shared tablet at the entrance beside
clocking in from a phone, late-night premiums beside overtime requests).
"""

from __future__ import annotations

import random

from sandbox.corpus import Corpus, Topic, full_width, half_width_kana, pick, typo

TOPICS: tuple[Topic, ...] = (
    Topic("login", "troubleshooting/login/cannot-sign-in",
          ("管理画面に入れません", "パスワードが通らない", "ロック解除のお願い", "ログイン不可"),
          ("管理画面のURLを開いてIDとパスワードを入れても「認証に失敗しました」と出て先に進めません。",
           "パスワードの入力を何回か失敗したせいか、アカウントがロック状態になりました。解除方法を知りたいです。",
           "店長が自分のパスワードを思い出せないそうです。パスワードを再設定する手順を教えてください。",
           "昨日まで普通に使えていたのに、今日はログインボタンを押してもエラーになります。"),
          ("Unable to access the admin console", "Account locked", "Forgot my password"),
          ("I'm entering the right ID and password but the admin console keeps saying authentication failed.",
           "My account seems to be locked after several failed attempts. How do I get back in?",
           "A store manager forgot her password. What's the procedure to reset it?")),
    Topic("missing-punches", "troubleshooting/data/missing-punches",
          ("打刻が消えた？", "出勤したのに記録なし", "打刻が勤怠に出てこない"),
          ("倉庫で出勤を押したのに、管理画面の勤怠には何も記録されていません。",
           "機内モードのまま打刻してしまったスタッフの記録が見当たりません。",
           "アプリでは打刻完了と出たのに、勤怠の一覧を開くとその日の打刻がありません。"),
          ("Clock-in vanished", "Punch shows in app but not on the web"),
          ("The app said my clock-in was saved, but the web attendance list has nothing for today.",
           "Staff who clocked in while in airplane mode have no record in the attendance list.")),
    Topic("sso", "admin/integrations/saml-sso",
          ("Okta連携について", "SAML設定の手順", "Entra IDでのシングルサインオン"),
          ("OktaをIdPにしてSAMLのシングルサインオンを設定したいです。証明書とエンティティIDはどこで確認できますか。",
           "Microsoft Entra IDとSAML連携してSSOにしたいのですが、設定の流れを教えてください。",
           "全社でシングルサインオンに切り替える予定です。IdP側にアプリを登録する手順を知りたいです。"),
          ("Okta SAML setup", "Enabling single sign-on"),
          ("We want Okta as our identity provider for SAML single sign-on. Where do we find the entity ID and certificate?",
           "What are the steps to turn on SSO with Microsoft Entra ID?")),
    Topic("mobile-clock-in", "employees/timecard/clock-in",
          ("アプリでの出勤・退勤", "スマホ打刻のやり方", "出先からの打刻"),
          ("訪問介護のヘルパーが利用者宅からスマホで出勤・退勤を打刻できるようにしたいです。やり方を教えてください。",
           "スマホアプリの出勤ボタンと退勤ボタンの使い方を、新しく入ったスタッフ向けに知りたいです。",
           "出先から携帯のアプリで打刻すると、どこで打刻したかは記録されますか。"),
          ("How to clock in on the phone app", "Clocking out from a smartphone"),
          ("How do our home-care staff clock in and out from their phones when they visit clients?",
           "Does the phone app record where someone clocked in?")),
    Topic("overtime-request", "employees/requests/overtime-request",
          ("残業申請の手順", "時間外労働の申請", "残業の申請ができる画面"),
          ("スタッフが残業する前に申請を出す運用にしたいです。残業の申請はどの画面から出しますか。",
           "出した残業申請を取り下げたいのですが、どうすればいいですか。",
           "従業員から「残業の申請メニューが分からない」と言われました。申請の手順を教えてください。"),
          ("Submitting an overtime request", "Withdraw an overtime request"),
          ("Which screen do staff use to request overtime before working late?",
           "I submitted an overtime request by mistake. How can I withdraw it?")),
    Topic("approve", "employees/requests/approve-requests",
          ("申請の承認のしかた", "差し戻しの方法", "承認ボタンの場所"),
          ("部下の休暇申請が届いたのですが、承認ボタンがどこにあるのか分かりません。",
           "内容に誤りのある申請を本人に差し戻したいです。差し戻しの手順を教えてください。",
           "承認者になったので、申請を確認して承認する流れを知りたいです。"),
          ("Approving my team's requests", "Sending a request back"),
          ("Where is the approve button for requests from my team?",
           "How do I send a request back to the employee with a comment?")),
    Topic("invite", "admin/users/invite-users",
          ("スタッフの招待", "招待メールが届いていない", "新しい従業員の追加"),
          ("来月から働くパートさんを招待したいのですが、従業員の追加と招待の手順を教えてください。",
           "招待したスタッフに招待メールが届いていないようです。迷惑メールにもありません。",
           "新店舗のスタッフ20名をまとめて招待する方法はありますか。"),
          ("Inviting staff", "Invitation email not received"),
          ("How do I invite the part-timers who start next month?",
           "The staff I invited never got the invitation email, not even in spam.")),
    Topic("work-rules", "getting-started/setup/work-rules",
          ("就業ルールの作り方", "所定労働時間と休憩の設定", "雇用形態ごとのルール"),
          ("正社員とパートで所定労働時間と休憩時間が違います。就業ルールを分けて作成できますか。",
           "就業ルールの作成画面で、所定労働時間や締め日を設定する方法を教えてください。",
           "作成した就業ルールを従業員に割り当てる手順が分かりません。"),
          ("Setting up work rules", "Different rules per employment type"),
          ("Full-time and part-time staff have different scheduled hours and breaks. Can we create separate work rules?",
           "How do we assign a work rule to each employee?")),
    Topic("trial", "getting-started/faq/trial-faq",
          ("お試し期間について", "トライアルの期間", "試用中のデータ"),
          ("無料トライアルは何日間使えますか。期間が終わったらどうなりますか。",
           "トライアル中に登録した従業員や打刻のデータは、本契約後もそのまま使えますか。",
           "トライアルを途中でやめたい場合、何か手続きが必要ですか。"),
          ("Trial length", "Keeping trial data"),
          ("How many days does the free trial last?",
           "Will the data we enter during the trial carry over if we sign up?")),
    # --- not answered by the sample knowledge base -------------------------------------------------------
    Topic("delegate-approver", None,
          ("承認者不在時の代理承認", "上司が長期休暇中の承認", "代理承認者の設定"),
          ("承認者の部長が2週間の出張で不在になります。その間、別の人が代わりに承認できるように設定できますか。",
           "課長が育休に入るため、課長宛ての申請を一時的に次長が承認できるようにしたいです。",
           "承認者が休みの日に申請が止まってしまいます。代理承認者を決めておく機能はありますか。"),
          ("Delegate approvals while a manager is away", "Backup approver"),
          ("Our approver is on leave for three weeks. Can someone else approve on her behalf in the meantime?",
           "Is there a way to set a backup approver so requests don't get stuck when the manager is out?")),
    Topic("clock-in-reminder", None,
          ("打刻忘れのお知らせ機能", "出勤打刻のリマインド", "打刻漏れを防ぎたい"),
          ("出勤の打刻を忘れるスタッフが多いので、始業時刻を過ぎても打刻がない人にプッシュ通知を送れませんか。",
           "退勤の打刻忘れを防ぐために、終業時刻にリマインドを出す設定はありますか。",
           "打刻がされていない従業員に自動でお知らせメールを送る機能を探しています。"),
          ("Reminder to clock in", "Push notification when someone forgets to clock out"),
          ("Can the app remind staff to clock in when their shift has started and there's no punch yet?",
           "We'd like an automatic nudge for people who forget to clock out at the end of the day.")),
    Topic("kiosk-tablet", None,
          ("店舗のタブレットで打刻", "共有iPadでの打刻", "入口に置く端末での出退勤"),
          ("店舗の入口にiPadを1台置いて、スタッフ全員がそこで出退勤を打刻する運用はできますか。",
           "共有のタブレットで打刻するとき、従業員ごとにログインし直さずに打刻する方法はありますか。",
           "工場の休憩室に置いたタブレットを打刻専用の端末にしたいです。設定方法を教えてください。"),
          ("Shared tablet at the entrance", "Kiosk mode for clocking in"),
          ("Can we put one iPad at the shop entrance and have every employee clock in there?",
           "Is there a kiosk mode so staff can punch in on a shared tablet without logging in each time?")),
    Topic("night-premium", None,
          ("深夜手当の計算", "22時以降の割増", "深夜労働時間の集計"),
          ("22時から翌5時までの深夜労働の時間が集計に出てきません。深夜割増の計算はどう設定しますか。",
           "夜勤スタッフの深夜手当の対象時間が、日付をまたぐと正しく計算されていないようです。",
           "深夜の勤務時間を通常の残業と分けて給与ソフトに渡したいのですが、深夜時間の集計はできますか。"),
          ("Night shift premium hours", "Late-night hours not calculated"),
          ("Hours worked between 10pm and 5am don't show up separately. How do we set up the late-night premium?",
           "Night shift hours that cross midnight are not counted correctly for the night allowance.")),
    Topic("timezone", None,
          ("海外拠点の時差", "シンガポール支社の打刻時刻", "タイムゾーンの設定"),
          ("シンガポール支社の従業員の打刻時刻が、日本時間で表示されて1時間ずれています。拠点ごとに時刻を変えられますか。",
           "ベトナムの工場でも使い始めたのですが、打刻の時刻が現地時間になりません。タイムゾーンの設定はありますか。",
           "海外出張中の社員が現地で打刻すると、時刻が日本時間で記録されてしまいます。"),
          ("Time zone for our overseas office", "Punch times off by one hour in Singapore"),
          ("Our Singapore staff see their punch times in Japan time, one hour off. Can each office have its own time zone?",
           "We started using it at our factory in Vietnam but punch times are not in local time.")),
    Topic("data-retention", None,
          ("勤怠データの保存期間", "過去の勤怠記録はいつまで残る？", "5年前のデータ"),
          ("労働基準法で勤怠記録の保存が5年と聞きました。御社では過去の勤怠データを何年分保存していますか。",
           "退職者も含めて、3年以上前の打刻記録を閲覧することはできますか。保存期間を知りたいです。",
           "解約した場合、これまでの勤怠データはいつまで残りますか。"),
          ("How long is attendance data kept?", "Access to records from five years ago"),
          ("The labour law requires us to keep attendance records for five years. How long do you retain our data?",
           "Can we still view punch records from more than three years ago?")),
    Topic("dept-transfer", None,
          ("月の途中での部署異動", "異動した社員の集計", "所属変更の反映日"),
          ("月の途中で部署を異動した社員の勤怠を、異動前と異動後の部署に分けて集計したいです。",
           "15日付で所属が変わった社員がいます。所属の変更を日付指定で登録できますか。",
           "異動した従業員の残業時間が、全部新しい部署の集計に入ってしまいます。"),
          ("Employee moved to another department mid-month", "Department change effective date"),
          ("An employee moved to another department on the 15th. Can we split his hours between the two departments?",
           "Is it possible to set an effective date when someone changes department?")),
)

COMPANIES = ("株式会社すずらん介護サービス", "こだま食品工業株式会社", "株式会社ひまわり薬局", "オリオン精機株式会社",
             "株式会社くろしお水産", "社会福祉法人 つばさ会", "株式会社ベイサイドホテルズ", "若葉ロジスティクス株式会社")
COMPANIES_EN = ("Kodama Foods", "Orion Precision Ltd.", "Bayside Hotels Group", "Wakaba Logistics Asia Pte. Ltd.")
PEOPLE = ("石川 かおり", "藤田 誠", "岡本 千尋", "前田 康介", "長谷川 葵", "村上 亮", "西村 さやか")
PEOPLE_EN = ("Daniel Ong", "Priya Nair", "Mark Sullivan", "Yuki Tanaka", "Hannah Schmidt")
SALES = ("営業部 大野", "営業 平田", "インサイドセールス 杉山")
VAGUE = ("至急ご確認ください", "問い合わせ", "Re: 先日の件", "ご質問", "Fwd: ", "件名なし", "困っています", "教えて")
VAGUE_EN = ("Quick question", "Urgent", "Re: your reply", "Issue", "Support request")
OPENERS = ("", "", "", "度々すみません。", "確認させてください。", "社内で質問が出まして、", "初めて問い合わせします。",
           "現場から声が上がっているのですが、")
ENDERS = ("", "", "", "至急お願いします。", "ご回答をお待ちしております。", "どうぞよろしくお願いします。",
          "お手すきの際にご確認ください。", "教えていただけると助かります。")
EN_OPENERS = ("", "", "Hi, ", "Hey, ", "Sorry to bother you again. ")
EN_ENDERS = ("", "", "Thanks!", "Appreciate your help.", "Let me know, thanks.", "It's fairly urgent.")

ONEOFFS_JA = (
    "先週の請求金額が見積もりと違うようです。", "来月から料金プランを上位プランに変えたい。", "担当営業の方の連絡先を教えてください。",
    "御社の会社案内のパンフレットを送ってください。", "ヘルプページの誤字を見つけました。", "障害情報はどこで確認できますか。",
    "年度末の打ち合わせをお願いしたいです。", "キャンペーンの適用条件を教えてください。", "サポートの対応がとても丁寧でした。",
    "採用サイトを見て連絡しました。", "他社製品との比較資料はありますか。", "メールの文字化けが起きています（このメールではありません）。",
    "請求先の住所が変わりました。", "返信不要です。念のため共有します。", "来週の訪問はキャンセルでお願いします。",
    "導入研修の資料をもう一度送ってください。", "英語の請求書は発行できますか。", "御社のSLAを教えてください。",
    "解決済みです。ありがとうございました。", "デモ環境を延長してほしいです。", "紹介キャンペーンについて知りたいです。",
    "利用者数の上限はありますか。", "展示会のブースはどこですか。", "インボイス制度に対応した請求書ですか。",
)
ONEOFFS_EN = ("Can you send us your W-8BEN form?", "Is there a Japanese-speaking account manager in Singapore?",
              "Thanks, all sorted now.", "Please remove me from the newsletter.", "Do you have an office in Osaka?",
              "Could we get a discount for a three-year contract?")
SPAM = (("【限定】法人カードのご案内", "年会費無料の法人カードのご案内です。今なら最大3万ポイント還元。お申し込みはこちらから。"),
        ("貴社サイトの脆弱性について", "無料で脆弱性診断を実施いたします。ご希望の方は本メールにご返信ください。"),
        ("Boost your LinkedIn presence", "We grow B2B brands on LinkedIn. Book a 15-minute call this week."),
        ("Invoice overdue - action required", "Please review the attached invoice and pay within 24 hours."))


def _question_ja(topic: Topic, rng: random.Random) -> str:
    core = pick(rng, topic.ja_questions)
    if rng.random() < 0.25:
        other = pick(rng, topic.ja_questions)
        if other != core:
            core = f"{core}また、{other}"
    text = pick(rng, OPENERS) + core + pick(rng, ENDERS)
    if rng.random() < 0.15:
        text = typo(text, rng)
    if rng.random() < 0.08:
        text = half_width_kana(text)
    return text


def _question_en(topic: Topic, rng: random.Random) -> str:
    text = f"{pick(rng, EN_OPENERS)}{pick(rng, topic.en_questions)} {pick(rng, EN_ENDERS)}".strip()
    if rng.random() < 0.15:
        text = typo(text, rng)
    if rng.random() < 0.2:
        text = text.lower()
    return text


def _tel(rng: random.Random) -> str:
    return pick(rng, (f"0{rng.randrange(3, 9)}-{rng.randrange(100, 9999)}-{rng.randrange(1000, 9999)}",
                      f"080{rng.randrange(10000000, 99999999)}", f"070-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"))


def _mail_address(rng: random.Random) -> str:
    return f"{pick(rng, ('ishikawa', 'k-fujita', 'c.okamoto', 'soumu', 'hr-desk'))}@{pick(rng, ('suzuran-care', 'kodama-foods', 'orion-seiki'))}.jp"


def _help_center_form(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"【会社名】{company}\n【ご担当者名】{person}\n【ご連絡先】{_tel(rng)}\n【メール】{_mail_address(rng)}\n"
            f"【製品カテゴリ】{pick(rng, ('勤怠管理', 'モバイルアプリ', '設定全般'))}\n【ご質問内容（できるだけ詳しく）】\n{question}\n"
            f"【添付ファイル】{pick(rng, ('なし', 'screenshot.png'))}\n\n---\n送信元：ヘルプセンター\nブラウザ：{pick(rng, ('Chrome 129', 'Edge 128', 'Safari 17'))}"
            f"\nOS：{pick(rng, ('Windows 11', 'macOS 14', 'iOS 17'))}")
    return (subject if rng.random() < 0.55 else "ヘルプセンターからのリクエスト"), body


def _teams(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    h, m = rng.randrange(9, 18), rng.randrange(0, 50)
    lines = ["Microsoft Teams 共有チャネル「クラウド勤怠 × " + company + "」より", "",
             f"{person} (ゲスト)  2026/10/{rng.randrange(1, 28)} {h}:{m:02d}", "お疲れさまです、ひとつ相談です", "",
             f"{person} (ゲスト)  {h}:{m + 1:02d}", question, "",
             f"CSチーム 山崎  {h}:{m + 5:02d}", "ありがとうございます、確認してこちらのチケットで回答します！", "",
             f"{person} (ゲスト)  {h}:{m + 6:02d}", "👍"]
    return "Teams共有チャネルからの投稿", "\n".join(lines)


def _slack(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    first = person.split()[0]
    body = (f"Slack Connect #ext-kintai-{rng.randrange(10, 99)} から転記\n\n*{first}* {rng.randrange(9, 12)}:{rng.randrange(10, 59)} AM\n"
            f"{question}\n\n*クラウド勤怠 CS（bot）* {rng.randrange(1, 5)}:{rng.randrange(10, 59)} PM\n"
            ":ticket: チケットを作成しました。担当者からの返信をお待ちください。")
    return (subject if rng.random() < 0.3 else f"[Slack] {company}"), body


def _voice(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"【通話の自動文字起こし】通話時間 {rng.randrange(2, 12)}分{rng.randrange(0, 59)}秒\n"
            "オペレーター：お電話ありがとうございます。クラウド勤怠サポートセンターでございます。\n"
            f"お客様：あ、もしもし、{company}の{person.split()[0]}と申しますけども。\n"
            "オペレーター：いつもお世話になっております。本日はどのようなご用件でしょうか。\n"
            f"お客様：えーと、{question}\n"
            "オペレーター：かしこまりました。確認のうえ、メールでご案内いたします。\n"
            "お客様：はい、お願いします。")
    return f"通話記録 {rng.randrange(1000, 9999)}", body


def _nps(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"NPSアンケートに回答がありました\nスコア：{rng.randrange(2, 8)}\n回答者：{person}（{company}）\n"
            f"「その点数をつけた理由を教えてください」\n{question}\n\n※このチケットはアンケート回答から自動作成されました")
    return "アンケート回答（要フォロー）", body


def _sales_escalation(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    rep = pick(rng, SALES)
    body = (f"CS各位\n{rep}です。{company}様（{person}様）の定例で以下のご質問をいただきました。\n"
            f"回答をお客様へ直接お送りいただけますか。\n\n＜お客様のご質問＞\n「{question}」\n\n"
            f"商談ステータス：{pick(rng, ('更新交渉中', '追加導入検討', '安定稼働'))}\n以上、よろしくお願いします。\n{rep}")
    return f"【営業エスカレ】{company}様より", body


def _manager_forward(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    staff = pick(rng, ("吉川", "竹内", "原田", "安藤"))
    body = (f"サポートご担当者様\n\n{company}の{person}です。\nスタッフから質問が来ているので回答をお願いできますか。\n\n"
            f"-------- 転送メッセージ --------\n件名：{subject}\n日時：2026/10/{rng.randrange(1, 28)} 18:{rng.randrange(10, 59)}\n"
            f"差出人：{staff}\n宛先：{person.split()[0]}店長\n\n店長\nお疲れ様です、{staff}です。\n{question}\nよろしくお願いします。")
    return "FW: " + subject, body


def _gmail_reply(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    old = pick(rng, TOPICS)
    body = (f"ご回答ありがとうございました。\n別の件で恐縮ですが、{question}\n\n{person.split()[0]}\n\n"
            f"2026年9月{rng.randrange(1, 28)}日(月) 16:{rng.randrange(10, 59)} クラウド勤怠サポート <help@kintai.example>:\n\n"
            f"> {person.split()[0]}様\n>\n> お問い合わせの「{pick(rng, old.ja_subjects)}」の件、回答いたします。\n"
            f"> {pick(rng, old.ja_questions)}\n> につきましては、設定画面からご確認いただけます。\n>\n> クラウド勤怠サポート")
    return "Re: " + subject, body


def _mobile_mail(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    footer = pick(rng, ("iPhoneから送信", "Sent from my iPhone", "-- au携帯から送信 --", "Galaxyから送信されました"))
    return subject, f"{question}\n{person.split()[0]}\n\n{footer}"


def _confidential(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"{pick(rng, ('お世話になります。', 'いつもお世話になっております。'))}{company}の{person}です。\n\n{question}\n\n"
            f"＝＝＝＝＝＝＝＝＝＝＝＝＝＝＝\n{company}\n{person}\nTEL {_tel(rng)}\n＝＝＝＝＝＝＝＝＝＝＝＝＝＝＝\n"
            "本メールは機密情報を含む場合があります。誤って受信された場合は、送信者にご連絡のうえ削除してください。")
    return subject, body


def _styled_html(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"<p style=\"margin:0\"><span style=\"font-size:11pt\">ご担当者様</span></p><p style=\"margin:0\">&nbsp;</p>"
            f"<p style=\"margin:0\"><span style=\"font-family:Meiryo\">{question}</span></p><p style=\"margin:0\">&nbsp;</p>"
            f"<p style=\"margin:0\"><span>{company}&nbsp;{person}</span></p>")
    return subject, body


def _en_messenger(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    first = person.split()[0]
    body = (f"Conversation with {person} ({company})\n\n{first}: hello?\nKintai Bot: Hi {first}! Ask us anything, our team "
            f"typically replies in a few hours.\n{first}: {question}\nKintai Bot: Got it. We'll follow up by email.\n"
            "Conversation closed automatically after 30 minutes of inactivity")
    return (subject if rng.random() < 0.3 else "New conversation from the messenger"), body


def _en_legal_mail(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"{pick(rng, ('Hi Kintai team,', 'Good morning,', 'To whom it may concern,'))}\n\n{question}\n\n"
            f"{pick(rng, ('Many thanks', 'Regards', 'Cheers'))}\n{person}\n{pick(rng, ('People Operations', 'Finance', 'Store Operations'))}, {company}\n"
            f"M: +65 {rng.randrange(8000, 9999)} {rng.randrange(1000, 9999)}\n\n"
            "DISCLAIMER: This e-mail and any attachments are confidential and intended solely for the addressee. "
            "If you have received it in error, please notify the sender and delete it.")
    return subject, body


def _en_form(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"Name: {person}\nCompany: {company}\nWork email: {_mail_address(rng)}\nCountry: {pick(rng, ('Singapore', 'Japan', 'Vietnam'))}\n"
            f"How can we help?: {question}\nBrowser: {pick(rng, ('Chrome 129', 'Firefox 130'))}")
    return (subject if rng.random() < 0.5 else "Help center request"), body


def _en_forward(subject: str, question: str, rng: random.Random, company: str, person: str) -> tuple[str, str]:
    body = (f"Forwarding this from one of our staff - can you help?\n\n{person}\n\n---------- Forwarded message ---------\n"
            f"From: {pick(rng, ('Lim Wei', 'Nguyen Thi Lan', 'Aaron Goh'))} <staff@{company.split()[0].lower()}.example>\n"
            f"Date: Thu, Oct {rng.randrange(1, 28)}, 2026 at 9:{rng.randrange(10, 59)} AM\nSubject: {subject}\n\n"
            f"Hi {person.split()[0]},\n{question}\nThanks")
    return "Fwd: " + subject, body


LAYOUTS_JA = ((_help_center_form, 16), (_teams, 7), (_slack, 6), (_voice, 8), (_nps, 4), (_sales_escalation, 6),
              (_manager_forward, 8), (_gmail_reply, 10), (_mobile_mail, 10), (_confidential, 15), (_styled_html, 6))
LAYOUTS_EN = ((_en_messenger, 30), (_en_legal_mail, 35), (_en_form, 20), (_en_forward, 15))


def write(label: str, lang: str, rng: random.Random) -> tuple[str, str]:
    if label == "spam":
        return SPAM[rng.randrange(len(SPAM))]
    en = lang == "en"
    company = pick(rng, COMPANIES_EN if en else COMPANIES)
    person = pick(rng, PEOPLE_EN if en else PEOPLE)
    if label.startswith("oneoff-"):
        n = int(label.split("-")[1])
        question = ONEOFFS_EN[n % len(ONEOFFS_EN)] if en else ONEOFFS_JA[n % len(ONEOFFS_JA)]
        subject = pick(rng, VAGUE_EN if en else VAGUE) if rng.random() < 0.5 else question[:18]
    else:
        topic = next(t for t in TOPICS if t.id == label)
        question = _question_en(topic, rng) if en else _question_ja(topic, rng)
        subject = pick(rng, topic.en_subjects if en else topic.ja_subjects)
        if rng.random() < 0.18:
            subject = pick(rng, VAGUE_EN if en else VAGUE)
        elif not en and rng.random() < 0.06:
            subject = full_width(subject)
    layouts = LAYOUTS_EN if en else LAYOUTS_JA
    layout = rng.choices([f for f, _ in layouts], weights=[w for _, w in layouts])[0]
    return layout(subject, question, rng, company, person)


CORPUS = Corpus("C (held back, unseen)", TOPICS, oneoffs=len(ONEOFFS_JA), write=write, english=0.26,
                rising=frozenset({"clock-in-reminder", "timezone", "invite"}))
