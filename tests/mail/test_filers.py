"""Filers are told at each step (issue 18): a complainant or objector who gave an e-mail address gets a message,
through a real SMTP server, when the case is received, accepted or refused, transferred, answered and closed (for
an objection: received, accepted, decided), in the language they filed in, as text and HTML, with a signed link to
the status page. No message carries the receipt's secret or anyone else's data."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.complaints.models import Complaint
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.mail.rules import sign_status_link
from portal.objections.models import Objection
from portal.users.rules import Role
from tests.complaints.test_public import PERSON, receipt_of
from tests.complaints.test_public import file as file_complaint
from tests.complaints.test_workspace import step
from tests.factories import make_agency, make_record, make_user
from tests.forms import sign_in, sign_out
from tests.html import visible_text
from tests.mail.conftest import BASE_URL, Inbox
from tests.objections.test_public import EMAIL as OBJECTOR_EMAIL
from tests.objections.test_public import NAME as OBJECTOR_NAME
from tests.objections.test_public import PHONE as OBJECTOR_PHONE
from tests.objections.test_public import file as file_objection
from tests.objections.test_public import receipt_of as objection_receipt
from tests.objections.test_staff import act

TODAY = date(2026, 11, 20)
OFFICER_NAME = "李办事员"
AGENCY_ANSWER = "经办人李办事员已联系王小明先生，款项本月付清。"
CLOSING_ANSWER = "经核实，拖欠款项已部分支付，余款年底前付清。"


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and the HTML part of a message (both must be there)."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None, "no plain-text part"
    assert html is not None, "no HTML part"
    return text.get_content(), html.get_content()


def link_in(text: str) -> str:
    found = re.findall(r"https?://\S+", text)
    assert len(found) == 1, f"expected one link, found {found}"
    return found[0]


def open_link(client: FlaskClient, link: str) -> TestResponse:
    assert link.startswith(BASE_URL + "/"), "the link is on PORTAL_BASE_URL"
    parts_ = urlsplit(link)
    return client.get(f"{parts_.path}?{parts_.query}")


def assert_private(message: EmailMessage, *, secret: str, others: list[str]) -> None:
    """Nothing in the message (headers, text, HTML) is the secret or another person's data."""
    raw = message.as_string()
    text, html = parts(message)
    for whole in (raw, text, html):
        assert secret not in whole
        assert secret.replace("-", "") not in whole
        for other in others:
            assert other not in whole, f"{other!r} is in a message"


