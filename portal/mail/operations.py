"""Mail through a transactional outbox (issue 18).

`queue_mail` writes a fully rendered message (plain text and HTML, in the recipient's language) into `mail_outbox`
in the caller's transaction: it exists if and only if the change that causes it is committed. After the commit the
"mail" hook sends what this transaction queued, best effort and with a short timeout, so a request never fails or
waits long for the SMTP server; whatever it could not send, `flask --app portal mail send` (cron, every minute)
sends later. A failed attempt is tried again 1, 2, 4 … minutes later (portal/mail/rules.py); nothing is lost while
the server is down. Delivery is at least once: a process that dies between the SMTP server's "OK" and recording it
sends that message again (with the same Message-ID).

The recipient's address is private (it is a complainant's or an objector's contact): it is in no log line."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update

from portal import clock
from portal.config import MailSettings
from portal.core.labelled import LabelledEnum
from portal.db import run_after_commit
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.mail.rules import (
    CLAIM,
    ERROR_MOST,
    STATUS_LINK_DAYS,
    Channel,
    MailStatus,
    after_failure,
    is_permanent,
    sign_status_link,
    texting_number,
)
from portal.mail.sms import SmsError, SmsSender, sms_sender
from portal.web import LANGUAGES, public_path, select_locale, site_root

log = logging.getLogger(__name__)

HOOK = "mail"  # the after-commit hook (registered in create_app)
_QUEUED = "mail_queued"  # key in session.info: the ids of the messages this transaction queued
SEND_TIMEOUT = 30.0  # seconds per SMTP step for `flask mail send`
AFTER_COMMIT_TIMEOUT = 3.0  # seconds per SMTP step after a request's commit: the request never waits longer
BATCH = 500  # messages one `mail send` takes at most (the next run takes the rest)


def queue_mail(
    to: str,
    subject: object,
    template: str,
    *,
    kind: str,
    about: str = "",
    language: str | None = None,
    status_page: str | None = None,
    headers: Mapping[str, str] | None = None,
    send_now: bool = True,
    **context: Any,
) -> MailMessage:
    """Queue one message to `to` in the current transaction, rendered from templates/mail/<template>.txt and .html
    with `context`, and send it once the transaction is committed.

    - `subject` is translated when the message is rendered (a lazy string: _l("…", number=…)).
    - `about` names the case the message is about (`complaint:TS-2026-000123`).
    - `language` (zh_CN or en): by default the language of the first message about the same case, else the
      language of this request's page, i.e. the one the filer filed on.
    - `status_page`: the endpoint of the case's status page; the template then gets `link`, an absolute address
      with a signed token that shows the status for STATUS_LINK_DAYS (never the receipt's secret).
    - `headers`: extra headers, e.g. List-Unsubscribe for a subscription.
    - `send_now=False`: not sent by the request's hook but by the next `mail send`, so that the request takes the
      same time whether or not it queued a message (receipt recovery)."""
    language = _known(language or (language_of(about) if about else None) or select_locale())
    values = {"link": "", "link_days": STATUS_LINK_DAYS, **context}
    if status_page is not None:
        values["link"] = status_link(status_page, about, language)
    with force_locale(language):
        values.update(subject=" ".join(str(subject).split()), lang_tag=_language_tag(language))
        message = MailMessage(
            recipient=to.strip(),
            language=language,
            kind=kind,
            about=about,
            subject=values["subject"][:300],
            text_body=render_template(f"mail/{template}.txt", **values),
            html_body=render_template(f"mail/{template}.html", **values),
            headers=dict(headers or {}),
            status=MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
        )
    _queue(message, send_now=send_now)
    return message


def queue_sms(phone: str, case: str, number: str, status: LabelledEnum, status_page: str) -> MailMessage | None:
    """Queue a text about a step of a complaint or an objection (`case`: "complaint", "objection") to a filer who
    gave a phone but no e-mail address, in the current transaction, sent after the commit like an e-mail
    (portal/mail/sms.py). It says the case's number, its new status and the status page's address: no receipt
    secret, no signed token, nobody's name or contact (a text shows on a locked screen). None when the phone
    cannot take texts (a landline, a 400 number) or none was given. In the language of the case's first message."""
    to = texting_number(phone)
    if to is None:
        return None
    about = f"{case}:{number}"
    language = _known(language_of(about) or select_locale())
    with force_locale(language):
        link = site_root() + public_path(status_page, lang=language)
        text = render_template("mail/sms.txt", case=case, number=number, status=status.label, link=link)
    message = MailMessage(
        channel=Channel.SMS,
        recipient=to,
        language=language,
        kind=f"{case}.{status.value}",
        about=about,
        subject="",
        text_body=" ".join(text.split()),
        html_body="",
        headers={},
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    _queue(message, send_now=True)
    return message


def _queue(message: MailMessage, *, send_now: bool) -> None:
    db.session.add(message)
    db.session.flush()
    if send_now:
        db.session.info.setdefault(_QUEUED, []).append(message.id)
        run_after_commit(HOOK)


def _known(language: str) -> str:
    return language if language in LANGUAGES else "zh_CN"


def language_of(about: str) -> str | None:
    """The language of the first message about a case (the language its filer filed in), if there was one."""
    found = db.session.scalar(
        select(MailMessage.language).where(MailMessage.about == about).order_by(MailMessage.id).limit(1)
    )
    return str(found) if found else None


def status_link(endpoint: str, about: str, language: str) -> str:
    """The absolute address of a status page (on PORTAL_BASE_URL) with a signed token for the case `about`, in
    the message's language. Built without a request too (a command may take a step)."""
    token = sign_status_link(current_app.config["SECRET_KEY"], about, clock.today())
    return site_root() + public_path(endpoint, t=token, lang=language)


def _language_tag(language: str) -> str:
    return "en" if language == "en" else "zh-CN"


# --- sending -------------------------------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    retried: int = 0  # failed this time, kept for a later attempt
    given_up: list[MailMessage] = field(default_factory=list)  # refused for good, or failed MAX_ATTEMPTS times
    waiting: int = 0  # e-mail due, but not attempted: no SMTP host is configured
    logged: int = 0  # texts the SMS backend only wrote to the log (PORTAL_SMS_BACKEND=log): not sent


def send_after_commit() -> None:
    """The "mail" after-commit hook: send what the committed transaction queued, now, best effort. Never raises and
    never waits more than AFTER_COMMIT_TIMEOUT per SMTP step; what it cannot send stays for `flask mail send`."""
    queued = db.session.info.pop(_QUEUED, [])
    try:
        send_due(current_app.config["PORTAL_SETTINGS"].mail, utcnow(), only=queued, timeout=AFTER_COMMIT_TIMEOUT)
    except Exception:  # the messages are committed; the outbox keeps them for the next `mail send`
        log.exception("mail not sent now; the outbox keeps it for `flask mail send`")
        db.session.rollback()


def send_due(
    settings: MailSettings,
    now: datetime,
    *,
    only: Collection[int] | None = None,
    timeout: float = SEND_TIMEOUT,
    limit: int = BATCH,
) -> SendReport:
    """Send every queued message whose next attempt is due at `now` (only those with the ids `only`, if given):
    texts through the SMS backend (PORTAL_SMS_BACKEND), e-mail over one SMTP connection. Each message is claimed
    (and committed) before it is sent, so that two senders at once (the command and a request's hook, or several
    machines) never send it both; each result is committed as it comes."""
    report = SendReport()
    if only is not None and not only:
        return report
    query = select(MailMessage.id, MailMessage.channel).where(
        MailMessage.status == MailStatus.QUEUED, MailMessage.next_attempt_at <= now
    )
    if only is not None:
        query = query.where(MailMessage.id.in_(list(only)))
    found = db.session.execute(query.order_by(MailMessage.id).limit(limit)).all()
    texts = [message_id for message_id, channel in found if channel is Channel.SMS]
    if texts:
        _send_texts(sms_sender(settings), texts, now, report)
    due = [message_id for message_id, channel in found if channel is not Channel.SMS]
    if not due:
        return report
    if not settings.smtp_host:
        report.waiting = len(due)
        return report
    try:
        connection = _connect(settings, timeout)
    except (OSError, smtplib.SMTPException) as exc:  # the server is down or refuses us: every message waits
        error = _describe(exc)
        for message_id in due:
            message = _claim(message_id, now)
            if message is not None:
                _failed(message, now, error, permanent=False, report=report)
                db.session.commit()
        return report
    try:
        for message_id in due:
            message = _claim(message_id, now)
            if message is None:  # another sender has it
                continue
            if not _send_one(connection, message, settings, now, report):
                break  # the connection broke: the rest wait for the next run
    finally:
        _close(connection)
    return report


def _send_one(
    connection: smtplib.SMTP, message: MailMessage, settings: MailSettings, now: datetime, report: SendReport
) -> bool:
    """Send one claimed message and record the result; False if the connection is no longer usable."""
    usable = True
    try:
        connection.send_message(_email(message, settings, now))
    except ValueError as exc:  # the address or a header cannot be written into a message at all
        _failed(message, now, _describe(exc), permanent=True, report=report)
    except smtplib.SMTPRecipientsRefused as exc:  # the one recipient was refused
        code, reply = next(iter(exc.recipients.values()))
        _failed(message, now, f"{code} {_reply_text(reply)}", permanent=is_permanent(code), report=report)
    except smtplib.SMTPDataError as exc:  # the message itself was refused
        _failed(message, now, _describe(exc), permanent=is_permanent(exc.smtp_code), report=report)
    except smtplib.SMTPNotSupportedError as exc:  # e.g. an address that needs SMTPUTF8, which the server lacks
        _failed(message, now, _describe(exc), permanent=True, report=report)
    except (OSError, smtplib.SMTPException) as exc:  # the server went away, or refused the sender: try again later
        _failed(message, now, _describe(exc), permanent=False, report=report)
        usable = not isinstance(exc, (OSError, smtplib.SMTPServerDisconnected))
    else:
        message.status = MailStatus.SENT
        message.sent_at = utcnow()
        message.last_error = ""
        report.sent += 1
    db.session.commit()
    return usable


def _send_texts(sender: SmsSender, due: list[int], now: datetime, report: SendReport) -> None:
    """Hand each due text to the SMS backend and record what it answered: sent (a gateway took it), logged (the
    log backend: not sent, and never marked so), or a failure tried again later like an e-mail's."""
    for message_id in due:
        message = _claim(message_id, now)
        if message is None:  # another sender has it
            continue
        try:
            outcome = sender.send(message.recipient, message.text_body, message_id=message.id)
        except SmsError as exc:
            _failed(message, now, f"{type(exc).__name__}: {exc}", permanent=exc.permanent, report=report)
        else:
            if outcome is MailStatus.SENT:
                message.status = MailStatus.SENT
                message.sent_at = utcnow()
                message.last_error = ""
                report.sent += 1
            else:
                message.status = MailStatus.LOGGED
                report.logged += 1
        db.session.commit()


def _claim(message_id: int, now: datetime) -> MailMessage | None:
    """Take a due message for sending: one more attempt, and its next attempt moved CLAIM ahead (so that nobody
    else takes it, and it is tried again if this process dies). Committed at once."""
    claimed = db.session.execute(
        update(MailMessage)
        .where(
            MailMessage.id == message_id,
            MailMessage.status == MailStatus.QUEUED,
            MailMessage.next_attempt_at <= now,
        )
        .values(attempts=MailMessage.attempts + 1, next_attempt_at=now + CLAIM)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(MailMessage, message_id)


def _failed(message: MailMessage, now: datetime, error: str, *, permanent: bool, report: SendReport) -> None:
    message.last_error = error[:ERROR_MOST]
    retry = after_failure(message.attempts, now, permanent=permanent)
    if retry is None:
        message.status = MailStatus.FAILED
        report.given_up.append(message)
        log.warning("mail %s (%s) given up after %d attempt(s); `flask mail status` shows why", *_logged(message))
    else:
        message.next_attempt_at = retry
        report.retried += 1
        log.info("mail %s (%s) not sent at attempt %d; tried again later", *_logged(message))


def _logged(message: MailMessage) -> tuple[int, str, int]:
    """What a log line says of a message: never its address (an SMTP error often quotes it)."""
    return message.id, message.kind, message.attempts


def _connect(settings: MailSettings, timeout: float) -> smtplib.SMTP:
    """An SMTP connection, STARTTLS'd (PORTAL_SMTP_STARTTLS) and signed in (PORTAL_SMTP_USER) as configured."""
    connection = smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, local_hostname=_domain(settings.mail_from), timeout=timeout
    )
    try:
        if settings.smtp_starttls:
            connection.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            connection.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        connection.close()
        raise
    return connection


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _email(message: MailMessage, settings: MailSettings, now: datetime) -> EmailMessage:
    """The message as sent: plain text with an HTML alternative, in its language, marked as sent by a machine."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = f"<mail-{message.id}-{int(message.created_at.timestamp())}@{_domain(settings.mail_from)}>"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    email["Content-Language"] = _language_tag(message.language)  # after the content, which clears Content-*
    return email


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def _reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(exc: BaseException) -> str:
    """An SMTP error as kept on the row: its code and reply, or the exception's kind and text."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


# --- for the operator ------------------------------------------------------------------------------------------------


def retry_given_up(now: datetime, message_id: int | None = None) -> int:
    """Queue the given-up messages again (all, or one), for a new round of attempts: e.g. after the SMTP server
    was down longer than the retries last, or an address was mistyped in the settings. The caller commits."""
    query = update(MailMessage).where(MailMessage.status == MailStatus.FAILED)
    if message_id is not None:
        query = query.where(MailMessage.id == message_id)
    moved = db.session.execute(
        query.values(status=MailStatus.QUEUED.value, attempts=0, next_attempt_at=now).execution_options(
            synchronize_session=False
        )
    )
    return int(moved.rowcount)  # type: ignore[attr-defined]


def outbox_counts(now: datetime) -> dict[str, int]:
    """How many messages are queued (and of them due now), sent and given up."""
    counts = {status.value: 0 for status in MailStatus}
    for status, count in db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)):
        counts[str(getattr(status, "value", status))] = int(count)
    counts["due"] = int(
        db.session.scalar(
            select(func.count()).where(MailMessage.status == MailStatus.QUEUED, MailMessage.next_attempt_at <= now)
        )
        or 0
    )
    return counts


def given_up(limit: int = 100) -> list[MailMessage]:
    """The messages given up, newest first."""
    query = select(MailMessage).where(MailMessage.status == MailStatus.FAILED)
    return list(db.session.scalars(query.order_by(MailMessage.id.desc()).limit(limit)))
