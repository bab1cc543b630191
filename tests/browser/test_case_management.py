"""A case's whole life in a real browser with JavaScript off (issue 12): staff apply a joint measure to a public
record and create its rectification plan; the agency's officer reports progress, staff approve it; the officer
reports 履行完毕 with evidence, staff confirm it and the record is 已履行; the officer applies for credit repair with
the signed 信用承诺书, staff approve; the measure is lifted and the record's page answers 410. axe-core checks the
plan form and the measures page (with JavaScript on)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page

from portal.demo.pdf import one_page_pdf
from tests.browser.accessibility import serious_violations
from tests.browser.test_publishing import sign_in, sign_out

pytestmark = pytest.mark.browser
OFFICER = "demo-officer-government"
AGENCY = "演示县人民政府"  # OFFICER's agency
IMPLEMENTING = "演示县财政局"  # carries out the joint measure
PROGRESS = "浏览器测试：已与债权人签订还款协议并支付首期款项。"
POST = "财务科科长"
DOCUMENT = "演信用办〔2026〕901号"  # the joint measure applied here (demo records may carry measures of their own)


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def choose_record(page: Page, base: str) -> int:
    """A record of the officer's agency that is 公示中, has no rectification plan, nothing open on it, and whose
    minimum publication period has passed (so repair can be asked once it is 已履行): read from the officer's pages."""
    page.goto(f"{base}/workspace/records/?status=public")
    links = page.locator("table.list tbody a[href^='/workspace/records/']").all()
    hrefs = [href for link in links if (href := link.get_attribute("href"))]
    assert hrefs, main_text(page)
    for href in hrefs:
        record_id = int(href.rstrip("/").rsplit("/", 1)[1])
        page.goto(f"{base}{href}")
        markers = page.locator("p.markers").inner_text()
        if "该记录尚未建立整改方案。" not in main_text(page) or "申请中" in markers or "异议处理中" in markers:
            continue
        page.goto(f"{base}/workspace/records/{record_id}/repair")
        if "最短公示期已于" in main_text(page):  # not 已履行 yet, but the minimum period has passed
            return record_id
    pytest.fail(f"no record of {AGENCY} is 公示中 without a plan after its minimum publication period")


def review(page: Page, base: str, row_text: str, *, kind: str) -> None:
    """Staff open the submission from the review queue and approve it."""
    page.goto(f"{base}/workspace/review/")
    row = page.locator("table.list tbody tr").filter(has_text=kind).filter(has_text=row_text)
    assert row.count() == 1, main_text(page)
    row.get_by_role("link").first.click()
    page.wait_for_load_state()
    page.get_by_label("通过并发布").check()
    submit(page, "提交审核结论")
    assert "已处理：已通过。" in main_text(page)


def public_page(page: Page, base: str, record_id: int) -> str:
    response = page.goto(f"{base}/records/{record_id}")
    assert response is not None
    assert response.status == 200
    return main_text(page)


