"""``kb gaps`` end to end: tickets from the store and articles from kb/ in, a report out (table, JSON, CSV, HTML)."""

from __future__ import annotations

import html
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from base.csvfile import SpreadsheetWriter
from kb.articles import load_articles
from kb.gaps import GapsError
from kb.gaps.analyse import Analysis, ArticleText, TicketText, Topic, analyse
from kb.gaps.rules import load_rules
from kb.model import KbSpec
from store import Store
from store.ticket_text import mask_pii

FORMATS = ("table", "json", "csv", "html")
POOR_VOTE_RATIO = 0.5  # up-votes below this share of at least MIN_VOTES votes: the article needs work
MIN_VOTES = 5


@dataclass
class ReviewItem:
    article: str  # category/section/slug, or the Help Center title when the article is not in kb/
    reason: str


@dataclass
class GapsReport:
    since: date
    until: date
    analysis: Analysis
    review: list[ReviewItem] = field(default_factory=list)
    days: int = 90
    min_tickets: int = 5
    subjects: dict[int, str] = field(default_factory=dict)  # ticket id → subject (masked), for drafts

    def topic(self, topic_id: int) -> Topic:
        for t in self.analysis.topics:
            if t.id == topic_id:
                return t
        known = ", ".join(str(t.id) for t in self.analysis.topics) or "none"
        raise GapsError(f"no topic {topic_id} in this period (topics: {known})")


def kb_articles(spec: KbSpec) -> list[ArticleText]:
    """Every article of kb/ in every locale, title and body, for coverage."""
    articles, _ = load_articles(spec)
    return [ArticleText(a.key, a.locale, a.title, a.body) for a in articles if not a.draft]


def build_report(spec: KbSpec, store: Store, days: int = 90, min_tickets: int = 5,
                 until: date | None = None) -> GapsReport:
    """Tickets of the last ``days`` days (to ``until``, inclusive) against the previous ``days``."""
    if days < 1:
        raise GapsError(f"--days {days}: must be at least 1")
    end = until or datetime.now(UTC).date()
    since = end - timedelta(days=days - 1)
    start_iso, cut_iso = _iso(since - timedelta(days=days)), _iso(since)
    end_iso = _iso(end + timedelta(days=1))
    current: list[TicketText] = []
    previous: list[TicketText] = []
    for ticket in store.ticket_texts(start_iso):
        if ticket.created_at is None or ticket.created_at >= end_iso:
            continue
        (current if ticket.created_at >= cut_iso else previous).append(ticket)
    if not current:
        raise GapsError(f"no ticket text in the store between {since} and {end}: run `csops pull zendesk` "
                        "(`--full` once, for tickets pulled before csops kept their text), and check that "
                        "zendesk.store_ticket_text is not false")
    analysis = analyse(current, previous, kb_articles(spec), min_tickets, load_rules(spec.root))
    for topic in analysis.topics:  # a store filled by an older csops may hold text masked less well
        topic.examples = [mask_pii(e) for e in topic.examples]
    report = GapsReport(since, end, analysis, days=days, min_tickets=min_tickets,
                        subjects={t.id: t.subject or "" for t in current})
    report.review = [ReviewItem(_topic_article(t), f"topic {t.id} is covered but its tickets rose {t.trend:.1f}× "
                                                   f"({t.previous} → {t.tickets}): update the article")
                     for t in analysis.rising_covered()]
    return report


def add_help_center_signals(report: GapsReport, articles: list[dict[str, Any]], keys: dict[int, str]) -> None:
    """Articles with a poor vote ratio or an outdated translation, from the Help Center's article list.

    ``keys`` maps Help Center article ids to kb keys (kb/helpcenter-ids.yaml)."""
    for a in articles:
        name = keys.get(int(a.get("id") or 0)) or str(a.get("title") or a.get("id"))
        votes, total = int(a.get("vote_sum") or 0), int(a.get("vote_count") or 0)
        if total >= MIN_VOTES:
            up = (total + votes) / 2 / total  # vote_sum is ups minus downs
            if up < POOR_VOTE_RATIO:
                report.review.append(ReviewItem(name, f"{up:.0%} of {total} readers found it helpful"))
        outdated = [str(x) for x in a.get("outdated_locales") or []]
        if outdated:
            report.review.append(ReviewItem(name, f"translation outdated in {', '.join(outdated)}"))


