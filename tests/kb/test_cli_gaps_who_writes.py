"""Who writes is no topic: tickets that share only the organisation that wrote them are not one proposal.

On corpus G (a tuning corpus, tests/kb/gaps_eval.py) seed 4, one organisation of a legal form beyond 株式会社 (a
公益財団法人) wrote about many things; its name stayed in the text (a phone memo's `お相手：` line, a ticket
system's `会社:` line, sign-offs) and 15 of its tickets came out as one proposal, 2 of them on its majority
question, sixth of the gaps."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from csops.demo import sample_kb
from csops.kb_cli import kb
from tests.kb.gaps_eval import UNTIL, corpus_g, store_tickets, tickets


def test_no_proposal_is_tickets_of_one_organisation(tmp_path: Path) -> None:
    sample_kb(tmp_path)
    (tmp_path / "csops.yaml").write_text("store:\n  url: sqlite:///state.db\n", encoding="utf-8")
    labelled = tickets(corpus_g(), 1200, 4)
    store_tickets(tmp_path / "state.db", labelled)
    result = CliRunner().invoke(kb, ["--root", str(tmp_path / "kb"), "--config", str(tmp_path / "csops.yaml"),
                                     "gaps", "--until", UNTIL, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    truth = {t.id: t.label for t in labelled}
    gaps = [t["ticket_ids"] for t in json.loads(result.stdout)["topics"] if t["coverage"] != "covered"][:10]
    purity = [Counter(truth[i] for i in ids).most_common(1)[0][1] / len(ids) for ids in gaps]
    assert len(gaps) == 10
    assert min(purity) >= 0.5, [round(p, 2) for p in purity]
