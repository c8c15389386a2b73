"""Real headless Chromium opens the HTML report offline: every chart drawn, Japanese text, no overflow."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Workspace
from tests.report.helpers import grow_history

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install Debian's chromium (see .ci/run)", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")

SHOTS = Path(os.environ.get("CSOPS_SCREENSHOTS", "")) if os.environ.get("CSOPS_SCREENSHOTS") else None


def japanese_font() -> bool:
    out = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def test_html_report_in_chromium(ws: Workspace, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    if os.environ.get("CI"):
        assert japanese_font(), "CI must install a CJK font (fonts-noto-cjk, see .ci/run)"
    grow_history(ws)
    ids = sorted(ws.sandbox.data.accounts)
    nps = tmp_path / "nps.csv"
    nps.write_text("account,date,score\n" + "".join(f"{a},2026-{9 + i % 3}-10,{i % 11}\n" for i, a in enumerate(ids)),
                   encoding="utf-8")
    assert ws.cli("nps", "import", str(nps)).exit_code == 0
    out = tmp_path / "report.html"
    assert ws.cli("report", "--format", "html", "--out", str(out), "--by", "product").exit_code == 0

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
            page.goto(out.as_uri())
            charts = page.locator("div.chart")
            assert charts.count() == 9
            for i in range(charts.count()):
                chart = charts.nth(i)
                name = chart.get_attribute("data-chart")
                chart.locator("svg.main-svg").first.wait_for()
                marks = chart.locator("g.trace, g.funnel, g.boxlayer path, g.scatterlayer path").count()
                assert marks > 0, f"chart {name} drew nothing"
                drawn = "".join(chart.locator("svg.main-svg").all_text_contents())
                assert any("\u3040" <= ch <= "\u9fff" for ch in drawn), f"chart {name}: no Japanese text"
            funnel = page.locator('div.chart[data-chart="funnel"]').text_content() or ""
            assert "オンボ滞留" in funnel and "解約見込" in funnel
            for rate in ("completion", "due"):  # 対象外 (Analytics has no phases) is no bar of a rate
                drawn = page.locator(f'div.chart[data-chart="{rate}"]').text_content() or ""
                assert "勤怠管理" in drawn and "Analytics" not in drawn
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                # Plotly redraws each chart for the new width after the resize event (debounced): wait for it
                page.wait_for_function("[...document.querySelectorAll('div.chart svg.main-svg')].every("
                                       "s => s.getBoundingClientRect().right <= window.innerWidth)")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{overflow}px horizontal overflow at {width}px"
                shot = page.screenshot(full_page=True)
                assert len(shot) > 10_000
                if SHOTS:
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    (SHOTS / f"report-{width}.png").write_bytes(shot)
            assert errors == []
            assert requests == []  # works offline: no CDN, no font or script fetched
        finally:
            browser.close()


HOSTILE_SEGMENT = ('<a href="https://attacker.example/x">open</a><span style="font-size:80px;fill:red">big</span>'
                   '<b>bold</b><br>next')


def test_names_in_the_charts_are_text_not_plotly_markup(ws: Workspace, tmp_path: Path) -> None:
    """F11: Plotly reads <a href>, <span style>, <b>, <br> in trace names and ticks as markup; a segment named
    with them became a link and a style in the report. In real Chromium: shown literally, no link, no style."""
    from playwright.sync_api import sync_playwright

    for account_id in sorted(ws.sandbox.data.accounts)[::2]:  # the field --by owner splits on, from Salesforce
        ws.sandbox.data.accounts[account_id]["OwnerId"] = HOSTILE_SEGMENT
    grow_history(ws, ("2026-10-19", "2026-11-23"))
    out = tmp_path / "report.html"
    result = ws.cli("report", "--format", "html", "--out", str(out), "--by", "owner", "--from", "2026-01-01")
    assert result.exit_code == 0, result.output
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            page.goto(out.as_uri())
            page.locator("div.chart svg.main-svg").first.wait_for()
            page.wait_for_function("[...document.querySelectorAll('div.chart')].every(c => c.querySelector("
                                   "'svg.main-svg'))")
            drawn = "".join(page.locator("div.chart svg.main-svg").all_text_contents())
            assert '<a href="https://attacker.example/x">open</a>' in drawn  # the name, as written
            assert page.locator("div.chart svg a").count() == 0
            styled = page.evaluate("[...document.querySelectorAll('div.chart svg tspan')].filter("
                                   "t => (t.getAttribute('style') || '').includes('80px')).length")
            bold = page.evaluate("[...document.querySelectorAll('div.chart svg tspan')].filter("
                                 "t => (t.getAttribute('style') || '').includes('bold')).length")
            assert (styled, bold) == (0, 0)
        finally:
            browser.close()
