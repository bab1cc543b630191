"""A person with a browser: headless Chromium (Debian's package) against the live gunicorn, with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install Debian's package `chromium` (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_home_to_record_to_agency_is_accessible(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/")
    assert "政务诚信公示平台" in page.title()
    assert serious_violations(page) == []

    record_link = page.locator("table.list a[href^='/records/']").first
    record_title = record_link.inner_text()
    record_link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == record_title
    assert serious_violations(page) == []

    agency_link = page.locator("dl.fields a[href^='/agencies/']").first
    agency_name = agency_link.inner_text()
    agency_link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == agency_name
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/records/?kind=arrears",
        "/commitments/",
        "/agencies/",
        "/outcomes/",
        "/pages/credit-repair",
        "/records/?page=abc",
        "/records/?kind=zzz&year=20x6",
        "/?lang=en",
        "/search?q=拖欠&type=record",
        "/search?q=czj",
        "/search?q=拖欠&kind=zzz",
    ],
)
def test_other_pages_are_accessible(live_server: str, page: Page, path: str) -> None:
    page.goto(f"{live_server}{path}")
    assert page.title()
    assert serious_violations(page) == []


def test_pages_work_without_javascript(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/records/")
    page.select_option("#filter-kind", "arrears")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "kind=arrears" in page.url
    kinds = page.locator("table.list tbody tr td:nth-child(3)").all_inner_texts()
    assert kinds and set(kinds) == {"拖欠账款/合同违约"}
    context.close()


def test_search_from_the_home_page_and_narrow_by_a_facet(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.fill("#home-q", "拖欠")
    page.press("#home-q", "Enter")
    page.wait_for_load_state()
    assert page.locator("ol.results mark").first.inner_text() == "拖欠"
    page.locator("nav.facets a", has_text="失信记录").first.click()
    page.wait_for_load_state()
    assert "type=record" in page.url
    assert page.locator("nav.facets li.chosen", has_text="失信记录").count() == 1
    context.close()
