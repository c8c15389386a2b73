"""A fresh held-back corpus for ``kb gaps`` (corpus D), written on 2026-12-07 by a helper that did not work on kb/gaps.

Corpora A, B and C had all been seen by the people tuning ``kb gaps`` (C's figures were read many times while
the method changed), so none of them is held back any more. D was written from the issue's description of real
tickets, the sample knowledge base (kb/articles) and the shared machinery of sandbox/corpus.py, and landed before
``kb gaps`` or bench/gaps.py ever ran on it: its figures are printed by ``python bench/gaps.py --only D
--skip-large``, and its proposals and normalised tickets are not to be looked at by whoever changes kb/gaps.

The same product (クラウド勤怠) and knowledge base; other customers (construction, clinics, schools, bus and
care operators, restaurants), other phrasings and other layouts than A, B and C:

- in Japanese: a contact form whose labels and values sit on lines of their own (■貴社名 / value), a long mail
  thread quoted with ``>``, ``> >`` and full-width ``＞`` with the new question written at the bottom, a call-centre
  CRM record in which an agent paraphrases the caller, a Chatwork room export (``[To:…]``, ``[info]…[/info]``),
  a faxed form typed in by hand with OCR slips, a web form that arrived as raw JSON, an IT department's request
  template, a mail with a boxed signature (┏━┓, 〒, TEL/FAX), and a reply answering support's questions inline
  with a new question under them;
- in English (about a fifth to a quarter): a WhatsApp chat export, a top-posted reply above an Outlook header block, a bottom-posted
  reply under a long ``>`` thread, a request template, the JSON form, and a plain mail with a title line signature.

Customers write with vague subjects, typos, full-width ASCII, half-width katakana, casual and formal registers,
and background sentences unrelated to the topic. Eight covered topics map to real articles; eight uncovered
topics are what a writer needs, most of them next to a covered one: reopening a closed month (next to the payroll
export's closing), webhooks (next to the API), limiting what a store manager can see (next to roles), changing the
e-mail used to sign in (next to sign-in trouble), the history of who edited a time record (next to missing
punches), break buttons in the app (next to clocking in), extending a trial (next to the trial FAQ) and rounding
punch times (next to work rules). Words were chosen the way customers say them, not from kb gaps' glossary or
kb/gaps.yaml.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.corpus import Corpus, Topic, full_width, half_width_kana, pick, typo

TOPICS: tuple[Topic, ...] = (
    Topic("login", "troubleshooting/login/cannot-sign-in",
          ("ログインできなくなった", "パスワード忘れ", "入れない…", "ロックされたみたいです", "サインイン不可の件"),
          ("パスワードが思い出せず勤怠の画面に入れません。自分で再設定できますか？",
           "何度かパスワードを打ち間違えたらロックがかかってしまいました。どのくらい待てば入れるようになりますか。",
           "メアドとパスワードを打ち込んでも、またログイン画面が出てきてしまいます。入力は間違ってないと思うのですが…",
           "スタッフの一人がパスワードを5回間違えて締め出されています。すぐに解除してあげる方法はありますか。",
           "朝からずっとログインが通らないです。パスワードの再発行ってどこからやるんでしょうか"),
          ("can't get in", "Locked out after wrong password", "Password reset?"),
          ("I forgot my password and can't get into the system. Is there a self-service reset somewhere?",
           "I fat-fingered my password a few times and now I'm shut out. How long do I have to wait?",
           "I type my email and password correctly but it just bounces me back to the sign-in page.")),
    Topic("missing-punches", "troubleshooting/data/missing-punches",
          ("打刻したはずなのに", "勤怠一覧に載ってない", "記録が飛んでる？", "圏外での打刻"),
          ("地下の現場で出勤ボタンを押したスタッフの分が、勤怠の一覧に出てきません。電波が弱かったせいでしょうか。",
           "トンネル工事の現場で打刻した記録が、事務所のパソコンで見ると空欄のままです。",
           "山の中の現場で電波がない状態で打刻したら、その日の出勤が入っていませんでした。どうすれば反映されますか。",
           "アプリ上は押せたのに管理画面の一覧には載っていない打刻があります。圏外だったかもしれません。"),
          ("Missing time entries", "Check-ins not showing on the web"),
          ("Some of our crew checked in underground with no signal, and those entries never made it to the list.",
           "The app accepted the check-in but the record isn't on the web list. The phone may have been offline.")),
    Topic("mobile-clock-in", "employees/timecard/clock-in",
          ("スマホからの出退勤", "携帯での打刻方法", "新人向けに打刻のやり方", "出勤ボタンについて"),
          ("新しく入ったアルバイトの子に、スマホで出勤と退勤をつける手順を説明したいです。どこを押せばいいですか。",
           "直行の日はスマホから出勤を押せばいいんでしょうか？アプリの使い方がよく分かっていません。",
           "スマホで打刻したときに、どこで押したかの位置も会社に記録されるのか社員から聞かれました。",
           "出勤を押し忘れた日があります。あとから直してもらうにはどうやって申請すればいいですか。"),
          ("How do I check in from my phone?", "Does the app track where I check in?"),
          ("New hire here. How do I check in and check out using the phone app?",
           "Does the mobile app record my location when I check in? A colleague asked and I wasn't sure.")),
    Topic("approve", "employees/requests/approve-requests",
          ("承認のやり方", "部下からの申請", "差戻ししたい", "申請がきたけど"),
          ("部下から休日出勤の申請が届きました。承認するにはどの画面を開けばいいですか。",
           "申請内容に誤りがあったので本人に返したいです。差し戻すときに理由を書けますか。",
           "承認者に設定されたのですが、申請が届いたことはどうやって気づけますか。通知は来ますか。",
           "今月から主任になり申請を見る立場になりました。承認と差し戻しのやり方を教えてください。"),
          ("Approving what my team submits", "Return a request to the employee"),
          ("I'm a new approver. Where do I go to approve what my team submits?",
           "One request has wrong dates. Can I bounce it back to them with a note so they fix it?")),
    Topic("payroll-export", "admin/integrations/payroll-export",
          ("給与ソフト用のデータ", "CSV出力のやり方", "月次データを給与に渡したい", "給与計算への取り込み"),
          ("毎月の勤怠を給与計算ソフトに取り込みたいです。CSVで出力する手順を教えてください。",
           "使っている給与ソフトに合わせた形式で勤怠データを出せますか。出力形式の選び方が分かりません。",
           "給与担当です。月末に勤怠データをダウンロードしたいのですが、出力ボタンが押せません。締めが必要ですか。",
           "残業時間と出勤日数を給与ソフトに渡すためのファイルはどこから出せますか。"),
          ("Exporting hours for payroll", "Monthly CSV for the payroll program"),
          ("Where do I get a monthly CSV of hours that our payroll program can read?",
           "Can the export match the format our payroll package expects?")),
    Topic("api", "admin/integrations/api-access",
          ("APIの利用について", "APIのトークンを作りたい", "外部システムから勤怠を取得したい", "API 呼び出し回数"),
          ("自社の基幹システムから勤怠データを取得したいので、APIのトークンを発行する手順を教えてください。",
           "APIトークンを作ったときにコピーし忘れました。もう一度表示させることはできますか。",
           "APIは1分間に何回まで呼べますか。夜間バッチでまとめて従業員を登録したいです。",
           "APIで従業員を作成したいのですが、認証のヘッダーには何を入れればいいですか。"),
          ("API token", "Request limit on the REST API", "Reading attendance via API"),
          ("Our dev team wants to pull time records out of your REST API. Where do we generate a token?",
           "What's the request limit per minute on the API? We're planning a nightly sync.",
           "I closed the dialog before copying the API token. Can I see it again?")),
    Topic("roles", "admin/users/roles",
          ("権限の違い", "労務担当の権限とは", "権限の変え方", "ロールについて"),
          ("権限が4種類あるようですが、管理者と労務担当と一般で、それぞれ何ができるのか比べたいです。",
           "経理の人には勤怠の締めと出力だけやってもらいたいです。付けるべき権限はどれですか。",
           "異動した社員の権限を一般から承認者に変えたいです。どこで変更できますか。",
           "権限を変えたらすぐ反映されますか？それとも再ログインが必要ですか。"),
          ("Admin vs Payroll role", "Changing someone's role"),
          ("We're trying to figure out who should be Administrator vs Payroll. What is each role allowed to do?",
           "How do I change an employee's role from Member to Approver?")),
    Topic("trial", "getting-started/faq/trial-faq",
          ("無料お試しについて", "試用期間は何日？", "トライアル終了後", "お試し版のデータ"),
          ("無料で試せる期間は何日ありますか。すべての機能が使えますか。",
           "お試し中に登録したスタッフや打刻の記録は、正式に申し込んだ後も残りますか。",
           "トライアルで合わないと思ったら、やめる連絡などは必要ですか。"),
          ("A few trial questions", "What happens after the trial"),
          ("How long is the free trial, and is every feature included?",
           "If we sign up after the trial, do we keep the employees we already entered?")),
    # --- not answered by the sample knowledge base -------------------------------------------------------
    Topic("reopen-month", None,
          ("締めた月を直したい", "締め処理の解除", "確定後の修正", "月次締めを戻せますか"),
          ("10月分の締め処理をしてしまった後に打刻の間違いが見つかりました。締めを解除して修正することはできますか。",
           "月次の締めを確定した月を、もう一度編集できる状態に戻したいです。",
           "労務担当が誤って締めてしまいました。締め処理を取り消すにはどうすればいいですか。",
           "締め後に遅れて届いた休暇申請を反映させたいのですが、締めた月は触れないのでしょうか。"),
          ("Reopen a closed month", "Undo month-end close"),
          ("We closed October too early and found mistakes. Can a closed pay period be reopened for edits?",
           "Our payroll person locked the month by accident. How do we unlock it so managers can fix entries?")),
    Topic("webhook", None,
          ("Webhookはありますか", "打刻時に外部へ通知", "リアルタイム連携", "API以外の連携方法"),
          ("打刻された瞬間に自社のシステムへ通知を送るWebhookのような仕組みはありますか。",
           "APIを定期的に呼ぶのではなく、申請が承認されたタイミングでこちらのURLに送ってほしいです。",
           "入退室管理システムと連動させたいので、出勤の打刻をイベントとして受け取る方法を探しています。",
           "Webhookの送信先URLを登録する画面が見つかりません。対応していますか。"),
          ("Webhooks?", "Event notifications to our endpoint"),
          ("Instead of polling the API, can you push an event to our endpoint whenever someone checks in?",
           "Do you support webhooks? We'd like a callback URL hit when a request is approved.")),
    Topic("view-scope", None,
          ("店長に自店舗だけ見せたい", "閲覧範囲の制限", "他部署のデータが見えてしまう", "見える範囲"),
          ("各店舗の店長には自分の店のスタッフの勤怠だけ見せたいです。他店のデータを見えなくできますか。",
           "承認者にすると他部署の人の打刻まで見えてしまいます。見える範囲を所属単位に絞れますか。",
           "エリアマネージャーには担当する5店舗分だけ閲覧させたいのですが、そういう設定はありますか。",
           "人事以外の管理職から、全社員の勤怠が丸見えなのは困るという声が出ています。閲覧範囲を限定したいです。"),
          ("Limit what store managers can see", "Restrict visibility to one location"),
          ("Store managers can see everyone's hours company-wide. Can we limit each manager to their own location?",
           "Is it possible to scope an approver's visibility to just their branch?")),
    Topic("login-email-change", None,
          ("メールアドレスの変更", "ログインIDを変えたい", "姓が変わったので", "アドレス変更後のログイン"),
          ("結婚して名字が変わり、会社のメールアドレスも変わりました。ログインに使うアドレスを新しいものに変えられますか。",
           "社員のメアドがドメイン変更で全部変わります。ログインIDになっているメールアドレスを一括で変える方法はありますか。",
           "退職した前任者のアドレスで管理者登録しています。ログイン用のメールアドレスを自分のものに付け替えたいです。",
           "個人のフリーメールで登録してしまったスタッフがいます。会社のアドレスに変更したいです。"),
          ("Change my login email", "Update the address used to sign in"),
          ("Our company changed its email domain. How do we update the address each person uses to sign in?",
           "I got married and my work email changed. Can I switch my account to the new address?")),
    Topic("edit-history", None,
          ("打刻修正の履歴", "誰が勤怠を書き換えたか", "変更ログを見たい", "監査対応"),
          ("ある社員の出勤時刻が後から書き換えられていました。誰がいつ修正したのか履歴を見られますか。",
           "労基の調査で、勤怠記録の変更履歴を提出するよう言われました。修正のログは出せますか。",
           "管理者が打刻時刻を編集したときに、元の時刻と変更後の時刻が記録として残るのか知りたいです。",
           "内部監査で、勤怠データの改ざんがないことを示す必要があります。操作ログのようなものはありますか。"),
          ("Audit trail for time edits", "Who changed this entry?"),
          ("Someone edited an employee's start time last week. Is there an audit log showing who changed it and when?",
           "For an upcoming visit from the labor office we need the history of changes to time records. Can we export an audit trail?")),
    Topic("break-punch", None,
          ("休憩の打刻", "休憩開始ボタンがない", "休憩時間をアプリで記録", "中抜けの記録"),
          ("アプリに出勤と退勤のボタンしかありません。休憩に入るときと戻るときも押せるようにできますか。",
           "休憩を実際に取った時間で記録したいので、休憩開始と休憩終了をスマホで打刻させたいです。",
           "昼に1時間中抜けするスタッフがいます。途中で抜けた時間をアプリで記録する方法はありますか。",
           "休憩ボタンを表示させる設定はどこにありますか。"),
          ("Lunch button in the app?", "Logging when people step out"),
          ("The app only has check-in and check-out. Can staff also tap when they go to lunch and when they come back?",
           "We need the real time people step out for meals, not a fixed deduction. Is there a 'going to lunch / back' button?")),
    Topic("trial-extension", None,
          ("トライアル延長のお願い", "お試し期間をのばしたい", "試用期間の延長可否"),
          ("社内の稟議が間に合わず、無料期間が終わってしまいそうです。あと2週間ほど延長していただくことはできますか。",
           "お試しの30日では繁忙期の検証ができませんでした。トライアルを延ばしてもらえませんか。",
           "トライアル期間が昨日で切れてしまいました。再開か延長は可能でしょうか。"),
          ("Extend our trial", "Trial expired, more time?"),
          ("Our sign-off process is slow. Could you extend our trial by a couple of weeks?",
           "The trial ran out before we finished testing. Is an extension possible?"),
          weight=0.9),
    Topic("rounding", None,
          ("打刻時間の丸め", "端数の切り捨て", "15分単位にしたい", "1分単位の計算"),
          ("出勤の打刻を15分単位で切り上げ、退勤を15分単位で切り捨てるような丸めの設定はできますか。",
           "8時53分に出勤を押した人を9時00分扱いにしたいです。端数処理の設定方法を教えてください。",
           "残業を1分単位で計算したいのですが、今は30分単位に丸められているように見えます。"),
          ("Rounding check-in times", "15-minute increments"),
          ("Can check-in times be rounded up to the next 15 minutes and check-out times rounded down?",
           "Someone who checks in at 8:53 should count from 9:00. Where is the rounding setting?")),
)

COMPANIES = ("株式会社みなと建設", "医療法人社団 さくら通りクリニック", "株式会社かもめダイニング", "学校法人 白樺学園",
             "株式会社トキワ交通", "ささら介護サービス株式会社", "北斗電設工業株式会社", "株式会社はるかぜ保育園")
COMPANIES_EN = ("Harbor Point Dental", "Nakamura Robotics Inc.", "Greenleaf Childcare Pty Ltd", "Sakura Bistro Group")
PEOPLE = ("高橋 美咲", "佐野 健太", "小松 由美子", "田村 直樹", "松井 彩", "中川 大輔", "橋本 理恵", "工藤 翔")
DOMAINS = ("minato-kensetsu.co.jp", "sakuradori-cl.jp", "kamome-dining.com", "shirakaba.ac.jp", "tokiwa-bus.jp",
           "sasara-care.com", "hokuto-densetsu.co.jp", "harukaze-hoiku.jp")
DOMAINS_EN = ("harborpoint.example", "nakamura-robotics.example", "greenleaf.example", "sakurabistro.example")
PEOPLE_ROMAJI = {"高橋 美咲": "m.takahashi", "佐野 健太": "sano-k", "小松 由美子": "y_komatsu", "田村 直樹": "tamura",
                 "松井 彩": "aya.matsui", "中川 大輔": "d-nakagawa", "橋本 理恵": "hashimoto.r", "工藤 翔": "kudo"}
PEOPLE_KANA = {"高橋 美咲": "タカハシ ミサキ", "佐野 健太": "サノ ケンタ", "小松 由美子": "コマツ ユミコ", "田村 直樹": "タムラ ナオキ",
               "松井 彩": "マツイ アヤ", "中川 大輔": "ナカガワ ダイスケ", "橋本 理恵": "ハシモト リエ", "工藤 翔": "クドウ ショウ"}
PEOPLE_EN = ("Olivia Chen", "Ravi Kumar", "Emma Walsh", "Kenji Mori", "Lucas Ferreira")
DEPTS = ("総務課", "管理部 人事グループ", "事務局", "経営管理室", "店舗サポート課")
TITLES_EN = ("Office Manager", "HR Coordinator", "Operations Lead", "IT Administrator")
VAGUE = ("お世話になっております", "【至急】", "無題", "（件名なし）", "確認", "RE: RE: お問い合わせの件", "ご相談", "すみません")
VAGUE_EN = ("Help", "question", "no subject", "FYI", "RE: RE: ticket")
# Background a customer adds before the question, unrelated to the topic.
CONTEXT_JA = ("", "", "", "", "うちは24時間営業の店舗です。", "介護の事業所で使っています。", "先月から導入しました。",
              "社員30名ほどの会社です。", "現場が5か所に分かれています。", "何度もすみません。", "急ぎではないのですが、")
CLOSE_JA = ("", "", "", "お手数ですがよろしくお願いします。", "ヘルプを探しても見つからなかったので質問しました。",
            "現場から早く教えてほしいと言われています。", "お返事お待ちしています。")
CONTEXT_EN = ("", "", "", "We're a small clinic. ", "We rolled this out last month. ", "Sorry if this is obvious. ")
CLOSE_EN = ("", "", "Thanks a lot.", "Cheers.", "Appreciate it!", "No rush.")

ONEOFFS_JA = (
    "来年度の契約更新の見積もりをお願いします。", "支払い方法をクレジットカードに変えたいです。", "御社の休業日を教えてください。",
    "サポートの方の説明がとても分かりやすかったです。お礼まで。", "社名が変わりました。登記簿の写しは必要ですか。",
    "御社の個人情報保護方針のページが開けません。", "電話がつながらなかったので、こちらに書きます。至急ではないです。",
    "導入説明会の申込みをキャンセルしたいです。", "補助金の申請に使える書類はありますか。", "貴社のロゴの使用許可をいただけますか。",
    "自己解決しました。この件は閉じていただいて結構です。", "担当の変更連絡です。今後は私宛てにお願いします。",
    "官公庁向けの入札資料は出していただけますか。", "先ほど送ったメールは間違いです。無視してください。",
    "新聞の取材をお受けいただけますか。", "年末調整のソフトも販売していますか。", "御社の株主優待はありますか。",
    "研修動画のDVDをお送りいただけますか。", "スマホのOSのサポート終了予定を教えてください。", "紙の請求書を郵送してほしいです。",
    "ほかの拠点の担当者を紹介したいです。", "海外送金での支払いは可能ですか。", "代理店の連絡先を知りたいです。",
    "障害のお知らせメールが届かなくなりました。", "アンケートのお礼のギフト券が届いていません。",
    "問い合わせ番号を忘れました。前の件の進み具合を知りたいです。", "社内でのプレゼン用に導入効果の資料がほしいです。",
)
ONEOFFS_EN = ("Could you send the signed order form back to us?", "Do you offer a nonprofit discount?",
              "All good now, you can close this.", "Has our sales rep changed? We haven't heard from them in months.",
              "Can we get outage alerts by email?", "Please add our accountant to the billing emails.",
              "Do you attend the HR Tech expo in Tokyo?", "Sent to the wrong team, sorry — please disregard.")
SPAM = (("【無料診断】御社の電気代、見直しませんか", "法人向け電力プランのご案内です。今なら切替手数料0円。下記フォームよりお問い合わせください。"),
        ("求人広告掲載のご案内", "掲載課金なしで応募が集まる求人サイトです。初回無料キャンペーン実施中。"),
        ("Your package could not be delivered", "We attempted delivery today. Confirm your address within 48h: "
         "http://parcel-track.example/confirm"),
        ("Guest post opportunity", "Hi, I'd love to write a guest post for your blog. We charge a small fee for links."))


@dataclass(frozen=True)
class Sender:
    company: str
    person: str
    dept: str
    email: str
    tel: str

    @property
    def family(self) -> str:
        return self.person.split()[0]


Layout = Callable[[str, str, random.Random, Sender], tuple[str, str]]


def _tel(rng: random.Random) -> str:
    return pick(rng, (f"0467-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
                      f"(011){rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                      f"090 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
                      f"０４５－{rng.randrange(100, 999)}－{rng.randrange(1000, 9999)}"))


def _sender(rng: random.Random, en: bool) -> Sender:
    i = rng.randrange(len(COMPANIES_EN if en else COMPANIES))
    company, domain = (COMPANIES_EN if en else COMPANIES)[i], (DOMAINS_EN if en else DOMAINS)[i]
    person = pick(rng, PEOPLE_EN if en else PEOPLE)
    handle = pick(rng, ("office", "jinji", "admin01", "soumu") if not en else ("hello", "ops", "it-desk"))
    if rng.random() < 0.5:
        handle = PEOPLE_ROMAJI.get(person, person.split()[0].lower())
    return Sender(company, person, pick(rng, TITLES_EN if en else DEPTS), f"{handle}@{domain}", _tel(rng))


def _ocr_slips(text: str, rng: random.Random) -> str:
    """What a fax typed in by OCR does: ー read as 一, a stray space, ロ read as 口."""
    text = text.replace("ー", "一") if rng.random() < 0.5 else text
    if rng.random() < 0.5 and len(text) > 10:
        i = rng.randrange(1, len(text) - 1)
        text = text[:i] + " " + text[i:]
    return text.replace("ロ", "口") if rng.random() < 0.3 else text


def _question_ja(topic: Topic, rng: random.Random) -> str:
    core = pick(rng, topic.ja_questions)
    if rng.random() < 0.2:
        more = pick(rng, topic.ja_questions)
        core = core if more == core else f"{core}\nそれと、{more}"
    text = pick(rng, CONTEXT_JA) + core + pick(rng, CLOSE_JA)
    roll = rng.random()
    if roll < 0.14:
        text = typo(text, rng)
    elif roll < 0.2:
        text = half_width_kana(text)
    elif roll < 0.26:
        text = full_width(text)
    return text


def _question_en(topic: Topic, rng: random.Random) -> str:
    text = f"{pick(rng, CONTEXT_EN)}{pick(rng, topic.en_questions)} {pick(rng, CLOSE_EN)}".strip()
    roll = rng.random()
    if roll < 0.15:
        text = typo(text, rng)
    elif roll < 0.3:
        text = text.lower().replace("?", "")
    return text


# --- Japanese layouts ----------------------------------------------------------------------------------------

def _block_form(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """A contact form that puts each label on a line and its value on the next."""
    kana = PEOPLE_KANA.get(s.person, "")
    body = "\n".join(("■貴社名", s.company, "■部署・役職", s.dept, "■お名前（フリガナ）", f"{s.person}（{kana}）",
                      "■お電話番号", s.tel, "■E-mail", s.email, "■ご利用状況",
                      pick(rng, ("本契約", "トライアル中", "検討中")), "■お問い合わせ内容", question, "",
                      "――――――――――――――――――――", "本メールはお問い合わせ受付システムより配信しています。"))
    return (subject if rng.random() < 0.5 else "【クラウド勤怠】お問い合わせを受け付けました"), body


def _old_exchange(rng: random.Random, s: Sender, old: Topic) -> list[str]:
    """Lines of an earlier, settled exchange about another topic, as support and the customer wrote them."""
    support = (f"{s.family}様", "", "いつもクラウド勤怠をご利用いただきありがとうございます。", "サポートセンターの三浦でございます。",
               "", f"お問い合わせいただいた「{pick(rng, old.ja_subjects)}」の件につきまして、ご案内いたします。",
               "社内で確認しましたところ、設定画面から変更いただける内容でございました。",
               "お手数ですが、管理画面の右上のメニューからお進みいただき、内容をご確認くださいませ。",
               "なお、変更内容は保存した時点から反映され、過去の記録には影響いたしません。",
               "画面の場所が分かりにくい場合は、画面共有でのご案内も承っておりますのでお申し付けください。",
               "ご不明な点がございましたら、本メールにそのままご返信ください。", "",
               "――――――――――", "クラウド勤怠 サポートセンター 三浦", "受付時間 平日10:00〜18:00", "――――――――――")
    customer = ("お世話になっております。", f"{s.company}の{s.family}です。", "",
                pick(rng, old.ja_questions), "社内でも調べてみたのですが分からず、ご連絡しました。",
                "お忙しいところ恐縮ですが、ご確認をお願いいたします。", "", s.person)
    return [*support, "", f"{s.person} wrote:", *customer]


def _long_thread(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """A reply written under the whole conversation, quoted two and three levels deep."""
    mark, old = pick(rng, (">", "＞", "> ")), pick(rng, TOPICS)
    lines = [f"{s.family}です。ご丁寧にありがとうございました。", "", f"2026/10/{rng.randrange(1, 28)} {rng.randrange(9, 18)}:"
             f"{rng.randrange(10, 59)}、クラウド勤怠サポート wrote:"]
    for depth in range(1, rng.randrange(4, 6)):
        prefix = (mark + " ") * depth if mark != "> " else "> " * depth
        lines += [f"{prefix}{line}".rstrip() for line in _old_exchange(rng, s, old)]
        lines.append(prefix.rstrip())
    tail = ("", "上記の件は解決しました。", "", "別件で申し訳ないのですが、もう一つ教えてください。", question, "", s.person)
    return "Re: Re: Re: " + subject, "\n".join([*lines, *tail])


def _crm_record(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """A call-centre record: the agent writes down what the caller asked."""
    body = "\n".join((f"受付No.：2026-{rng.randrange(1000, 1299)}-{rng.randrange(1000, 9999)}",
                      f"受付日時：2026/10/{rng.randrange(1, 28)} {rng.randrange(9, 18)}:{rng.randrange(10, 59)}",
                      f"受付チャネル：{pick(rng, ('電話（代表）', '電話（サポート専用）', '折返し'))}",
                      f"顧客名：{s.company} {s.dept} {s.family}様", f"連絡先：{s.tel}",
                      f"区分：{pick(rng, ('操作問合せ', '要望', '不具合疑い', 'その他'))}",
                      f"問合せ概要：お客様より「{question}」とのこと。",
                      f"一次回答：{pick(rng, ('確認のうえ折返しとお伝え', 'ヘルプ記事をご案内済み', '二次対応へエスカレーション'))}",
                      f"担当：{pick(rng, ('一次受付 佐々木', '一次受付 大西', 'SV 桑原'))}"))
    return (subject if rng.random() < 0.4 else f"入電記録 {s.company}様"), body


def _chatwork(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    room = rng.randrange(100000, 999999)
    body = "\n".join((f"[info][title]【{s.company}様】クラウド勤怠 サポートルーム[/title]"
                      "このルームではクラウド勤怠の操作についてご相談を受け付けています。[/info]",
                      f"[To:{rng.randrange(1000000, 9999999)}]クラウド勤怠サポートさん", question,
                      f"[rp aid={rng.randrange(1000000, 9999999)} to={room}-{rng.randrange(1000, 9999)}]{s.family}さん",
                      "ご連絡ありがとうございます！担当者より本日中に回答いたします。"))
    return (subject if rng.random() < 0.35 else "Chatworkルームからの相談"), body


def _fax(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """A faxed form, typed in by an OCR: full-width labels, hand-drawn rules and the odd misread character."""
    body = "\n".join(("ＦＡＸ送信票", f"送信日：2026年10月{rng.randrange(1, 28)}日　　枚数：1枚（本紙含む）",
                      "宛先：クラウド勤怠　サポートセンター　御中", f"発信元：{s.company}　{s.dept}　{s.person}",
                      f"ＴＥＬ：{s.tel}　ＦＡＸ：{_tel(rng)}", f"件名：{subject}", "―――――――――――――――",
                      _ocr_slips(question, rng), "―――――――――――――――",
                      "※ご回答はＦＡＸまたはお電話にてお願いいたします。"))
    return (subject if rng.random() < 0.3 else "FAX受信"), body


def _json_form(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """A landing page's form that the mail relay passed on as it was posted."""
    payload = {"form_id": pick(rng, ("contact-v3", "support_jp", "inquiry-lp2")),
               "submitted_at": f"2026-10-{rng.randrange(10, 28)}T{rng.randrange(10, 23)}:{rng.randrange(10, 59)}:05+09:00",
               "fields": {"company": s.company, "name": s.person, "email": s.email, "tel": s.tel,
                          "category": pick(rng, ("使い方", "機能について", "other", "technical")), "message": question},
               "utm_source": pick(rng, ("google", "newsletter", "direct")),
               "page": pick(rng, ("https://kintai.example/contact", "https://kintai.example/pricing"))}
    return (subject if rng.random() < 0.2 else "New submission: contact form"), json.dumps(payload, ensure_ascii=False)


