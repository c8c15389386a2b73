"""Real headless Chromium opens the HTML report offline: every chart drawn, Japanese text, no overflow."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sandbox.salesforce_tasks import USER_NAMES
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


#: Every visible text label of a chart, with its box (tick labels, legend entries, bar texts, axis titles).
TEXT_BOXES = """chart => [...chart.querySelectorAll('svg text')].map(t => {
  const r = t.getBoundingClientRect(), s = getComputedStyle(t);
  return {text: t.textContent, x: r.left, y: r.top, w: r.width, h: r.height,
          rotated: (t.getAttribute('transform') || '').includes('rotate'),
          shown: s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0' && r.width > 0};
}).filter(b => b.shown && b.text.trim())"""

#: Per chart, whether a visible toolbar overlaps its plot area (the drag rectangle Plotly lays over the plot).
TOOLBAR_OVER_PLOT = """() => [...document.querySelectorAll('div.chart')].filter(chart => {
  const bar = chart.querySelector('.modebar-container'), plot = chart.querySelector('.nsewdrag, .bglayer rect');
  if (!bar || !plot || getComputedStyle(bar).display === 'none') return false;
  const a = bar.getBoundingClientRect(), b = plot.getBoundingClientRect();
  if (a.width === 0 || a.height === 0) return false;
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}).map(c => c.dataset.chart)"""


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap by more than a pixel each way. Two tick labels Plotly turned to the same
    angle (a narrow chart) are parallel: their upright boxes overlap, their text does not."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["rotated"] and b["rotated"]:
                continue
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx > 1 and dy > 1:
                out.append((a["text"], b["text"]))
    return out


def open_report(browser: Any, path: Path, width: int = 1280) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(20_000)
    page.goto(path.as_uri())
    page.wait_for_function("[...document.querySelectorAll('div.chart:not(.empty)')].every(c => c.querySelector("
                           "'svg.main-svg'))")
    return page


@pytest.mark.slow
def test_html_report_in_chromium(ws: Workspace, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    if os.environ.get("CI"):
        assert japanese_font(), "CI must install a CJK font (fonts-noto-cjk, see .ci/run)"
    with ws.config.open("a", encoding="utf-8") as f:  # two target lines: their labels must not collide
        f.write("report:\n  targets: {勤怠管理: 0.9, 経費精算: 0.85}\n")
    grow_history(ws)
    before_nps = tmp_path / "before-nps.html"
    assert ws.cli("report", "--format", "html", "--out", str(before_nps)).exit_code == 0
    ids = sorted(ws.sandbox.data.accounts)
    nps = tmp_path / "nps.csv"
    nps.write_text("account,date,score\n" + "".join(f"{a},2026-{9 + i % 3}-10,{i % 11}\n" for i, a in enumerate(ids)),
                   encoding="utf-8")
    assert ws.cli("nps", "import", str(nps)).exit_code == 0
    out = tmp_path / "report.html"
    assert ws.cli("report", "--format", "html", "--out", str(out), "--by", "product").exit_code == 0
    troubled = dict(ws.store_rows("SELECT account_id, status FROM evaluations WHERE status IN ('stalled', "
                                  "'churn_risk')"))
    assert troubled

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=60_000)
        try:
            empty = open_report(browser, before_nps)
            panels = empty.locator("div.chart.empty")
            assert panels.count() >= 1  # NPS before any answer was imported
            for i in range(panels.count()):
                text = panels.nth(i).locator("p.no-data")
                assert text.is_visible() and "データなし" in (text.text_content() or "")
            assert "csops nps import" in (empty.locator('div.chart[data-chart="nps"]').text_content() or "")
            empty.close()

            page = open_report(browser, out)
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
            page.reload()
            page.wait_for_function("[...document.querySelectorAll('div.chart:not(.empty)')].every(c => "
                                   "c.querySelector('svg.main-svg'))")
            _charts_drawn(page)
            _action_list(page, ws, troubled)
            boxes = page.locator('div.chart[data-chart="completion"]').evaluate(TEXT_BOXES)
            assert len(boxes) > 5 and sum(b["text"].startswith("目標") for b in boxes) == 2
            assert overlaps(boxes) == [], "labels overlap in the completion chart"
            for width in (1280, 390):
                _at_width(page, width)
            assert errors == []
            assert requests == []  # works offline: no CDN, no font or script fetched
        finally:
            browser.close()


def _at_width(page: Any, width: int) -> None:
    """Nothing past the right edge (tables scroll inside their box); at 390 px no toolbar over a plot and the
    completion chart's labels still apart."""
    page.set_viewport_size({"width": width, "height": 900})
    # Plotly redraws each chart for the new width after the resize event (debounced): wait for it
    page.wait_for_function("[...document.querySelectorAll('div.chart svg.main-svg')].every("
                           "s => s.getBoundingClientRect().right <= window.innerWidth)")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px horizontal overflow at {width}px"
    wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll') && "
                         "e.getBoundingClientRect().right > window.innerWidth + 1)"
                         ".map(e => (e.closest('div.chart') || {dataset: {}}).dataset.chart + ' ' + e.tagName + '.' + "
                         "e.getAttribute('class') + ' ' + "
                         "(e.textContent || '').slice(0, 40))")
    assert wide == [], f"elements past the right edge at {width}px: {wide[:5]}"
    if width == 390:
        for chart in page.locator("div.chart:not(.empty)").all():
            chart.hover()  # the toolbar shows on hover (a tap on a phone)
            assert page.evaluate(TOOLBAR_OVER_PLOT) == []
        boxes = page.locator('div.chart[data-chart="completion"]').evaluate(TEXT_BOXES)
        assert overlaps(boxes) == [], "labels overlap in the completion chart at 390 px"
    shot = page.screenshot(full_page=True)
    assert len(shot) > 10_000
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"report-{width}.png").write_bytes(shot)


