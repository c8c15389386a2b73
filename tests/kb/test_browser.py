"""A real headless Chromium opens the built site: home → category → article, and search works; kb preview's open
pages reload themselves, rebuilds never answer 404 or a half-written page, and at 390 px nothing overflows and the
table of contents sits above the article."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kb.preview import Preview
from tests.kb.helpers import SHIPPED, make_kb

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install Debian's chromium (see .ci/run)", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    preview = Preview(SHIPPED, tmp_path / "site", 0, lambda _: None).start()
    try:
        yield preview.url
    finally:
        preview.stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        from playwright.sync_api import expect

        expect.set_options(timeout=20_000)  # a loaded 2-core CI machine is slow to start Chromium
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=60_000)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()


def test_home_to_category_to_article(site: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(site + "index.html")
    expect(page.locator("h1")).to_have_text("クラウド勤怠 ヘルプセンター")
    page.get_by_role("link", name="従業員向け", exact=True).click()
    expect(page).to_have_url(site + "categories/employees.html")
    expect(page.locator("h1")).to_have_text("従業員向け")
    page.get_by_role("link", name="スマートフォンで打刻する").click()
    expect(page).to_have_url(site + "articles/clock-in.html")
    expect(page.locator("#article-title")).to_have_text("スマートフォンで打刻する")
    body = page.locator(".article-body")
    expect(body.locator("h2#出勤を打刻する")).to_be_visible()
    expect(body.locator("ol li").first).to_have_text("アプリを開きます。")
    image = body.locator("img")
    expect(image).to_have_attribute("alt", "アプリの出勤ボタン")
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle())
    page.locator(".toc").get_by_role("link", name="退勤を打刻する").click()
    expect(page).to_have_url(site + "articles/clock-in.html#" + quote("退勤を打刻する"))
    page.get_by_role("link", name="残業を申請する").first.click()
    expect(page.locator("#article-title")).to_have_text("残業を申請する")


def test_search(site: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(site + "index.html")
    page.locator("#search-box").fill("打刻 修正")
    page.locator("#search-box").press("Enter")
    expect(page).to_have_url(site + "search.html?q=%E6%89%93%E5%88%BB+%E4%BF%AE%E6%AD%A3")
    hits = page.locator("#search-results a.search-hit")
    expect(hits.first).to_be_visible()
    titles = hits.all_text_contents()
    assert "打刻データが反映されない" in titles
    assert "権限の種類" not in titles
    page.goto(site + "search.html?q=SAML")
    expect(page.locator("#search-results a.search-hit").first).to_have_text("SAMLでシングルサインオン（SSO）を設定する")
    page.locator("#search-results a.search-hit").first.click()
    expect(page.locator("#article-title")).to_have_text("SAMLでシングルサインオン（SSO）を設定する")


# -- kb preview ----------------------------------------------------------------------------------------------

ARTICLE = "articles/employees/timecard/clock-in.md"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Preview, Path]]:
    root = make_kb(tmp_path, with_samples=True)
    preview = Preview(root, tmp_path / "preview", 0, lambda _: None, interval=0.05).start()
    try:
        yield preview, root
    finally:
        preview.stop()


def _retitle(root: Path, new: str) -> None:
    path = root / ARTICLE
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.split("\n") if line.startswith("title: "))
    path.write_text(text.replace(old, f"title: {new}", 1), encoding="utf-8")


def _wait_for_build(preview: Preview, after: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while preview.builds <= after:
        assert time.monotonic() < deadline, "no rebuild"
        time.sleep(0.02)


def test_an_open_page_reloads_itself_when_its_file_changes(live: tuple[Preview, Path], page: object) -> None:
    from playwright.sync_api import Page, expect

    preview, root = live
    assert isinstance(page, Page)
    page.goto(preview.url + "articles/clock-in.html")
    expect(page.locator("#article-title")).to_have_text("スマートフォンで打刻する")
    page.evaluate("window.kbMarker = 'still the same document'")
    _retitle(root, "スマホで打刻する")
    expect(page.locator("#article-title")).to_have_text("スマホで打刻する")
    assert page.evaluate("window.kbMarker === undefined")  # the page reloaded itself; the test did not


FETCH_LOOP = """async ([urls, marker, limit]) => {
  const statuses = {}; let n = 0; let seen = false; let truncated = 0;
  while (!seen && n < limit) {
    for (const u of urls) {
      const r = await fetch(u, {cache: "no-store"});
      const text = await r.text();
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (r.status === 200 && u.endsWith(".html") && !text.trimEnd().endsWith("</html>")) truncated++;
      if (text.includes(marker)) seen = true;
      n++;
    }
  }
  return {statuses, n, seen, truncated};
}"""


def test_no_404_or_half_page_while_files_change(live: tuple[Preview, Path], page: object) -> None:
    from playwright.sync_api import Page

    preview, root = live
    assert isinstance(page, Page)
    page.goto(preview.url + "assets/style.css")  # not an HTML page, so the loop's own page never reloads
    edits = 6

    def edit() -> None:
        for i in range(1, edits + 1):
            before = preview.builds
            _retitle(root, f"打刻 版{i}")
            _wait_for_build(preview, before)

    writer = threading.Thread(target=edit)
    writer.start()
    urls = ["articles/clock-in.html", "index.html", "categories/employees.html", "assets/style.css"]
    got = page.evaluate(FETCH_LOOP, [[preview.url + u for u in urls], f"打刻 版{edits}", 20_000])
    writer.join(timeout=60)
    assert got["seen"], got  # the loop ran across every rebuild
    assert got["statuses"] == {"200": got["n"]}, got
    assert got["truncated"] == 0, got
    assert preview.builds >= edits + 1


def test_narrow_screen_has_no_horizontal_overflow_and_toc_above(live: tuple[Preview, Path], page: object) -> None:
    from playwright.sync_api import Page, expect

    preview, _ = live
    assert isinstance(page, Page)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("articles/roles.html", "articles/saml-sso.html", "index.html", "articles/roles.en.html"):
        page.goto(preview.url + path)
        expect(page.locator("body")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path}: the page is {width} px wide at 390 px"
    page.goto(preview.url + "articles/saml-sso.html")
    toc = page.locator(".toc").bounding_box()
    body = page.locator(".article-body").bounding_box()
    assert toc is not None and body is not None
    assert toc["y"] + toc["height"] <= body["y"] + 1
    assert body["width"] >= 300  # the article keeps the screen's width
    expect(page.locator(".admonition-title")).to_have_text("注意")


def test_admonitions_and_chrome_speak_the_articles_language(live: tuple[Preview, Path], page: object) -> None:
    from playwright.sync_api import Page, expect

    preview, root = live
    assert isinstance(page, Page)
    path = root / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + "\n!!! note\n    打刻は取り消せません。\n", encoding="utf-8")
    page.goto(preview.url + "articles/clock-in.html")
    expect(page.locator(".admonition-title")).to_have_text("メモ")
    page.goto(preview.url + "articles/roles.en.html")
    expect(page.locator(".toc h2")).to_have_text("Contents")


def test_the_overlay_shows_build_errors_and_the_articles_findings_and_clears(live: tuple[Preview, Path],
                                                                              page: object) -> None:
    from playwright.sync_api import Page, expect

    preview, root = live
    assert isinstance(page, Page)
    page.goto(preview.url + "articles/clock-in.html")
    expect(page.locator("#article-title")).to_have_text("スマートフォンで打刻する")
    overlay = page.locator("#kb-overlay")
    expect(overlay).to_have_count(0)  # the sample article is clean
    path = root / ARTICLE
    clean = path.read_text(encoding="utf-8")
    path.write_text(clean.replace("アプリを開きます。", "ユーザがアプリを開きます。<script>alert(1)</script>", 1),
                    encoding="utf-8")
    expect(overlay).to_contain_text("kb check: この記事の指摘 1 件")
    expect(overlay.locator("li.kb-error")).to_contain_text("「ユーザ」ではなく「ユーザー」と書きます")
    expect(overlay.locator("li.kb-error code")).to_have_text("terms")
    builds = preview.builds
    kb_yaml = root / "kb.yaml"
    good = kb_yaml.read_text(encoding="utf-8")
    kb_yaml.write_text(good.replace("locale: ja ", "locale: [ja ", 1), encoding="utf-8")  # no build: YAML error
    expect(overlay.locator("pre")).to_contain_text("kb.yaml")
    expect(overlay).to_contain_text("ビルドに失敗しました")
    assert preview.builds == builds and page.evaluate("document.scripts.length") >= 1
    page.evaluate("window.kbMarker = 'not reloaded'")
    kb_yaml.write_text(good, encoding="utf-8")
    path.write_text(clean, encoding="utf-8")
    expect(overlay).to_have_count(0)  # fixed: the page reloads without an overlay
    assert page.evaluate("window.kbMarker === undefined")
    expect(page.locator("#article-title")).to_have_text("スマートフォンで打刻する")
