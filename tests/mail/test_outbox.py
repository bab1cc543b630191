"""The mail outbox (issue 18): a message is written with the change that causes it and sent after the commit, through
a real SMTP server; while the server is down nothing is lost, each message is tried again with backoff, and a
message refused for good (or failing too often) is given up with its address and error kept."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.config import MailSettings
from portal.db import commit
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail import commands as mail_commands
from portal.mail.models import MailMessage
from portal.mail.operations import queue_mail, send_due
from portal.mail.rules import CLAIM, MAX_ATTEMPTS, MailStatus
from tests.complaints.test_public import PERSON
from tests.complaints.test_public import file as file_complaint
from tests.factories import make_agency
from tests.mail.conftest import Inbox, point_mail_at, start_server


def queue(to: str = "reader@example.com", **extra: Any) -> MailMessage:
    """A message queued as an operation queues one (not yet committed)."""
    return queue_mail(
        to,
        _l("投诉 %(number)s：%(status)s", number="TS-2026-000009", status="已受理"),
        "complaint_step",
        kind="complaint.accepted",
        about="complaint:TS-2026-000009",
        status="accepted",
        number="TS-2026-000009",
        due=None,
        reason="",
        agency="",
        **extra,
    )


def settings(app: Flask) -> MailSettings:
    mail: MailSettings = app.config["PORTAL_SETTINGS"].mail
    return mail


def rows() -> list[MailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def mail_cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["mail", *args])
    assert result.exit_code == 0, result.output
    return str(result.output)  # stdout and stderr, as a terminal shows them


def test_a_message_is_sent_after_the_commit_and_recorded(app: Flask, inbox: Inbox) -> None:
    message = queue()
    assert inbox.messages == []  # nothing leaves before the commit
    commit()
    assert [m["To"] for m in inbox.messages] == ["reader@example.com"]
    [row] = rows()
    assert row.id == message.id
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 1, "")
    assert row.sent_at is not None
    assert inbox.messages[0]["Message-ID"].startswith(f"<mail-{row.id}-")
    assert "sent 1" in mail_cli(app, "status")


def test_a_rolled_back_change_sends_nothing(app: Flask, inbox: Inbox) -> None:
    nested = db.session.begin_nested()
    queue()
    nested.rollback()  # the change failed: its transaction is rolled back, the message with it
    commit()
    assert inbox.messages == []
    assert rows() == []


def test_list_unsubscribe_goes_out_when_given(app: Flask, inbox: Inbox) -> None:
    unsubscribe = "<https://credit.example.gov.cn/alerts/unsubscribe/abc>"
    queue(headers={"List-Unsubscribe": unsubscribe, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    commit()
    [message] = inbox.messages
    assert message["List-Unsubscribe"] == unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_while_smtp_is_down_messages_wait_and_go_once_it_is_up(
    app: Flask, client: FlaskClient, smtp_down: Inbox
) -> None:
    before = utcnow()
    response = file_complaint(client, agency_id=make_agency().id)
    assert response.status_code == 201  # the filing never fails for the mail
    [row] = rows()
    assert (row.status, row.attempts, row.recipient) == (MailStatus.QUEUED, 1, PERSON["email"])
    assert "ConnectionRefusedError" in row.last_error
    assert before + timedelta(minutes=1) <= row.next_attempt_at <= utcnow() + timedelta(minutes=1)
    # not due yet: a run now leaves it alone
    assert send_due(settings(app), utcnow()).retried == 0
    # due: tried again and failed again, now 2 minutes later, then 4
    first_retry = row.next_attempt_at
    assert send_due(settings(app), first_retry).retried == 1
    [row] = rows()
    assert row.attempts == 2
    assert row.next_attempt_at == first_retry + timedelta(minutes=2)
    second_retry = row.next_attempt_at
    send_due(settings(app), second_retry)
    [row] = rows()
    assert (row.attempts, row.next_attempt_at) == (3, second_retry + timedelta(minutes=4))

    controller = start_server(smtp_down)  # the server is back
    try:
        assert send_due(settings(app), row.next_attempt_at).sent == 1
    finally:
        controller.stop()
    [row] = rows()
    assert (row.status, row.attempts) == (MailStatus.SENT, 4)
    [delivered] = smtp_down.messages
    assert delivered["To"] == PERSON["email"]


def test_the_command_sends_what_is_due(app: Flask, smtp_down: Inbox) -> None:
    queue()
    commit()  # the request's own attempt fails: the server is down
    [row] = rows()
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    commit()
    controller = start_server(smtp_down)
    try:
        assert "Sent 1 message(s); 0 kept for a later attempt." in mail_cli(app, "send")
    finally:
        controller.stop()
    assert [m["To"] for m in smtp_down.messages] == ["reader@example.com"]
    assert "Sent 0 message(s)" in mail_cli(app, "send")  # nothing twice


def test_the_sender_make_run_keeps_sends_each_round_until_stopped(
    app: Flask, smtp_down: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mail send --every 60` (what `make run` starts beside the server): a round, a wait of 60 s, another round, and
    so on; a message that fell due while it waited goes out in the next round."""
    queue()
    commit()  # the request's own attempt fails: the server is down
    [row] = rows()
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    commit()
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt  # as Ctrl-C stops make run

    real_send_due = mail_commands.send_due
    rounds = iter([OperationalError("SELECT", {}, Exception("database is locked"))])

    def send_due(*args: Any, **kwargs: Any) -> Any:  # the first round fails: the sender goes on
        failure = next(rounds, None)
        if failure is not None:
            raise failure
        return real_send_due(*args, **kwargs)

    monkeypatch.setattr("portal.mail.commands.time.sleep", wait)
    monkeypatch.setattr("portal.mail.commands.send_due", send_due)
    controller = start_server(smtp_down)
    try:
        result = app.test_cli_runner().invoke(args=["mail", "send", "--every", "60"])
    finally:
        controller.stop()
    assert waits == [60, 60, 60]
    assert result.output.count("Sent") == 2  # a failed round, then two that sent
    assert [m["To"] for m in smtp_down.messages] == ["reader@example.com"]  # sent once, in the first
    assert app.test_cli_runner().invoke(args=["mail", "send", "--every", "0"]).exit_code == 2  # refused by click


