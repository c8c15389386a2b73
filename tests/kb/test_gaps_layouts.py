"""Layouts found from the tickets themselves (kb/gaps/templates.py through analyse.Documents): a header or
footer a tool fills in with numbers (a call's length, a chat's idle minutes, a channel number) is one layout,
whatever the numbers; the customer's question next to it is not."""

from __future__ import annotations

import random

from kb.gaps.analyse import Documents, analyse
from kb.gaps.rules import fold
from store.tickets import TicketText

QUESTIONS = (
    "有給休暇の残日数が合いません。", "シフトの一括登録ができません。", "残業申請のボタンが見当たりません。",
    "締め日を20日に変更したいです。", "位置情報がオンなのに打刻時にエラーが出ます。", "請求書の宛名を変更したいです。",
    "祝日の設定方法を教えてください。", "CSVの取り込みでエラーになります。", "二段階認証のコードが届きません。",
    "退職者のアカウントを削除したいです。", "IP制限を設定したいです。", "アプリが起動直後に落ちます。",
    "経費の領収書が添付できません。", "解約の手続きを教えてください。", "請求書をPDFで受け取れますか。",
    "部署の並び順を変えたいです。",
)
DETAILS = ("先週から起きています。", "一部の社員だけ起きます。", "")


def _tickets(rng: random.Random) -> list[tuple[str, str]]:
    out = []
    for i in range(48):
        minutes, seconds = rng.randint(1, 30), rng.randint(0, 59)
        body = (f"通話時間 {minutes}分{seconds}秒\n{QUESTIONS[i % len(QUESTIONS)]}{DETAILS[i // len(QUESTIONS)]}\n"
                f"Conversation closed automatically after {rng.choice((10, 15, 30, 60))} minutes of inactivity")
        out.append((f"通話記録 {rng.randint(1000, 9999)}", body))
    return out


def test_a_layout_filled_in_with_numbers_is_one_layout() -> None:
    documents = Documents()
    cleaned = [documents.normalizer.clean(subject, body) for subject, body in _tickets(random.Random(5))]
    assert len({c.subject for c in cleaned}) > 40  # as written, the subjects and headers hardly ever repeat
    documents.learn_layouts(cleaned)
    for c in cleaned:
        header, question, footer = c.kept
        assert documents.layout_line(header) and documents.layout_line(footer), c.kept
        assert documents.layout_subject(c.subject), c.subject
        assert not documents.layout_line(question), question
        assert documents.document(c) == documents.words(question)


NAMES = ("Daniel Ong", "Mark Sullivan", "Yuki Tanaka", "Hannah Schmidt")
COMPANIES = ("Kodama Foods", "Wakaba Logistics Asia", "Bayside Hotels")
ASKED = (
    "The app said my clock-in was saved, but the web attendance list has nothing for today.",
    "Where is the approve button for requests from my team?",
    "How do I withdraw an overtime request I submitted by mistake?",
    "Our payroll export fails with an encoding error.",
    "Can staff punch in on a shared tablet at the entrance without logging in?",
    "Is there a way to remind people who forget to clock out?",
    "How long do you keep attendance records after we cancel?",
    "The night shift allowance is not calculated after midnight.",
    "Can the time zone be set per office for our Singapore branch?",
    "How do I move an employee to another department from next month?",
    "The invitation email never arrived for two new part-timers.",
    "Single sign-on with Okta: where is the entity ID?",
)


def test_a_chat_layout_whose_tickets_share_names_and_companies_is_a_layout() -> None:
    """A messenger's tickets: its header names the customer and company (from the few that write), so the rest of
    them look alike in those names; the closing line is still a layout, the questions are not."""
    rng = random.Random(3)
    documents = Documents()
    cleaned = []
    for i in range(60):
        name, company = rng.choice(NAMES), rng.choice(COMPANIES)
        body = (f"Conversation with {name} ({company})\n\n{name.split()[0]}: hello?\n{name.split()[0]}: "
                f"{ASKED[i % len(ASKED)]}\nConversation closed automatically after 30 minutes of inactivity")
        cleaned.append(documents.normalizer.clean("New conversation from the messenger", body))
    documents.learn_layouts(cleaned)
    closing = documents.normalizer.clean("", "Conversation closed automatically after 30 minutes of inactivity")
    assert documents.layout_line(closing.kept[0])
    assert documents.layout_subject(cleaned[0].subject)
    for c in cleaned:
        assert any(not documents.layout_line(x) and documents.words(x) for x in c.kept), c.kept


