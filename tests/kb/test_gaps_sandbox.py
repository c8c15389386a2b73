"""`kb gaps` on the sandbox: tickets pulled over loopback HTTP, votes and outdated flags from its Help Center."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli
from sandbox.server import Sandbox
from tests.conftest import make_sandbox
from tests.kb.test_publish import Site, live


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = make_sandbox(accounts=10, tickets=1500)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_gaps_from_pulled_tickets_with_help_center_signals(tmp_path: Path, sb: Sandbox) -> None:
    site = Site(tmp_path, sb)
    assert site.publish()["failed"] == 0
    old = os.getcwd()
    os.chdir(site.dir)
    try:
        pulled = CliRunner().invoke(cli, ["--config", str(site.config), "pull", "zendesk", "--json"], env=site.env,
                                    catch_exceptions=False)
    finally:
        os.chdir(old)
    assert pulled.exit_code == 0, pulled.output
    h = sb.helpcenter
    by_title = {h.translations[a["id"]][a["source_locale"]]["title"]: a["id"] for a in live(sb)}
    h.vote(by_title["ログインできない"], up=2, down=9)
    h.vote(by_title["残業を申請する"], up=9, down=1)
    h.flag_outdated(by_title["権限の種類"], "en-us")
    result = site.kb("gaps", "--until", "2026-11-23", "--format", "json", "--help-center")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    kinds = {t["coverage"] for t in report["topics"]}
    assert {"covered", "not covered"} <= kinds
    covered = {t["articles"][0]["key"] for t in report["topics"] if t["coverage"] == "covered"}
    assert "troubleshooting/login/cannot-sign-in" in covered
    gap_words = " ".join(t["label"] for t in report["topics"] if t["coverage"] == "not covered")
    assert any(w in gap_words for w in ("有給", "有休", "請求書", "シフト", "slack")), gap_words
    review = {(r["article"], r["reason"]) for r in report["review"]}
    assert ("troubleshooting/login/cannot-sign-in", "18% of 11 readers found it helpful") in review
    assert ("admin/users/roles", "translation outdated in en-us") in review
    assert not any(a == "employees/requests/overtime-request" for a, _ in review)
