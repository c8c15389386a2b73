"""Layouts found from the tickets themselves (kb/gaps/templates.py through analyse.Documents): a header or
footer a tool fills in with numbers (a call's length, a chat's idle minutes, a channel number) is one layout,
whatever the numbers; the customer's question next to it is not."""

from __future__ import annotations

import random

from kb.gaps.analyse import Documents

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