def test_a_forwarding_layout_whose_intro_varies_is_a_layout() -> None:
    """A salesperson forwards customers' questions with a note whose intro names the customer (so the intros
    hardly repeat as lines, but they share the note's words): the note's fixed line and its status field are
    layouts all the same; the questions, which others ask by mail too, are not."""
    rng = random.Random(7)
    documents = Documents()
    cleaned = []
    for i in range(48):
        sales, company = rng.choice(("営業 平田", "営業部 大野", "インサイドセールス 杉山")), rng.choice(COMPANY_JA)
        person = rng.choice(("前田 康介", "岡本 千尋", "藤田 誠", "石川 かおり"))
        body = (f"CS各位\n{sales}です。{company}様（{person}様）の定例で以下のご質問をいただきました。\n"
                "回答をお客様へ直接お送りいただけますか。\n\n"
                f"「{QUESTIONS[i % len(QUESTIONS)]}{DETAILS[i // len(QUESTIONS)]}」\n\n"
                f"商談ステータス：{rng.choice(STATUSES)}\n以上、よろしくお願いします。")
        cleaned.append(documents.normalizer.clean(f"【営業エスカレ】{company}様より", body))
    for i in range(48):  # the same questions asked by mail
        question = f"{QUESTIONS[(i + 5) % len(QUESTIONS)]}{DETAILS[(i + 1) % len(DETAILS)]}"
        cleaned.append(documents.normalizer.clean(question[:12], f"お世話になっております。\n{question}"))
    documents.learn_layouts(cleaned)
    note = documents.normalizer.clean("", "回答をお客様へ直接お送りいただけますか。").kept[0]
    assert documents.layout_line(note)
    for status in STATUSES:  # a field only a third of the note's tickets carry: the note's words came with it
        assert documents.layout_line(documents.normalizer.clean("", f"商談ステータス：{status}").kept[0]), status
    for c, question in zip(cleaned[:48], (QUESTIONS[i % len(QUESTIONS)] for i in range(48)), strict=True):
        line = next(x for x in c.kept if question.lower()[:6] in x)
        assert not documents.layout_line(line), line


STATUSES = ("安定稼働", "更新交渉中", "追加導入検討")
COMPANY_JA = ("株式会社ひまわり薬局", "社会福祉法人 つばさ会", "株式会社ベイサイドホテルズ", "こだま食品工業株式会社")


ASIDES = ("うちは物流の会社です。", "返信をお待ちしております。", "拠点が三つあります。", "")


def test_sentences_said_with_questions_of_every_topic_are_set_aside() -> None:
    """Customers add asides to any question ("we're a logistics firm", "waiting for your reply") inside the
    question's own line: sentences whose tickets spread over many topics are set aside, and a question's own
    sentences, which sit in their topic, stay."""
    rng = random.Random(13)
    tickets = []
    for i in range(160):
        question = QUESTIONS[i % 8]
        tickets.append(TicketText(i + 1, "2026-10-01T00:00:00Z", question[:10],
                                  f"お世話になっております。\n{rng.choice(ASIDES)}{question}{rng.choice(ASIDES)}"))
    analysis = analyse(tickets, [], [], min_tickets=5)
    documents = analysis.documents
    assert documents is not None
    shape = lambda text: documents.shape(fold(text.rstrip("。")))  # noqa: E731
    assert {shape(a) for a in ASIDES if a} <= documents.asides, documents.asides
    assert not {shape(q) for q in QUESTIONS} & documents.asides
    assert sorted(t.tickets for t in analysis.topics) == [20] * 8, [(t.label, t.tickets) for t in analysis.topics]
    for topic in analysis.topics:
        assert not {"物流", "会社", "拠点", "三", "返信", "待"} & set(topic.terms), topic.terms