def test_a_complainant_is_told_at_each_step_in_chinese(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    agency = make_agency()
    officer = make_user(Role.OFFICER, agency=agency)
    officer.name = OFFICER_NAME
    staff = make_user(Role.STAFF)
    other = file_complaint(client, agency_id=agency.id, email="someone.else@example.com", name="赵另一人")
    assert other.status_code == 201
    response = file_complaint(client, agency_id=agency.id)
    assert response.status_code == 201
    number, secret = receipt_of(response.get_data(as_text=True))
    mine = PERSON["email"]
    # sent right after the filing's commit, by the request itself
    assert [m["Subject"] for m in inbox.to(mine)] == [f"投诉 {number}：已提交"]

    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    sign_in(client, staff)
    assert step(client, complaint, "accept").status_code == 303
    assert step(client, complaint, "transfer", {"agency": str(agency.id), "transfer_note": "请核实"}).status_code == 303
    sign_in(client, officer)
    assert step(client, complaint, "answer", {"agency_answer": AGENCY_ANSWER}).status_code == 303
    sign_in(client, staff)
    assert step(client, complaint, "close", {"answer": CLOSING_ANSWER}).status_code == 303
    sign_out(client)

    messages = inbox.to(mine)
    assert [m["Subject"] for m in messages] == [
        f"投诉 {number}：{status}" for status in ("已提交", "已受理", "已转办", "部门已反馈", "已办结")
    ]
    received, accepted, transferred, answered, closed = (parts(m)[0] for m in messages)
    assert f"我们已收到您的投诉，投诉编号为 {number}。" in received
    assert "信用办将在 2026年11月24日 前决定是否受理。" in received
    assert "被投诉单位应在 2026年12月4日 前反馈。" in accepted
    assert f"已转交 {agency.name} 办理" in transferred
    assert "信用办将在 2026年12月11日 前答复您。" in answered
    assert "已办结" in closed
    for message in messages:
        assert message["From"] == "信用演示县 <noreply@credit.example.gov.cn>"
        assert message["Content-Language"] == "zh-CN"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Unsubscribe"] is None  # a message about one's own case is no subscription
        text, html = parts(message)
        assert '<html lang="zh-CN">' in html
        assert link_in(text) in html.replace("&amp;", "&")
        assert_private(
            message,
            secret=secret,
            others=[
                OFFICER_NAME,
                "赵另一人",
                "someone.else@example.com",
                PERSON["name"],
                PERSON["phone"],
                AGENCY_ANSWER,
                CLOSING_ANSWER,
                "请核实",
            ],
        )
    # the other complainant got only their own receipt
    assert len(inbox.to("someone.else@example.com")) == 1

    page = open_link(client, link_in(parts(messages[-1])[0]))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    shown = visible_text(page.get_data(as_text=True))
    assert f"{number} · 已办结" in shown
    assert CLOSING_ANSWER in shown  # the answer is on the page, not in the message
    assert secret not in page.get_data(as_text=True)
    assert PERSON["name"] not in shown


def test_a_refusal_gives_the_reason_from_the_list(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    agency = make_agency()
    number, secret = receipt_of(file_complaint(client, agency_id=agency.id).get_data(as_text=True))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    sign_in(client, make_user(Role.STAFF))
    note = "请向仲裁委员会申请仲裁，联系人张仲裁。"
    refused = step(client, complaint, "refuse", {"reason": "other_channel", "refuse_note": note})
    assert refused.status_code == 303
    last = inbox.to(PERSON["email"])[-1]
    text, html = parts(last)
    assert last["Subject"] == f"投诉 {number}：不予受理"
    assert "不予受理，理由是：已通过或应当通过其他法定途径处理。" in text
    assert "不予受理，理由是：已通过或应当通过其他法定途径处理。" in html
    assert_private(last, secret=secret, others=[note, "张仲裁"])
    assert note in visible_text(open_link(client, link_in(text)).get_data(as_text=True))


def test_a_complainant_who_filed_in_english_is_written_to_in_english(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    agency = make_agency()
    client.get("/complaints/new?lang=en")  # the filer reads the site in English (the cookie keeps it)
    number, _secret = receipt_of(file_complaint(client, agency_id=agency.id).get_data(as_text=True))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    staff_client = app.test_client()  # staff read the workspace in Chinese: the message stays in English
    sign_in(staff_client, make_user(Role.STAFF))
    assert step(staff_client, complaint, "accept").status_code == 303

    received, accepted = inbox.to(PERSON["email"])
    for message in (received, accepted):
        assert message["Content-Language"] == "en"
        text, html = parts(message)
        assert '<html lang="en">' in html
        assert "2026-11-24" in text or "2026-12-04" in text  # dates as English pages show them
        assert "年" not in text.split("--")[0].replace(number, "")  # no Chinese date in the body
        assert parse_qs(urlsplit(link_in(text)).query)["lang"] == ["en"]
    assert "Submitted" in received["Subject"]
    assert "Accepted" in accepted["Subject"]
    page = open_link(app.test_client(), link_in(parts(accepted)[0]))
    assert page.status_code == 200
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_no_address_no_message(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    agency = make_agency()
    assert file_complaint(client, agency_id=agency.id, email="").status_code == 201
    assert inbox.messages == []
    assert db.session.scalar(select(MailMessage).where(MailMessage.recipient == "")) is None


def test_an_objector_is_told_at_each_step(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    record = make_record()
    number, secret = objection_receipt(file_objection(client, record).get_data(as_text=True))
    objection = db.session.scalar(select(Objection).where(Objection.number == number))
    assert objection is not None
    sign_in(client, make_user(Role.STAFF))
    assert act(client, objection, "accept").status_code == 303
    reason = "经核对认定机关原始文书，记录内容无误，维持公示。"
    assert act(client, objection, "decide", outcome="upheld", reason=reason).status_code == 303
    sign_out(client)

    messages = inbox.to(OBJECTOR_EMAIL)
    assert [m["Subject"] for m in messages] == [
        f"异议 {number}：已提交",
        f"异议 {number}：已受理，核查中",
        f"异议 {number}：维持原记录",
    ]
    received, accepted, decided = (parts(m)[0] for m in messages)
    assert f"异议编号为 {number}" in received
    assert "核查结论将在 2026年12月4日 前作出。" in accepted
    assert "结论是：维持原记录。" in decided
    for message in messages:
        assert_private(message, secret=secret, others=[OBJECTOR_NAME, OBJECTOR_PHONE, reason])
    page = open_link(client, link_in(decided))
    assert page.status_code == 200
    shown = visible_text(page.get_data(as_text=True))
    assert "维持原记录" in shown
    assert reason in shown
    assert secret not in page.get_data(as_text=True)


# --- the status link -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/complaints/status", "/objections/status"])
def test_a_link_past_its_last_day_or_not_ours_shows_the_receipt_form(
    app: Flask, client: FlaskClient, path: str
) -> None:
    key = app.config["SECRET_KEY"]
    kind = "complaint" if path.startswith("/complaints") else "objection"
    expired = sign_status_link(key, f"{kind}:TS-2026-000001", TODAY - timedelta(days=31))
    old = client.get(f"{path}?t={expired}")
    assert old.status_code == 410
    assert "该链接已过期" in visible_text(old.get_data(as_text=True))
    forged = sign_status_link("another-key-" + "y" * 32, f"{kind}:TS-2026-000001", TODAY)
    for token in (forged, "nonsense", "", "x" * 400):
        bad = client.get(f"{path}?t={token}")
        assert bad.status_code == 400
        assert "该链接无效" in visible_text(bad.get_data(as_text=True))
    other_kind = "objection" if kind == "complaint" else "complaint"
    crossed = client.get(f"{path}?t={sign_status_link(key, f'{other_kind}:TS-2026-000001', TODAY)}")
    assert crossed.status_code == 404  # a complaint's link does not open the objections' page, nor the reverse


def test_the_link_works_for_thirty_days(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency()
    number, _secret = receipt_of(file_complaint(client, agency_id=agency.id).get_data(as_text=True))
    key = app.config["SECRET_KEY"]
    still = sign_status_link(key, f"complaint:{number}", TODAY - timedelta(days=30))
    assert client.get(f"/complaints/status?t={still}").status_code == 200
    gone = sign_status_link(key, f"complaint:{number}", TODAY - timedelta(days=31))
    assert client.get(f"/complaints/status?t={gone}").status_code == 410
