"""A lost receipt secret (issue 18): the number and the phone or e-mail address given at filing get a new secret,
sent through a real SMTP server to the e-mail address on file; the old secret stops working. The answer is the same
page, status and time whether or not the pair matches, the number exists or the filer can be mailed at all; it is
rate-limited per address and per number, and no secret reaches the audit log."""

from __future__ import annotations

import json
import re
import time
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

import portal.receipts.views
from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.mail.models import MailMessage
from tests.complaints.test_public import PERSON, receipt_of
from tests.complaints.test_public import file as file_complaint
from tests.complaints.test_public import look_up as look_up_complaint
from tests.factories import make_record
from tests.forms import post_form
from tests.html import links, title_of, visible_text
from tests.mail.conftest import Inbox
from tests.objections.test_public import EMAIL as OBJECTOR_EMAIL
from tests.objections.test_public import PHONE as OBJECTOR_PHONE
from tests.objections.test_public import file as file_objection
from tests.objections.test_public import look_up as look_up_objection
from tests.objections.test_public import receipt_of as objection_receipt

SECRET = re.compile(r"[0-9a-f]{4}(?:-[0-9a-f]{4}){5}")
ANSWER = "如果信息匹配，新的查询码已发送到您登记的电子邮箱。"


def recover(client: FlaskClient, path: str, number: str, contact: str, address: str = "127.0.0.1") -> TestResponse:
    return post_form(client, path, {"number": number, "contact": contact}, environ_base={"REMOTE_ADDR": address})