def test_a_slow_server_never_keeps_the_request_waiting(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that takes the connection but never answers: the filing's own attempt gives up after the short
    timeout, and the message waits for the command."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        point_mail_at(app, monkeypatch, int(silent.getsockname()[1]))
        started = time.monotonic()
        response = file_complaint(client, agency_id=make_agency().id)
        elapsed = time.monotonic() - started
    assert response.status_code == 201
    assert elapsed < 8
    [row] = rows()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert "timed out" in row.last_error


def test_an_address_refused_for_good_is_given_up_and_kept(app: Flask, inbox: Inbox) -> None:
    inbox.refuse.add("nobody@example.com")
    queue("nobody@example.com")
    queue("reader@example.com")
    commit()
    assert [m["To"] for m in inbox.messages] == ["reader@example.com"]  # one refusal does not stop the others
    refused, sent = rows()
    assert (refused.status, refused.attempts, refused.recipient) == (MailStatus.FAILED, 1, "nobody@example.com")
    assert refused.last_error.startswith("550 ")
    assert sent.status == MailStatus.SENT
    status = mail_cli(app, "status")
    assert "given up 1" in status
    assert "n***@example.com" in status
    assert "nobody@example.com" not in status  # the operator sees the address masked; the row keeps it whole


def test_after_max_attempts_a_message_is_given_up_and_can_be_retried(app: Flask, smtp_down: Inbox) -> None:
    queue()
    commit()
    [row] = rows()
    row.attempts = MAX_ATTEMPTS - 1
    commit()
    report = send_due(settings(app), row.next_attempt_at)
    assert [m.id for m in report.given_up] == [row.id]
    [row] = rows()
    assert (row.status, row.attempts) == (MailStatus.FAILED, MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in row.last_error
    assert send_due(settings(app), utcnow() + timedelta(days=30)).given_up == []  # given up: never tried again

    assert "Queued 1 message(s) again" in mail_cli(app, "retry")
    controller = start_server(smtp_down)
    try:
        assert send_due(settings(app), utcnow()).sent == 1
    finally:
        controller.stop()
    assert rows()[0].status == MailStatus.SENT


def test_a_message_being_sent_is_left_alone_by_another_sender(app: Flask, inbox: Inbox) -> None:
    """A sender claims a message before sending it (its next attempt moves CLAIM ahead, committed): a second sender
    at the same moment finds nothing due; if the first died, the message goes once the claim has lapsed."""
    inbox.refuse.add("held@example.com")  # not sent by the request's own attempt...
    queue("held@example.com")
    commit()
    [row] = rows()
    row.status, row.attempts, row.last_error = MailStatus.QUEUED, 1, ""
    inbox.refuse.clear()
    now: datetime = utcnow()
    row.next_attempt_at = now + CLAIM  # ...and now held by a sender that died while sending it
    commit()
    assert send_due(settings(app), now + CLAIM - timedelta(seconds=1)).sent == 0
    assert send_due(settings(app), now + CLAIM).sent == 1
    assert [m["To"] for m in inbox.messages] == ["held@example.com"]


def test_without_an_smtp_host_messages_wait(app: Flask, client: FlaskClient) -> None:
    assert settings(app).smtp_host == ""  # the default: nothing is sent
    assert file_complaint(client, agency_id=make_agency().id).status_code == 201
    [row] = rows()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 0)  # nothing was attempted
    assert "PORTAL_SMTP_HOST is not set: 1 message(s) wait in the outbox." in mail_cli(app, "send")
    assert rows()[0].attempts == 0


def test_the_message_keeps_what_was_rendered(app: Flask, inbox: Inbox) -> None:
    row = queue(language="en")
    assert row.language == "en"
    assert row.subject.startswith("Complaint TS-2026-000009")  # the subject as rendered, in the language
    assert "TS-2026-000009" in row.text_body
    assert '<html lang="en">' in row.html_body
    assert row.about == "complaint:TS-2026-000009"
