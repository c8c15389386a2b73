"""Ticket text as it may enter the store or the screen: capped, with personal data masked.

Subjects and descriptions (the first comment, carried by the cursor export's
ticket objects) feed ``kb gaps``. Customers paste signatures, phone numbers,
form fields and links with tokens in them; those are masked here, before
anything is written, so the store never holds them, and again wherever ticket
text is shown, so a store filled by an older csops shows nothing more. Masks
keep the shape a topic model can use (``<email>``, ``<phone>``, a URL without
its query string).

Japanese text writes the same number many ways (REFERENCE.md, "Data safety"):
full-width digits and hyphens, ``ー`` or ``−`` as a separator, ``(03) 1234-5678``,
``03(1234)5678``, dots, and no space before it (``お電話090-1234-5678まで``). The
patterns run on a folded copy of the text, every character mapped to one
character (full-width to ASCII, every dash to ``-``), so a match's position is
the same in the original and only the matched span is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable

SUBJECT_MAX = 250
DESCRIPTION_MAX = 2000

_DASHES = "‐‑‒–—―−－ー﹣ｰ⁃"
_FOLD = str.maketrans({
    **{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)},  # full-width ASCII: ０-９, Ａ-Ｚ, ＠, （, ：…
    **{d: "-" for d in _DASHES},
})

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_URL = re.compile(r"(?i)\b((?:https?|ftp)://[^\s?#<>\"'）」]+)(\?[^\s#<>\"'）」]*)?(#[^\s<>\"'）」]*)?")
_SEP = r"(?:[ \t]?[-.][ \t]?|[ \t])"
# A phone number is not part of a longer run of digits (an id, an amount, a date) on either side.
_BEFORE = r"(?<![0-9])(?<![0-9][-.])"
_AFTER = r"(?![0-9])(?![-.][0-9])"
_PHONE_JP = re.compile(
    _BEFORE + "(?:"
    rf"0\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{3,4}}"  # 03-1234-5678, 090.1111.2222, 0120 123 456
    rf"|\(0\d{{1,4}}\)[ \t]?\d{{1,4}}{_SEP}?\d{{3,4}}"  # (03) 1234-5678
    r"|0\d{1,4}\(\d{1,4}\)\d{3,4}"  # 03(1234)5678
    r"|0\d{9,10}"  # 0312345678, 09012345678
    ")" + _AFTER)
_PHONE_INTL = re.compile(
    r"(?<![0-9+])(?:"
    rf"\+\d{{1,3}}{_SEP}?(?:\(0\)[ \t]?)?\(?\d{{1,4}}\)?(?:{_SEP}?\d{{1,4}}){{1,4}}"  # +81 90-1234-5678
    rf"|\(\d{{3}}\)[ \t]?\d{{3}}{_SEP}\d{{4}}"  # (555) 123-4567
    ")" + _AFTER)
_POSTAL = re.compile(r"〒[ \t]?\d{3}-?\d{4}" + _AFTER)
# A form field that names a person, where they live or how to reach them: the whole value goes.
_LABELS = (
    r"(?:(?P<name>お名前|ご氏名|氏名|名前|ご担当者(?:様)?名?|担当者名?|ご依頼者(?:様)?名?|申込者名?|フリガナ|ふりがな|"
    r"full[ \t]?name|your[ \t]name|name|contact[ \t]person)"
    r"|(?P<address>ご住所|住所|所在地|address)"
    r"|(?P<phone>お電話番号|電話番号|携帯(?:電話)?(?:番号)?|連絡先(?:電話番号)?|折り?返し先|"
    r"tel|fax|phone(?:[ \t]number)?|mobile)"
    r"|(?P<email>メールアドレス|メール|e-?mail(?:[ \t]address)?|mail))")
_FIELD = re.compile(
    r"(?im)^([ \t]*[■□●○◆◇・*\-【\[]?[ \t]*" + _LABELS +
    r"(?:[ \t]*:|[ \t]*[】\]][ \t]*:?|\t|\u3000| {2,})[ \t\u3000]*)(?P<value>\S.*)$")
# The same fields in a form posted as JSON ({"name": "…", "contact_email": "…"}): a key ending in a label.
_JSON_FIELD = re.compile(r'(?i)("(?:[a-z0-9_ -]*[_ -])?' + _LABELS.replace(r"[ \t]", "[ _]") +
                         r'"[ \t]*:[ \t]*")(?P<value>(?:[^"\\\n]|\\.)+)"')
_DIGIT = re.compile(r"\d")


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _replace(text: str, pattern: re.Pattern[str], mask: Callable[[re.Match[str], str], str | None],
             folded: str | None = None) -> str:
    """``text`` with each match of ``pattern`` in its folded copy replaced by ``mask(match, text)`` (None: kept).

    The match's positions hold in ``text`` too: folding maps every character to one character. ``folded`` is
    ``_fold(text)`` when the caller has it already."""
    out, last = [], 0
    for m in pattern.finditer(_fold(text) if folded is None else folded):
        replacement = mask(m, text)
        if replacement is None:
            continue
        out.append(text[last:m.start()])
        out.append(replacement)
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _phone_jp(m: re.Match[str], _: str) -> str | None:
    return "<phone>" if len(_DIGIT.findall(m.group())) in (10, 11) else None


def _phone_intl(m: re.Match[str], _: str) -> str | None:
    return "<phone>" if 8 <= len(_DIGIT.findall(m.group())) <= 15 else None


def _field(m: re.Match[str], text: str) -> str | None:
    kind = next(k for k in ("name", "address", "phone", "email") if m.group(k))
    value = m.group("value")
    if value.startswith("<") and value.rstrip().endswith(">"):
        return None  # masked already
    if kind == "phone" and not _DIGIT.search(value):
        return None  # 「折り返し先：不要」 names no number
    return text[m.start(1):m.end(1)] + f"<{kind}>"


def _json_field(m: re.Match[str], text: str) -> str | None:
    kind = next(k for k in ("name", "address", "phone", "email") if m.group(k))
    value = m.group("value")
    if value.startswith("<") and value.endswith(">"):
        return None
    if kind == "phone" and not _DIGIT.search(value):
        return None
    return text[m.start(1):m.end(1)] + f'<{kind}>"'


def mask_pii(text: str) -> str:
    """E-mail addresses → ``<email>``, phone numbers → ``<phone>``, postal codes → ``〒<postal>``, the values
    of name, address, phone and e-mail form fields masked (``label: value`` lines, or the keys of a form
    posted as JSON), a URL's query string and fragment dropped.

    The one masking function for ticket text: the pull calls it before storing, ``kb gaps`` before showing."""
    text = _replace(text, _EMAIL, lambda m, _: "<email>")
    text = _URL.sub(lambda m: m.group(1) + ("?<query>" if m.group(2) else ""), text)
    folded = _fold(text)
    for pattern, mask in _MASKS:
        if pattern is _JSON_FIELD and '":' not in text and '" :' not in text:
            continue
        masked = _replace(text, pattern, mask, folded)
        if masked is not text:
            text, folded = masked, _fold(masked)
    return text


#: The masks that follow the e-mail and URL ones, in order; each runs on the folded text, folded once and again
#: only after a mask changed it (folding every pass was most of the cost of a pull's masking).
_MASKS: list[tuple[re.Pattern[str], Callable[[re.Match[str], str], str | None]]] = [
    (_FIELD, _field),
    (_JSON_FIELD, _json_field),
    (_POSTAL, lambda m, _: "〒<postal>"),
    (_PHONE_INTL, _phone_intl),
    (_PHONE_JP, _phone_jp),
]


def cap(text: str, limit: int) -> str:
    """At most ``limit`` characters; an ellipsis marks a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_subject(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return cap(mask_pii(value.strip()), SUBJECT_MAX)


def clean_description(value: object, subject: object = None) -> str | None:
    """The description as stored: masked, and at most DESCRIPTION_MAX characters.

    A longer one keeps what the question needs rather than its first characters: the message without
    its quoted lines and the earlier thread (a question under 5,000 characters of ``>`` quotes survives)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) > DESCRIPTION_MAX:
        text = question_part(text, subject if isinstance(subject, str) else None) or text
    # Masking before the cap so a cap never leaves half an address behind.
    return cap(mask_pii(text[: DESCRIPTION_MAX * 4]), DESCRIPTION_MAX)


# -- the customer's own words: quoted replies and earlier messages of the thread set apart ------------------

_QUOTED = re.compile(r"(?m)^[ \t]*(?:>|＞|&gt;).*(?:\n|$)")
# Where an earlier message begins: a reply header block or attribution line, or a forward marker.
_REPLY_HEADER = re.compile(
    r"(?im)^[ \t]*(?:"
    r"-{2,}[ \t]*(?:original message|元のメッセージ|返信元のメッセージ)[ \t]*-{2,}"
    r"|(?:from|差出人|送信者)[ \t]*[:：].*\n(?:.*\n){0,2}?[ \t]*(?:sent|date|送信日時|日付|日時)[ \t]*[:：]"
    r"|on .{0,160}wrote:[ \t]*$"
    r"|\d{4}[年/-]\d{1,2}[月/-]\d{1,2}日?.{0,120}(?:<[^\n]{0,200}>|wrote|書きました|記載)[ \t]*[:：]?[ \t]*$"
    r")")
_FORWARD = re.compile(
    r"(?im)^[ \t]*(?:-{2,}[ \t]*(?:forwarded message|転送メッセージ|転送されたメッセージ)[ \t]*-{2,}"
    r"|begin forwarded message:)[ \t]*$")
_FORWARD_SUBJECT = re.compile(r"(?i)^\s*(?:fwd?|転送)\s*[:：]")
_NEXT_LINE = re.compile(r"[^\n]*\n(?:[ \t]*\n)*([^\n]*)")  # past the rest of a line and blank lines
_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_HEADER_LINE = re.compile(
    r"(?im)^[ \t]*(?:from|to|cc|date|sent|subject|差出人|送信者|宛先|日付|送信日時|件名|cc)[ \t]*[:：].*$")


def question_part(description: str, subject: str | None = None) -> str:
    """What the customer wrote in this message: quoted lines (``>``) dropped and the earlier thread cut off.

    A reply header (``-----Original Message-----``, Outlook's ``From:``/``Sent:`` block, ``On … wrote:``,
    ``2026年10月1日 … <…>:``) starts the earlier thread when the reply sits above it (Outlook). A header
    followed by ``>`` lines only introduces them: the reply may sit under the quotes (the new question at the
    bottom, or between them), so the header goes with the quotes and what follows them stays. A forwarded
    message is the point of a forward (an administrator passing an employee's question on), so it stays,
    without its header lines."""
    if ">" in description or "＞" in description or "&gt;" in description:
        text = _QUOTED.sub("", _attributions_removed(description))
    else:
        text = description
    forward = _FORWARD.search(text)
    if forward is not None or (subject is not None and _FORWARD_SUBJECT.match(subject)):
        start = _past_headers(text, forward.end() if forward is not None else 0)
        rest = _REPLY_HEADER.search(text, start)
        kept = text[:rest.start()] if rest else text
        if forward is not None:
            kept = kept[:forward.start()] + "\n" + kept[forward.end():]
        return _BLANKS.sub("\n\n", _HEADER_LINE.sub("", kept)).strip()
    reply = _REPLY_HEADER.search(text)
    return _BLANKS.sub("\n\n", text[:reply.start()] if reply else text).strip()


def _attributions_removed(text: str) -> str:
    """``text`` without the reply headers whose next non-blank line is quoted: they introduce the quotes,
    and the earlier thread ends with them."""
    out, last = [], 0
    for m in _REPLY_HEADER.finditer(text):
        after = _NEXT_LINE.match(text, m.end())
        if after is not None and _QUOTED.match(after.group(1)):
            end = text.find("\n", m.end())
            out.append(text[last:m.start()])
            last = len(text) if end < 0 else end
    return "".join(out) + text[last:] if out else text


def _past_headers(text: str, pos: int) -> int:
    """Where the forwarded message's own header lines (From:, Date:, Subject: …) starting at ``pos`` end."""
    while True:
        m = _HEADER_LINE.search(text, pos)
        if m is None or text[pos:m.start()].strip():
            return pos
        pos = m.end()