def send_mail(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output


def text_of_message(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def without_tokens(body: str) -> str:
    """The page as sent, less what differs on every page: the CSRF token (and any nonce)."""
    body = re.sub(r'name="csrf_token"( type="hidden")? value="[^"]*"', "csrf", body)
    body = re.sub(r'value="[^"]*"( type="hidden")? name="csrf_token"', "csrf", body)
    return re.sub(r'nonce="[^"]*"', "nonce", body)


def test_a_complainant_gets_a_new_secret_by_mail_and_the_old_one_stops_working(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    number, old = receipt_of(file_complaint(client).get_data(as_text=True))
    received = len(inbox.to(PERSON["email"]))  # the "received" message
    answer = recover(client, "/complaints/recover", number.lower(), "  " + PERSON["email"].upper() + " ")
    assert answer.status_code == 200
    assert ANSWER in visible_text(answer.get_data(as_text=True))
    assert len(inbox.to(PERSON["email"])) == received, "sent by `mail send`, not by the request"
    send_mail(app)
    messages = inbox.to(PERSON["email"])
    assert len(messages) == received + 1
    message = messages[-1]
    assert number in message["Subject"]
    text = text_of_message(message)
    new = SECRET.findall(text)
    assert len(new) == 1
    assert new[0] != old
    assert "原查询码已经失效" in text
    assert "https://credit.example.gov.cn/complaints/status" in text
    assert look_up_complaint(client, number, old).status_code == 404
    assert look_up_complaint(client, number, new[0]).status_code == 200


def test_an_objector_recovers_by_phone_typed_another_way(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    number, old = objection_receipt(file_objection(client, make_record()).get_data(as_text=True))
    typed = "+86 " + " ".join([OBJECTOR_PHONE[:3], OBJECTOR_PHONE[3:7], OBJECTOR_PHONE[7:]])
    answer = recover(client, "/objections/recover", number, typed)
    assert answer.status_code == 200
    send_mail(app)
    message = inbox.to(OBJECTOR_EMAIL)[-1]
    assert number in message["Subject"]
    new = SECRET.findall(text_of_message(message))
    assert len(new) == 1
    assert new[0] != old
    assert look_up_objection(client, number, old).status_code == 404
    assert look_up_objection(client, number, new[0]).status_code == 200


def test_every_answer_is_the_same_page_whether_or_not_anything_matches(app: Flask, client: FlaskClient) -> None:
    number, secret = receipt_of(file_complaint(client).get_data(as_text=True))
    phone_only, phone_secret = receipt_of(file_complaint(client, email="").get_data(as_text=True))
    answers = [
        recover(client, "/complaints/recover", number, PERSON["email"]),  # matches: a new secret is sent
        recover(client, "/complaints/recover", number, "someone.else@example.com"),  # a wrong pair
        recover(client, "/complaints/recover", "TS-2026-999999", PERSON["email"]),  # an unknown number
        recover(client, "/complaints/recover", phone_only, PERSON["phone"]),  # matches, but no e-mail on file
    ]
    assert [a.status_code for a in answers] == [200] * 4
    pages = {without_tokens(a.get_data(as_text=True)) for a in answers}
    assert len(pages) == 1, "the answers differ"
    assert ANSWER in visible_text(answers[0].get_data(as_text=True))
    assert look_up_complaint(client, number, secret).status_code == 404  # the match did replace it
    assert look_up_complaint(client, phone_only, phone_secret).status_code == 200  # nothing sent, nothing revoked
    renewals = db.session.scalars(select(MailMessage).where(MailMessage.kind == "complaint.receipt_renewed")).all()
    assert [m.about for m in renewals] == [f"complaint:{number}"]


def test_a_match_takes_no_longer_than_anything_else(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portal.receipts.views, "RESPONSE_FLOOR", 0.3)
    number, _ = receipt_of(file_complaint(client).get_data(as_text=True))
    took = []
    for contact in (PERSON["email"], "nobody@example.com"):
        start = time.monotonic()
        assert recover(client, "/complaints/recover", number, contact).status_code == 200
        took.append(time.monotonic() - start)
    assert min(took) >= 0.3, "both answers wait for the floor"


def test_recovery_is_rate_limited_per_address_and_per_number(app: Flask, client: FlaskClient) -> None:
    codes = [recover(client, "/complaints/recover", f"TS-2026-{n:06d}", "a@example.com").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]
    other = "TS-2026-123456"
    codes = [
        recover(client, "/objections/recover", other.replace("TS", "YY"), "a@example.com", f"10.0.0.{n}").status_code
        for n in range(6)
    ]
    assert codes == [200] * 5 + [429], "one number from many addresses"
    assert recover(client, "/objections/recover", "YY-2026-654321", "a@example.com", "10.0.1.1").status_code == 200


def test_no_secret_reaches_the_audit_log(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    number, old = receipt_of(file_complaint(client).get_data(as_text=True))
    recover(client, "/complaints/recover", number, PERSON["phone"])
    send_mail(app)
    new = SECRET.findall(text_of_message(inbox.to(PERSON["email"])[-1]))[0]
    entries = db.session.scalars(select(AuditEntry)).all()
    assert "complaint.receipt_renewed" in [e.action for e in entries]
    logged = json.dumps([[e.action, e.entity_id, e.changes, e.reason] for e in entries], ensure_ascii=False)
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    for secret in (old, new):
        assert secret not in logged
        assert secret.replace("-", "") not in logged
    assert complaint.secret_hash not in logged
    assert PERSON["phone"] not in logged
    assert PERSON["email"] not in logged


def test_typing_mistakes_are_said_beside_the_field(app: Flask, client: FlaskClient) -> None:
    bad_number = recover(client, "/complaints/recover", "12345", PERSON["email"])
    assert bad_number.status_code == 400
    assert "请按回执填写编号" in visible_text(bad_number.get_data(as_text=True))
    bad_contact = recover(client, "/complaints/recover", "TS-2026-000001", "not a contact")
    assert bad_contact.status_code == 400
    assert "请填写有效的电子邮箱" in visible_text(bad_contact.get_data(as_text=True))


def test_the_status_and_receipt_pages_link_to_recovery(app: Flask, client: FlaskClient) -> None:
    assert "/complaints/recover" in links(client.get("/complaints/status").get_data(as_text=True))
    assert "/objections/recover" in links(client.get("/objections/status").get_data(as_text=True))
    body = file_complaint(client).get_data(as_text=True)
    number, _ = receipt_of(body)
    assert f"/complaints/recover?number={number}" in links(body)
    form = client.get(f"/complaints/recover?number={number}").get_data(as_text=True)
    assert f'value="{number}"' in form
    english = client.get("/objections/recover?lang=en")
    assert english.status_code == 200
    assert title_of(english.get_data(as_text=True))
