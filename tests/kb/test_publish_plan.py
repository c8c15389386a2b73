"""`kb publish --dry-run` prints the plan a real run applies: the same steps, in the same order, with the same counts
(sandbox Help Center over loopback HTTP)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result

from csops.jobs import kb_publisher
from csops.shell import App
from kb.publish import Options
from kb.publish.steps import (
    ArchiveArticle,
    Blocked,
    CreateArticle,
    CreateCategory,
    CreateSection,
    CreateTranslation,
    Drifted,
    TranslateContainer,
    UpdateArticle,
    UpdateSection,
    UpdateTranslation,
)
from kb.spec import load_spec
from sandbox.server import Sandbox
from tests.kb.test_publish import Site, live

# An empty section, published first, then moved into a category the second run creates.
SHIFTS = "      - id: shifts\n        title: {ja: シフト, en: Shifts}\n        position: 3\n"
MOBILE = ("  - id: mobile\n    title: {ja: モバイルアプリ, en: Mobile app}\n    position: 5\n    sections:\n"
          "      - id: app\n        title: {ja: アプリの使い方, en: Using the app}\n        position: 1\n")
NEW_JA = ("---\ntitle: アプリで打刻する\n---\n\n## 概要\n\nアプリから打刻します。\n\n## 手順\n\n"
          "1. [打刻の手順](../../employees/timecard/clock-in.md)を確認します。\n\n"
          "![打刻ボタン](../../../images/clock-in-button.png)\n")
NEW_EN = ("---\ntitle: Clocking in from the app\n---\n\n## Overview\n\nClock in from the app.\n\n## Steps\n\n"
          "1. Tap **Clock in**.\n\n![Clock-in button](../../../images/clock-in-button.png)\n")


def lines(result: Result) -> tuple[list[str], str]:
    """The plan's lines and the summary line."""
    out = result.stdout.rstrip("\n").split("\n")
    return out[:-1], out[-1]


def counts(summary: str) -> list[str]:
    """The summary's counts, worded the same for a dry run and a real one, without the API calls."""
    return re.sub(r" \[\d+ API calls\].*", "", summary.replace("would be ", "")).split(", ")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def dry_then_real(site: Site, *args: str) -> tuple[Result, Result]:
    dry = site.kb("publish", "--dry-run", "--verbose-plan", *args)
    writes = site.writes()
    real = site.kb("publish", "--verbose-plan", *args)
    assert writes == 0 or dry.exit_code == real.exit_code
    return dry, real


