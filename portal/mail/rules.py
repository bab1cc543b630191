"""Mail: the states of a queued message, when a failed one is tried again, and the signed link to a status page
that a message carries. Pure: the time and the key are arguments."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from portal.core.labelled import N_, LabelledEnum


class MailStatus(LabelledEnum):
    QUEUED = "queued", N_("待发送")  # new, or failed and waiting for its next attempt
    SENT = "sent", N_("已发送")  # the SMTP server took it
    FAILED = "failed", N_("发送失败")  # given up: refused for good, or MAX_ATTEMPTS failed (`flask mail retry`)
    # a text message the development backend (PORTAL_SMS_BACKEND=log) wrote to the log: never sent, never "sent"
    LOGGED = "logged", N_("未发送（仅记录）")


class Channel(LabelledEnum):
    """How a message of the outbox goes out: e-mail over SMTP, or a text message through the SMS backend
    (portal/mail/sms.py) to a filer who gave a phone but no e-mail address."""

    EMAIL = "email", N_("电子邮件")
    SMS = "sms", N_("短信")


# Retries: 1, 2, 4, 8 … minutes after each failure, never more than RETRY_CAP apart, for MAX_ATTEMPTS attempts in
# all (about two days): an SMTP server that is down for a day loses nothing. A refusal for good (a 5xx answer to
# the address or the message) is not tried again.
FIRST_RETRY = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=2)
MAX_ATTEMPTS = 30
# A message being sent is claimed this long (its next attempt is moved this far): another sender leaves it alone,
# and if the sending process dies it is tried again then (it may then arrive twice, never not at all).
CLAIM = timedelta(minutes=10)
ERROR_MOST = 500  # characters of an SMTP error kept on the row


def retry_delay(attempts: int) -> timedelta:
    """How long after the `attempts`-th failed attempt (1, 2, …) the message is tried again."""
    if attempts < 1:
        raise ValueError("attempts start at 1")
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 30), RETRY_CAP)


def after_failure(attempts: int, now: datetime, *, permanent: bool) -> datetime | None:
    """When a message that failed its `attempts`-th attempt is tried again, or None: given up."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return None
    return now + retry_delay(attempts)


def is_permanent(code: int | None) -> bool:
    """An SMTP reply code that refuses for good (5xx); 4xx, no reply at all (the server is down) and anything
    else are tried again."""
    return code is not None and 500 <= code < 600


# --- the status link ------------------------------------------------------------------------------------------------
# A message about a complaint or an objection links to its status page with a signed token that names the case
# (its `about` key, e.g. complaint:TS-2026-000123) and the last day it works. The receipt's secret is never in a
# message: the link shows the status only (no attachments), and stops working after STATUS_LINK_DAYS.

STATUS_LINK_DAYS = 30
_LINK_SALT = "portal.mail.status-link"


class StatusLinkError(ValueError):
    """The link is not one the portal made (`expired` False), or it was and its last day has passed (True)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def sign_status_link(secret_key: str, about: str, today: date) -> str:
    """The token of a status link for `about`, working until STATUS_LINK_DAYS after `today`."""
    until = today + timedelta(days=STATUS_LINK_DAYS)
    return URLSafeSerializer(secret_key, salt=_LINK_SALT).dumps([about, until.isoformat()])


def read_status_link(secret_key: str, token: str, today: date) -> str:
    """The `about` key a status link's token names, if the portal signed it and it still works on `today`."""
    if not token or len(token) > 300:
        raise StatusLinkError(expired=False)
    try:
        about, until = URLSafeSerializer(secret_key, salt=_LINK_SALT).loads(token)
        last_day = date.fromisoformat(until)
    except (BadSignature, ValueError, TypeError):
        raise StatusLinkError(expired=False) from None
    if not isinstance(about, str):
        raise StatusLinkError(expired=False)
    if today > last_day:
        raise StatusLinkError(expired=True)
    return about


def linked_case(secret_key: str, token: str, kind: str, today: date) -> tuple[str | None, int]:
    """What a status link opens: the number of the `kind` case it names ("complaint", "objection"), or None; and the
    status to answer with when no case is shown: 410 for an expired link, 400 for one the portal did not sign, 404
    for a case that is not (or no longer) there."""
    try:
        about = read_status_link(secret_key, token, today)
    except StatusLinkError as error:
        return None, 410 if error.expired else 400
    named, _sep, number = about.partition(":")
    return (number if named == kind and number else None), 404


# --- text messages ----------------------------------------------------------------------------------------------------
# A filer who gave a phone but no e-mail address gets a short text at each step instead (issue 18): the case's number,
# its new status and the status page's address, nothing else (no secret, no name, no token: a text shows on a locked
# screen). Only a number that can receive one: a mainland mobile, or an international number (+…); a landline or a
# 400/800 number (core/contacts.py's other normal forms) cannot.

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_INTERNATIONAL = re.compile(r"\+[1-9][0-9]{6,14}")


def texting_number(phone: str) -> str | None:
    """The number to text, from a phone in core.contacts.normal_phone's normal form; None when it takes no texts."""
    phone = phone.strip()
    return phone if _MOBILE.fullmatch(phone) or _INTERNATIONAL.fullmatch(phone) else None


# --- the daily digest of the 工作台账 ---------------------------------------------------------------------------------
# Staff and officers who opt in (on their account page) get one message a working day: their open ledger items that
# are overdue, due today and due on the next working day (the ledger's 今明到期 split in two), each group with at
# most DIGEST_MOST items listed and a link to the ledger filtered to the whole group.

DIGEST_MOST = 20


def digest_about(user_id: int, today: date) -> str:
    """The outbox key of one user's digest for one day: a second run the same day finds it and queues nothing."""
    return f"digest:{user_id}:{today.isoformat()}"
