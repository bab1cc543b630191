"""Following a list by e-mail in a real browser with JavaScript off, on a 390-px phone (issue 18): from the link
beside a list's feeds, the form, the confirmation message (through a real SMTP server), its page and button, an
alert, and the one-click unsubscribe's page and button. Nothing scrolls sideways; axe-core finds nothing serious on
the pages, in both languages (with JavaScript on, which axe needs)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from portal import clock, create_app
from portal.extensions import db
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import browser  # noqa: F401 (fixture)
from tests.conftest import serve
from tests.factories import make_record
from tests.mail.conftest import BASE_URL, Inbox, free_port, start_server

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 800}
EMAIL = "browser.follower@example.cn"


class Site:
    def __init__(self, base: str, inbox: Inbox, settings: dict[str, str]) -> None:
        self.base, self.inbox, self.settings = base, inbox, settings

    def local(self, link: str) -> str:
        """A link from a message (on PORTAL_BASE_URL) opened on the test's server."""
        assert link.startswith(BASE_URL + "/"), link
        split = urlsplit(link)
        return f"{self.base}{split.path}?{split.query}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """gunicorn on SQLite with demo data, sending its mail to a real SMTP server."""
    inbox = Inbox(port=free_port())
    controller = start_server(inbox)
    instance = tmp_path_factory.mktemp("alerts-live")
    settings = {
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_DATABASE_URL": f"sqlite:///{instance / 'live.db'}",
        "PORTAL_SEARCH_INDEX_DIR": str(instance / "search_index"),
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(inbox.port),
        "PORTAL_SMTP_STARTTLS": "off",
        "PORTAL_BASE_URL": BASE_URL,
        "PORTAL_MIN_FILL_SECONDS": "0",
    }
    try:
        with serve(instance, settings["PORTAL_DATABASE_URL"], **settings) as base:
            yield Site(base, inbox, settings)
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def publish_arrears(site: Site, title: str) -> None:
    """A record published meanwhile (written by another process, as staff would)."""
    app = create_app(site.settings)
    with app.app_context():
        make_record(kind="arrears", title=title, decision_date=clock.today(), details={"contract_number": "B-1"})
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["alerts", "send", "--frequency", "daily"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()


def test_following_a_list_by_email_without_javascript(site: Site, browser: Browser) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{site.base}/records/?kind=arrears")
        page.get_by_role("link", name="订阅邮件提醒").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "订阅邮件提醒"
        assert "拖欠" in page.locator("main dl").inner_text()
        fits(page)
        page.get_by_label("电子邮箱").fill(EMAIL)
        page.get_by_label("每日汇总一次").check()
        page.get_by_role("button", name="订阅", exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "请查收确认邮件"
        fits(page)

        [confirmation] = site.inbox.to(EMAIL)
        [link] = [found for found in re.findall(r"https?://\S+", text_of(confirmation)) if "/alerts/confirm/" in found]
        page.goto(site.local(link))
        assert "每日汇总一次" in page.locator("main").inner_text()
        fits(page)
        page.get_by_role("button", name="确认订阅").click()
        page.wait_for_load_state()
        assert "订阅成功" in page.locator("main").inner_text()

        publish_arrears(site, "浏览器测试的新拖欠记录")
        [alert] = [m for m in site.inbox.to(EMAIL) if m["List-Unsubscribe"]]
        assert "浏览器测试的新拖欠记录" in text_of(alert)
        page.goto(site.local(alert["List-Unsubscribe"][1:-1]))
        assert "浏览器测试的新拖欠记录" not in page.locator("main").inner_text()
        fits(page)
        page.get_by_role("button", name="退订").click()
        page.wait_for_load_state()
        assert "已退订" in page.locator("main").inner_text()
        assert EMAIL not in page.content()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_alert_pages_are_accessible(site: Site, browser: Browser, lang: str) -> None:  # noqa: F811
    context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    try:
        for path in [
            f"/alerts/new?to={quote('/records/feed.atom?kind=arrears', safe='')}",
            "/alerts/new?to=/nowhere",  # refused, with its message
            "/alerts/sent",
            "/alerts/confirm/not-a-token",
            "/alerts/unsubscribe/not-a-token",
        ]:
            page.goto(f"{site.base}{path}{'&' if '?' in path else '?'}lang={lang}")
            assert page.title()
            fits(page)
            assert serious_violations(page) == [], path
    finally:
        context.close()
