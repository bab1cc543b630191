"""Text messages (issue 18: "an SMS interface is optional; in development it only logs, and never reports a message as
sent"). A filer who gave a phone but no e-mail address is texted at each step of their case through the same outbox
as e-mail (`mail_outbox.channel` = sms): queued with the step, dispatched by `flask --app portal mail send`.

A backend is an `SmsSender`, chosen by PORTAL_SMS_BACKEND. The only one so far is "log" (the default): it writes the
text to the log with the number masked and answers LOGGED, so that the row stays visibly unsent (未发送（仅记录）,
`flask mail status`). A gateway's backend answers SENT once the gateway took the message, or raises SmsError."""

from __future__ import annotations

import logging
from typing import Protocol

from portal.config import MailSettings
from portal.core.masking import mask_phone
from portal.mail.rules import MailStatus

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not take the message: `permanent` when it never will (a number it refuses), else it is tried
    again later like an e-mail (portal/mail/rules.after_failure)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    def send(self, to: str, text: str, *, message_id: int) -> MailStatus:
        """Hand one text to `to` (a number in core.contacts' normal form): SENT only when a gateway took it, LOGGED
        when nothing was sent at all; raises SmsError when the gateway refused it."""
        ...


class LogSms:
    """PORTAL_SMS_BACKEND=log (development, and any site without a gateway): the text goes to the log, nowhere
    else. Never SENT. The number is masked: a filer's contact reaches no log line."""

    def send(self, to: str, text: str, *, message_id: int) -> MailStatus:
        log.warning("SMS #%d to %s not sent (PORTAL_SMS_BACKEND=log): %s", message_id, mask_phone(to), text)
        return MailStatus.LOGGED


def sms_sender(settings: MailSettings) -> SmsSender:
    """The backend PORTAL_SMS_BACKEND names (config.py accepts only the ones listed in SMS_BACKENDS)."""
    if settings.sms_backend == "log":
        return LogSms()
    raise ValueError(f"unknown PORTAL_SMS_BACKEND {settings.sms_backend!r}")