def _request_template(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """An IT department's fixed template for anything it sends to a vendor."""
    body = "\n".join(("※社内システム窓口の定型フォーマットで失礼いたします。", "",
                      f"1. 依頼部署：{s.dept}", f"2. 依頼者：{s.person}",
                      f"3. 対象システム：クラウド勤怠（{pick(rng, ('管理画面', 'スマホアプリ', '全般'))}）",
                      "4. 依頼内容：", question, f"5. 希望回答期限：{rng.randrange(10, 12)}月{rng.randrange(1, 28)}日",
                      f"6. 影響人数：約{rng.randrange(5, 300)}名", "", "以上"))
    return (subject if rng.random() < 0.5 else f"[{s.dept}] 問合せ依頼"), body


def _boxed_mail(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    greeting = pick(rng, ("お世話になっております。", "いつも大変お世話になっております。", "はじめてご連絡いたします。",
                          "ご担当者様\n\nお疲れ様です。"))
    close = pick(rng, ("お手数をおかけしますが、ご教示いただけますと幸いです。", "何卒よろしくお願い申し上げます。",
                       "取り急ぎ、よろしくお願いします。"))
    top, bottom = pick(rng, (("┏━━━━━━━━━━━━━━━━━━┓", "┗━━━━━━━━━━━━━━━━━━┛"),
                             ("*~*~*~*~*~*~*~*~*~*~*~*", "*~*~*~*~*~*~*~*~*~*~*~*"), ("／／／／／／／／／／", "／／／／／／／／／／")))
    body = "\n".join((greeting, f"{s.company}の{s.person}でございます。", "", question, "", close, "", top,
                      f"　{s.company}", f"　{s.dept}　{s.person}",
                      f"　〒{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)} 神奈川県藤沢市{rng.randrange(1, 9)}-{rng.randrange(1, 30)}",
                      f"　TEL:{s.tel} / FAX:{_tel(rng)}", f"　Mail:{s.email}", bottom))
    return subject, body


def _inline_reply(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    """A reply that answers support's checklist between the quoted lines, then asks something new under it."""
    body = "\n".join((f"{s.family}です。ご返信ありがとうございます。", "回答を下記に記載します。", "",
                      "> ・ご利用の端末（iPhone / Android / PC）", pick(rng, ("iPhoneです", "Androidです", "PCのChromeです")),
                      "> ・発生した日時", pick(rng, ("先週の金曜の朝", "10/3 8:30ごろ", "毎日です")),
                      "> ・対象の従業員数", f"{rng.randrange(1, 40)}名", "> ・エラー画面のスクリーンショット",
                      pick(rng, ("添付します", "撮れませんでした")), "", pick(rng, ("あと別件ですが、", "それから、", "ついでにすみません。")),
                      question))
    return "Re: " + subject, body


# --- English layouts -----------------------------------------------------------------------------------------

def _whatsapp(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    day, h = rng.randrange(1, 28), rng.randrange(8, 17)
    first = s.person.split()[0]
    body = "\n".join((f"WhatsApp Chat with Kintai Support ({s.company})", "",
                      f"[{day:02d}/10/2026, {h:02d}:{rng.randrange(0, 20):02d}:11] {first}: hi is anyone there",
                      f"[{day:02d}/10/2026, {h:02d}:{rng.randrange(20, 30):02d}:40] Kintai Support: Hello {first}, "
                      "how can we help today?",
                      f"[{day:02d}/10/2026, {h:02d}:{rng.randrange(30, 45):02d}:02] {first}: {question}",
                      f"[{day:02d}/10/2026, {h:02d}:{rng.randrange(45, 59):02d}:17] Kintai Support: Thanks, we've "
                      "opened a ticket and will reply by email.",
                      f"[{day:02d}/10/2026, {h:02d}:59:30] {first}: <Media omitted>"))
    return (subject if rng.random() < 0.3 else "WhatsApp conversation"), body


def _outlook_top(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    old = pick(rng, TOPICS)
    body = "\n".join((pick(rng, ("Hi team,", "Hello,", "Hi Kintai support,")), "", question, "",
                      pick(rng, ("Best,", "Kind regards,", "Thanks,")), s.person, "", "_" * 32,
                      "From: Kintai Support <help@kintai.example>",
                      f"Sent: Wednesday, October {rng.randrange(1, 28)}, 2026 4:{rng.randrange(10, 59)} PM",
                      f"To: {s.person} <{s.email}>", f"Subject: RE: {pick(rng, old.en_subjects)}", "",
                      f"Hi {s.person.split()[0]},", "",
                      "Thanks for getting in touch. An administrator can change this from the settings menu.",
                      "Let us know if anything else comes up.", "", "Kintai Support"))
    return "RE: " + subject, body


def _bottom_thread_en(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    old = pick(rng, TOPICS)
    first = s.person.split()[0]
    history = [f"Hi {first},", "", "Thanks for your patience while we looked into this.",
               f"About \"{pick(rng, old.en_subjects)}\": an administrator can change this from the settings menu,",
               "and the change takes effect straight away. If it doesn't, please send us a screenshot.", "",
               "Kind regards,", "Kintai Support", "",
               f"On Mon, Oct {rng.randrange(1, 28)}, 2026 at 10:04 AM {s.person} wrote:",
               pick(rng, old.en_questions), "We checked the help pages but couldn't find it.", "Thanks,", first]
    lines = [f"On Tue, Oct {rng.randrange(1, 28)}, 2026 at 2:{rng.randrange(10, 59)} PM Kintai Support "
             "<help@kintai.example> wrote:"]
    for depth in range(1, rng.randrange(4, 6)):
        lines += [("> " * depth + h).rstrip() for h in history]
    return "Re: " + subject, "\n".join([*lines, "", "That worked, thanks. One more thing:", question, "", first])


def _request_template_en(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    body = "\n".join(("Summary: " + subject, f"Requested by: {s.person} ({s.dept})",
                      f"Affected users: {rng.randrange(1, 120)}", f"Priority: {pick(rng, ('Low', 'Medium', 'High'))}",
                      "Details:", question, "", "-- sent via our internal IT request portal"))
    return (subject if rng.random() < 0.5 else "Vendor request"), body


def _plain_en(subject: str, question: str, rng: random.Random, s: Sender) -> tuple[str, str]:
    body = "\n".join((pick(rng, ("Hi there,", "Hello Kintai team,", "Good afternoon,", "")), "", question, "",
                      pick(rng, ("Best,", "Thanks,", "Regards,")), s.person, f"{s.dept} | {s.company}",
                      f"T +81 {rng.randrange(3, 9)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)} | "
                      f"www.{s.email.split('@')[1]}"))
    return subject, body


LAYOUTS_JA: tuple[tuple[Layout, int], ...] = (
    (_block_form, 15), (_long_thread, 12), (_crm_record, 12), (_chatwork, 9), (_fax, 5), (_json_form, 7),
    (_request_template, 7), (_boxed_mail, 23), (_inline_reply, 10))
LAYOUTS_EN: tuple[tuple[Layout, int], ...] = (
    (_whatsapp, 18), (_outlook_top, 20), (_bottom_thread_en, 15), (_request_template_en, 12), (_json_form, 10),
    (_plain_en, 25))


def write(label: str, lang: str, rng: random.Random) -> tuple[str, str]:
    if label == "spam":
        return pick(rng, SPAM)
    en = lang == "en"
    sender = _sender(rng, en)
    if label.startswith("oneoff-"):
        n = int(label.split("-")[1])
        question = ONEOFFS_EN[n % len(ONEOFFS_EN)] if en else ONEOFFS_JA[n % len(ONEOFFS_JA)]
        subject = pick(rng, VAGUE_EN if en else VAGUE) if rng.random() < 0.6 else question[:16]
    else:
        topic = next(t for t in TOPICS if t.id == label)
        question = _question_en(topic, rng) if en else _question_ja(topic, rng)
        subject = pick(rng, topic.en_subjects if en else topic.ja_subjects)
        roll = rng.random()
        if roll < 0.22:
            subject = pick(rng, VAGUE_EN if en else VAGUE)
        elif not en and roll < 0.3:
            subject = typo(subject, rng) if roll < 0.26 else half_width_kana(subject)
    layouts = LAYOUTS_EN if en else LAYOUTS_JA
    layout = rng.choices([f for f, _ in layouts], weights=[w for _, w in layouts])[0]
    return layout(subject, question, rng, sender)


CORPUS = Corpus("D (held back, unseen)", TOPICS, oneoffs=len(ONEOFFS_JA), write=write, english=0.24,
                oneoff_share=0.09, spam_share=0.012, rising=frozenset({"webhook", "break-punch", "payroll-export"}))
