"""`kb gaps` through the CLI on corpus A (one of the tuning corpora: tests/kb/gaps_eval.py): quality, formats,
drafts, --explain, articles that look alike.

The other corpora have tests of their own (tests/kb/test_gaps_corpus_*.py); the corpus held back from tuning (H,
since the night of 7 December) is only measured by bench/gaps.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from csops.demo import sample_kb
from csops.kb_cli import kb
from sandbox.corpus import LabelledTicket
from tests.kb.gaps_eval import SINCE, UNTIL, corpus_a, score, store_tickets, tickets

ROOT = Path(__file__).resolve().parents[2]
N, SEED = 1000, 19  # the size and seed bench/gaps.py reports


@dataclass
class GapsWorkspace:
    path: Path
    tickets: list[LabelledTicket]

    @property
    def kb_root(self) -> Path:
        return self.path / "kb"

    def kb(self, *args: str) -> Result:
        return CliRunner().invoke(kb, ["--root", str(self.kb_root), "--config", str(self.path / "csops.yaml"),
                                       *args], catch_exceptions=False)

    def gaps_json(self, *args: str) -> dict:  # type: ignore[type-arg]
        result = self.kb("gaps", "--until", UNTIL, "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    def current(self) -> set[int]:
        return {t.id for t in self.tickets if t.created_at >= SINCE and not t.deleted}


@pytest.fixture(scope="module")
def gaps_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GapsWorkspace]:
    path = tmp_path_factory.mktemp("gaps")
    sample_kb(path)
    (path / "csops.yaml").write_text("store:\n  url: sqlite:///state.db\n", encoding="utf-8")
    labelled = tickets(corpus_a(), N, SEED)
    store_tickets(path / "state.db", labelled)
    yield GapsWorkspace(path, labelled)


@pytest.fixture(scope="module")
def report(gaps_ws: GapsWorkspace) -> dict:  # type: ignore[type-arg]
    return gaps_ws.gaps_json()


def _majority(gaps_ws: GapsWorkspace, ids: list[int]) -> str:
    truth = {t.id: t.label for t in gaps_ws.tickets}
    return Counter(truth[i] for i in ids).most_common(1)[0][0]


def test_proposed_gaps_are_the_uncovered_topics(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    gaps = [t["ticket_ids"] for t in report["topics"] if t["coverage"] != "covered"]
    s = score(corpus_a(), gaps_ws.tickets, gaps)
    assert s.precision_at_5 >= 0.8 and s.recall >= 0.8 and s.purity >= 0.9, s
    # every ticket of the period is counted once: in one topic or among the unassigned
    ids = [i for t in report["topics"] for i in t["ticket_ids"]]
    assert len(ids) == len(set(ids)) and set(ids) <= gaps_ws.current()
    assert report["tickets"] == len(gaps_ws.current())
    assert all(0 < t["coherence"] <= 1 for t in report["topics"])


def test_covered_topics_point_at_their_article(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    article_of = corpus_a().covered()
    covered = [t for t in report["topics"] if t["coverage"] == "covered"]
    right = sum(article_of.get(_majority(gaps_ws, t["ticket_ids"])) == t["articles"][0]["key"] for t in covered)
    assert len(covered) >= 7 and right / len(covered) >= 0.8, (right, len(covered))


def test_english_tickets_join_their_japanese_topic(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    """A topic asked in both languages is one proposal: no topic is English only."""
    english = {t.id for t in gaps_ws.tickets if t.description.isascii() or t.subject.isascii()}
    mixed = 0
    for t in report["topics"]:
        share = sum(i in english for i in t["ticket_ids"]) / t["tickets"]
        assert share < 0.8, (t["label"], share)
        mixed += share > 0
    assert mixed >= len(report["topics"]) // 2


def test_table_is_the_default_and_ranks_gaps_first(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    result = gaps_ws.kb("gaps", "--until", UNTIL)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "topics" in lines[0] and "gaps" in lines[0]
    first = lines[2].split()
    gaps = [t for t in report["topics"] if t["coverage"] != "covered"]
    assert int(first[0]) == gaps[0]["id"] and " ".join(first[1:3]) in ("not covered", "weakly covered")
    assert [t["score"] for t in gaps] == sorted((t["score"] for t in gaps), reverse=True)
    assert all(t["score"] == pytest.approx(t["tickets"] * (1 - t["coverage_score"]), abs=0.1) for t in gaps)


def test_csv_and_html_carry_every_ticket(gaps_ws: GapsWorkspace, report: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--format", "csv")
    assert result.exit_code == 0
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["kind"] == "topic"]
    assert [int(r["topic"]) for r in rows] == [t["id"] for t in report["topics"]]
    assert [[int(i) for i in r["ticket_ids"].split()] for r in rows] == [t["ticket_ids"] for t in report["topics"]]
    out = tmp_path / "gaps.html"
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--format", "html", "-o", str(out))
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<tr class=") == len(report["topics"])


def test_articles_that_look_alike_are_listed(gaps_ws: GapsWorkspace, tmp_path: Path) -> None:
    source = gaps_ws.kb_root / "articles" / "troubleshooting" / "login" / "cannot-sign-in.md"
    copy = gaps_ws.kb_root / "articles" / "admin" / "users" / "sign-in-problems.md"
    copy.write_text(source.read_text(encoding="utf-8").replace("title: ログインできない",
                                                               "title: ログインできないとき"), encoding="utf-8")
    try:
        report = gaps_ws.gaps_json()
        pairs = {tuple(sorted(d["articles"])) for d in report["duplicates"]}
        assert pairs == {("admin/users/sign-in-problems", "troubleshooting/login/cannot-sign-in")}
        table = gaps_ws.kb("gaps", "--until", UNTIL).stdout
        assert "Articles that look alike" in table and "admin/users/sign-in-problems ~ " in table
        page = tmp_path / "gaps.html"
        gaps_ws.kb("gaps", "--until", UNTIL, "--format", "html", "-o", str(page))
        assert "<h2>Articles that look alike</h2>" in page.read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(gaps_ws.kb("gaps", "--until", UNTIL, "--format", "csv").stdout)))
        assert [r["kind"] for r in rows].count("duplicate") == 1
    finally:
        copy.unlink()
    assert gaps_ws.gaps_json()["duplicates"] == []  # the sample KB has none


def test_explain_shows_what_a_ticket_became(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    form = next(t for t in gaps_ws.tickets if "種別：" in t.description and t.created_at >= SINCE
                and t.label == "shift")
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--explain", str(form.id))
    assert result.exit_code == 0, result.output
    out = result.stdout
    topic = next(t for t in report["topics"] if form.id in t["ticket_ids"])
    assert out.splitlines()[0].startswith(f"ticket {form.id} ") and f"in topic {topic['id']} " in out
    assert "[form field '会社名']" in out and "[form field 'お名前']" in out and "<name>" in out
    assert "clustered as: " in out and "シフト" in out.split("clustered as: ")[1]
    data = json.loads(gaps_ws.kb("gaps", "--until", UNTIL, "--explain", str(form.id), "--format", "json").stdout)
    assert data["topic"]["id"] == topic["id"] and any(line["reason"] == "form field '種別'" for line in data["lines"])
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--explain", "99999999")
    assert result.exit_code == 2 and "no ticket 99999999" in result.output


def test_min_tickets_and_days(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    big = gaps_ws.gaps_json("--min-tickets", "30")
    assert big["topics"] and all(t["tickets"] >= 30 for t in big["topics"])
    assert len(big["topics"]) < len(report["topics"])
    short = gaps_ws.gaps_json("--days", "30")
    assert short["since"] == "2026-10-25" and short["tickets"] < report["tickets"]


def test_draft_goes_to_the_nearest_section_and_passes_kb_check(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    gap = next(t for t in report["topics"] if t["coverage"] == "not covered")
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--draft", str(gap["id"]))
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.split()[1])
    category, section = gap["articles"][0]["key"].split("/")[:2]
    assert path.parent == gaps_ws.kb_root / "articles" / category / section
    text = path.read_text(encoding="utf-8")
    assert "draft: true" in text
    for tid in gap["ticket_ids"][:3]:
        assert f"#{tid} " in text
    check = gaps_ws.kb("check", "--format", "json", str(path))
    errors = [f for f in json.loads(check.stdout) if f["level"] == "error"]
    assert all(f["rule"] == "placeholder" for f in errors), errors
    # a second draft of the same topic never overwrites the first
    again = gaps_ws.kb("gaps", "--until", UNTIL, "--draft", str(gap["id"]))
    assert again.exit_code == 0 and Path(again.stdout.split()[1]) != path
    path.unlink()
    Path(again.stdout.split()[1]).unlink()


def test_unknown_topic_bad_rules_and_empty_period_are_clear_errors(gaps_ws: GapsWorkspace) -> None:
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--draft", "999")
    assert result.exit_code == 2 and "no topic 999" in result.output
    result = gaps_ws.kb("gaps", "--until", "2020-01-01")
    assert result.exit_code == 78 and "csops pull zendesk" in result.output
    result = gaps_ws.kb("gaps", "--until", "23/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    rules = gaps_ws.kb_root / "gaps.yaml"
    saved = rules.read_text(encoding="utf-8")
    rules.write_text(saved.replace("drop_lines:\n", "drop_lines:\n  - '(?<=x)y'\n"), encoding="utf-8")
    try:
        result = gaps_ws.kb("gaps", "--until", UNTIL)
        assert result.exit_code == 78 and f"{rules}:" in result.output and "RE2" in result.output
    finally:
        rules.write_text(saved, encoding="utf-8")