def _iso(day: date) -> str:
    return datetime.combine(day, time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _topic_article(topic: Topic) -> str:
    return topic.matches[0].key if topic.matches else f"topic {topic.id}"


def ordered(report: GapsReport) -> list[Topic]:
    """Gaps first (by tickets × how uncovered), then covered topics by size."""
    gaps = report.analysis.gaps
    rest = sorted((t for t in report.analysis.topics if t not in gaps), key=lambda t: (-t.tickets, t.id))
    return gaps + rest


def notes(report: GapsReport) -> list[str]:
    """What a reader should know about this window (no previous period, no topic big enough)."""
    a = report.analysis
    out = []
    if not a.previous_tickets:
        out.append(f"no tickets in the previous period (the {report.days} days before {report.since}): every "
                   "topic counts as new (trend 2.0×) until the store holds one")
    if not a.topics:
        out.append(f"no topic has {report.min_tickets} tickets or more ({a.unassigned} tickets in no topic): lower "
                   "--min-tickets or widen --days")
    return out


def topic_dict(t: Topic) -> dict[str, Any]:
    return {"id": t.id, "label": t.label, "terms": t.terms, "examples": t.examples, "coverage": t.coverage,
            "coverage_score": t.coverage_score, "coherence": t.coherence,
            "tickets": t.tickets, "previous": t.previous, "trend": round(t.trend, 2), "score": round(t.score, 1),
            "articles": [{"key": m.key, "title": m.title, "similarity": m.similarity} for m in t.matches],
            "ticket_ids": t.ticket_ids}


def render(report: GapsReport, fmt: str) -> str:
    if fmt == "json":
        a = report.analysis
        return json.dumps({"since": str(report.since), "until": str(report.until), "tickets": a.tickets,
                           "unassigned": a.unassigned, "previous_tickets": a.previous_tickets,
                           "notes": notes(report), "topics": [topic_dict(t) for t in ordered(report)],
                           "duplicates": [{"articles": [d.first, d.second], "locale": d.locale,
                                           "similarity": d.similarity} for d in a.duplicates],
                           "review": [{"article": r.article, "reason": r.reason} for r in report.review]},
                          ensure_ascii=False, indent=2)
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    return _table(report)


def _nearest(t: Topic) -> str:
    return f"{t.matches[0].key} ({t.matches[0].similarity:.2f})" if t.matches else "-"


def _table(report: GapsReport) -> str:
    a = report.analysis
    lines = [f"{a.tickets} tickets {report.since} … {report.until}: {len(a.topics)} topics, {len(a.gaps)} gaps, "
             f"{a.unassigned} tickets in no topic", *(f"note: {n}" for n in notes(report))]
    if a.topics:
        lines.append(f"{'topic':>5}  {'coverage':<14}  {'tickets':>7}  {'trend':>5}  label / nearest article "
                     "(share of the topic's words it says)")
    for t in ordered(report):
        lines.append(f"{t.id:>5}  {t.coverage:<14}  {t.tickets:>7}  {t.trend:>4.1f}×  {t.label}")
        lines.append(f"{'':>5}  {'':<14}  {'':>7}  {'':>5}  → {_nearest(t)}")
    if a.duplicates:
        lines += ["", "Articles that look alike (merge or link them):"]
        lines += [f"  {d.first} ~ {d.second} ({d.locale}, {d.similarity:.2f})" for d in a.duplicates]
    if report.review:
        lines += ["", "Articles to review:"]
        lines += [f"  {r.article}: {r.reason}" for r in report.review]
    lines.append("")
    lines.append("Write a draft for a topic: kb gaps --draft TOPIC …; every ticket id: --format json or csv; "
                 "what a ticket was reduced to: --explain TICKET")
    return "\n".join(lines)


CSV_COLUMNS = ["kind", "topic", "coverage", "coverage_score", "coherence", "tickets", "previous", "trend", "score",
               "label", "nearest_article", "similarity", "other_articles", "ticket_ids", "reason"]


def _csv(report: GapsReport) -> str:
    """One row per topic (kind ``topic``), then articles that look alike (``duplicate``) and articles to
    review (``review``), in the same columns."""
    out = io.StringIO()
    w = SpreadsheetWriter(out)
    w.writerow(CSV_COLUMNS)
    for t in ordered(report):
        first = t.matches[0] if t.matches else None
        w.writerow(["topic", t.id, t.coverage, f"{t.coverage_score:.3f}", f"{t.coherence:.3f}", t.tickets, t.previous,
                    f"{t.trend:.2f}", f"{t.score:.1f}", t.label, first.key if first else "",
                    f"{first.similarity:.3f}" if first else "",
                    " ".join(f"{m.key}={m.similarity:.3f}" for m in t.matches[1:]),
                    " ".join(str(i) for i in t.ticket_ids), ""])
    for d in report.analysis.duplicates:
        w.writerow(["duplicate", "", "", "", "", "", "", "", "", "", d.first, f"{d.similarity:.3f}", d.second, "",
                    f"look alike ({d.locale})"])
    for r in report.review:
        w.writerow(["review", "", "", "", "", "", "", "", "", "", r.article, "", "", "", r.reason])
    return out.getvalue()


def _html(report: GapsReport) -> str:
    e = html.escape
    rows = []
    for t in ordered(report):
        arts = "<br>".join(f"{e(m.title)} <code>{e(m.key)}</code> {m.similarity:.2f}" for m in t.matches)
        ids = ", ".join(str(i) for i in t.ticket_ids)
        rows.append(f"<tr class='{e(t.coverage.replace(' ', '-'))}'><td>{t.id}</td><td>{e(t.coverage)}</td>"
                    f"<td>{t.tickets}</td><td>{t.trend:.1f}×</td><td>{t.coherence:.2f}</td><td>{e(t.label)}</td>"
                    f"<td>{arts}</td><td><details><summary>{t.tickets} tickets</summary>{ids}</details></td></tr>")
    a = report.analysis
    dups = "".join(f"<li><code>{e(d.first)}</code> ~ <code>{e(d.second)}</code> ({e(d.locale)}, "
                   f"{d.similarity:.2f})</li>" for d in a.duplicates)
    review = "".join(f"<li><code>{e(r.article)}</code>: {e(r.reason)}</li>" for r in report.review)
    note = "".join(f"<p class='note'>{e(n)}</p>" for n in notes(report))
    return ("<!doctype html><html lang='ja'><meta charset='utf-8'><title>kb gaps</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:4px 8px;vertical-align:top}.not-covered td:nth-child(2){color:#b00}"
            ".weakly-covered td:nth-child(2){color:#a60}.note{color:#555}</style>"
            f"<h1>Which articles to write next</h1><p>{a.tickets} tickets {report.since} … {report.until}, "
            f"{len(a.topics)} topics, {len(a.gaps)} gaps</p>{note}<table><tr><th>topic</th><th>coverage</th>"
            "<th>tickets</th><th>trend</th><th>coherence</th><th>label</th><th>nearest articles</th>"
            "<th>ticket ids</th></tr>" + "".join(rows) + "</table>"
            + (f"<h2>Articles that look alike</h2><ul>{dups}</ul>" if dups else "")
            + (f"<h2>Articles to review</h2><ul>{review}</ul>" if review else "")
            + "</html>\n")


# -- --explain ---------------------------------------------------------------------------------------------

def explain(report: GapsReport, ticket: TicketText) -> dict[str, Any]:
    """What one ticket was reduced to, line by line, and where it went."""
    a = report.analysis
    documents = a.documents
    if documents is None:
        raise GapsError("nothing was analysed")
    subject, description = mask_pii(ticket.subject or ""), mask_pii(ticket.description or "")
    cleaned = documents.normalizer.clean(subject, description, explain=True)
    layout_subject = documents.layout_subject(cleaned.subject)
    lines = []
    for v in cleaned.lines:
        reason, kept = v.reason, documents.unlaid(v.kept) if v.kept else ""
        if v.kept and documents.layout_line(v.kept):
            reason = "a layout: this line comes with tickets about many topics"
        elif v.kept and not kept.strip():
            reason = "an aside: said with questions about many topics"
        lines.append({"line": v.line, "kept": "" if reason else kept, "reason": reason})
    topic_id = a.assignment.get(ticket.id)
    topic = next((t for t in a.topics if t.id == topic_id), None)
    in_period = str(report.since) <= (ticket.created_at or "")[:10] <= str(report.until)
    return {"ticket": ticket.id, "created_at": ticket.created_at, "in_period": in_period,
            "topic": {"id": topic.id, "label": topic.label, "coverage": topic.coverage} if topic else None,
            "subject": {"stored": subject, "clustered": "" if layout_subject else documents.words(cleaned.subject),
                        "reason": "a layout: this subject comes with tickets about many topics" if layout_subject
                        else ""},
            "lines": lines, "document": documents.document(cleaned), "rules": documents.rules.sources}


def render_explain(d: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=2)
    if d["topic"]:
        where = f"in topic {d['topic']['id']} ({d['topic']['coverage']}): {d['topic']['label']}"
    elif not d["in_period"]:
        where = "outside the period (use --until and --days to reach it)"
    elif not d["document"]:
        where = "in no topic: nothing of the question was left"
    else:
        where = "in no topic: far from every topic, or in one smaller than --min-tickets"
    out = [f"ticket {d['ticket']} ({d['created_at']}) {where}", "", f"subject: {d['subject']['stored']}",
           f"  → {d['subject']['clustered'] or '(nothing: ' + (d['subject']['reason'] or 'greeting only') + ')'}",
           "", "description, line by line (kept: the words clustered; dropped: why):"]
    for line in d["lines"]:
        if line["reason"]:
            out.append(f"  -  {line['line'].strip()[:80]}    [{line['reason']}]")
        else:
            out.append(f"  +  {line['line'].strip()[:80]}")
    out += ["", f"clustered as: {d['document'] or '(nothing)'}",
            "rules: built in" + "".join(f", {r}" for r in d["rules"])]
    return "\n".join(out)
