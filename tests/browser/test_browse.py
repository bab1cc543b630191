"""A person with a browser: headless Chromium (Debian's package) against the live gunicorn, with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser


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
    assert kinds
    assert set(kinds) == {"拖欠账款/合同违约"}
    context.close()


def test_search_from_the_home_page_and_narrow_by_a_facet(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.fill("#home-q", "拖欠")
    page.press("#home-q", "Enter")
    page.wait_for_load_state()
    assert "拖欠" in page.locator("ol.results mark").first.inner_text()  # the word, or a term holding it (拖欠账款)
    page.locator("nav.facets a", has_text="失信记录").first.click()
    page.wait_for_load_state()
    assert "type=record" in page.url
    assert page.locator("nav.facets li.chosen", has_text="失信记录").count() == 1
    context.close()
