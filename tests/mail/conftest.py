"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1 and a free port, collecting what it is sent. The app's
settings point at it (PORTAL_SMTP_HOST/_PORT, no STARTTLS) for the test's duration."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

BASE_URL = "https://credit.example.gov.cn"  # PORTAL_BASE_URL in these tests: every link in a message is on it
MAIL_FROM = "信用演示县 <noreply@credit.example.gov.cn>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the server received; `refuse` holds addresses it answers 550 for (a mailbox that does not exist)."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def point_mail_at(app: Flask, monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """The app's settings, with mail going to 127.0.0.1:`port` (restored after the test)."""
    settings = app.config["PORTAL_SETTINGS"]
    mail = replace(settings.mail, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_from=MAIL_FROM)
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(settings, mail=mail, base_url=BASE_URL))


def start_server(inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    return controller


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A running SMTP server that the app sends to."""
    box = Inbox(port=free_port())
    controller = start_server(box)
    point_mail_at(app, monkeypatch, box.port)
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    """The app sends to a port where nothing listens (yet): start_server(inbox) brings the server up on it."""
    box = Inbox(port=free_port())
    point_mail_at(app, monkeypatch, box.port)
    return box
