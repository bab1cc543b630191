"""Text messages (issue 18: "an SMS interface is optional; in development it only logs, and never reports a message as
sent"). A complainant or objector who gave a phone but no e-mail address gets a short text at each step through the
same outbox; the development backend (PORTAL_SMS_BACKEND=log) writes it to the log with the number masked and
leaves the row 未发送（仅记录）, never 已发送. The text carries the number, the new status and the status page's
address: no secret, no token, nobody's name or contact."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.complaints.models import Complaint
from portal.complaints.rules import ComplaintStatus
from portal.config import ConfigError, load_settings
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail import operations
from portal.mail.models import MailMessage
from portal.mail.operations import queue_sms, send_due
from portal.mail.rules import Channel, MailStatus, texting_number
from portal.mail.sms import SmsError
from portal.users.rules import Role
from tests.complaints.test_public import PERSON, receipt_of
from tests.complaints.test_public import file as file_complaint
from tests.complaints.test_workspace import step
from tests.factories import make_agency, make_record, make_user
from tests.forms import sign_in
from tests.mail.conftest import BASE_URL, Inbox
from tests.objections.test_public import NAME as OBJECTOR_NAME
from tests.objections.test_public import PHONE as OBJECTOR_PHONE
from tests.objections.test_public import file as file_objection
from tests.objections.test_public import receipt_of as objection_receipt

MASKED = "139****5678"  # PERSON's phone as a log line may show it


def texts(about: str) -> list[MailMessage]:
    db.session.expire_all()
    query = select(MailMessage).where(MailMessage.about == about, MailMessage.channel == Channel.SMS)
    return list(db.session.scalars(query.order_by(MailMessage.id)))


def mail_cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["mail", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_complainant_with_only_a_phone_is_texted_and_nothing_is_marked_sent(
    app: Flask,
    client: FlaskClient,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agency = make_agency()
    # the migrations' logging set-up (alembic.ini, run by the `app` fixture) disables the loggers that exist by then
    monkeypatch.setattr(logging.getLogger("portal.mail.sms"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="portal.mail.sms")
    response = file_complaint(client, agency_id=agency.id, email="")
    assert response.status_code == 201
    number, secret = receipt_of(response.get_data(as_text=True))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    sign_in(client, make_user(Role.STAFF))
    assert step(client, complaint, "accept").status_code == 303

    rows = texts(f"complaint:{number}")
    assert [row.kind for row in rows] == ["complaint.submitted", "complaint.accepted"]
    link = f"{BASE_URL}/complaints/status?lang=zh_CN"
    assert [row.text_body for row in rows] == [
        f"【{app.config['PORTAL_SETTINGS'].site_name}】您的投诉 {number}：{status}。查询进度请输入编号和查询码：{link}"
        for status in ("已提交", "已受理")
    ]
    for row in rows:
        # handed to the backend right after the step's commit, which only logged it: never "sent"
        assert row.status is MailStatus.LOGGED
        assert row.sent_at is None
        assert row.recipient == PERSON["phone"]
        assert (row.subject, row.html_body) == ("", "")
        for private in (secret, secret.replace("-", ""), PERSON["name"], PERSON["phone"], "t="):
            assert private not in row.text_body
    assert inbox.messages == []  # no e-mail for anyone

    logged = [r.getMessage() for r in caplog.records if r.name == "portal.mail.sms"]
    assert len(logged) == 2
    assert all(MASKED in line and "not sent (PORTAL_SMS_BACKEND=log)" in line for line in logged)
    assert number in logged[0]
    assert not any(PERSON["phone"] in line for line in caplog.text.splitlines())

    # `mail send` leaves them alone, and `mail status` shows them as not sent
    assert "Sent 0 message(s)" in mail_cli(app, "send")
    assert [row.status for row in texts(f"complaint:{number}")] == [MailStatus.LOGGED] * 2
    status = mail_cli(app, "status")
    assert "not sent (logged only) " in status
    assert int(status.split("not sent (logged only) ")[1].split()[0]) >= 2


def test_an_objector_with_only_a_phone_is_texted_too(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    record = make_record()
    response = file_objection(client, record, email="")
    assert response.status_code == 201
    number, secret = objection_receipt(response.get_data(as_text=True))
    (row,) = texts(f"objection:{number}")
    assert row.status is MailStatus.LOGGED
    assert row.recipient == OBJECTOR_PHONE
    assert f"您的异议 {number}：已提交。" in row.text_body
    assert row.text_body.endswith(f"{BASE_URL}/objections/status?lang=zh_CN")
    for private in (secret, OBJECTOR_NAME, OBJECTOR_PHONE):
        assert private not in row.text_body
    assert inbox.messages == []


def test_a_filer_with_an_address_gets_mail_not_texts(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    response = file_complaint(client, agency_id=make_agency().id)
    number, _secret = receipt_of(response.get_data(as_text=True))
    assert texts(f"complaint:{number}") == []
    assert len(inbox.to(PERSON["email"])) == 1


def test_a_landline_gets_no_text(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    response = file_complaint(client, agency_id=make_agency().id, email="", phone="0527-12345678")
    assert response.status_code == 201
    number, _secret = receipt_of(response.get_data(as_text=True))
    assert texts(f"complaint:{number}") == []


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("13912345678", "13912345678"),
        ("+442079460958", "+442079460958"),
        ("0527-12345678", None),
        ("010-87654321-123", None),
        ("400-123-4567", None),
        ("", None),
    ],
)
def test_which_phones_take_texts(phone: str, number: str | None) -> None:
    assert texting_number(phone) == number


class Gateway:
    """A stand-in for a real SMS gateway's backend: it answers `answer`, or raises `error`."""

    def __init__(self, answer: MailStatus = MailStatus.SENT, error: SmsError | None = None) -> None:
        self.answer, self.error = answer, error
        self.taken: list[tuple[str, str]] = []

    def send(self, to: str, text: str, *, message_id: int) -> MailStatus:
        if self.error is not None:
            raise self.error
        self.taken.append((to, text))
        return self.answer


