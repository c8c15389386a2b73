"""A fresh held-back corpus for ``kb gaps`` (corpus F), written on 2026-12-07 by a helper that did not work on kb/gaps.

Corpora A to E had all been read by the people tuning ``kb gaps`` by the time F was written (E's figures were
printed at the end of the stop that wrote it), so none of them is held back any more. F was written from the issue's
description of real tickets, the sample knowledge base (kb/articles) and the shared machinery of sandbox/corpus.py,
without reading kb/gaps, and landed before ``kb gaps`` or bench/gaps.py ever ran on it. Its figures are printed by
``python bench/gaps.py --only F --skip-large``; whoever changes kb/gaps is not to look at its tickets, its normalised
text or its proposals.

The same product (クラウド勤怠) and knowledge base; other customers (dental clinics, a bakery chain, a taxi company,
a ski resort, a call centre, a fishery co-op, hair salons, a removals firm, a university lab, a software house),
other phrasings and other layouts than A to E:

- in Japanese: a web form whose category is a row of ticked and unticked boxes (■/□), a Gmail-style thread whose
  older mails are quoted under ``2026年10月3日(土) 10:12 名前 <address>:`` lines with the new question at the
  bottom, an automatic call summary from the phone system (agent-side), a row pasted from the customer's own
  spreadsheet of open questions (tab-separated, with its header row), a webinar Q&A report, a first-line agent's
  internal escalation note, a kintone record notification whose rich-text field arrives as HTML, a Google Chat space
  shared during onboarding and copied into a ticket, and plain mail with ◇◆ signatures;
- in English (about a fifth): an issue-template in Markdown (``### What happened?``), an Apple-Mail-style thread
  under ``On 6 Oct 2026, at 09:41, … wrote:`` lines with the question at the bottom, the call summary, the webinar
  Q&A report, the shared chat space, and plain mail with long sign-offs.

Customers write with vague subjects, typos, full-width ASCII, half-width katakana, casual and formal registers,
and background sentences that have nothing to do with their question. Nine covered topics map to real articles (the
API one to an article in English only). Seven uncovered topics are what a writer needs, six of them next to a
covered one: revoking or deleting an API token (next to creating one), choosing and ordering the columns of the
payroll CSV (next to exporting it), signing up and paying once the trial ends (next to the trial FAQ), a work-rule
change that takes effect from a given date (next to setting work rules up), moving the app to a new phone (next to
clocking in from the phone), approving many requests at once (next to approving one), and substitute days off for
work on a day off. Words were chosen the way customers say them, not from kb gaps' glossary or kb/gaps.yaml.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.corpus import Corpus, Topic, full_width, half_width_kana, pick, typo

TOPICS: tuple[Topic, ...] = (
    Topic("login", "troubleshooting/login/cannot-sign-in",
          ("ログインについて", "入れません…", "ﾛｸﾞｲﾝ不可", "パスワードが通らない"),
          ("パスワードがどうしても思い出せません。どこから作り直せばよいでしょうか？",
           "ログインを何度か試したら、しばらく入れない状態になったみたいです。どれくらい待てばまた入れますか。",
           "アルバイトの子がロックされてしまい今日の勤務に入れません。管理者の私から解除してあげられますか",
           "正しいメールとパスワードを入れてるのにエラーではじかれます、原因として何が考えられますか",
           "うちは社内のIdPでシングルサインオンしているのですが、ログイン画面では何を入力すればいいのでしょう。"),
          ("Locked out", "Can't get in"),
          ("I can't remember my password at all. Where on the sign-in page do I reset it?",
           "Typed my password wrong several times in a row and now it refuses me. When does that lift?",
           "Our company uses single sign-on, so what am I supposed to type on the login screen?")),
    Topic("missing-punches", "troubleshooting/data/missing-punches",
          ("打刻が反映されない件", "退勤が残ってない", "記録が上がってこない"),
          ("デパ地下の売り場で働いているスタッフの出勤記録だけ、管理画面に載ってきません。",
           "トンネル工事の現場で押した退勤が、今日になっても勤怠の画面に載っていません。どうすれば上がりますか。",
           "電波の弱い冷蔵庫の奥で打刻したら、アプリ上は押せたのにパソコンで見ると抜けています。",
           "圏外の場所で押した打刻って、あとで自動的に送られるんでしょうか？一覧に反映されていません。"),
          ("Offline punch vanished", "punch never arrived"),
          ("One of our drivers punched out in a basement car park and it never turned up on the dashboard.",
           "Clock-ins done while offline haven't shown up for the admins yet. Will they upload by themselves later?")),
    Topic("mobile-clock-in", "employees/timecard/clock-in",
          ("スマホで出退勤するやり方", "アプリの打刻手順", "GPSについて"),
          ("新しく入ったパートさんに、スマホアプリで出勤と退勤を押す方法を教えたいのですが手順はどうなりますか。",
           "アプリで打刻すると、いる場所も一緒に記録されますか？スタッフに聞かれて答えられませんでした。",
           "朝、出勤を押すのを忘れてしまいました。あとから直したいのですがどうしたらよいですか。"),
          ("How to punch in on the app", "Does the app track location?"),
          ("Walk me through beginning and ending my shift on the phone, please?",
           "Staff want to know if their position is logged when they punch in with the app.")),
    Topic("approve", "employees/requests/approve-requests",
          ("申請の承認のしかた", "差し戻しについて", "承認の通知"),
          ("部下から休暇の申請が来ているのですが、どこを押せば承認できますか。",
           "書き方がおかしい申請を突き返したいのですが、理由をひとこと添えて戻せますか？",
           "申請が届いたことに承認者はどうやって気づくのでしょう。通知は来ますか。",
           "差し戻した申請は、本人が直してもう一度出せるのでしょうか。"),
          ("How do I approve?", "Rejecting a request"),
          ("Someone on my team sent me a leave request. Which screen lets me OK it?",
           "When a request is filled in wrong, can I reject it and say why?"), weight=2.0),
    Topic("roles", "admin/users/roles",
          ("権限の違い", "権限の変更", "経理担当にどの権限？"),
          ("権限が4つくらいあるみたいですが、それぞれで触れる画面がどう違うのか知りたいです。",
           "経理の人に勤怠データの出力と締めだけやってもらいたいのですが、どの権限を付ければいいですか。",
           "店長には部下の申請の承認だけ任せたいです。付与する権限はどれが適切でしょうか。",
           "ある社員の権限を一般から管理者に上げたいです。どこで変えられますか、すぐ反映されますか？"),
          ("Permission levels", "Change a user's role"),
          ("Which permission level lets a team lead sign off on requests but nothing else?",
           "How do I give someone admin rights, and does it apply immediately?")),
    Topic("payroll-export", "admin/integrations/payroll-export",
          ("給与ソフトへのデータ連携", "CSV出力のやり方", "月次データ出力"),
          ("月締めが終わったので、給与の計算用にCSVを作りたいです。どのメニューから出しますか。",
           "うちは給与ソフトが弥生なのですが、それに合わせた形式で出力できますか？",
           "データ出力しようとしたら対象月が選べませんでした。締めの処理をしないと出せないのでしょうか。"),
          ("Month-end CSV", "payroll file"),
          ("Month end is here. How do I get everyone's hours out as a CSV for payroll?",
           "We use a Japanese payroll product; can the CSV come out in the layout it reads?")),
    Topic("work-rules", "getting-started/setup/work-rules",
          ("就業ルール設定", "所定時間の登録", "パートと正社員でルールを分けたい"),
          ("所定労働時間と休憩時間を登録したいのですが、どこから設定しますか。",
           "正社員とパートで勤務時間の決まりが違います。ルールを複数作って使い分けられますか。",
           "200人分の就業ルールを一人ずつ割り当てるのは大変です。まとめて割り当てる方法はありますか？",
           "初めて設定します。休憩60分、1日8時間のルールを作る手順を教えてください。"),
          ("Standard hours setup", "Different rules for part-timers"),
          ("Which screen holds the standard daily hours and the length of the lunch break?",
           "Our part-time staff work shorter days than full-time. Can each group get its own rule set?")),
    Topic("trial", "getting-started/faq/trial-faq",
          ("お試し期間について", "トライアル", "無料期間の質問"),
          ("お試しは何日間使えるのでしょう？使えない機能があるかも知りたいです。",
           "お試し中に入れた社員情報や打刻は、正式に申し込んだ後も消えずに残りますか。",
           "試してみて合わなかったら、やめる手続きは必要ですか？放っておいて大丈夫でしょうか。"),
          ("Free trial length", "Ending the trial"),
          ("How long do we get to test it for free, and are any features locked?",
           "We might not continue once the test period is up. Is there anything we must do to stop?")),
    Topic("api", "admin/integrations/api-access",
          ("APIの使い方", "APIキー", "API回数制限"),
          ("基幹システムから打刻データを取りたいので、APIの鍵をどこで作るのか教えてください。",
           "APIは1分間に何リクエストまで投げられますか？夜間バッチで大量に呼びたいです。",
           "APIを呼ぶときの認証はどう書けばいいですか？Authorizationヘッダーでしょうか。"),
          ("API key", "API throttling"),
          ("Where do I generate an API token for our HR system?",
           "How many API calls can one token make each minute?")),
    # --- not answered by the sample knowledge base -------------------------------------------------------
    Topic("api-token-revoke", None,
          ("APIトークンを無効にしたい", "トークンの削除", "API鍵が漏れたかも"),
          ("退職した開発担当者が作ったAPIトークンを使えなくしたいです。トークンの削除や無効化はどこでできますか。",
           "誤ってAPIトークンをGitHubの公開リポジトリに載せてしまいました。今すぐ止める方法を教えてください。",
           "使っていない古いAPIトークンが何本も残っています。不要なトークンを消すことはできますか？",
           "外注先に渡していたAPIトークンを、契約終了に合わせて失効させたいです。"),
          ("Revoke an API token", "Leaked token"),
          ("A token was committed to a public repo by mistake. How do I revoke it right away?",
           "Can old API tokens be deleted? A contractor who left still has one.",
           "How do I disable one API token without breaking the integrations that use the others?")),
    Topic("export-layout", None,
          ("CSVの項目を追加したい", "出力する列を変えたい", "出力項目のカスタマイズ"),
          ("給与ソフトに取り込むCSVに、深夜の労働時間と休日出勤の時間も列として入れたいです。出力項目は増やせますか。",
           "出力されるCSVの列の順番が給与ソフト側と合いません。並びを自分で入れ替えられますか？",
           "データ出力に従業員の所属部署の列も付けたいのですが、項目を自由に選ぶ設定はありますか。",
           "CSVの1行目を日本語の項目名にしたいです。列の名前を変えることはできますか。"),
          ("Custom columns in export", "Change CSV layout"),
          ("Can we add columns like night hours or holiday work to the payroll CSV?",
           "Our payroll tool expects the columns in a different order. Can we rearrange the export?",
           "Is it possible to rename the column headers in the exported file?")),
    Topic("paid-signup", None,
          ("本契約の申し込み方法", "有料プランへの切り替え", "支払い方法について"),
          ("トライアルがもうすぐ終わるので、このまま有料で契約したいです。申し込みはどの画面からしますか？",
           "本契約にするとき、支払いはクレジットカードと請求書払いのどちらが選べますか。",
           "お試しから正式契約に切り替える手続きを教えてください。社内の稟議用に見積書も必要です。",
           "有料に移行するタイミングで、契約人数は何人単位で申し込むのでしょうか。"),
          ("Upgrading from the trial", "Paying for a subscription"),
          ("Our trial ends Friday. How do we sign up for a paid plan?",
           "Which payment methods do you accept once we move from trial to paid? Card or invoice?",
           "We'd like to go from the trial to a proper contract for 45 users. What's the process?")),
    Topic("rule-effective-date", None,
          ("就業ルールの変更日", "ルール改定を月途中から", "適用開始日"),
          ("来月の16日から所定労働時間が変わります。就業ルールを変えた内容を、その日から効かせることはできますか。",
           "就業ルールを修正したら、過去の月の集計まで変わってしまわないか心配です。変更前の期間はそのままにできますか？",
           "4月から休憩時間が60分から45分になります。ルールの切り替え日を予約しておく方法はありますか。",
           "月の途中で雇用形態が変わる人がいます。前半と後半で別の就業ルールを当てられますか。"),
          ("Work rule change date", "Schedule a rule change"),
          ("Our working hours change on the 1st of next month. Can a work rule change take effect from a set date?",
           "If I edit a work rule, will past months be recalculated? I want the old rule kept for earlier periods.")),
    Topic("new-phone", None,
          ("機種変更したら", "新しいスマホへの移行", "スマホを買い替えました"),
          ("スマホを機種変更しました。新しい端末にアプリを入れ直したら、前の打刻履歴は引き継がれますか。",
           "社用携帯が新しくなるので、アプリを新しい端末に移す手順を教えてください。古い方はどうすればいいですか。",
           "スマホを落として壊れたので新しいのを買いました。同じアカウントのまま打刻を続けられますか？",
           "iPhoneからAndroidに替えた社員がいます。機種が変わってもそのまま使えるのでしょうか。"),
          ("New phone", "Switching devices"),
          ("I got a new phone. How do I move the attendance app over, and will my history come with it?",
           "An employee lost her phone. Can she keep using the same account on a replacement handset?")),
    Topic("bulk-approve", None,
          ("まとめて承認したい", "一括承認", "承認が多すぎる"),
          ("月末に100件以上の申請がたまります。一件ずつではなく、まとめて承認する方法はありませんか。",
           "申請一覧で複数選んで一度に承認できるボタンはありますか？",
           "同じ内容の残業申請が部署全員分届いています。チェックを付けて一括で承認できると助かるのですが。",
           "承認作業に毎月半日かかっています。一気に処理できる機能があれば教えてください。"),
          ("Approve in bulk", "Approving many requests at once"),
          ("Is there a way to approve lots of requests in one go instead of one by one?",
           "Can I tick several requests and approve them all together?")),
    Topic("substitute-holiday", None,
          ("振替休日の登録", "代休の取り方", "休日出勤の振替"),
          ("日曜に出勤した社員に、翌週の水曜を振替休日としてつけたいです。どう登録すればいいですか。",
           "休日出勤した分の代休を、あとから申請できるようにしたいです。代休の管理はできますか。",
           "振替休日と代休の違いをシステム上でどう分けて扱えばいいのでしょうか。",
           "祝日に出てもらった人の振替日を、本人が選んで申請できる仕組みはありますか？"),
          ("Substitute day off", "Comp day for weekend work"),
          ("Someone worked on Sunday. How do we give them a substitute day off next week?",
           "Can employees request a compensatory day off for working on a holiday?")),
)

COMPANIES = ("医療法人 さくら歯科クリニック", "株式会社ブーランジェリー小麦", "光陽タクシー株式会社",
             "白樺高原リゾート株式会社", "株式会社コールリンク沖縄", "浜松漁業協同組合", "ヘアサロン アンジュ",
             "株式会社まごころ引越センター", "国立〇〇大学 理工学研究科 事務室", "株式会社アルファコード")
DOMAINS = ("sakura-dc.jp", "komugi-bakery.co.jp", "koyo-taxi.co.jp", "shirakaba-resort.jp", "calllink-oki.co.jp",
           "hama-gyokyo.or.jp", "ange-hair.com", "magokoro-hikkoshi.jp", "rikou-office.ac.jp", "alphacode.co.jp")
COMPANIES_EN = ("Harbour Point Serviced Apartments", "Sunrise English Academy", "Kanto Freight Forwarding",
                "Maple Leaf Catering Japan")
DOMAINS_EN = ("harbourpoint.example", "sunrise-academy.example", "kanto-freight.example", "mapleleaf.example")
PEOPLE = ("高橋 由美子", "中川 翔", "藤田 真理", "小林 健二", "松本 あかり", "井上 大地", "清水 かおり", "長谷川 亮")
PEOPLE_EN = ("Olivia Grant", "Marcus Lee", "Sofia Rossi", "Ben Carter", "Aiko Walker", "Raj Mehta")
DEPTS = ("事務長", "本部 総務", "運行管理", "人事グループ", "管理部", "店舗運営課")
TITLES_EN = ("Office Manager", "Operations", "HR Coordinator", "Finance Lead", "Facilities")
AGENTS = ("佐々木", "宮崎", "原田")
AGENTS_EN = ("Emma", "Kenji", "Laura")
VAGUE = ("ご相談", "すみません", "質問があります", "再送）お問い合わせ", "件名なし", "【要返信】", "至急です！",
         "確認させてください")
VAGUE_EN = ("Question", "Help please", "Hi there", "(no subject)", "Following up")

# Background a customer adds before the question, unrelated to the topic.
CONTEXT_JA = ("", "", "", "", "", "先月から本格的に使い始めました。", "店舗が5つあり、私が全店の管理をしています。",
              "パソコンには詳しくないので的外れでしたらすみません。", "繁忙期で人の出入りが多い時期です。",
              "社労士さんからも聞かれている件です。", "マニュアルを見たのですが見つけられませんでした。")
CLOSE_JA = ("", "", "", "よろしくお願いします。", "お手数ですがご確認ください。", "急ぎではありません。",
            "分かる範囲で構いません。", "以上、ご返答お待ちしています。")
CONTEXT_EN = ("", "", "", "We're a small team of about 30. ", "I'm new to the admin side of things. ",
              "Sorry if this is a silly one. ")
CLOSE_EN = ("", "", "Cheers.", "Thanks so much.", "Appreciate any pointers.", "Let me know.")

ONEOFFS_JA = (
    "契約書の原本を郵送でいただくことはできますか。",
    "来年度から部署名が変わるので、登録上の会社名称の扱いを相談したいです。",
    "御社の決算期はいつですか。取引先登録に必要です。", "担当営業の方の連絡先を改めて教えてください。",
    "先ほどのお電話ではありがとうございました。資料も確認しました。",
    "サポート対応の満足度アンケートのリンクが切れています。",
    "プライバシーマークはお持ちでしょうか。", "ユーザー会のようなイベントはありますか？参加してみたいです。",
    "もう解決したので返信は要りません。", "請求書をPDFではなく紙でも送ってほしいです。",
    "御社のロゴを社内の導入報告資料に載せてもよいですか。", "電話サポートの受付時間を知りたいです。",
    "間違えて二重に送ってしまいました。片方は無視してください。",
    "代表メールアドレスを変更したいのですが、どなたに連絡すればいいですか。",
    "導入事例の取材のお話、前向きに検討しています。", "振込先口座が変わったという案内は本物でしょうか。",
    "年末の請求締めは何日になりますか。", "新しいホームページの問い合わせ窓口はこちらで合っていますか。",
    "昨日届いたメールの添付ファイルが開けませんでした。", "会社の住所が移転します。登録内容の変更をお願いします。",
    "御社の障害情報はどこで告知されていますか。", "いただいた見積もりの期限が切れそうです。延長は可能ですか。",
    "研修用にデモ環境を一時的に借りることはできますか。", "テスト送信です。受信確認をお願いします。",
    "担当者の異動に伴い、今後は私宛てにご連絡ください。", "適格請求書の発行は可能でしょうか。",
)
ONEOFFS_EN = ("Could you send a copy of your ISO 27001 certificate?",
              "Is your company attending HR Tech Expo this year?", "Please ignore my last email, wrong recipient.",
              "Who do we talk to about a reseller agreement?",
              "Can you confirm our billing address is on file correctly?",
              "Do you have a customer newsletter we can join?",
              "Our finance team needs your bank details on letterhead.",
              "Thanks for the webinar yesterday, very useful!", "Is there a public roadmap we can follow?",
              "Could you update our account owner to me?")
SPAM = (("【お知らせ】法人カード審査不要", "今なら審査なしで法人カードを即日発行。詳細はこちら http://card-now.example/"),
        ("アカウント停止のお知らせ", "ご利用のアカウントは停止されました。至急こちらから本人確認を http://verify-acc.example/"),
        ("ホームページ制作 格安で承ります", "月額3,980円でホームページを作成いたします。ご興味あればご返信ください。"),
        ("Boost your SEO today", "We can get you to page one of Google in 30 days. Reply YES for a free audit."),
        ("Your package could not be delivered", "Confirm your address to reschedule delivery: http://parcel-fix.example/"))


@dataclass(frozen=True)
class Author:
    """Who wrote the ticket: the customer's company, name, department and contact lines."""

    company: str
    name: str
    dept: str
    email: str
    phone: str

    @property
    def surname(self) -> str:
        """What a mail calls them by: a Japanese name's surname (written first), an English name's given name."""
        return self.name.split()[0]