def _charts_drawn(page: Any) -> None:
    charts = page.locator("div.chart")
    assert charts.count() == 9
    for i in range(charts.count()):
        chart = charts.nth(i)
        name = chart.get_attribute("data-chart")
        if "empty" in (chart.get_attribute("class") or ""):
            assert chart.locator("p.no-data").is_visible(), f"empty chart {name} says nothing"
            continue
        marks = chart.locator("g.trace, g.funnel, g.boxlayer path, g.scatterlayer path").count()
        assert marks > 0, f"chart {name} drew nothing"
        drawn = "".join(chart.locator("svg.main-svg").all_text_contents())
        assert any("\u3040" <= ch <= "\u9fff" for ch in drawn), f"chart {name}: no Japanese text"
    funnel = page.locator('div.chart[data-chart="funnel"]').text_content() or ""
    assert "オンボ滞留" in funnel and "解約見込" in funnel
    for rate in ("completion", "due"):  # 対象外 (Analytics has no phases) is no bar of a rate
        drawn = page.locator(f'div.chart[data-chart="{rate}"]').text_content() or ""
        assert "勤怠管理" in drawn and "Analytics" not in drawn
    assert page.locator('div.chart[data-chart="nps"] svg.main-svg').count() > 0


def _action_list(page: Any, ws: Workspace, troubled: dict[str, str]) -> None:
    """Every 滞留/解約見込 account of the last sync is listed with its owner's name (User.Name), 解約見込 first;
    a click on a heading sorts by it."""
    rows = page.locator("table.actions tbody tr")
    listed = {}
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_text_contents()]
        listed[cells[1]] = cells
    for account_id, status in troubled.items():
        cells = listed[account_id]
        assert cells[0] == {"stalled": "オンボ滞留", "churn_risk": "解約見込"}[status]
        owner = ws.sandbox.data.accounts[account_id]["OwnerId"]
        assert cells[3] == USER_NAMES[owner]
    firsts = [c[0] for c in listed.values()]
    assert firsts == sorted(firsts, key=lambda s: {"解約見込": 0, "オンボ滞留": 1}.get(s, 2))
    page.locator("table.actions th", has_text="overdue").click()
    page.locator("table.actions th", has_text="overdue").click()  # ascending on the second click
    days = [c.strip() for c in page.locator("table.actions tbody tr td:nth-child(7)").all_text_contents()]
    numbers = [int(d.replace(",", "")) for d in days if d != "–"]
    assert numbers == sorted(numbers) and len(numbers) > 1
    page.locator("table.actions th", has_text="in status").click()  # descending; "≥40" is 40
    days = [c.strip() for c in page.locator("table.actions tbody tr td:nth-child(8)").all_text_contents()]
    numbers = [int(d.lstrip("≥").replace(",", "")) for d in days if d != "–"]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 1
    assert "–" not in days[:len(numbers)]  # unknown sorts lowest: last when descending


HOSTILE_SEGMENT = ('<a href="https://attacker.example/x">open</a><span style="font-size:80px;fill:red">big</span>'
                   '<b>bold</b><br>next')


@pytest.mark.slow
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
            page.wait_for_function("[...document.querySelectorAll('div.chart:not(.empty)')].every(c => "
                                   "c.querySelector('svg.main-svg'))")
            drawn = "".join(page.locator("div.chart svg.main-svg").all_text_contents())
            assert '<a href="https://attacker.example/x">open</a>' in drawn  # the name, as written
            assert page.locator("div.chart svg a").count() == 0
            listed = "".join(page.locator("table.actions").all_text_contents())  # the owner column too
            assert '<a href="https://attacker.example/x">open</a>' in listed
            assert page.locator('a[href*="attacker"], span[style*="80px"], table b').count() == 0
            styled = page.evaluate("[...document.querySelectorAll('div.chart svg tspan')].filter("
                                   "t => (t.getAttribute('style') || '').includes('80px')).length")
            bold = page.evaluate("[...document.querySelectorAll('div.chart svg tspan')].filter("
                                 "t => (t.getAttribute('style') || '').includes('bold')).length")
            assert (styled, bold) == (0, 0)
        finally:
            browser.close()