def queued_text() -> MailMessage:
    """A text queued as a step queues one, not yet handed to any backend (no commit has run the mail hook)."""
    row = queue_sms(PERSON["phone"], "complaint", "TS-2026-000009", ComplaintStatus.ACCEPTED, "complaints.status")
    assert row is not None
    assert row.status is MailStatus.QUEUED
    return row


def test_the_sender_dispatches_texts_by_channel_and_records_what_the_backend_says(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = queued_text()
    settings = app.config["PORTAL_SETTINGS"].mail
    gateway = Gateway(error=SmsError("gateway busy"))
    monkeypatch.setattr(operations, "sms_sender", lambda _settings: gateway)
    report = send_due(replace(settings, smtp_host=""), utcnow(), only=[row.id])
    assert (report.sent, report.retried, report.waiting) == (0, 1, 0)  # no SMTP host needed for a text
    db.session.refresh(row)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert row.last_error == "SmsError: gateway busy"

    gateway.error = None  # a gateway that takes it: the one way a text becomes "sent"
    report = send_due(settings, row.next_attempt_at + timedelta(seconds=1), only=[row.id])
    assert report.sent == 1
    db.session.refresh(row)
    assert row.status is MailStatus.SENT
    assert gateway.taken == [(PERSON["phone"], row.text_body)]
    assert "您的投诉 TS-2026-000009：已受理。" in row.text_body


def test_a_number_the_gateway_refuses_for_good_is_given_up(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    row = queued_text()
    gateway = Gateway(error=SmsError("number does not exist", permanent=True))
    monkeypatch.setattr(operations, "sms_sender", lambda _settings: gateway)
    report = send_due(app.config["PORTAL_SETTINGS"].mail, utcnow(), only=[row.id])
    assert len(report.given_up) == 1
    db.session.refresh(row)
    assert row.status is MailStatus.FAILED
    status = mail_cli(app, "status")
    assert f"#{row.id} complaint.accepted complaint:TS-2026-000009 to {MASKED}" in status
    assert MASKED in status
    assert PERSON["phone"] not in status


def test_the_log_backend_is_the_default_and_the_only_choice(tmp_path: Path) -> None:
    assert load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path)}).mail.sms_backend == "log"
    with pytest.raises(ConfigError, match="PORTAL_SMS_BACKEND"):
        load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SMS_BACKEND": "aliyun"})
