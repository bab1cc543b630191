"""A lost receipt secret replaced, in a real browser with JavaScript off (issue 18): from the status page's
忘记查询码？ link, the number and the e-mail address given at filing get the one answer, and the old secret no longer
opens the status page. axe-core checks the recovery pages (with JavaScript on)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.accessibility import serious_violations
from tests.browser.test_complaints import look_up

pytestmark = pytest.mark.browser
AGENCY = "演示县发展和改革局"
EMAIL = "browser.recovery@example.cn"


def test_a_lost_secret_is_replaced_without_javascript(live_server: str, no_js_page: Page) -> None:
    page = no_js_page
    page.goto(f"{live_server}/complaints/new")
    page.get_by_label("姓名或企业名称").fill("浏览器测试找回人")
    page.get_by_label("电子邮箱").fill(EMAIL)
    page.get_by_label("被投诉单位", exact=True).select_option(label=AGENCY)
    page.get_by_label("投诉类别").select_option(label="拖欠账款")
    page.get_by_label("投诉事项").fill("货款 5 万元逾期未付。")
    page.get_by_label("我确认所填内容真实，并同意信用办为处理本投诉使用上述信息").check()
    page.wait_for_timeout(3200)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_load_state()
    receipt = page.locator("main").inner_text()
    number = re.search(r"TS-\d{4}-\d{6}", receipt)
    secret = re.search(r"[0-9a-f]{4}(?:-[0-9a-f]{4}){5}", receipt)
    assert number, receipt
    assert secret, receipt

    page.goto(f"{live_server}/complaints/status")
    page.get_by_role("link", name="忘记查询码？").click()
    page.wait_for_load_state()
    page.get_by_label("编号", exact=True).fill(number.group(0))
    page.get_by_label("登记时填写的电子邮箱或联系电话").fill(EMAIL.upper())
    page.get_by_role("button", name="发送新的查询码").click()
    page.wait_for_load_state()
    assert "如果信息匹配，新的查询码已发送到您登记的电子邮箱。" in page.locator("main").inner_text()
    assert "编号或查询码不正确" in look_up(page, live_server, number.group(0), secret.group(0))


@pytest.mark.parametrize("path", ["/complaints/recover", "/objections/recover?lang=en"])
def test_the_recovery_pages_are_accessible(live_server: str, page: Page, path: str) -> None:
    page.goto(f"{live_server}{path}")
    assert page.title()
    assert serious_violations(page) == []
