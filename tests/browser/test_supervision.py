"""The 工作台账 (issue 13) in a real browser, through the pages only, with JavaScript off: staff register a suit
against an agency; its page lists the 起诉案件提醒 item; its 发函 link opens the letter form prefilled; the letter
sent, the item is 已办结 with the 文号 and the PDF downloads. The case lost long ago with its 履行期限 passed, the
败诉案件督办 item asks for a 督办函 (sent the same way), the 判决履行期限 item is 已逾期 on the ledger, and the
suggested list proposes a 约谈 (泰信用办〔2022〕12号 二(五)). Staff schedule it from the suggestion and hold it with
two undertakings, which go on the ledger as 约谈承诺事项 by their due days. axe-core checks the ledger and the case
page (with JavaScript on); on a 390-px phone neither scrolls sideways.

The live server runs on the machine's clock: the test reads the server's today from a prefilled date and places the
case's dates before it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, ViewportSize

from tests.browser.accessibility import serious_violations
from tests.browser.test_publishing import sign_in

pytestmark = pytest.mark.browser
AGENCY = "演示县人民政府"
CASE_NUMBER = "（2026）演0121民初9913号"  # no demo case and no other test uses it
CAUSE = "浏览器测试合同纠纷"
SUBJECT = f"{CASE_NUMBER} {CAUSE}"  # the ledger items' 事项
UNDERTAKINGS = ("浏览器测试承诺：制定还款计划并报信用办", "浏览器测试承诺：支付全部欠款")
LETTER_NUMBER = re.compile(r"信用办函〔\d{4}〕\d+号")
PHONE: ViewportSize = {"width": 390, "height": 844}


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def shown(day: date) -> str:
    """A date as the Chinese pages write it: 2026年9月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def item_row(page: Page, rule: str) -> Locator:
    """The case page's row of one ledger item (its 事项 cell is the rule's name)."""
    rows = page.locator("section[aria-labelledby='items-heading'] tbody tr").filter(
        has=page.get_by_role("cell", name=rule, exact=True)
    )
    assert rows.count() == 1, main_text(page)
    return rows


def choose_by_text(select: Locator, text: str) -> None:
    """Pick the option whose text contains `text` (agencies are listed as 名称（统一社会信用代码）)."""
    select.select_option(label=select.locator("option", has_text=text).first.inner_text())


def send_letter_from(page: Page, link: str, kind: str) -> str:
    """Follow an item's 发函 link, check the prefilled form and send it: the letter's 文号."""
    page.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state()
    kind_field = page.get_by_label("函件类别", exact=True)
    assert kind_field.locator("option:checked").inner_text() == kind
    assert AGENCY in page.get_by_label("主体", exact=True).locator("option:checked").inner_text()
    assert CASE_NUMBER in page.get_by_label("标题", exact=True).input_value()
    assert CASE_NUMBER in page.get_by_label("正文", exact=True).input_value()
    submit(page, "生成 PDF 并发出")
    sent = page.locator(".flash").inner_text()
    assert f"已发出{kind}" in sent, main_text(page)
    number = LETTER_NUMBER.search(sent)
    assert number, sent
    return number.group(0)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']}-px phone"


