"""Ticket text down to the customer's question, and into the words topics are made of.

Support tickets arrive wrapped: business mail (お世話になっております …
よろしくお願いいたします, 拝啓 … 敬具, signatures with 〒/TEL/FAX), web-form
bodies whose fields name the customer (``会社名：…``, ``■ご担当者様氏名`` with
the value on the next line), telephone notes and tickets an agent wrote for a
customer, chat and LINE logs with the support side's lines and system lines,
in-app messages with device details, quoted replies and earlier messages, HTML
remnants. Left in, they decide the clusters: tickets group by layout, not by
topic. Each line is classified once (lines repeat across tickets: templates,
signatures) and a short pass over the classes keeps the question.

The built-in lists are below; a team extends them in ``kb/gaps.yaml``
(kb/gaps/rules.py), and ``kb gaps --explain TICKET`` shows what was kept and why
each line went.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from kb.gaps.rules import GapsRules, any_of, fold
from store.ticket_text import question_part

BOILERPLATE = (
    "いつも大変お世話になっております", "いつもお世話になっております", "大変お世話になっております",
    "お世話になっております",
    "お世話になります", "お世話様です", "お疲れ様です", "お疲れさまです", "お忙しいところ恐縮ですが",
    "お忙しいところ恐縮です",
    "お忙しいところ申し訳ありませんが", "お忙しいところすみません", "夜分に失礼いたします",
    "突然のご連絡失礼いたします",
    "何卒よろしくお願い申し上げます", "よろしくお願い申し上げます", "よろしくお願いいたします",
    "よろしくお願い致します",
    "よろしくお願いします", "宜しくお願い致します", "宜しくお願いいたします", "宜しくお願いします", "よろしくです",
    "お手数をおかけいたしますが", "お手数をおかけしますが", "お手数ですが", "お手数おかけしますが", "ご確認のほど",
    "恐れ入りますが", "恐縮ですが", "申し訳ありませんが", "申し訳ございませんが", "すみませんが", "すみません",
    "ご教示いただけますと幸いです", "ご教示いただけますでしょうか", "ご教示ください", "ご教示賜りますよう", "ご教示",
    "ご回答をお願いします", "ご回答ありがとうございます", "ご対応いただきありがとうございました",
    "ありがとうございます",
    "お問い合わせありがとうございます", "ご連絡ください", "ご連絡まで", "取り急ぎ", "まずは", "以上", "至急", "急ぎで",
    "初歩的な質問で申し訳ありませんが", "質問です", "質問があります", "ご相談です", "教えてください",
    "教えていただけますか",
    "確認をお願いできますでしょうか", "確認をお願いします", "ご確認をお願いいたします", "ご確認ください",
    "お願いいたします",
    "急ぎではありません", "至急対応をお願いします", "至急ご対応ください", "誠にありがとうございます", "今後とも",
    "ちょっとお聞きしたいのですが", "お聞きしたいのですが", "お聞きしたいです", "お伺いしたいのですが", "ちょっと",
    "ご確認のお願い", "確認のお願い", "お願い", "問い合わせ", "お問い合わせ", "質問", "ご相談", "相談", "お礼",
    "先日の件",
    "別件で", "追加の質問", "追加で", "件名なし",
    "hello", "hi team", "hi there", "hi", "hey", "dear support", "dear", "thanks in advance", "thank you in advance",
    "thanks", "thank you", "many thanks", "best regards", "kind regards", "regards", "cheers", "best", "follow-up",
    "follow up", "quick question", "question", "any help appreciated", "please advise", "could you advise",
    "please let us know", "let me know", "no subject", "urgent", "help",
)
# A whole sentence of seasonal greeting or thanks for patronage (時候の挨拶): 拝啓 … お慶び申し上げます。
_GREETING_SENTENCE = re.compile(
    r"[^。!?\n]*(?:お慶び申し上げ|お喜び申し上げ|ご清栄|ご盛栄|ご清祥|ご健勝|ご発展|ご高配|ご愛顧|お引き立て|お引立て|"
    r"厚く御礼|御礼申し上げ|お礼申し上げ|格別の|平素は|平素より|日頃より|日頃は|時下|の候)[^。!?\n]*[。!?]?")
_GREETING_HINT = ("申し上げ", "格別", "平素", "日頃", "時下", "の候", "ご清", "ご盛", "お引", "ご愛顧", "ご高配",
                  "ご健勝", "ご発展", "御礼")
_LETTER_WORDS = re.compile(r"(?:^|\s)(?:拝啓|敬具|謹啓|謹白|前略|草々|早々|かしこ|さて|つきましては)[、,\s]?")
DROP_LABELS = (
    "会社名", "貴社名", "御社名", "法人名", "企業名", "団体名", "店舗名", "事業所名", "施設名", "所属", "部署",
    "部署名", "役職",
    "お名前", "氏名", "ご氏名", "名前", "ご担当者", "ご担当者名", "ご担当者様", "ご担当者様名", "ご担当者様氏名",
    "担当者",
    "担当者名", "担当", "フリガナ", "ふりがな", "お客様", "お客様名", "顧客名", "依頼者", "ご依頼者", "申込者", "会社",
    "メール", "メールアドレス", "e-mail", "email", "mail", "電話", "電話番号", "お電話番号", "tel", "fax", "携帯",
    "携帯番号",
    "連絡先", "ご連絡先", "折り返し先", "折返し先", "住所", "ご住所", "所在地", "郵便番号", "〒", "url", "ホームページ",
    "ユーザーid", "ユーザid", "ユーザー名", "アカウントid", "アカウント", "契約id", "契約番号", "顧客番号", "会員番号",
    "テナントid", "企業id", "os", "端末", "機種", "デバイス", "ブラウザ", "アプリバージョン", "アプリのバージョン",
    "バージョン", "受付", "受付者", "受付日", "受付日時", "対応", "対応者", "対応内容", "対応状況", "対応日",
    "対応予定",
    "担当窓口", "対応メモ", "メモ", "備考", "対応履歴", "社内メモ", "ステータス", "優先度", "保存日時", "日時", "日付",
    "送信日時", "受信日時", "種別", "お問い合わせ種別",
    "問い合わせ種別", "お問い合わせの種類", "お問い合わせ区分", "カテゴリ", "カテゴリー", "分類", "区分", "件名",
    "添付",
    "添付ファイル", "company", "company name", "organization", "organisation", "name", "full name", "your name",
    "first name", "last name", "contact", "contact name", "contact person", "phone", "phone number", "mobile",
    "address", "job title", "position", "department", "user id", "account id", "device", "browser", "app version",
    "version", "os version", "inquiry type", "enquiry type", "request type", "category", "type", "topic", "subject",
    "priority", "status", "date", "time", "sent", "attachment", "attachments", "website", "country",
)
KEEP_LABELS = (
    "お問い合わせ内容", "問い合わせ内容", "お問合せ内容", "ご用件", "用件", "内容", "詳細", "詳細内容", "ご質問",
    "質問内容",
    "ご質問内容", "ご相談内容", "相談内容", "本文", "症状", "事象", "現象", "お申し出", "お申し出内容", "ご要望",
    "要望",
    "エラー内容", "message", "details", "description", "question", "inquiry", "enquiry", "your message", "comments",
    "comment", "body", "issue", "problem", "request",
)
AGENTS = ("サポート", "support", "オペレーター", "オペレータ", "operator", "bot", "agent", "スタッフ", "staff",
          "カスタマーサクセス", "ヘルプデスク", "helpdesk", "自動応答", "担当者")
_SYSTEM = re.compile(
    r"チャットが(?:開始|終了|転送)|チャット(?:開始|終了)|chat (?:started|ended|transferred|closed)"
    r"|conversation (?:started|ended)|^\[?(?:スタンプ|sticker|写真|画像|image|photo|ファイル|file)\]?$|を送信しました$"
    r"|sent an? (?:photo|sticker|file|image)|トーク履歴|talk history|起票|代理入力|代理登録|代理作成"
    r"|このメールは.{0,40}(?:自動|送信専用|配信)"
    r"|this (?:e-?mail|message) (?:was|is) (?:sent|generated) (?:automatically|from)|^sent (?:via|from) |^sent from my "
    r"|^new (?:inquiry|enquiry|message|conversation) from|^(?:\w+ )?(?:inquiry|message) received")
_SYSTEM_HINTS = ("チャット", "chat", "conversation", "スタンプ", "sticker", "写真", "画像", "image", "photo",
                 "ファイル", "file", "送信", "sent", "トーク", "talk", "起票", "代理", "このメール", "this ", "inquiry",
                 "enquiry", "message", "new ")
_CONTACT_HINTS = ("〒", "tel", "fax", "mail", "phone", "url", "mobile", "内線", "携帯")
_SYSTEM_HINT = re.compile("|".join(re.escape(h) for h in _SYSTEM_HINTS))
_CONTACT_HINT = re.compile("|".join(re.escape(h) for h in _CONTACT_HINTS))
_SALUTATION_ENDS = ("様", "さん", "さま", "御中", "殿", "各位", "様へ", "様,", "様、", "様。", "さん,", "さん、",
                    "さん。")
_INTRO_ENDS = ("です", "です。", "です.", "です!", "申します", "申します。", "ございます", "ございます。")
_RULE = re.compile(r"^(?:-{2}|[-=_━─―—‐*~・#+.＊＝]{3,})$")
_MARKER = re.compile(r"^[-=*＊━─―#]{2,}\s*.{0,30}?\s*[-=*＊━─―#]{2,}$")
_TAG = re.compile(r"^(?:【[^】]{1,24}】|\[[^\]\n]{1,24}\])\s*")
_DATES = re.compile(r"\d{4}\s*[/年.-]\s*\d{1,2}\s*[/月.-]\s*\d{1,2}\s*日?(?:\s*[(（][^)）\s]{1,3}[)）])?"
                    r"|\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*[(（][^)）\s]{1,3}[)）])?|\b\d{1,2}:\d{2}(?::\d{2})?\b(?:\s*[ap]m\b)?")
_CHAT = re.compile(r"^\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*(?:\t|\s)\s*([^\t:：]{1,30}?)\s*(?:\t|[:：])\s*(.*)$")
_SPEAKER = re.compile(r"^([^\t:：。、]{1,24}?)\s+\[?\d{1,2}:\d{2}(?::\d{2})?\]?$")
_FIELD = re.compile(r"^[■□●○◆◇▼▽・*\-]?\s*【?([^:：【】。、!?]{1,24}?)】?\s*[:：]\s*(.*)$")
_HEADING = re.compile(r"^(?:[■□●○◆◇▼▽]\s*([^:：。]{1,24})|【([^】]{1,24})】|\[([^\]]{1,24})\])\s*$")
_MASK = re.compile(r"〒?<(?:phone|email|name|address|postal|query)>|\?<query>")
_CONTACT = re.compile(r"〒|^(?:tel|fax|mail|e-mail|phone|url|mobile|内線|携帯)\b|\b(?:tel|fax)\b|内線")
_SALUTATION = re.compile(r"^(?:.{1,30}(?:様|さん|さま|御中|殿|各位|様へ))[,、。]?$|^(?:dear|hi|hello|hey)\b.{0,40}$")
_CLOSING = re.compile(
    r"^(?:以上[、,]?\s*)?(?:今後とも|引き続き)?(?:何卒|なにとぞ)?(?:よろしく|宜しく)(?:お願い|おねがい)[^\n]{0,12}$"
    r"|^以上(?:です|となります)?[。.]?$|^(?:敬具|草々|謹白|かしこ|早々)$"
    r"|^(?:thanks|thank you|many thanks|thanks again|best regards|kind regards|warm regards|regards|cheers|best"
    r"|sincerely|yours sincerely|thank you in advance|thanks in advance)[,.!]?$")
_INTRO = re.compile(r"^.{1,40}(?:の|\s)\S{1,12}(?:です|と申します|でございます|と申します)[。.!]?$")
# An organisation's legal form: every Japanese legal person's ends in 法人 after its kind (公益財団法人, 医療法人,
# 社会福祉法人, NPO法人); 法人 alone is a word (法人カード, の法人), not a form.
_COMPANY = re.compile(r"株式会社|有限会社|合同会社|[一-龥]{2,}法人|npo法人|\(株\)|\(有\)|"
                      r"\b(?:inc|llc|ltd|kk|corp|corporation|co)\b\.?")
_PROBLEM = re.compile(r"ない|ません|できな|たい|ですか|ますか|でしょうか|\?|エラー|不具合|can't|cannot|not\b|how\b")
_PREFIX = re.compile(r"(?i)^(?:\s*(?:re|fw|fwd|転送|返信|答复)\s*[:：]\s*|\s*(?:【[^】]{0,24}】|\[[^\]]{0,24}\]))+")
_HTML_BREAK = re.compile(r"(?i)<\s*(?:br|/div|/p|/li|/tr|/h\d)\s*/?\s*>")
_HTML_TAG = re.compile(r"(?i)</?\s*(?:div|p|br|span|b|i|u|em|strong|font|a|table|tbody|tr|td|th|ul|ol|li|h\d"
                       r"|blockquote|hr|img|meta|style|body|html|head|o:p|center|pre|code|sup|sub)\b[^<>]{0,300}>")
_SPACE = re.compile(r"[ \t\u3000]+")
_DIGIT = re.compile(r"\d")
_SPACE_NO_TAB = re.compile(r"[ \u3000]+")
PROSE = 16  # characters from which a form field's value that reads as a sentence is what the customer said
_SENTENCE = re.compile(r"[。？?！!]")
MIN_CONTENT = 8  # characters of question before a closing or a rule line ends the message (shorter: a header)

# What carries no topic: Japanese grammar (hiragana runs: particles, endings, です/ます), punctuation, digits,
# and English function words. Both languages share them with every question, which would make all tickets alike.
_HIRAGANA = re.compile(r"[ぁ-ゖ]+|[^\w\s]+|\b\d+\b|_+")  # "-" too: two-factor is two factor
_LATIN = re.compile(r"[a-z]")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9+#.\-]*[a-z0-9+#]|[a-z]")
_RUNS = re.compile(r"[0-9]*[^\x00-\x7f\s]+|[a-z0-9][a-z0-9+#]*")
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "please", "pls", "want", "wants", "need", "needs", "know", "tell", "let", "like", "would", "could", "use",
    "using", "used", "way", "does", "did", "doing", "done", "make", "get", "got", "getting", "try", "tried",
    "trying", "able", "unable", "also", "just", "still", "since", "today", "yesterday", "morning", "now", "ago",
    "week", "month", "team", "staff", "people", "someone", "one", "two", "us", "we", "our", "my", "i", "me", "you",
    "your", "it", "its", "there", "thing", "things", "kintai", "cloud", "support", "hi", "hello", "thanks",
    "thank", "regards", "dear", "ok", "okay", "sure", "yes", "no", "etc", "e.g", "i.e", "re", "fw", "fwd", "sorry",
    "quick", "question", "questions", "issue", "problem", "advise", "appreciated", "help", "say", "says",
    "said", "seems", "looks", "happen", "happens", "happened", "work", "works", "working", "anymore", "every",
    "time", "times", "day", "days", "new", "last", "next", "first", "right", "wrong", "ll", "ve", "don", "doesn",
    "isn", "won", "didn", "can", "cant", "t", "s", "d", "m",
}


class Verdict(NamedTuple):
    """What the normaliser made of one line: kept (its text) or why it went."""

    line: str
    kept: str
    reason: str  # "" when kept


@dataclass
class Cleaned:
    subject: str
    body: str
    lines: list[Verdict] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the kept text of each line that kept any

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}".strip()


@dataclass(frozen=True)
class _Line:
    kind: str  # text, drop, cut, separator, closing, field-drop, field-keep, field, heading-drop, heading-keep, chat
    text: str = ""
    reason: str = ""

    @property
    def chat(self) -> bool:
        """A line only a chat log has: the ticket is one, and its ``name: text`` lines are messages."""
        return self.kind == "chat" or self.reason in _CHAT_REASONS


class Normalizer:
    """The built-in rules plus the team's: a ticket's subject and description down to its question."""

    def __init__(self, rules: GapsRules | None = None) -> None:
        rules = rules or GapsRules()
        self.rules = rules
        phrases = {fold(p) for p in (*BOILERPLATE, *rules.boilerplate)}
        self.literal = sorted((p for p in phrases if not p.isascii()), key=len, reverse=True)
        words = sorted((p for p in phrases if p.isascii()), key=len, reverse=True)
        self.words = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in words)) if words else None
        self.drop_labels = frozenset(fold(x) for x in (*DROP_LABELS, *rules.drop_labels))
        self.keep_labels = frozenset(fold(x) for x in (*KEEP_LABELS, *rules.keep_labels))
        self.agents = tuple(fold(x) for x in (*AGENTS, *rules.agents))
        self.drop_lines, self.cut_at = any_of(rules.drop_lines), any_of(rules.cut_at)
        self._lines: dict[str, _Line] = {}
        self._subjects: dict[str, str] = {}

    # -- phrases --------------------------------------------------------------------------------------------
    def strip_phrases(self, text: str) -> str:
        """``text`` (folded) without greeting sentences, letter words and boilerplate phrases."""
        if any(hint in text for hint in _GREETING_HINT):
            text = _GREETING_SENTENCE.sub(" ", text)
        for phrase in self.literal:
            if phrase in text:
                text = text.replace(phrase, " ")
        text = _LETTER_WORDS.sub(" ", text)
        if self.words is not None and _LATIN.search(text):
            text = self.words.sub(" ", text)
        return _SPACE.sub(" ", text).strip(" 、。,.!?！？:：-")

    # -- subject --------------------------------------------------------------------------------------------
    def subject(self, subject: str | None) -> str:
        raw = subject or ""
        cached = self._subjects.get(raw)
        if cached is None:
            text = _PREFIX.sub("", fold(raw))
            text = _DATES.sub(" ", _MASK.sub(" ", text))
            text = " ".join(w for w in text.split() if not _is_addressee(w))
            cached = self.strip_phrases(text)
            if len(self._subjects) < 200_000:
                self._subjects[raw] = cached
        return cached

    # -- description ----------------------------------------------------------------------------------------
    def clean(self, subject: str | None, description: str | None, explain: bool = False) -> Cleaned:
        body_text = description or ""
        if "<" in body_text and _HTML_TAG.search(body_text):
            body_text = html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", body_text)))
        elif "&" in body_text:
            body_text = html.unescape(body_text)
        if "{" in body_text[:1000] and "}" in body_text[-1000:]:
            body_text = json_as_fields(body_text)
        kept_thread = question_part(body_text, subject)
        verdicts = self._lines_of(kept_thread.splitlines())
        kept = [v.kept for v in verdicts if v.kept]
        if explain:
            verdicts = self._explain(body_text, kept_thread, verdicts)
        return Cleaned(self.subject(subject), " ".join(kept), verdicts if explain else [], kept)

    def _explain(self, original: str, kept_thread: str, verdicts: list[Verdict]) -> list[Verdict]:
        """Every line of the description with its verdict, the lines the thread cut removed included."""
        kept_lines = iter(verdicts)
        nxt = next(kept_lines, None)
        out = []
        for line in original.splitlines():
            if nxt is not None and line.strip() == nxt.line.strip():
                out.append(nxt)
                nxt = next(kept_lines, None)
            elif line.strip():
                out.append(Verdict(line, "", "quoted or earlier in the thread"))
        return out

    def _lines_of(self, lines: list[str]) -> list[Verdict]:
        """Each line's verdict, in a pass that knows what came before: the value lines under a form label, the
        end of the message at a sign-off once some question was said, chat speakers' names in a chat."""
        classified = [self._classify(line) for line in lines]
        chat = any(c.chat for c in classified)
        out: list[Verdict] = []
        pending = ""  # the kind of the label above (its value is on the following lines)
        content = 0
        asked = False  # a kept line reads as a question
        for i, (line, c) in enumerate(zip(lines, classified, strict=True)):
            if c.kind == "empty":
                pending = ""
                continue
            if c.kind == "cut" or (c.kind in ("separator", "closing") and content >= MIN_CONTENT
                                   and (asked or not _asks_later(classified[i + 1:]))):
                out.append(Verdict(line, "", c.reason))
                after = "after a kb/gaps.yaml cut_at line" if c.kind == "cut" else "after the sign-off or signature"
                out += [Verdict(rest, "", after) for rest in lines[i + 1:] if rest.strip()]
                break
            verdict, pending = _verdict(line, c, pending, chat)
            content += len(verdict.kept)
            asked = asked or bool(verdict.kept and _PROBLEM.search(verdict.kept))
            out.append(verdict)
        _drop_address_block(out)
        return out

    def _classify(self, line: str) -> _Line:
        c = self._lines.get(line)
        if c is None:
            c = self._classify_new(line)
            if len(self._lines) < 300_000:
                self._lines[line] = c
        return c

    def _classify_new(self, line: str) -> _Line:
        """One line on its own: the first rule that says what it is, in order (the team's rules first)."""
        folded = _SPACE_NO_TAB.sub(" ", fold(line))  # a tab separates a chat log's columns
        if not folded:
            return _Line("empty")
        found = self._by_team(folded) or _by_layout(folded) or self._by_chat(folded)
        if found:
            return found
        tag = _TAG.match(folded)
        if tag:
            folded = folded[tag.end():]
            if not folded:
                return _Line("drop", reason="layout tag")
        folded = folded.replace("\t", " ")
        if _DIGIT.search(folded):
            folded = _DATES.sub(" ", folded).strip()
        field = _FIELD.match(folded)
        found = self._by_label(folded, field) or self._by_people(folded)
        if found:
            return found
        text = self.strip_phrases(_tokens(folded))
        if field and text:
            return _Line("field", text)
        return _Line("text", text, "" if text else "greeting or closing")

    def _by_team(self, folded: str) -> _Line | None:
        if self.drop_lines is not None and self.drop_lines.search(folded):
            return _Line("drop", reason="kb/gaps.yaml drop_lines")
        if self.cut_at is not None and self.cut_at.search(folded):
            return _Line("cut", reason="kb/gaps.yaml cut_at")
        return None

    def _by_chat(self, folded: str) -> _Line | None:
        chat = _CHAT.match(folded)
        if chat:
            if self._agent(chat.group(1)):
                return _Line("drop", reason="support side of a chat")
            message = chat.group(2).strip()
            if _SYSTEM.search(message):
                return _Line("drop", reason="chat system line")
            return _Line("chat", self.strip_phrases(_tokens(message)))
        speaker = _SPEAKER.match(folded)
        if speaker:
            if self._agent(speaker.group(1)):
                return _Line("heading-drop", reason="support side of a chat")
            return _Line("drop", reason="chat speaker")
        return None

    def _by_label(self, folded: str, field: re.Match[str] | None) -> _Line | None:
        """A form label alone (■貴社名, 【ご用件】) or a field (会社名：…): dropped, or its value kept."""
        heading = _HEADING.match(folded)
        if heading:
            label = _label(next(g for g in heading.groups() if g))
            if label in self.keep_labels:
                return _Line("heading-keep", reason="form label")
            if label in self.drop_labels:
                return _Line("heading-drop", reason="form label")
        if field:
            label, value = _label(field.group(1)), field.group(2).strip()
            if label in self.keep_labels:
                return _Line("field-keep", self.strip_phrases(_tokens(value)))
            if label in self.drop_labels and not _prose(value):
                return _Line("field-drop", value, reason=f"form field '{label}'")
            if label in self.drop_labels:  # お客様：… in a call transcript is what the customer said
                return self._by_people(value) or _Line("field-keep", self.strip_phrases(_tokens(value)))
            if self._agent(label):
                return _Line("drop", reason="support side of a chat")
        return None

    def _by_people(self, folded: str) -> _Line | None:
        """Sign-offs, contact details, salutations, who is writing, company and name lines."""
        if _CLOSING.match(folded.strip(" 。.!")):
            return _Line("closing", reason="sign-off")
        masked = _MASK.sub(" ", folded) if "<" in folded else folded
        contact = _CONTACT_HINT.search(folded) and _CONTACT.search(folded)
        if masked != folded or contact:
            rest = self.strip_phrases(_tokens(masked))
            if len(re.sub(r"[\W\d_]", "", rest)) < 12 or contact:
                return _Line("drop", reason="contact details")
        if _PROBLEM.search(folded):
            return None
        short = folded.rstrip(" ,、。.!")
        if ((short.endswith(_SALUTATION_ENDS) or folded.startswith(("dear", "hi", "hello", "hey")))
                and _SALUTATION.match(folded)):
            return _Line("drop", reason="salutation")
        if folded.endswith(_INTRO_ENDS) and _INTRO.match(folded):
            return _Line("drop", reason="who is writing")
        if len(folded) <= 40 and _COMPANY.search(folded):
            return _Line("drop", reason="company or name line")
        return None

    def _agent(self, speaker: str) -> bool:
        s = fold(speaker)
        return any(a in s for a in self.agents)


