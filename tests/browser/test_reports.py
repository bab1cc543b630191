"""The monthly bulletin (月度通报, issue 14 item 1) in a real browser. The demo has published the three months before
the server's month: /reports/ lists them newest first with the feeds; a bulletin's page shows its figures, tables
and dated erratum, and its PDF downloads with the SHA-256 the page shows. Staff draft the server's current month
in the workspace, with JavaScript off, write its 总体情况 and publish it after the confirm step; it then heads the
public list. axe-core finds nothing serious on the list, a bulletin and the draft, and on a 390-px phone nothing
scrolls sideways (the tables read as cards).

The live server runs on the machine's clock: the months are read from its pages, not assumed."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.browser.accessibility import serious_violations
from tests.browser.test_publishing import sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}
MONTH = re.compile(r"^\d{4}-\d{2}$")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']}-px phone"


def listed_months(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("main table tbody tr td:first-child").all_inner_texts()]


def test_the_public_list_and_a_demo_bulletin(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/reports/")
    months = listed_months(page)
    assert len(months) >= 3, months
    assert all(MONTH.match(m) for m in months)
    assert months == sorted(months, reverse=True)
    assert page.locator("link[rel=alternate][type='application/atom+xml']").get_attribute("href") == (
        "/reports/feed.atom"
    )
    assert serious_violations(page) == []

    oldest = months[-1]  # the demo's erratum is on its oldest bulletin
    page.get_by_role("link", name=oldest, exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/reports/{oldest}")
    main = page.locator("main").inner_text()
    assert "主要数据" in main
    assert "各单位情况" in main
    assert "各乡镇（街道）情况" in main
    assert "勘误" in main
    assert "演示数据" in main
    sha = page.locator("main code.hash").first.inner_text().strip()
    pdf = page.request.get(f"{live_server}/reports/{oldest}.pdf")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.body()).hexdigest() == sha
    assert serious_violations(page) == []

    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    label = page.locator("#units-records tbody td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"单位："', label  # a card: each cell under its column's name
    assert serious_violations(page) == []
    page.goto(f"{live_server}/reports/")
    no_sideways_scroll(page)


def test_staff_draft_and_publish_this_month(live_server: str, no_js_page: Page, page: Page) -> None:
    sign_in(no_js_page, live_server, "demo-staff")
    no_js_page.goto(f"{live_server}/workspace/reports/")
    current = no_js_page.locator("main table tbody tr").first
    month = current.locator("td").first.inner_text().strip()
    assert MONTH.match(month)
    assert "未起草" in current.inner_text()
    current.get_by_role("button", name=f"起草 {month}").click()
    no_js_page.wait_for_load_state()
    assert f"已起草 {month} 的月度通报。" in no_js_page.locator(".flash").inner_text()
    assert "草稿数据与实时数据一致" in no_js_page.locator("main").inner_text()
    draft_url = no_js_page.url

    no_js_page.get_by_label("总体情况", exact=True).fill("浏览器测试：本月全县政务失信治理工作总体平稳。")
    no_js_page.get_by_role("button", name="保存草稿").click()
    no_js_page.wait_for_load_state()
    assert "已保存草稿" in no_js_page.locator(".flash").inner_text()

    sign_in(page, live_server, "demo-staff")  # axe needs JavaScript: the draft, on a desk and on a phone
    page.goto(draft_url)
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    assert serious_violations(page) == []

    no_js_page.get_by_role("link", name=f"核对并发布 {month} 的月度通报").click()
    no_js_page.wait_for_load_state()
    no_js_page.get_by_label("我已核对数据和文字，确认发布；发布后不能再修改，只能添加勘误。").check()
    no_js_page.get_by_role("button", name="确认发布").click()
    no_js_page.wait_for_load_state()
    assert f"已发布 {month} 的月度通报。" in no_js_page.locator(".flash").inner_text()
    assert "已登记办结" in no_js_page.locator("main").inner_text()  # the ledger's 月度通报 item

    no_js_page.goto(f"{live_server}/reports/")
    assert listed_months(no_js_page)[0] == month
    no_js_page.goto(f"{live_server}/reports/{month}")
    assert "浏览器测试：本月全县政务失信治理工作总体平稳。" in no_js_page.locator("main").inner_text()
