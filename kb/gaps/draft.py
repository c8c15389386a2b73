"""``kb gaps --draft``: a draft article per topic, through the ``kb new`` templates.

The draft goes to the section whose articles are nearest the topic, is titled
from the topic's most typical subject, and carries the example tickets (ids
and subjects, already masked by the pull) in an HTML comment for the writer.
"""

from __future__ import annotations

import re
from pathlib import Path

from base.files import write_file
from kb.gaps.analyse import Topic
from kb.model import KbSpec
from kb.skeleton import new_article
from store.ticket_text import mask_pii

_PROBLEM = re.compile(r"(?i)できない|できません|エラー|されない|されません|落ちる|届かない|おかしい|違う|"
                      r"error|fail|cannot|can't|not working|crash|wrong|missing")
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_TITLE_NOISE = re.compile(r"(?i)^(?:\s*(?:re|fw|fwd)\s*[:：]\s*|【[^】]*】\s*)+")
EXAMPLES = 10


def draft_title(topic: Topic) -> str:
    subject = topic.examples[0] if topic.examples else " ".join(topic.terms[:3])
    return _TITLE_NOISE.sub("", subject).strip(" 。.?？!！") or f"topic {topic.id}"


def draft_section(spec: KbSpec, topic: Topic) -> str:
    """category/section of the nearest article that still exists in kb.yaml; else the first section."""
    for match in topic.matches:
        category, section, _ = match.key.split("/", 2)
        if category in spec.categories and section in spec.categories[category].sections:
            return f"{category}/{section}"
    category = next(iter(spec.categories))
    return f"{category}/{next(iter(spec.categories[category].sections))}"


def _slug(spec: KbSpec, where: str, topic: Topic, locale: str) -> str:
    words = [w for term in topic.terms for w in _SLUG_WORD.findall(term.lower())][:4]
    base = "-".join(["gap", *words]) if words else f"gap-topic-{topic.id}"
    folder = spec.root / "articles" / where
    slug, n = base, 2
    while (folder / f"{slug}.md").exists() or (folder / f"{slug}.{locale}.md").exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _comment(topic: Topic, subjects: dict[int, str]) -> str:
    lines = [f"kb gaps: topic {topic.id} ({topic.coverage}, {topic.tickets} tickets, trend {topic.trend:.1f}×).",
             "Example tickets:"]
    for tid in topic.ticket_ids[:EXAMPLES]:
        lines.append(f"  #{tid} {mask_pii(subjects.get(tid, ''))}")
    if topic.matches:
        lines.append("Nearest articles: " + ", ".join(f"{m.key} ({m.similarity:.2f})" for m in topic.matches))
    # "--" may not appear inside an HTML comment; ticket text is untrusted.
    body = "\n".join(lines).replace("--", "- -").replace(">", "＞")
    return f"<!--\n{body}\n-->\n"


def write_draft(spec: KbSpec, topic: Topic, subjects: dict[int, str]) -> Path:
    title = draft_title(topic)
    locale = "en" if title.isascii() and "en" in spec.locales else spec.locale
    kind = "troubleshooting" if _PROBLEM.search(title) and "troubleshooting" in spec.types else None
    where = draft_section(spec, topic)
    path = new_article(spec, where, _slug(spec, where, topic, locale), title, kind, locale)
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---\n", 4) + len("\n---\n")
    write_file(path, text[:end] + "\n" + _comment(topic, subjects) + text[end:], within=spec.root)
    return path