Layout = Callable[[str, str, random.Random, Author], tuple[str, str]]


def _phone(rng: random.Random) -> str:
    return pick(rng, (f"053-{rng.randrange(400, 999)}-{rng.randrange(1000, 9999)}",
                      f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                      f"098({rng.randrange(100, 999)}){rng.randrange(1000, 9999)}",
                      f"０２６７－{rng.randrange(10, 99)}－{rng.randrange(1000, 9999)}",
                      f"(03) {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"))


def _author(rng: random.Random, en: bool) -> Author:
    companies, domains = (COMPANIES_EN, DOMAINS_EN) if en else (COMPANIES, DOMAINS)
    i = rng.randrange(len(companies))
    name = pick(rng, PEOPLE_EN if en else PEOPLE)
    local = pick(rng, ("office", "jimu", "admin", "soumu", "contact")) + pick(rng, ("", "01", "-hq", "2"))
    return Author(companies[i], name, pick(rng, TITLES_EN if en else DEPTS), f"{local}@{domains[i]}", _phone(rng))


def _question_ja(topic: Topic, rng: random.Random) -> str:
    core = pick(rng, topic.ja_questions)
    if rng.random() < 0.12:
        more = pick(rng, topic.ja_questions)
        core = core if more == core else f"{core}\nそれと、{more}"
    text = pick(rng, CONTEXT_JA) + core + pick(rng, CLOSE_JA)
    roll = rng.random()
    if roll < 0.12:
        text = typo(text, rng)
    elif roll < 0.18:
        text = half_width_kana(text)
    elif roll < 0.24:
        text = full_width(text)
    return text