def test_suit_letters_overdue_interview_and_undertakings(live_server: str, no_js_page: Page, page: Page) -> None:
    flow = no_js_page
    sign_in(flow, live_server, "demo-staff")

    # staff register the suit (新信用发〔2018〕6号 二(一)), dated well before the server's today
    flow.goto(f"{live_server}/workspace/cases/new")
    today = date.fromisoformat(flow.get_by_label("收到法院通报日期", exact=True).input_value())  # prefilled
    judged = today - timedelta(days=80)
    performance_due = judged + timedelta(days=29)  # 50 days ago: more than 10 idle working days, whatever holidays
    filed = judged - timedelta(days=92)
    choose_by_text(flow.get_by_label("被告单位", exact=True), AGENCY)
    flow.get_by_label("案号", exact=True).fill(CASE_NUMBER)
    flow.get_by_label("审理法院", exact=True).fill("演示县人民法院")
    flow.get_by_label("原告", exact=True).fill("浏览器测试建设有限公司")
    flow.get_by_label("案由", exact=True).fill(CAUSE)
    flow.get_by_label("标的额（元）", exact=True).fill("120000")
    flow.get_by_label("立案日期", exact=True).fill(filed.isoformat())
    flow.get_by_label("收到法院通报日期", exact=True).fill((filed + timedelta(days=2)).isoformat())
    submit(flow, "登记")
    assert f"已登记涉政府案件 {CASE_NUMBER}。" in main_text(flow)
    case_url = flow.url
    assert re.search(r"/workspace/cases/\d+$", case_url), case_url
    reminder = item_row(flow, "起诉案件提醒")
    assert "新信用发〔2018〕6号 二(一)" in reminder.inner_text()

    # 发函: the 提醒函 closes the item, which shows the 文号; its PDF downloads
    reminder_number = send_letter_from(flow, "发函（提醒函）", "提醒函")
    assert reminder_number in main_text(flow)
    pdf_href = flow.get_by_role("link", name=re.compile(r"^下载函件（PDF")).get_attribute("href")
    assert pdf_href
    pdf = flow.request.get(f"{live_server}{pdf_href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    flow.goto(case_url)
    done = item_row(flow, "起诉案件提醒").inner_text()
    assert "已办结" in done
    assert "已发函" in done
    assert reminder_number in done

    # the judgment: lost, its 履行期限 passed long ago (新信用发〔2018〕6号 二(二))
    flow.get_by_label("判决或结案结果", exact=True).select_option(label="败诉")
    flow.get_by_label("判决（裁定）或结案日期", exact=True).fill(judged.isoformat())
    flow.get_by_label("判决结果", exact=True).fill("判决被告于判决生效后支付工程款 12 万元。")
    flow.get_by_label("履行期限", exact=True).fill(performance_due.isoformat())
    submit(flow, "登记")
    assert "已登记：败诉。" in main_text(flow)
    assert "已逾期" in item_row(flow, "判决履行期限").inner_text()
    assert "新信用发〔2018〕6号 二(二)" in item_row(flow, "败诉案件督办").inner_text()
    urging_number = send_letter_from(flow, "发函（督办函）", "督办函")
    assert urging_number != reminder_number
    flow.goto(case_url)
    assert urging_number in item_row(flow, "败诉案件督办").inner_text()

    # the ledger, filtered to what is overdue: the 履行期限 of this case
    flow.goto(f"{live_server}/workspace/ledger/")
    flow.get_by_label("状态", exact=True).select_option(label="已逾期")
    flow.get_by_label("事项或责任单位包含", exact=True).fill(CASE_NUMBER)
    submit(flow, "筛选")
    assert "state=overdue" in flow.url
    overdue = flow.locator("table.list tbody tr").filter(has_text="判决履行期限")
    assert overdue.count() == 1, main_text(flow)
    assert SUBJECT in overdue.inner_text()
    assert shown(performance_due) in overdue.inner_text()
    assert "已逾期" in overdue.inner_text()
    assert flow.locator("table.list tbody tr").filter(has_text="败诉案件督办").count() == 0  # closed by the letter

    # no progress for 10 working days after the 履行期限: the 约谈 is suggested (泰信用办〔2022〕12号 二(五))
    flow.goto(f"{live_server}/workspace/meetings/")
    suggestion = flow.locator("section[aria-labelledby='suggested-heading'] tbody tr").filter(has_text=CASE_NUMBER)
    assert suggestion.count() == 1, main_text(flow)
    assert AGENCY in suggestion.inner_text()
    assert "建议约谈" in suggestion.inner_text()
    assert "泰信用办〔2022〕12号 二(五)" in suggestion.inner_text()
    suggestion.get_by_role("link", name=f"安排约谈：{SUBJECT}").click()
    flow.wait_for_load_state()
    assert "类别：约谈" in main_text(flow)
    assert AGENCY in main_text(flow)
    flow.get_by_label("安排日期", exact=True).fill(today.isoformat())
    flow.get_by_label("地点", exact=True).fill("县信用办会议室")
    flow.get_by_label("约谈人或督办带队（职务）", exact=True).fill("县信用办主任")
    flow.get_by_label("被约谈或督办单位参加人（职务）", exact=True).fill("主要负责人")
    submit(flow, "安排")
    assert f"已安排约谈：{today.isoformat()}。" in main_text(flow)

    # held, with minutes and two undertakings (如东县办法 三(二))
    dues = (today + timedelta(days=14), today + timedelta(days=30))
    assert flow.get_by_label("举行日期", exact=True).input_value() == today.isoformat()
    flow.get_by_label("纪要", exact=True).fill("通报案件履行情况；单位说明资金安排，承诺按期履行。")
    for n, (text, due) in enumerate(zip(UNDERTAKINGS, dues, strict=True), start=1):
        flow.get_by_label(f"承诺事项 {n}", exact=True).fill(text)
        flow.get_by_label(f"完成期限 {n}", exact=True).fill(due.isoformat())
    submit(flow, "登记举行")
    assert f"已登记约谈举行：{today.isoformat()}。" in main_text(flow)
    closed = flow.locator("section[aria-labelledby='items-heading'] tbody tr").filter(has_text="建议约谈")
    assert "已约谈或督办" in closed.inner_text()

    # the undertakings are on the ledger by their due days
    flow.goto(f"{live_server}/workspace/ledger/?q=浏览器测试承诺")
    rows = flow.locator("table.list tbody tr")
    assert rows.count() == 2, main_text(flow)
    for text, due in zip(UNDERTAKINGS, dues, strict=True):
        row = rows.filter(has_text=text)
        assert "约谈承诺事项" in row.inner_text()
        assert AGENCY in row.inner_text()
        assert shown(due) in row.inner_text()

    # axe-core (JavaScript on) on the ledger and the case page; on a phone neither scrolls sideways
    sign_in(page, live_server, "demo-staff")
    page.goto(f"{live_server}/workspace/ledger/")
    assert serious_violations(page) == []
    page.goto(case_url)
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.goto(f"{live_server}/workspace/ledger/")
    no_sideways_scroll(page)
    label = page.locator("table.list tbody td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"类型："', label  # stacked: each cell under its column's name
    assert serious_violations(page) == []
