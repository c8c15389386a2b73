"""`kb gaps` through the CLI on the labelled evaluation set: quality, formats, drafts, errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from csops.kb_cli import kb
from sync.store import Store
from tests.kb.gaps_eval import LabelledTicket, generate, score

ROOT = Path(__file__).resolve().parents[2]
UNTIL = "2026-11-23"
N = 2400


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


def store_tickets(db: Path, tickets: list[LabelledTicket]) -> None:
    with Store(db) as store, store.transaction():
        store.upsert_tickets([(t.id, None, "open", None, None, t.subject, "[]", None, t.created_at, t.created_at, 0,
                               t.description) for t in tickets])


@pytest.fixture(scope="module")
def gaps_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GapsWorkspace]:
    path = tmp_path_factory.mktemp("gaps")
    shutil.copytree(ROOT / "kb", path / "kb", ignore=shutil.ignore_patterns("_site", ".cache", "*.py", "__pycache__",
                                                                           "templates", "static", "gaps"))
    (path / "csops.yaml").write_text("store:\n  url: sqlite:///state.db\n", encoding="utf-8")
    tickets = generate(N)
    store_tickets(path / "state.db", tickets)
    yield GapsWorkspace(path, tickets)


@pytest.fixture(scope="module")
def report(gaps_ws: GapsWorkspace) -> dict:  # type: ignore[type-arg]
    return gaps_ws.gaps_json()


def test_proposed_gaps_are_the_uncovered_topics(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    truth = {t.id: t.topic for t in gaps_ws.tickets}
    current = {t.id for t in gaps_ws.tickets if t.created_at >= "2026-08-26"}
    gaps = [t["ticket_ids"] for t in report["topics"] if t["coverage"] != "covered"]
    precision, recall = score(gaps, truth, 5, current)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)
    # every ticket of the period is counted once: in one topic or among the unassigned
    ids = [i for t in report["topics"] for i in t["ticket_ids"]]
    assert len(ids) == len(set(ids)) and set(ids) <= current
    assert report["tickets"] == len(current)


def test_covered_topics_point_at_their_article(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    from collections import Counter

    from sandbox.ticket_corpus import TOPICS

    article_of = {t.id: t.article for t in TOPICS}
    truth = {t.id: t.topic for t in gaps_ws.tickets}
    covered = [t for t in report["topics"] if t["coverage"] == "covered"]
    right = 0
    for topic in covered:
        majority = Counter(truth[i] for i in topic["ticket_ids"]).most_common(1)[0][0]
        right += article_of.get(majority) == topic["articles"][0]["key"]
        assert 0 < topic["articles"][0]["similarity"] <= 1
    assert len(covered) >= 8 and right / len(covered) >= 0.8, (right, len(covered))


def test_table_is_the_default_and_ranks_gaps_first(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    result = gaps_ws.kb("gaps", "--until", UNTIL)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "topics" in lines[0] and "gaps" in lines[0]
    first = lines[2].split()
    assert first[1:3] == ["not", "covered"]
    gaps = [t for t in report["topics"] if t["coverage"] == "not covered"]
    assert int(first[0]) == gaps[0]["id"]
    assert [t["score"] for t in gaps] == sorted((t["score"] for t in gaps), reverse=True)


def test_csv_and_html_carry_every_ticket(gaps_ws: GapsWorkspace, report: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["topic"]) for r in rows] == [t["id"] for t in report["topics"]]
    assert [[int(i) for i in r["ticket_ids"].split()] for r in rows] == [t["ticket_ids"] for t in report["topics"]]
    out = tmp_path / "gaps.html"
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--format", "html", "-o", str(out))
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<tr class=") == len(report["topics"])


def test_min_tickets_and_days(gaps_ws: GapsWorkspace, report: dict) -> None:  # type: ignore[type-arg]
    big = gaps_ws.gaps_json("--min-tickets", "60")
    assert big["topics"] and all(t["tickets"] >= 60 for t in big["topics"])
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


def test_unknown_topic_and_empty_period_are_clear_errors(gaps_ws: GapsWorkspace) -> None:
    result = gaps_ws.kb("gaps", "--until", UNTIL, "--draft", "999")
    assert result.exit_code == 2 and "no topic 999" in result.output
    result = gaps_ws.kb("gaps", "--until", "2020-01-01")
    assert result.exit_code == 78 and "csops pull zendesk" in result.output
    result = gaps_ws.kb("gaps", "--until", "23/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
