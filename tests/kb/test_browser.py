"""A real headless Chromium opens the built site: home → category → article, and search works."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kb.preview import Preview
from tests.kb.helpers import SHIPPED

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