def test_plan_progress_completion_repair_lifts_measures_and_ends_in_410(
    live_server: str, no_js_page: Page, tmp_path: Path
) -> None:
    page = no_js_page
    evidence = tmp_path / "付款凭证.pdf"
    evidence.write_bytes(one_page_pdf(["Browser test: payment voucher"]))
    pledge = tmp_path / "信用承诺书.pdf"
    pledge.write_bytes(one_page_pdf(["Browser test: credit commitment letter", "signed and sealed"]))

    sign_in(page, live_server, OFFICER)
    record_id = choose_record(page, live_server)
    sign_out(page)

    # staff apply a joint measure, so that its lifting can be seen
    sign_in(page, live_server, "demo-staff")
    page.goto(f"{live_server}/workspace/records/{record_id}/measures")
    today = date.fromisoformat(page.get_by_label("开始日期", exact=True).input_value())  # the server's today, prefilled
    page.get_by_label("惩戒措施", exact=True).select_option(label="限制融资")
    implementing = page.get_by_label("实施单位", exact=True).locator("option", has_text=IMPLEMENTING).inner_text()
    page.get_by_label("实施单位", exact=True).select_option(label=implementing)
    page.get_by_label("文号", exact=True).fill(DOCUMENT)
    page.get_by_label("实施依据", exact=True).fill("新信用发〔2018〕6号 (五)2")
    submit(page, "实施该措施")
    assert "已实施联合惩戒措施：限制融资。" in main_text(page)
    measure = page.get_by_role("row").filter(has_text=DOCUMENT)
    assert "限制融资" in measure.inner_text()
    assert "已实施" in measure.inner_text()

    # staff create the plan from the record's page
    page.goto(f"{live_server}/workspace/records/{record_id}")
    page.get_by_role("link", name="建立整改方案").click()
    page.wait_for_load_state()
    assert page.get_by_label("责任单位").input_value() == AGENCY
    page.get_by_label("责任岗位").fill(POST)
    first = page.get_by_role("group", name="措施 1")
    first.get_by_label("措施内容").fill("制定还款计划并报信用办")
    first.get_by_label("完成期限").fill((today + timedelta(days=30)).isoformat())
    second = page.get_by_role("group", name="措施 2")
    second.get_by_label("措施内容").fill("按计划支付全部欠款")
    second.get_by_label("完成期限").fill((today + timedelta(days=60)).isoformat())
    page.get_by_label("整改期限").fill((today + timedelta(days=90)).isoformat())
    submit(page, "保存并公示")
    assert "整改方案已建立并公示。" in main_text(page)
    assert "整改中" in main_text(page)
    sign_out(page)

    shown = public_page(page, live_server, record_id)
    assert "公示中" in page.locator("p.markers").inner_text()
    assert POST in shown
    assert "按计划支付全部欠款" in shown
    measure = page.get_by_role("row").filter(has_text=DOCUMENT)
    assert "限制融资" in measure.inner_text()
    assert "已实施" in measure.inner_text()

    # the officer reports progress; staff approve it; the record is 整改中
    sign_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/workspace/records/{record_id}")
    page.get_by_role("link", name="报告整改进展").click()
    page.wait_for_load_state()
    page.get_by_label("进展日期").fill(today.isoformat())
    page.get_by_label("进展情况").fill(PROGRESS)
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    submit(page, "提交审核")
    assert "整改进展已提交信用办审核。" in main_text(page)
    sign_out(page)

    sign_in(page, live_server, "demo-staff")
    review(page, live_server, PROGRESS, kind="整改进展")
    sign_out(page)
    shown = public_page(page, live_server, record_id)
    assert "整改中" in page.locator("p.markers").inner_text()
    assert PROGRESS in shown

    # the officer reports 履行完毕 with evidence; staff confirm it; the record is 已履行
    sign_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/workspace/records/{record_id}")
    page.get_by_role("link", name="报告履行完毕").click()
    page.wait_for_load_state()
    page.get_by_label("履行完毕日期").fill(today.isoformat())
    page.get_by_label("认定依据").fill("浏览器测试：付款凭证 演财付〔2026〕7号")
    page.get_by_label("情况说明").fill("欠款已全部支付。")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    submit(page, "提交确认")
    assert "履行完毕的报告已提交信用办确认。" in main_text(page)
    sign_out(page)

    sign_in(page, live_server, "demo-staff")
    review(page, live_server, AGENCY, kind="整改完毕")
    sign_out(page)
    shown = public_page(page, live_server, record_id)
    assert "已履行" in page.locator("p.markers").inner_text()
    assert "履行完毕" in shown
    assert "已可申请信用修复" in shown

    # the officer applies for credit repair
    sign_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/workspace/records/{record_id}")
    page.get_by_role("link", name="申请信用修复").click()
    page.wait_for_load_state()
    page.get_by_label("履行情况说明").fill("欠款已于今日全部支付，附付款凭证。")
    page.get_by_label("履行佐证材料").set_input_files(str(evidence))
    page.get_by_label("签章的信用承诺书").set_input_files(str(pledge))
    submit(page, "提交信用修复申请")
    applied = main_text(page)
    assert "信用修复申请已提交。" in applied
    number = re.search(r"信用修复申请 #(\d+)", applied)
    assert number, applied
    sign_out(page)
    public_page(page, live_server, record_id)
    assert "修复申请中" in page.locator("p.markers").inner_text()

    # staff approve it from the repair queue: the measure is lifted, the record stops
    sign_in(page, live_server, "demo-staff")
    page.goto(f"{live_server}/workspace/repairs/")
    page.get_by_role("link", name=f"#{number.group(1)}", exact=True).click()
    page.wait_for_load_state()
    page.get_by_label("准予修复（停止公示）").check()
    submit(page, "提交决定")
    decided = main_text(page)
    assert "已作出决定：准予修复。" in decided
    assert "该记录已停止公示" in decided
    page.goto(f"{live_server}/workspace/records/{record_id}/measures")
    measure = page.get_by_role("row").filter(has_text=DOCUMENT)
    assert "已解除" in measure.inner_text()
    assert "已解除：信用修复" in measure.inner_text()
    sign_out(page)

    response = page.goto(f"{live_server}/records/{record_id}")
    assert response is not None
    assert response.status == 410
    stopped = main_text(page)
    assert "该记录已停止公示" in stopped
    assert "已修复" in stopped


@pytest.mark.parametrize("form", ["plan/new", "measures"])
def test_case_forms_are_accessible(live_server: str, page: Page, form: str) -> None:
    sign_in(page, live_server, "demo-staff")
    page.goto(f"{live_server}/workspace/records/?status=public")
    href = page.locator("table.list tbody a[href^='/workspace/records/']").first.get_attribute("href")
    assert href
    page.goto(f"{live_server}{href}/{form}")
    assert page.title()
    assert serious_violations(page) == []
