"""A complaint's whole life in a real browser with JavaScript off: filed with an attachment, the receipt kept and
used to look up the status; staff accept and transfer it, the agency's officer answers, staff close it; the
complainant sees the answer. axe-core checks the form and the status page (with JavaScript on)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from portal.demo.pdf import one_page_pdf
from tests.browser.accessibility import serious_violations
from tests.browser.test_publishing import sign_in, sign_out

pytestmark = pytest.mark.browser
AGENCY = "演示县发展和改革局"  # demo-officer-department's agency


def look_up(page: Page, base: str, number: str, secret: str) -> str:
    page.goto(f"{base}/complaints/status")
    page.get_by_label("投诉编号").fill(number)
    page.get_by_label("查询码").fill(secret)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    return page.locator("main").inner_text()


def open_complaint(page: Page, base: str, number: str) -> None:
    page.goto(f"{base}/workspace/complaints/")
    page.get_by_role("link", name=number).click()
    page.wait_for_load_state()


def test_a_complaint_from_filing_to_answer(live_server: str, no_js_page: Page, tmp_path: Path) -> None:
    page = no_js_page
    evidence = tmp_path / "对账单.pdf"
    evidence.write_bytes(one_page_pdf(["statement of account"]))

    page.goto(f"{live_server}/complaints/new")
    page.get_by_label("姓名或企业名称").fill("浏览器测试投诉人")
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_label("被投诉单位", exact=True).select_option(label=AGENCY)
    page.get_by_label("投诉类别").select_option(label="拖欠账款")
    page.get_by_label("投诉事项").fill("工程款 80 万元逾期一年未支付。")
    page.get_by_label("附件（PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB）").set_input_files(str(evidence))
    page.get_by_label("同意办结后将答复去除个人信息后公开").check()
    page.get_by_label("我确认所填内容真实，并同意信用办为处理本投诉使用上述信息").check()
    page.wait_for_timeout(3200)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_load_state()
    receipt = page.locator("main").inner_text()
    number = re.search(r"TS-\d{4}-\d{6}", receipt)
    secret = re.search(r"[0-9a-f]{4}(?:-[0-9a-f]{4}){5}", receipt)
    assert number, receipt
    assert secret, receipt
    number_text, secret_text = number.group(0), secret.group(0)
    status = look_up(page, live_server, number_text, secret_text)
    assert "已提交" in status
    assert "对账单.pdf" in status

    sign_in(page, live_server, "demo-staff")
    open_complaint(page, live_server, number_text)
    assert "浏览器测试投诉人" not in page.locator("main").inner_text()  # masked until "show"
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="转办", exact=True).click()
    page.wait_for_load_state()
    assert "已转办" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, live_server, "demo-officer-department")
    open_complaint(page, live_server, number_text)
    page.get_by_label("反馈内容").fill("已于本周支付全部工程款。")
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_load_state()
    sign_out(page)

    sign_in(page, live_server, "demo-staff")
    open_complaint(page, live_server, number_text)
    page.get_by_label("给投诉人的答复").fill("浏览器测试投诉人：您好！经核实，工程款已全额支付，投诉办结。")
    page.get_by_role("button", name="办结", exact=True).click()
    page.wait_for_load_state()
    # the public version starts from the answer with the complainant's name taken out (issue 18)
    assert page.get_by_label("公开版本的答复").input_value() == "投诉人：您好！经核实，工程款已全额支付，投诉办结。"
    page.get_by_role("button", name="公开", exact=True).click()
    page.wait_for_load_state()
    sign_out(page)

    status = look_up(page, live_server, number_text, secret_text)
    assert "已办结" in status
    assert "浏览器测试投诉人：您好！经核实，工程款已全额支付，投诉办结。" in status  # the complainant's own answer
    page.get_by_label("不满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "请说明不满意的原因" in page.locator("main").inner_text()  # beside its field, nothing lost
    page.get_by_label("意见（选择不满意时必填）").fill("只付了一半。")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "感谢您的评价" in page.locator("main").inner_text()
    page.goto(f"{live_server}/complaints/")
    listed = page.locator("main").inner_text()
    assert number_text in listed
    assert "投诉人：您好！经核实，工程款已全额支付" in listed
    assert "浏览器测试投诉人" not in listed

    sign_in(page, live_server, "demo-staff")  # 不满意: back to the agency, once
    page.goto(f"{live_server}/workspace/complaints/?status=closed")
    page.get_by_role("link", name=number_text).click()
    page.wait_for_load_state()
    assert "只付了一半。" in page.locator("main").inner_text()
    page.get_by_label("退回理由和要求（投诉人和承办单位会看到）").fill("请说明余款的支付时间。")
    page.get_by_role("button", name="退回重办").click()
    page.wait_for_load_state()
    assert "已退回" in page.locator("main").inner_text()
    sign_out(page)
    page.goto(f"{live_server}/complaints/")
    assert number_text not in page.locator("main").inner_text()  # withdrawn until published again


@pytest.mark.parametrize("path", ["/complaints/new", "/complaints/status", "/complaints/"])
def test_complaint_pages_are_accessible(live_server: str, page: Page, path: str) -> None:
    page.goto(f"{live_server}{path}")
    assert page.title()
    assert serious_violations(page) == []