def _question_en(topic: Topic, rng: random.Random) -> str:
    text = f"{pick(rng, CONTEXT_EN)}{pick(rng, topic.en_questions)} {pick(rng, CLOSE_EN)}".strip()
    roll = rng.random()
    if roll < 0.14:
        text = typo(text, rng)
    elif roll < 0.22:
        text = text.lower()
    return text


# --- Japanese layouts ----------------------------------------------------------------------------------------

def _checkbox_form(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A web form whose category is a row of boxes, the ticked one filled (■), mailed as plain text."""
    boxes = ["打刻・アプリ", "申請・承認", "設定", "データ出力", "契約・請求", "その他"]
    ticked = rng.randrange(len(boxes))
    row = "　".join(("■" if i == ticked else "□") + b for i, b in enumerate(boxes))
    body = "\n".join(("＜お問い合わせフォーム受付＞", f"受付番号：W{rng.randrange(100000, 999999)}", "",
                      f"ご用件の分類：{row}", f"貴社名：{w.company}", f"ご担当者名：{w.name} 様",
                      f"ご連絡先メール：{w.email}", f"お電話：{w.phone}", "ご質問内容（できるだけ詳しく）：", question,
                      "", "個人情報の取り扱いへの同意：■同意する"))
    return (subject if rng.random() < 0.7 else "【フォーム】お問い合わせを受け付けました"), body


def _gmail_header(rng: random.Random, day: int, who: str, address: str) -> str:
    weekday = "水木金土日月火"[day % 7]  # 2026-10-01 is a Thursday
    return f"2026年10月{day}日({weekday}) {rng.randrange(8, 20)}:{rng.randrange(10, 59)} {who} <{address}>:"


def _nest(messages: list[tuple[str, list[str]]], mark: str) -> list[str]:
    """Messages newest first, as a mailer quotes them when each reply quotes the whole previous one: a message's
    header line one level less deep than its text."""
    out: list[str] = []
    for depth, (header, text) in enumerate(messages, start=1):
        out += [(mark * (depth - 1) + " " + header).strip(), mark * depth]
        out += [(mark * depth + " " + line).rstrip() for line in text]
        out.append(mark * depth)
    return out


SUPPORT_FOOTER_JA = ["", "◆─────────────────────◆", "クラウド勤怠サポートセンター",
                     "営業時間：月〜金 10:00-18:00（祝日・弊社休業日を除く）", "よくある質問：https://help.kintai.example/faq",
                     "本メールは送信専用アドレスではありません。このままご返信いただけます。",
                     "本メールに含まれる情報は、宛先に記載されたお客様のみを対象としております。",
                     "誤って受信された場合は、お手数ですが送信者にお知らせのうえ破棄をお願いいたします。",
                     "◆─────────────────────◆"]


def _support_reply_ja(agent: str, w: Author, second: bool) -> list[str]:
    if second:
        body = ["追加のご連絡ありがとうございます。", "いただいた日時で記録を確認いたしました。",
                "サーバー側では正常に処理されており、データの欠けや重複もございませんでした。",
                "表示が古いままになっている可能性がございますので、以下をお試しください。",
                "1. ブラウザのタブをすべて閉じる", "2. もう一度管理画面を開き、右上の更新ボタンを押す",
                "3. それでも変わらなければ、別のブラウザ（ChromeまたはEdge）で開いてみる",
                "上記で解消しない場合は、画面全体のスクリーンショットをお送りいただけますと調査が早く進みます。"]
    else:
        body = ["お問い合わせいただいた件について回答いたします。",
                "担当チームで確認したところ、ご登録内容に誤りはございませんでした。",
                "お手数ですが、画面を一度再読み込みいただき、それでも同じ状態でしたら操作した日時をお知らせください。",
                "なお、年末にかけてお問い合わせが大変混み合っており、回答までお時間をいただく場合がございます。",
                "あらかじめご了承いただけますと幸いです。"]
    return [w.company, f"{w.surname}様", "", "いつもお世話になっております。",
            f"クラウド勤怠サポートセンターの{agent}でございます。", "", *body, "",
            "引き続きどうぞよろしくお願いいたします。", *SUPPORT_FOOTER_JA]


def _thread_ja(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A Gmail-style reply written under the whole thread: each older mail under its date line, quoted one ``>``
    deeper, and the new question at the bottom."""
    old = pick(rng, TOPICS)
    agent = pick(rng, AGENTS)
    days = iter(sorted(rng.sample(range(1, 29), 5), reverse=True))
    support = (f"クラウド勤怠サポート {agent}", "support@kintai.example")
    sign = ["", "--", w.company, f"{w.dept} {w.name}", f"TEL {w.phone}"]
    oldest_first = [
        ((w.name, w.email), [f"{w.company}の{w.surname}です。", pick(rng, old.ja_questions), *sign]),
        (support, _support_reply_ja(agent, w, second=False)),
        ((w.name, w.email), [f"{agent}様", "", "ご回答ありがとうございます。",
                             "再読み込みしましたが、まだ同じ表示です。", "操作したのは昨日の午後3時ごろです。", *sign]),
        (support, _support_reply_ja(agent, w, second=True)),
        ((w.name, w.email), [f"{agent}様", "", "別のブラウザで開いたら正しく表示されました。",
                             "ありがとうございました。", *sign]),
    ][: rng.randrange(2, 6)]
    messages = [(_gmail_header(rng, next(days), who, address), text) for (who, address), text in reversed(oldest_first)]
    tail = ["", f"{agent}様", "", "度々すみません、別件でもう一つ教えてください。", question, "", w.name]
    return "Re: Re: " + subject, "\n".join([*_nest(messages, ">"), *tail])


def _call_summary(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """The phone system's automatic summary of an inbound call, filed as a ticket by the agent who took it."""
    agent = pick(rng, AGENTS)
    length = f"{rng.randrange(2, 14)}分{rng.randrange(0, 59)}秒"
    body = "\n".join(("📞 通話の自動要約（β）", f"発信者番号：{w.phone}　通話時間：{length}",
                      f"応対者：{agent}", "", "■ 要約", f"・{w.company}の{w.surname}様よりお電話。",
                      "・お客様のご質問：" + question.replace("\n", " "),
                      "・その場では回答できず、メールで回答すると伝えた。",
                      "", "■ お客様の感情：落ち着いている", "■ 次のアクション：担当者が確認して折り返し",
                      "※ 音声認識による要約のため、内容に誤りが含まれることがあります。"))
    return (subject if rng.random() < 0.4 else f"着信対応 {w.company}様"), body


def _sheet_row(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A row copied from the customer's own spreadsheet of open questions, with its header row, tabs and all."""
    header = "\t".join(("No.", "起票日", "拠点", "質問者", "内容", "状況"))
    site = pick(rng, ("本店", "第二営業所", "北店", "本部"))
    row = "\t".join((str(rng.randrange(3, 60)), f"10/{rng.randrange(1, 28)}", site, w.surname,
                     question.replace("\n", " "), "未回答"))
    body = "\n".join((f"{w.company} の{w.surname}です。", "社内の質問管理表から、まだ解決していない行を貼り付けます。",
                      "",
                      header, row, "", "ご確認のほどお願いいたします。"))
    return subject, body


def _webinar_qa(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A question left unanswered at a webinar, exported from the Q&A report and filed by the events team."""
    body = "\n".join(("ウェビナー Q&Aレポート（未回答分）",
                      f"ウェビナー名：はじめての勤怠管理 オンライン説明会 第{rng.randrange(10, 40)}回",
                      f"質問時刻：2026/10/{rng.randrange(1, 28):02d} 14:{rng.randrange(10, 59)}",
                      f"質問者：{w.name}（{w.company}）", f"メール：{w.email}", "", "質問：", question, "",
                      "回答状況：時間内に回答できず（後日メールで回答）", "担当：イベント運営チーム"))
    return (subject if rng.random() < 0.3 else "ウェビナー未回答の質問"), body


def _escalation(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A first-line agent's internal note passing the customer's question to the second line."""
    agent = pick(rng, AGENTS)
    body = "\n".join(("【社内メモ／お客様非公開】二次対応への引き継ぎ", f"起票：一次対応 {agent}",
                      f"お客様：{w.company} {w.name} 様（{w.dept}）",
                      f"契約プラン：{pick(rng, ('スタンダード', 'プロ', 'ライト'))}",
                      "", "◎ お客様のご質問（原文のまま）", question, "",
                      "◎ 一次で確認したこと", "・ヘルプセンターの該当しそうな記事を案内したが、解決しなかったとのこと",
                      "・画面共有は不要", "", "◎ 期限", f"10/{rng.randrange(1, 28)} までに一次から返信予定"))
    return (subject if rng.random() < 0.5 else f"[エスカレ] {w.company}"), body


def _kintone(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A kintone record notification from the customer's own helpdesk app: its rich-text field arrives as HTML."""
    rich = "".join(f"<div>{line}</div>" for line in question.split("\n"))
    record = rng.randrange(40, 900)
    body = "\n".join((f"{w.name}さんがレコードを追加しました。", "", f"アプリ：ベンダー問い合わせ管理（{w.company}）",
                      f"レコード番号：{record}", f"件名：{subject}",
                      "問い合わせ先：クラウド勤怠",
                      f"内容：<div><span style=\"font-size:14px\">{rich}</span></div><div><br /></div>", "",
                      f"https://{w.email.split('@')[1].split('.')[0]}.cybozu.example/k/12/show#record={record}",
                      "※ この通知は kintone から自動送信されています。"))
    return (subject if rng.random() < 0.5 else "[kintone] レコードが追加されました"), body


def _chat_space(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A Google Chat space shared with the customer during onboarding, copied into a ticket by the account manager."""
    agent = pick(rng, AGENTS)
    hour = rng.randrange(9, 18)
    body = "\n".join((f"スペース「{w.company} × クラウド勤怠 導入支援」より転記", "",
                      f"{w.name}、{hour}:{rng.randrange(10, 30)}",
                      pick(rng, ("お疲れさまです！", "こんにちは、今いいですか？", "すみません")),
                      f"{w.name}、{hour}:{rng.randrange(30, 50)}", question,
                      f"{agent}（クラウド勤怠）、{hour}:{rng.randrange(50, 59)}",
                      "ありがとうございます、確認してサポートからメールでお返事しますね🙏",
                      "（このスレッドに返信するには @メンション してください）"))
    return (subject if rng.random() < 0.4 else "Google Chatでのご質問"), body


def _chat_space_en(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    agent = pick(rng, AGENTS_EN)
    hour = rng.randrange(9, 18)
    body = "\n".join((f"Copied from the shared space \"{w.company} x Kintai onboarding\"", "",
                      f"{w.name}, {hour}:{rng.randrange(10, 30)}", pick(rng, ("hey!", "Morning :)", "quick one")),
                      f"{w.name}, {hour}:{rng.randrange(30, 50)}", question,
                      f"{agent} (Kintai), {hour}:{rng.randrange(50, 59)}",
                      "Thanks! I'll log this with support and they'll email you."))
    return (subject if rng.random() < 0.4 else "From our shared chat space"), body


def _plain_ja(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    opening = pick(rng, ("クラウド勤怠　サポートご担当者様", "サポートデスク 御中", "お世話になります。"))
    intro = pick(rng, ("初めてご連絡いたします。", "いつもありがとうございます。", "お疲れさまです。", ""))
    body = "\n".join((opening, "", f"{intro}{w.company}の{w.surname}と申します。", "", question, "",
                      pick(rng, ("よろしくお願いいたします。", "ご返信お待ちしております。", "宜しくお願い致します。")),
                      "",
                      "◇◆◇◆◇◆◇◆◇◆◇◆◇◆◇◆", w.company, f"{w.dept}　{w.name}", f"TEL {w.phone}",
                      f"MAIL {w.email}", "◇◆◇◆◇◆◇◆◇◆◇◆◇◆◇◆"))
    return subject, body


# --- English layouts -----------------------------------------------------------------------------------------

def _issue_template(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """A request filed through the customer's internal IT portal, which uses a Markdown issue template."""
    body = "\n".join(("### What happened?", question, "", "### What did you expect?",
                      "_No response_" if rng.random() < 0.6 else "An answer or a pointer to the right setting.",
                      "", "### Environment", f"- Browser: {pick(rng, ('Chrome 130', 'Edge 129', 'Safari 18'))}",
                      f"- Reported by: {w.name}, {w.company}", "", "<!-- Filed from the IT request portal -->"))
    return (subject if rng.random() < 0.6 else f"[IT-{rng.randrange(1000, 9999)}] Vendor question"), body


def _support_reply_en(agent: str, w: Author, second: bool) -> list[str]:
    if second:
        body = ["Thanks for the extra detail. We looked up the records for the time you gave us and the server",
                "processed everything normally: nothing is missing or duplicated on our side.",
                "It may be that your browser is showing an old copy of the page. Could you try the following?",
                "1. Close every tab that has the admin console open.", "2. Open it again and press the refresh icon.",
                "3. If nothing changes, try a different browser, Chrome or Edge.",
                "If that doesn't help, a full-screen screenshot would speed up our investigation a lot."]
    else:
        body = ["Thanks for reaching out, and sorry for the slow reply.",
                "We checked your workspace and everything looks correct on our side.",
                "Could you try again after refreshing the page, and send us the time it happened if it persists?",
                "We're handling a high volume of requests ahead of the year end, so replies may take a little longer."]
    return [f"Hi {w.surname},", "", *body, "", "Warm regards,", f"{agent} | Kintai Customer Care",
            "Help centre: https://help.kintai.example", "Our hours: Monday to Friday, 10:00-18:00 JST",
            "This message and any attachments are intended only for the addressee named above."]


def _thread_en(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    """An Apple-Mail-style reply written under the thread: every older mail quoted with its own 'On … wrote:'."""
    old = pick(rng, TOPICS)
    agent = pick(rng, AGENTS_EN)
    days = iter(sorted(rng.sample(range(1, 29), 5), reverse=True))
    support = f"{agent} <support@kintai.example>"
    customer = f"{w.name} <{w.email}>"
    oldest_first = [
        (customer, ["Hello,", "", pick(rng, old.en_questions), "", w.surname, w.dept]),
        (support, _support_reply_en(agent, w, second=False)),
        (customer, [f"Hi {agent},", "", "Refreshed and it still looks the same. It happened yesterday around 3pm.",
                    "", w.surname]),
        (support, _support_reply_en(agent, w, second=True)),
        (customer, ["Opening it in Edge worked. Thanks a lot!", "", w.surname]),
    ][: rng.randrange(2, 6)]
    messages = [(f"On {next(days)} Oct 2026, at {rng.randrange(9, 18)}:{rng.randrange(10, 59)}, {who} wrote:", text)
                for who, text in reversed(oldest_first)]
    tail = ["", f"Hi {agent},", "", "One more thing while I have you:", question, "", "Thanks,", w.surname]
    return "Re: " + subject, "\n".join([*_nest(messages, ">"), *tail])


def _call_summary_en(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    body = "\n".join(("Call summary (auto-generated)", f"Caller: {w.phone} | Duration: {rng.randrange(2, 14)}m",
                      f"Handled by: {pick(rng, AGENTS_EN)}", "", "Summary:", f"- {w.name} from {w.company} called.",
                      "- Customer asked: " + question, "- Agent promised a written answer by email.", "",
                      "Sentiment: neutral", "Transcription may contain errors."))
    return (subject if rng.random() < 0.4 else f"Inbound call - {w.company}"), body


def _webinar_qa_en(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    body = "\n".join(("Webinar Q&A report (unanswered)",
                      f"Session: Getting started with Kintai, cohort {rng.randrange(3, 20)}",
                      f"Asked by: {w.name} ({w.company})", f"Email: {w.email}", "", "Question:", question, "",
                      "Status: not answered live, follow up by email"))
    return (subject if rng.random() < 0.3 else "Unanswered webinar question"), body


def _plain_en(subject: str, question: str, rng: random.Random, w: Author) -> tuple[str, str]:
    body = "\n".join((pick(rng, ("Dear Support Team,", "Hello Kintai team,", "Hi,")), "",
                      pick(rng, ("I hope you're well.", "Hope your week is going well.", "")), question, "",
                      pick(rng, ("Many thanks in advance for your help.", "Looking forward to hearing from you.",
                                 "Thanks!")), "", "Best wishes,", w.name, f"{w.dept} | {w.company}",
                      f"T: {w.phone}", "Please consider the environment before printing this email."))
    return subject, body


LAYOUTS_JA: tuple[tuple[Layout, int], ...] = (
    (_checkbox_form, 18), (_thread_ja, 15), (_call_summary, 11), (_sheet_row, 8), (_webinar_qa, 8),
    (_escalation, 9), (_kintone, 9), (_chat_space, 9), (_plain_ja, 22))
LAYOUTS_EN: tuple[tuple[Layout, int], ...] = (
    (_issue_template, 18), (_thread_en, 22), (_call_summary_en, 16), (_webinar_qa_en, 14), (_chat_space_en, 12),
    (_plain_en, 30))


def write(label: str, lang: str, rng: random.Random) -> tuple[str, str]:
    if label == "spam":
        return pick(rng, SPAM)
    en = lang == "en"
    author = _author(rng, en)
    if label.startswith("oneoff-"):
        n = int(label.split("-")[1])
        question = ONEOFFS_EN[n % len(ONEOFFS_EN)] if en else ONEOFFS_JA[n % len(ONEOFFS_JA)]
        subject = pick(rng, VAGUE_EN if en else VAGUE) if rng.random() < 0.5 else question[:16]
    else:
        topic = next(t for t in TOPICS if t.id == label)
        question = _question_en(topic, rng) if en else _question_ja(topic, rng)
        subject = pick(rng, topic.en_subjects if en else topic.ja_subjects)
        roll = rng.random()
        if roll < 0.22:
            subject = pick(rng, VAGUE_EN if en else VAGUE)
        elif not en and roll < 0.3:
            subject = typo(subject, rng) if roll < 0.26 else full_width(subject)
    layouts = LAYOUTS_EN if en else LAYOUTS_JA
    layout = rng.choices([f for f, _ in layouts], weights=[n for _, n in layouts])[0]
    return layout(subject, question, rng, author)


CORPUS = Corpus("F (held back, unseen)", TOPICS, oneoffs=len(ONEOFFS_JA), write=write, english=0.22,
                oneoff_share=0.08, spam_share=0.015,
                rising=frozenset({"bulk-approve", "new-phone", "roles"}))
