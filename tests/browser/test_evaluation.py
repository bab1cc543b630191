"""The integrity evaluation (issue 14 item 2) in a real browser. The demo scored every finished month of the year
by the method of its time (2026.1 to 2026-06, 2026.2 from 2026-07). Without JavaScript a visitor opens the ranking
(the last finished month), picks June from the month list and sees it was scored by 2026.1, follows the first
department to its 诚信档案 and reads "why this score", then opens the methodology page with both versions. axe-core
(JavaScript on) checks the ranking, the methodology and the profile; on a 390-px phone the ranking and the
methodology do not scroll sideways, the profile's evaluation section fits, and the ranking's rows read as labelled
cards. Staff open the yearly 考核 sheet and download it.

The live server runs on the machine's clock: the test reads the months from the page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import Page, ViewportSize

from tests.browser.accessibility import serious_violations
from tests.browser.test_publishing import sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']}-px phone"


def test_ranking_month_choice_profile_why_and_method(live_server: str, no_js_page: Page, page: Page) -> None:
    flow = no_js_page
    flow.goto(f"{live_server}/evaluation/")
    months = flow.get_by_label("评价月份").locator("option").all_inner_texts()
    assert "2026-06" in months
    assert "2026-07" in months
    latest = months[0]
    assert f"{latest} 评价结果" in main_text(flow)
    assert flow.get_by_role("table", name=f"{latest} 乡镇（街道）政务诚信评价排名").count() == 1
    departments = flow.get_by_role("table", name=f"{latest} 部门政务诚信评价排名")
    assert departments.locator("tbody tr").count() > 20

    # June, scored by the older method
    flow.get_by_label("评价月份").select_option("2026-06")
    flow.get_by_role("button", name="查看").click()
    flow.wait_for_load_state()
    assert flow.url.endswith("/evaluation/?month=2026-06")
    assert "2026-06 评价结果" in main_text(flow)
    assert "评价方法 2026.1" in main_text(flow)

    # the first department's 诚信档案: its latest grade and why
    flow.goto(f"{live_server}/evaluation/")
    first = flow.get_by_role("table", name=f"{latest} 部门政务诚信评价排名").locator("tbody tr").first
    name = first.locator("td").nth(1).inner_text()
    grade = first.locator("td").nth(2).inner_text()
    first.get_by_role("link").click()
    flow.wait_for_load_state()
    assert flow.locator("h1").inner_text() == name
    section = flow.locator("section[aria-labelledby='evaluation-heading']")
    assert f"{latest} 等级\n{grade}" in section.inner_text()
    why = flow.get_by_role("table", name=f"为什么是这个分数：{latest} 各指标的数值和分值（基础分 100 分）")
    assert why.locator("tbody tr").count() == 10  # the ten indicators of 2026.2
    assert section.get_by_role("link", name="政务诚信报告（PDF）").count() == 1
    section.get_by_role("link", name="评价方法和依据").click()
    flow.wait_for_load_state()
    assert flow.url.endswith("/evaluation/method#v2026.2")
    text = main_text(flow)
    assert "评价方法 2026.2" in text
    assert "评价方法 2026.1" in text
    assert "2026-01 至 2026-06" in text
    profile_url = f"{live_server}/agencies/" + flow.evaluate("document.referrer").split("/agencies/")[1]

    # axe-core with JavaScript on; then a 390-px phone
    for path in ("/evaluation/", "/evaluation/method", "/evaluation/?month=2026-06"):
        page.goto(f"{live_server}{path}")
        assert serious_violations(page) == [], path
    page.goto(profile_url)
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    for url in (f"{live_server}/evaluation/", f"{live_server}/evaluation/method"):
        page.goto(url)
        no_sideways_scroll(page)
    page.goto(profile_url)  # the profile's evaluation section (its commitment table is the shared macro's)
    right = page.locator("section[aria-labelledby='evaluation-heading']").evaluate(
        "s => Math.max(...[s, ...s.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))"
    )
    assert right <= PHONE["width"], right
    page.goto(f"{live_server}/evaluation/")
    label = page.locator("table.list tbody td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"排名："', label  # stacked: each cell under its column's name
    assert serious_violations(page) == []


def test_staff_open_and_download_the_yearly_sheet(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "demo-staff")
    page.goto(f"{live_server}/workspace/evaluation/")
    page.get_by_role("link", name="2026 年度考核表").click()
    page.wait_for_load_state()
    assert "已评分的月份：2026-01 至" in main_text(page)
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel (XLSX)").first.click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert book.sheetnames == ["乡镇（街道）", "部门"]
    assert book["部门"]["A3"].value == "单位"