_CHAT_REASONS = ("chat system line", "support side of a chat", "chat speaker")


def _by_layout(folded: str) -> _Line | None:
    """Rule lines, section markers, chat and form system lines."""
    if _RULE.match(folded):
        return _Line("separator", reason="signature or section rule")
    if _MARKER.match(folded):
        return _Line("drop", reason="section marker")
    if _SYSTEM_HINT.search(folded) and _SYSTEM.search(folded):
        return _Line("drop", reason="chat system line")
    return None


def _asks_later(rest: list[_Line]) -> bool:
    """Whether a line below reads as a question: then a rule or sign-off above it, with no question before it,
    closes a header (a fax cover's sender and date, a form's preamble), not the message."""
    return any(c.kind in _QUESTION_KINDS and _PROBLEM.search(c.text) for c in rest if c.kind != "cut")


_QUESTION_KINDS = ("text", "field-keep", "chat")


def _verdict(line: str, c: _Line, pending: str, chat: bool) -> tuple[Verdict, str]:
    """One line's verdict given the label above it (``pending``); and the label for the lines below."""
    kind, text, reason = c.kind, c.text, c.reason
    if kind in ("heading-drop", "heading-keep"):
        return Verdict(line, "", reason), kind
    if pending == "heading-drop" and kind == "text":
        return Verdict(line, "", "under a form label or chat speaker that is not the question"), pending
    if kind in ("separator", "closing"):
        return Verdict(line, "", reason), pending
    if kind == "field" and chat:
        kind, text = "text", text.split(":", 1)[-1].strip()
    if kind == "field-keep" and not text:
        return Verdict(line, "", "form label"), "heading-keep"
    if kind in ("text", "field-keep", "chat", "field"):
        return Verdict(line, text, "" if text else "greeting or closing"), pending
    return Verdict(line, "", reason), "heading-drop" if kind == "field-drop" and not text else pending


