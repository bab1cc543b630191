"""Printing a record and an agency's 诚信档案 (static/css/print.css, linked from base.html with media="print"): the
content alone, the whole width, black on white, each link's address printed after it, no table row split across
pages, the demo notice kept. Chromium (Debian's package) emulates print media; nothing is skipped: a page without
the stylesheet's <link> fails."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

LINK = 'link[rel="stylesheet"][href="/static/css/print.css"]'
HIDDEN_IN_PRINT = [".skip-link", ".main-nav", ".lang-switch", ".account", ".breadcrumbs", ".site-footer"]


def style(page: Page, selector: str, prop: str, pseudo: str | None = None) -> list[str]:
    """The computed `prop` of every element matching `selector` (of its ::before/::after when `pseudo`)."""
    return page.eval_on_selector_all(
        selector,
        "(els, [prop, pseudo]) => els.map(e => getComputedStyle(e, pseudo).getPropertyValue(prop))",
        [prop, pseudo],
    )


@pytest.fixture
def record_page(live_server: str, page: Page) -> Page:
    page.goto(f"{live_server}/records/")
    href = page.locator("table.list a[href^='/records/']").first.get_attribute("href")
    page.goto(f"{live_server}{href}")
    return page


def assert_printed_as_a_document(page: Page) -> None:
    """What every printed page shares: the stylesheet linked for print only, navigation, footer and forms gone, the
    content the whole width, black on white, the demo notice kept."""
    links = page.locator(LINK)
    assert links.count() == 1, "templates/base.html must link static/css/print.css with media=print"
    assert links.get_attribute("media") == "print"
    page.emulate_media(media="screen")
    assert style(page, ".main-nav", "display") == ["block"]  # the print rules never reach the screen
    page.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        assert set(style(page, selector, "display")) == {"none"}, selector
    width = page.evaluate("() => document.documentElement.clientWidth")
    main = page.locator("main").bounding_box()
    assert main is not None
    assert main["width"] >= width - 1  # the whole width of the paper, no centred column
    assert style(page, "body", "color") == ["rgb(0, 0, 0)"]
    assert style(page, "body", "background-color") == ["rgb(255, 255, 255)"]
    assert set(style(page, "main *", "color")) == {"rgb(0, 0, 0)"}
    assert style(page, ".demo-banner", "display") == ["block"]  # demo data printed says it is demo data
    assert set(style(page, "main table.list tr", "break-inside")) <= {"avoid"}
    assert set(style(page, "main h2", "break-after")) == {"avoid"}


def test_a_printed_record_is_the_record_alone(record_page: Page) -> None:
    page = record_page
    assert_printed_as_a_document(page)
    agency = page.locator("main dl.fields a[href^='/agencies/']").first
    href = agency.get_attribute("href")
    assert style(page, "main dl.fields a[href^='/agencies/']", "content", "::after")[0] == f'" ({href})"'
    assert page.locator("main h1").is_visible()
    assert page.locator("#rect-heading").is_visible()
    assert page.locator("#measures-heading").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")


def test_a_printed_agency_file_keeps_its_tables_whole(record_page: Page) -> None:
    page = record_page
    page.locator("main dl.fields a[href^='/agencies/']").first.click()  # the record's agency: it has a record table
    page.wait_for_load_state()
    assert_printed_as_a_document(page)
    assert page.locator("main table.list tr").count() > 1
    assert set(style(page, "main table.list thead", "display")) == {"table-header-group"}  # repeated on each page
    assert set(style(page, "main table.list tbody tr", "display")) == {"table-row"}  # never the phone's cards
    contents = style(page, "main table.list td a[href^='/']", "content", "::after")
    assert contents
    assert all(c.startswith('" (/') for c in contents)
    assert page.locator("#summary-heading").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")
