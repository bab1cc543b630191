"""The agency credit report (政务诚信报告, 泰信用办〔2022〕12号 二(六)) on the real demo (gunicorn, two workers,
SQLite): twin first requests for a body's report of the day — sent at once, so that both workers render — all get
the one report (no 500, same bytes, same number); the check page, with JavaScript off, confirms it by its number
(typed as a reader would) with the file's SHA-256 and the stored file; an unknown number is 404 and a malformed one
400, each with the message beside the field. axe-core finds nothing serious on the form, the result and the
refusals, in both languages; on a 390-px phone none scrolls sideways."""

from __future__ import annotations

import hashlib
import re
import threading
import urllib.request
from urllib.error import HTTPError

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}
USCC_LINK = re.compile(r"^/agencies/([0-9A-HJ-NPQRTUWXY]{18})$")
TWINS = 6


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']}-px phone"


def some_agency(page: Page, base: str) -> str:
    """The 统一社会信用代码 of the last body on the agencies' list (no other test asks for its report)."""
    page.goto(f"{base}/agencies/")
    codes = [
        match[1]
        for href in page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if href and (match := USCC_LINK.match(href))
    ]
    assert codes, main_text(page)
    return codes[-1]


def twin_requests(url: str) -> list[tuple[int, str, bytes]]:
    """TWINS requests for `url` released at once: (status, Content-Disposition, body) of each."""
    start = threading.Barrier(TWINS)
    answers: list[tuple[int, str, bytes]] = []

    def fetch() -> None:
        start.wait()
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                answers.append((response.status, response.headers["Content-Disposition"], response.read()))
        except HTTPError as error:
            answers.append((error.code, "", error.read()))

    threads = [threading.Thread(target=fetch) for _ in range(TWINS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def check_page_is_clean(page: Page) -> None:
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})


def test_twin_first_requests_then_the_check_page(live_server: str, page: Page, no_js_page: Page) -> None:
    uscc = some_agency(no_js_page, live_server)
    answers = twin_requests(f"{live_server}/agencies/{uscc}/report.pdf")
    assert [status for status, _, _ in answers] == [200] * TWINS, answers[0][2][:300]
    assert len({body for _, _, body in answers}) == 1  # one report: the same bytes for every twin
    assert len({disposition for _, disposition, _ in answers}) == 1
    data = answers[0][2]
    assert data.startswith(b"%PDF-")
    found = re.search(r"filename=(XYBG-\d{8}-\d{10})\.pdf", answers[0][1])
    assert found, answers[0][1]
    number = found[1]
    digest = hashlib.sha256(data).hexdigest()

    # the check page, JavaScript off: the number typed as a reader might (lower case, spaces around)
    no_js_page.goto(f"{live_server}/agencies/report-check")
    assert no_js_page.title().startswith("政务诚信报告核验")
    no_js_page.get_by_label("报告编号", exact=True).fill(f"  {number.lower()} ")
    no_js_page.get_by_role("button", name="核验", exact=True).click()
    no_js_page.wait_for_load_state()
    shown = main_text(no_js_page)
    assert "该报告由本平台出具" in shown, shown
    assert number in shown
    assert uscc in shown
    assert digest in shown
    link = no_js_page.get_by_role("link", name="下载平台留存的报告原件（PDF）", exact=True)
    stored = no_js_page.request.get(f"{live_server}{link.get_attribute('href')}")
    assert stored.status == 200
    assert stored.body() == data

    # axe and the phone: the result, the form, the refusals, in both languages
    page.goto(f"{live_server}/agencies/report-check?number={number}")
    check_page_is_clean(page)
    page.goto(f"{live_server}/agencies/report-check")
    check_page_is_clean(page)
    unknown = page.goto(f"{live_server}/agencies/report-check?number=XYBG-20000101-0000000000")
    assert unknown is not None
    assert unknown.status == 404
    assert "XYBG-20000101-0000000000" in page.locator("#number-error").inner_text()
    check_page_is_clean(page)
    malformed = page.goto(f"{live_server}/agencies/report-check?number=XYBG-2026")
    assert malformed is not None
    assert malformed.status == 400
    assert "报告编号格式不正确" in page.locator("#number-error").inner_text()
    check_page_is_clean(page)
    english = page.goto(f"{live_server}/agencies/report-check?number={number}&lang=en")
    assert english is not None
    assert english.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    check_page_is_clean(page)
    page.goto(f"{live_server}/agencies/report-check?number=nonsense&lang=en")
    check_page_is_clean(page)
