"""The simple baseline ``kb gaps`` must beat: character bigrams, cosine, and nothing else.

Written plainly and apart from kb/gaps (it shares no code with it), so a regression of ``kb gaps``
below it shows in bench/gaps.py:

1. text: subject (without Re:/Fw:) and description, NFKC, lower case, HTML tags removed; quoted lines
   (``>``) dropped; the text cut at the first signature, reply header or sign-off (``--``, ``From:``,
   ``差出人:``, ``-----Original``, ``… wrote:``, ``2026年…:``, よろしくお願い…, thanks/regards); lines that
   look like a field (a label of up to 15 characters before ``:``), a tag (``[…]``, ``【…】``, ``■…``, ``※…``)
   or contact details dropped, the value kept when the label names the question (内容, 用件, message);
   a short list of greetings removed;
2. vectors: TF-IDF of character bigrams (no whitespace inside), L2-normalised;
3. clusters: one pass in ticket order; a ticket joins the cluster whose centre is most similar if the
   cosine is at least JOIN, else it starts a cluster (no clustering library);
4. coverage: a cluster is covered when its centre's cosine to some article (title and body) is at
   least COVERED;
5. gaps: clusters not covered with at least ``min_tickets`` tickets, largest first.

JOIN and COVERED were chosen on corpus A (the grid 0.2-0.4 × 0.15-0.35 over three seeds), as kb gaps'
own constants were: corpus B plays no part in either.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

JOIN = 0.3
COVERED = 0.2
GREETINGS = ("いつも大変お世話になっております", "いつもお世話になっております", "お世話になっております",
             "お世話になります",
             "よろしくお願いいたします", "よろしくお願い致します", "よろしくお願いします", "よろしくお願い申し上げます",
             "お疲れ様です", "hello", "thanks", "thank you", "best regards", "kind regards", "regards")
_CUT = re.compile(r"(?m)^(?:--\s*$|from:|差出人:|-{3,}\s*original|.*wrote:\s*$|\d{4}年\d+月\d+日.*:\s*$"
                  r"|(?:以上、?)?(?:何卒)?よろしくお願い.*$|(?:thanks|regards|best regards|kind regards|cheers),?\s*$)")
_QUOTE = re.compile(r"(?m)^>.*$")
_TAG = re.compile(r"<[^<>]{1,200}>")
_FIELD = re.compile(r"^([^:：]{1,15})[:：](.*)$")
_MARK = re.compile(r"^(?:\[|【|■|※|-{2,}|={2,})")
_CONTACT = re.compile(r"〒|tel|fax|@|<phone>|<email>|<name>")
_QUESTION = ("内容", "用件", "質問", "相談", "message", "details")
Vector = dict[str, float]


def text_of(subject: str | None, description: str | None) -> str:
    subject = re.sub(r"(?i)^(?:\s*(?:re|fw|fwd)\s*:\s*)+", "", subject or "")
    text = unicodedata.normalize("NFKC", f"{subject}\n{description or ''}").lower()
    text = _QUOTE.sub("", _TAG.sub("\n", text))
    cut = _CUT.search(text)
    if cut:
        text = text[:cut.start()]
    lines = []
    for line in text.splitlines():
        line = line.strip()
        field = _FIELD.match(line)
        if field:
            if any(q in field.group(1) for q in _QUESTION):
                lines.append(field.group(2))
            continue
        if (_MARK.match(line) and len(line) <= 30) or _CONTACT.search(line):
            continue
        lines.append(line)
    text = "\n".join(lines)
    for phrase in GREETINGS:
        text = text.replace(phrase, " ")
    return text


def bigrams(text: str) -> Counter[str]:
    return Counter(text[i:i + 2] for i in range(len(text) - 1) if not any(c.isspace() for c in text[i:i + 2]))


def tfidf(counts: Sequence[Counter[str]], idf: dict[str, float]) -> list[Vector]:
    out = []
    for c in counts:
        v = {g: (1 + math.log(n)) * idf.get(g, 0.0) for g, n in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({g: x / norm for g, x in v.items()})
    return out


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(g, 0.0) for g, x in a.items())


def normalised(v: Vector) -> Vector:
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {g: x / norm for g, x in v.items()}


def gaps(tickets: Sequence[tuple[int, str | None, str | None]], articles: Sequence[tuple[str, str, str]],
         min_tickets: int = 5) -> list[list[int]]:
    """Proposed gaps (ticket ids each), most tickets first; ``tickets``: (id, subject, description),
    ``articles``: (key, title, body)."""
    counts = [bigrams(text_of(s, d)) for _, s, d in tickets]
    df = Counter(g for c in counts for g in c)
    idf = {g: math.log((1 + len(counts)) / (1 + n)) + 1 for g, n in df.items()}
    vectors = tfidf(counts, idf)
    sums: list[Vector] = []
    centres: list[Vector] = []
    members: list[list[int]] = []
    for (tid, _, _), v in zip(tickets, vectors, strict=True):
        sims = [cosine(v, c) for c in centres]
        best = max(range(len(sims)), key=sims.__getitem__) if sims else -1
        if best >= 0 and sims[best] >= JOIN:
            for g, x in v.items():
                sums[best][g] = sums[best].get(g, 0.0) + x
            centres[best] = normalised(sums[best])
            members[best].append(tid)
        else:
            sums.append(dict(v))
            centres.append(dict(v))
            members.append([tid])
    art = tfidf([bigrams(text_of(title, body)) for _, title, body in articles], idf)
    out = []
    for centre, ids in zip(centres, members, strict=True):
        if len(ids) < min_tickets:
            continue
        if art and max(cosine(centre, a) for a in art) >= COVERED:
            continue
        out.append(ids)
    return sorted(out, key=len, reverse=True)