def test_the_dry_run_prints_what_a_first_publish_applies(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    edit(site.dir / "kb/kb.yaml", "        default_type: faq\n", f"        default_type: faq\n{SHIFTS}")
    dry, real = dry_then_real(site)
    assert dry.exit_code == real.exit_code == 0, real.output
    planned, applied = lines(dry), lines(real)
    assert planned[0] == applied[0]
    assert counts(planned[1]) == counts(applied[1]) == ["13 created", "0 updated", "0 unchanged", "0 archived",
                                                        "3 images uploaded", "0 failed"]
    assert "create    category getting-started — はじめに" in planned[0]
    assert "update    category getting-started [en-us] (new translation)" in planned[0]
    assert "create    section getting-started/shifts — シフト" in planned[0]
    assert "update    section getting-started/shifts [en-us] (new translation)" in planned[0]
    assert sum(line.startswith("create    ") for line in planned[0]) == 4 + 9 + 13
    assert len(live(hc)) == 13


def test_the_dry_run_prints_what_a_publish_of_many_changes_applies(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    kb = site.dir / "kb"
    edit(kb / "kb.yaml", "        default_type: faq\n", f"        default_type: faq\n{SHIFTS}")
    assert site.kb("publish").exit_code == 0
    # kb.yaml: a new category, a category renamed, two sections repositioned; in Guide, a section moved
    yaml_text = (kb / "kb.yaml").read_text(encoding="utf-8").replace("\nwriting:\n", MOBILE + "\nwriting:\n")
    yaml_text = yaml_text.replace(SHIFTS, SHIFTS.replace("position: 3", "position: 4"))
    yaml_text = yaml_text.replace("{ja: 管理者向け, en: For administrators}",
                                  "{ja: 管理者の方へ, en: For administrators}")
    yaml_text = yaml_text.replace("        title: {ja: 申請と承認, en: Requests and approvals}\n        position: 2",
                                  "        title: {ja: 申請と承認, en: Requests and approvals}\n        position: 4")
    h = hc.helpcenter
    shifts = next(s for s in h.sections.values() if h.translations[s["id"]]["ja"]["title"] == "シフト")
    shifts["category_id"] = next(c["id"] for c in h.categories.values() if c["position"] == 2)
    (kb / "kb.yaml").write_text(yaml_text, encoding="utf-8")
    # articles: a new one with an image, a link and a translation; a title, a label and a translation added;
    # one removed; one edited in the Help Center; one with a kb check error
    (kb / "articles/mobile/app").mkdir(parents=True)
    (kb / "articles/mobile/app/clock-in-app.md").write_text(NEW_JA, encoding="utf-8")
    (kb / "articles/mobile/app/clock-in-app.en.md").write_text(NEW_EN, encoding="utf-8")
    edit(kb / "articles/getting-started/setup/first-steps.md", "title: 初期設定の流れ", "title: 初期設定の全体の流れ")
    edit(kb / "articles/employees/requests/overtime-request.md", "labels: [従業員, 申請]",
         "labels: [従業員, 申請, 残業]")
    (kb / "articles/getting-started/setup/work-rules.en.md").write_text(NEW_EN.replace(
        "Clocking in from the app", "Work rules").replace("../../../images/clock-in-button.png",
                                                          "../../../images/setup-flow.png"), encoding="utf-8")
    (kb / "articles/getting-started/faq/trial-faq.md").unlink()
    edit(kb / "articles/employees/timecard/clock-in.md", "## 概要\n", "## 概要\n\nユーザが打刻します。\n")
    approve = next(a for a in live(hc) if 'csops-key="employees/requests/approve-requests"' in
                   hc.helpcenter.translations[a["id"]][a["source_locale"]]["body"])
    tr = hc.helpcenter.translations[approve["id"]]["ja"]
    tr["body"] = tr["body"].replace("<h2", "<p>編集部の追記です。</p><h2", 1)

    hc.reset_stats()
    dry, real = dry_then_real(site, "--archive-removed")
    assert dry.exit_code == real.exit_code == 3, real.output
    planned, applied = lines(dry), lines(real)
    assert planned[0] == applied[0], "\n".join(planned[0]) + "\n----\n" + "\n".join(applied[0])
    assert counts(planned[1]) == counts(applied[1]) == [
        "1 created", "3 updated", "7 unchanged", "1 archived", "3 images uploaded", "0 failed", "1 drifted",
        "1 blocked"]
    assert {
        "create    category mobile — モバイルアプリ",
        "update    category mobile [en-us] (new translation)",
        "update    category admin [ja] (name)",
        "update    section employees/requests (position)",
        "create    section mobile/app — アプリの使い方",
        "update    section getting-started/shifts (category_id, position)",
        "create    mobile/app/clock-in-app [ja]",
        "update    getting-started/setup/first-steps [ja] (title)",
        "update    employees/requests/overtime-request [ja] (label_names)",
        "update    getting-started/setup/work-rules [en] (new translation)",
        "archive   getting-started/faq/trial-faq — article " + str(_archived(hc)),
    } <= set(planned[0])
    assert any(line.startswith("drifted   employees/requests/approve-requests [ja]") for line in planned[0])
    assert any(line.startswith("blocked   employees/timecard/clock-in — kb check:") for line in planned[0])

    hc.reset_stats()
    again, again_real = dry_then_real(site, "--archive-removed")
    assert lines(again)[0] == lines(again_real)[0]
    assert sorted(line.split()[0] for line in lines(again)[0]) == ["blocked", "drifted"] + ["unchanged"] * 11
    assert site.writes() == 0


def _archived(hc: Sandbox) -> int:
    h = hc.helpcenter
    return next(a["id"] for a in h.articles.values() if a["archived"] or
                'csops-key="getting-started/faq/trial-faq"' in h.translations[a["id"]][a["source_locale"]]["body"])


def test_a_dry_run_and_a_real_run_give_the_same_typed_steps(tmp_path: Path, hc: Sandbox,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the library: the dry run's steps are the ones the real run reports, each write among them done."""
    site = Site(tmp_path, hc)
    for name, value in site.env.items():
        monkeypatch.setenv(name, value)
    app = App(config_path=str(site.config))
    publisher = kb_publisher(app, load_spec(site.dir / "kb"))
    dry = publisher.publish(Options(), dry_run=True)
    real = publisher.publish(Options())
    assert dry.steps == real.steps and dry.done == real.done
    kinds = {type(s) for s in real.steps}
    assert {CreateCategory, CreateSection, TranslateContainer, CreateArticle} <= kinds
    assert not kinds & {UpdateArticle, UpdateTranslation, CreateTranslation, ArchiveArticle, Drifted, Blocked,
                        UpdateSection}
    assert {k: v for k, v in dry.summary().items() if k != "api_calls"} == \
        {k: v for k, v in real.summary().items() if k != "api_calls"}
    assert real.summary()["images_uploaded"] == 3 and real.summary()["created"] == 13
