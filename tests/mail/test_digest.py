"""The daily digest of the 工作台账 (issue 18: "staff and officers: an opt-in daily digest of their ledger items (#9):
due today, due tomorrow, overdue"), through a real SMTP server.

Today is Friday 2026-11-20; in these tests Monday 11-23 is made a day off (a holiday, by the staff's calendar
table), so the next working day is Tuesday 11-24: 明日到期 runs over the weekend and the holiday to Tuesday, and an
item due on Wednesday is not in the digest. Staff and admins get every open item; an officer only their own
agency's. A user opts in on their account page, which refuses it without an e-mail address."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.core.deadlines import Urgency
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.supervision.models import CalendarOverride, LedgerItem
from portal.supervision.operations import work_calendar
from portal.supervision.queries.ledger import count_in_state
from portal.supervision.rules import ClosedHow, LedgerRule
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_user
from tests.forms import sign_in
from tests.html import find, one, parse_strict, selected_values, text_of, visible_text
from tests.mail.conftest import BASE_URL, Inbox
from tests.mail.test_filers import parts
from tests.supervision.test_ledger_page import MARK, make_item
from tests.users.test_password_change import audit_of, error_beside, post_account_form

TODAY = date(2026, 11, 20)
MAIL = "/workspace/account/mail"
STAFF_EMAIL = "staff.digest@credit.example.gov.cn"
OFFICER_A_EMAIL = "officer.a@agency-a.example.gov.cn"
OFFICER_B_EMAIL = "officer.b@agency-b.example.gov.cn"


@dataclass
class Ledger:
    a: Agency
    b: Agency
    staff: User
    officer_a: User
    officer_b: User
    items: dict[str, LedgerItem]


def opted_in(user: User, email: str, language: str = "zh_CN") -> User:
    user.email, user.daily_digest, user.mail_language = email, True, language
    db.session.flush()
    return user


@pytest.fixture
def ledger(app: Flask) -> Ledger:
    db.session.add(CalendarOverride(day=date(2026, 11, 23), is_workday=False, note="临时调整：示例假日"))
    a, b = make_agency(name="摘要机构甲"), make_agency(name="摘要机构乙")
    staff = make_user(Role.STAFF)
    closed: dict[str, Any] = {
        "closed_on": date(2026, 11, 18),
        "closed_how": ClosedHow.MANUAL,
        "closed_note": "已办",
        "closed_by_id": staff.id,
    }
    items = {
        "甲逾期": make_item(LedgerRule.EXECUTION_REMINDER, a, date(2026, 11, 19), "甲逾期"),
        "甲今天": make_item(LedgerRule.LETTER_REPLY, a, date(2026, 11, 20), "甲今天"),
        "甲周日": make_item(LedgerRule.UNDERTAKING, a, date(2026, 11, 22), "甲周日"),
        "甲假日": make_item(LedgerRule.UNDERTAKING, a, date(2026, 11, 23), "甲假日"),
        "甲周二": make_item(LedgerRule.EXECUTION_NOTICE, a, date(2026, 11, 24), "甲周二"),
        "甲周三": make_item(LedgerRule.EXECUTION_NOTICE, a, date(2026, 11, 25), "甲周三"),
        "甲已办结": make_item(LedgerRule.UNDERTAKING, a, date(2026, 11, 19), "甲已办结", **closed),
        # long overdue: the first of the staff's overdue items, whatever else the database holds
        "乙久逾期": make_item(LedgerRule.SUIT_REMINDER, b, date(2020, 1, 2), "乙久逾期"),
    }
    return Ledger(
        a=a,
        b=b,
        staff=opted_in(staff, STAFF_EMAIL),
        officer_a=opted_in(make_user(Role.OFFICER, agency=a), OFFICER_A_EMAIL),
        officer_b=opted_in(make_user(Role.OFFICER, agency=b), OFFICER_B_EMAIL),
        items=items,
    )


def digest(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["mail", "digest", *args])
    assert result.exit_code == 0, result.output
    return result.output


def groups(text: str) -> dict[str, list[str]]:
    """The digest's text part: each group's heading (without its count) -> the subjects listed under it (this test's
    items, by their MARK)."""
    found: dict[str, list[str]] = {}
    heading = ""
    for line in text.splitlines():
        if re.match(r"^(已逾期|今日到期|明日到期)（", line):
            heading = line.split("（")[0]
            found[heading] = []
        elif line.startswith("- ") and heading:
            subject = line[2:].split("（")[0]
            if subject.startswith(MARK):
                found[heading].append(subject.removeprefix(MARK))
    return found


def only(inbox: Inbox, address: str) -> EmailMessage:
    messages = inbox.to(address)
    assert len(messages) == 1, f"{len(messages)} messages to {address}"
    return messages[0]


def test_an_officer_gets_their_agencys_items_grouped_in_working_days(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    assert "Digest for 2026-11-20: " in digest(app)
    message = only(inbox, OFFICER_A_EMAIL)
    assert message["Subject"] == "工作台账提醒：已逾期 1 项，今日到期 1 项，明日到期 3 项"
    assert message["Content-Language"] == "zh-CN"
    assert message["List-Unsubscribe"] == f"<{BASE_URL}/workspace/account?lang=zh_CN>"
    text, html = parts(message)
    assert "截至 2026年11月20日，您的工作台账中有：已逾期 1 项，今日到期 1 项，明日到期 3 项。" in text
    # the weekend and the holiday Monday count to the next working day, Tuesday; Wednesday's item is not due yet
    assert groups(text) == {"已逾期": ["甲逾期"], "今日到期": ["甲今天"], "明日到期": ["甲周日", "甲假日", "甲周二"]}
    assert "明日到期（3 项，含休息日，到下一个工作日 2026年11月24日 为止）" in text
    assert "甲周三" not in text
    assert "甲已办结" not in text
    assert "乙久逾期" not in text  # another agency's item: never in an officer's digest
    assert "执行案件提醒履行，摘要机构甲，到期日 2026年11月19日" in text
    # each item links to its page in the workspace, each group to the ledger filtered to it
    item = ledger.items["甲今天"]
    assert f"{BASE_URL}/workspace/ledger/{item.id}?lang=zh_CN" in text
    assert f"在工作台账中查看：{BASE_URL}/workspace/ledger/?state=overdue&lang=zh_CN" in text
    assert f"在工作台账中查看：{BASE_URL}/workspace/ledger/?state=due&due_to=2026-11-20&lang=zh_CN" in text
    assert f"在工作台账中查看：{BASE_URL}/workspace/ledger/?state=due&due_from=2026-11-21&lang=zh_CN" in text
    parse_strict(html)
    assert '<html lang="zh-CN">' in html
    assert f'href="{BASE_URL}/workspace/ledger/{item.id}?lang=zh_CN"' in html
    group_link = one(html, "a", href=f"{BASE_URL}/workspace/ledger/?state=overdue&lang=zh_CN")
    assert text_of(group_link) == "在工作台账中查看"
    assert "甲周日" in html
    assert "乙久逾期" not in html


def test_the_groups_open_in_the_ledger_with_the_same_items(
    app: Flask, client: FlaskClient, ledger: Ledger, inbox: Inbox
) -> None:
    digest(app)
    text = parts(only(inbox, OFFICER_A_EMAIL))[0]
    sign_in(client, ledger.officer_a)
    tomorrow = next(line for line in text.splitlines() if "due_from=" in line).split(BASE_URL)[1]
    body = client.get(tomorrow).get_data(as_text=True)
    listed = [s.removeprefix(MARK) for s in re.findall(re.escape(MARK) + r"[^<\s]+", body)]
    assert sorted(set(listed)) == sorted(["甲周日", "甲假日", "甲周二"])


def test_staff_get_every_open_item_and_officers_only_their_own(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    digest(app)
    staff_text = parts(only(inbox, STAFF_EMAIL))[0]
    calendar = work_calendar(TODAY)
    overdue = count_in_state(Urgency.OVERDUE, TODAY, calendar)  # the ledger's own figure for staff
    assert f"已逾期 {overdue} 项" in only(inbox, STAFF_EMAIL)["Subject"]
    assert "乙久逾期" in groups(staff_text)["已逾期"]
    assert {"甲周日", "甲假日", "甲周二"} <= set(groups(staff_text)["明日到期"])
    b_text, b_html = parts(only(inbox, OFFICER_B_EMAIL))
    assert groups(b_text) == {"已逾期": ["乙久逾期"]}
    for agency_a_item in ("甲逾期", "甲今天", "甲周日", "甲假日", "甲周二"):
        assert agency_a_item not in b_text
        assert agency_a_item not in b_html
    assert "摘要机构甲" not in b_text


def test_a_group_lists_at_most_twenty_and_says_how_many_more(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    for n in range(25):
        make_item(LedgerRule.UNDERTAKING, ledger.b, date(2026, 11, 20), f"乙今天{n:02d}")
    digest(app)
    text = parts(only(inbox, OFFICER_B_EMAIL))[0]
    assert len(groups(text)["今日到期"]) == 20
    assert "以上列出 20 项，共 25 项。\n在工作台账中查看：https://" in text


def test_a_second_run_the_same_day_queues_nothing(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    assert "Digest for 2026-11-20: 3 queued, 0 queued already today" in digest(app)
    assert "Digest for 2026-11-20: 0 queued, 3 queued already today" in digest(app)
    assert len(inbox.to(OFFICER_A_EMAIL)) == 1
    about = f"digest:{ledger.officer_a.id}:2026-11-20"
    assert len(list(db.session.scalars(select(MailMessage).where(MailMessage.about == about)))) == 1
    # the next working day is another digest
    digest(app, "--today", "2026-11-24")
    assert len(inbox.to(OFFICER_A_EMAIL)) == 2


def test_nothing_on_a_day_off(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    assert "2026-11-21 is not a working day: no digest." in digest(app, "--today", "2026-11-21")  # Saturday
    assert "2026-11-23 is not a working day" in digest(app, "--today", "2026-11-23")  # the holiday Monday
    assert inbox.messages == []


def test_opted_out_disabled_addressless_and_idle_users_get_nothing(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    ledger.officer_a.daily_digest = False  # opted out, still with an address
    ledger.officer_b.active = False  # disabled, still opted in
    idle = opted_in(make_user(Role.OFFICER, agency=make_agency()), "idle@agency-c.example.gov.cn")  # nothing due
    no_address = make_user(Role.STAFF, daily_digest=True)  # cannot happen through the forms; the job checks anyway
    db.session.flush()
    output = digest(app)
    assert inbox.to(OFFICER_A_EMAIL) == []
    assert inbox.to(OFFICER_B_EMAIL) == []
    assert inbox.to(idle.email) == []
    assert len(inbox.to(STAFF_EMAIL)) == 1
    assert no_address.email == ""
    assert "1 queued, 0 queued already today, 1 with nothing due." in output


def test_the_digest_is_in_the_language_the_user_chose(app: Flask, ledger: Ledger, inbox: Inbox) -> None:
    ledger.officer_a.mail_language = "en"
    db.session.flush()
    digest(app)
    message = only(inbox, OFFICER_A_EMAIL)
    assert message["Content-Language"] == "en"
    text, html = parts(message)
    assert '<html lang="en">' in html
    assert f"{BASE_URL}/workspace/ledger/?state=overdue&lang=en" in text
    assert "2026-11-19" in text  # dates as English pages write them


# --- opting in on the account page ------------------------------------------------------------------------------------


def test_opting_in_needs_an_address_and_says_so_beside_the_box(client: FlaskClient, app: Flask) -> None:
    officer = make_user(Role.OFFICER)
    sign_in(client, officer)
    page = client.get("/workspace/account").get_data(as_text=True)
    parse_strict(page)
    form = find(page, "form", action=MAIL)
    assert form is not None
    assert text_of(one(form, "label", for_="email")) == "电子邮箱"
    assert one(form, "input", id="daily_digest").get("type") == "checkbox"
    assert text_of(one(form, "legend")) == "每日提醒"

    refused = post_account_form(client, MAIL, {"email": "", "daily_digest": "y", "mail_language": "zh_CN"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    parse_strict(body)
    assert error_beside(body, "daily_digest") == "没有电子邮箱地址，不能订阅每日提醒：请先填写电子邮箱地址。"
    assert one(body, "input", id="daily_digest").get("aria-describedby") == "daily_digest-error"
    db.session.refresh(officer)
    assert (officer.email, officer.daily_digest) == ("", False)
    assert audit_of(officer) == []

    bad = post_account_form(client, MAIL, {"email": "not an address", "daily_digest": "y", "mail_language": "zh_CN"})
    assert bad.status_code == 400
    assert error_beside(bad.get_data(as_text=True), "email") == "请填写有效的电子邮箱地址，例如 name@example.gov.cn"
    db.session.refresh(officer)
    assert (officer.email, officer.daily_digest) == ("", False)

    done = post_account_form(
        client, MAIL, {"email": " Officer.A@Agency-A.Example.gov.cn ", "daily_digest": "y", "mail_language": "en"}
    )
    assert done.status_code == 303
    db.session.refresh(officer)
    assert (officer.email, officer.daily_digest, officer.mail_language) == (
        "Officer.A@agency-a.example.gov.cn",
        True,
        "en",
    )
    entry = audit_of(officer)[-1]
    assert entry.action == "user.mail"
    assert entry.actor_id == officer.id
    assert entry.changes == {
        "email": [None, "O***@agency-a.example.gov.cn"],
        "daily_digest": [False, True],
        "mail_language": ["zh_CN", "en"],
    }
    shown = client.get("/workspace/account").get_data(as_text=True)
    assert "每个工作日早上，工作台账提醒将发送到 Officer.A@agency-a.example.gov.cn。" in visible_text(shown)
    again = find(shown, "form", action=MAIL)
    assert again is not None
    assert one(again, "input", id="daily_digest").get("checked") is not None
    assert selected_values(one(again, "select", id="mail_language")) == ["en"]


def test_opting_out_and_the_digest_follows(app: Flask, client: FlaskClient, ledger: Ledger, inbox: Inbox) -> None:
    sign_in(client, ledger.officer_a)
    out = post_account_form(client, MAIL, {"email": OFFICER_A_EMAIL, "mail_language": "zh_CN"})  # box unticked
    assert out.status_code == 303
    db.session.refresh(ledger.officer_a)
    assert ledger.officer_a.daily_digest is False
    assert audit_of(ledger.officer_a)[-1].changes == {"daily_digest": [True, False]}
    digest(app)
    assert inbox.to(OFFICER_A_EMAIL) == []
    assert len(inbox.to(OFFICER_B_EMAIL)) == 1


def test_an_admin_sets_the_address_and_removing_it_ends_the_digest(
    app: Flask, client: FlaskClient, ledger: Ledger, inbox: Inbox
) -> None:
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    url = f"/workspace/users/{ledger.officer_a.id}"
    page = client.get(url).get_data(as_text=True)
    parse_strict(page)
    assert OFFICER_A_EMAIL in visible_text(page)
    assert "已订阅" in visible_text(page)
    form = find(page, "form", action=f"{url}/email")
    assert form is not None
    bad = client.post(f"{url}/email", data={"csrf_token": _csrf(form), "email-email": "a@@b"})
    assert bad.status_code == 400
    assert error_beside(bad.get_data(as_text=True), "email-email").startswith("请填写有效的电子邮箱地址")
    removed = client.post(f"{url}/email", data={"csrf_token": _csrf(form), "email-email": ""})
    assert removed.status_code == 303
    db.session.refresh(ledger.officer_a)
    assert (ledger.officer_a.email, ledger.officer_a.daily_digest) == ("", False)
    entry = audit_of(ledger.officer_a)[-1]
    assert (entry.action, entry.actor_id) == ("user.mail", admin.id)
    assert entry.changes == {"email": ["o***@agency-a.example.gov.cn", None], "daily_digest": [True, False]}
    digest(app)
    assert inbox.to(OFFICER_A_EMAIL) == []


def _csrf(form: object) -> str:
    token = find(form, "input", name="csrf_token")  # type: ignore[arg-type]
    assert token is not None
    return str(token.get("value"))