def json_as_fields(text: str) -> str:
    """A body that is a JSON object (a form or a chat widget relayed as it was posted) as ``label: value``
    lines, nested objects and lists flattened, so the form rules read it like any web form: ``"name": …``
    is a name field, ``"message": …`` the question. Any other text as it is."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return text
    try:
        payload = json.loads(stripped)
    except ValueError:
        return text
    lines: list[str] = []
    _flatten(payload, "", lines)
    return "\n".join(lines)


def _flatten(value: object, label: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, str(key).replace("_", " ").strip(), lines)
    elif isinstance(value, list):
        for item in value:
            _flatten(item, label, lines)
    elif value is not None and str(value).strip():
        text = str(value).strip()
        lines.append(f"{label}: {text}" if label and "\n" not in text else f"{label}:\n{text}" if label else text)


def _prose(value: str) -> bool:
    """A field's value that is a sentence, not a name, a company or an address: a transcript's お客様：… line."""
    return len(value) >= PROSE and bool(_SENTENCE.search(value) or _PROBLEM.search(value))


def _label(raw: str) -> str:
    return re.sub(r"\s+", " ", raw.strip(" ■□●○◆◇▼▽・*-【】[]")).strip()


def _tokens(text: str) -> str:
    """Without masks, URLs and date/time tokens."""
    text = _MASK.sub(" ", text)
    if "://" in text:
        text = re.sub(r"https?://\S+", " ", text)
    return _SPACE.sub(" ", text).strip()


def _is_addressee(word: str) -> bool:
    """``株式会社北斗テクノ様`` in a subject: who, not what."""
    return word.endswith(("様", "御中", "さま")) or bool(_COMPANY.search(word))


def _drop_address_block(verdicts: list[Verdict]) -> None:
    """Short lines before a letter's or a mail's greeting are its address block (company, department, name)."""
    for i, v in enumerate(verdicts):
        if v.reason in ("greeting or closing", "salutation") or (not v.kept and v.reason == "who is writing"):
            for j in range(i):
                w = verdicts[j]
                if w.kept and len(w.kept) <= 25 and not _PROBLEM.search(w.kept):
                    verdicts[j] = Verdict(w.line, "", "address block")
            return
        if v.kept and (len(v.kept) > 25 or _PROBLEM.search(v.kept)):
            return


# -- words --------------------------------------------------------------------------------------------------

class Glossary:
    """Terms that mean the same, in either language, made one: the first of each group stands for the rest.

    English words are looked up whole, and phrases of two or three words (``log in``, ``two factor
    authentication``). Japanese writes compounds without spaces, so a run of kanji and katakana is read
    longest term first (サインイン画面 → ログイン画面); each run is worked out once."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self.map: dict[str, str] = {}
        self.phrases: dict[tuple[str, ...], str] = {}
        for group in groups:
            forms = [_content_form(t) for t in group]
            canon = " ".join(forms[0])
            for words in forms:
                if len(words) > 1:
                    self.phrases.setdefault(tuple(words), canon)
                elif words:
                    self.map.setdefault(words[0], canon)
        self.longest = max((len(k) for k in self.map if not k.isascii()), default=0)
        self._runs: dict[str, str] = {}

    def apply(self, text: str) -> str:
        if not self.map:
            return text
        words = _RUNS.findall(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in (3, 2):
                key = tuple(words[i:i + n])
                if len(key) == n and key in self.phrases:
                    out.append(self.phrases[key])
                    i += n
                    break
            else:
                word = words[i]
                out.append(self.map.get(word, word) if word.isascii() else self._run(word))
                i += 1
        return " ".join(out)

    def _run(self, run: str) -> str:
        done = self._runs.get(run)
        if done is not None:
            return done
        if run in self.map:
            done = self.map[run]
        else:
            parts, p, inside = [], 0, False  # inside: the character before p is part of a katakana word
            while p < len(run):
                found = None if inside and _is_kana(run[p]) else self._term_at(run, p)
                if found is not None:
                    parts.append(found[1])
                    p += found[0]
                    inside = False
                else:
                    parts.append(run[p])
                    inside = _is_kana(run[p])
                    p += 1
            done = "".join(parts)
        if len(self._runs) < 500_000:
            self._runs[run] = done
        return done


    def _term_at(self, run: str, p: int) -> tuple[int, str] | None:
        """The longest term at ``p`` (length, what it becomes) that does not end inside a katakana word: パート
        is a term, but not in パートナー; スマホ in スマホアプリ is, アプリ being a term too."""
        for k in range(min(self.longest, len(run) - p), 1, -1):
            canon = self.map.get(run[p:p + k])
            if canon is None:
                continue
            end = p + k
            if end < len(run) and _is_kana(run[end - 1]) and _is_kana(run[end]) and self._term_at(run, end) is None:
                continue
            return k, canon
        return None


def _is_kana(c: str) -> bool:
    return "ァ" <= c <= "ヺ" or c == "ー"


def _content_form(term: str) -> list[str]:
    """A glossary term as ``content_words`` leaves it: 取り込み → [取, 込], two-factor → [two, factor]."""
    return _RUNS.findall(_HIRAGANA.sub(" ", fold(term).replace("-", " ")))


def content_words(text: str, glossary: Glossary | None = None) -> str:
    """``text`` (folded) as the words that name a topic: no hiragana runs, punctuation or English stop words,
    synonyms made one."""
    text = _HIRAGANA.sub(" ", text)
    if glossary is not None:
        text = glossary.apply(text)
    words = text.split()
    if _LATIN.search(text):
        words = [w for w in words if w not in STOP_WORDS]
    return " ".join(words)
