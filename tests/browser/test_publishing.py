"""The publishing workflow in a real browser: an officer signs in, uploads a signed commitment letter and submits
it; staff approve it from the review queue; it is on the public commitments list, and its page shows the
letter's SHA-256.
JavaScript is off, as for a visitor who has it disabled; axe-core checks each form page (with JavaScript on)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page

from portal.demo.operations import DEMO_PASSWORD
from portal.demo.pdf import one_page_pdf
from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/workspace/")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_officer_uploads_staff_approves_public_sees_sha256(live_server: str, no_js_page: Page, tmp_path: Path) -> None:
    page = no_js_page
    letter = tmp_path / "承诺书.pdf"
    letter.write_bytes(one_page_pdf(["Browser test commitment letter", "signed and sealed"]))
    sha256 = hashlib.sha256(letter.read_bytes()).hexdigest()

    sign_in(page, live_server, "demo-officer-department")
    page.get_by_role("link", name="本单位承诺书").first.click()
    page.get_by_role("link", name="上传新的承诺书").click()
    page.get_by_label("承诺名称").fill("浏览器测试：按期兑现招商引资政策承诺")
    page.get_by_label("承诺类型").select_option(label="主动型")
    page.get_by_label("承诺主题").select_option(label="招商引资政策")
    page.get_by_label("承诺事由").fill("兑现招商引资优惠政策")
    page.get_by_label("承诺内容").fill("在 30 日内兑现已承诺的奖补资金")
    page.get_by_label("违诺责任").fill("违诺的依法承担责任")
    page.get_by_label("承诺日期").fill("2026-11-18")
    page.get_by_label("签章承诺书（PDF，最大 20 MB）").set_input_files(str(letter))
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    assert "草稿" in page.locator("main").inner_text()
    assert sha256 in page.locator("main").inner_text()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "待审核" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, live_server, "demo-staff")
    page.goto(f"{live_server}/workspace/review/")
    page.get_by_role("row", name="浏览器测试").get_by_role("link").first.click()
    page.get_by_label("通过并发布").check()
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_load_state()
    assert "已通过" in page.locator("main").inner_text()
    sign_out(page)

    page.goto(f"{live_server}/commitments/")
    row = page.get_by_role("row", name="浏览器测试：按期兑现招商引资政策承诺")
    assert sha256 not in row.inner_text()  # the list is a summary; the letter's SHA-256 is on the commitment's page
    row.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert sha256 in page.locator("main").inner_text()


@pytest.mark.parametrize("path", ["/login", "/workspace/commitments/new", "/workspace/review/"])
def test_signed_in_pages_are_accessible(live_server: str, page: Page, path: str) -> None:
    if path != "/login":
        sign_in(page, live_server, "demo-officer-department" if "commitments" in path else "demo-staff")
    page.goto(f"{live_server}{path}")
    assert page.title()
    assert serious_violations(page) == []
