"""Who writes is no topic: tickets that share only the organisation that wrote them are not one proposal.

On corpus G (a tuning corpus, tests/kb/gaps_eval.py) seed 4, one organisation of a legal form beyond 株式会社 (a
公益財団法人) wrote about many things; its name stayed in the text (a phone memo's `お相手：` line, a ticket
system's `会社:` line, sign-offs) and 15 of its tickets came out as one proposal, 2 of them on its majority
question, sixth of the gaps."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.kb.gaps_eval import corpus_g, proposed_gaps, tickets


def test_no_proposal_is_tickets_of_one_organisation(tmp_path: Path) -> None:
    labelled = tickets(corpus_g(), 1200, 4)
    truth = {t.id: t.label for t in labelled}
    gaps = proposed_gaps(tmp_path, labelled)[:10]
    purity = [Counter(truth[i] for i in ids).most_common(1)[0][1] / len(ids) for ids in gaps]
    assert len(gaps) == 10
    assert min(purity) >= 0.5, [round(p, 2) for p in purity]
