"""`flask --app portal mail send | status | retry | digest` (portal/cli.py registers the group). `mail send` runs every
minute (cron or a systemd timer): it sends what the requests' own attempts after their commits could not. `mail
digest` runs every morning: the daily digest of the 工作台账 to the users who opted in (portal/mail/digest.py)."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import click
from flask import current_app

from portal import clock
from portal.core.masking import mask_email, mask_phone
from portal.db import commit
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail.digest import queue_digests
from portal.mail.models import MailMessage
from portal.mail.operations import given_up, outbox_counts, retry_given_up, send_due
from portal.mail.rules import Channel

log = logging.getLogger(__name__)


@click.group(help="Outgoing mail: the outbox of queued messages and their delivery (PORTAL_SMTP_*).")
def mail() -> None:
    pass


@mail.command("send", help="Send every queued message that is due (run it every minute).")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    help="Keep running, sending what is due every this many seconds (make run uses 60) until stopped.",
)
def mail_send(every: int | None) -> None:
    while every is not None:  # make run's sender: one round, then wait, until the process is stopped
        try:
            _send_round()
        except Exception:  # e.g. SQLite busy under the server's writes: said, and tried again next round
            log.exception("mail send: this round failed; trying again in %d s", every)
            db.session.rollback()
        db.session.remove()  # nothing kept between rounds
        time.sleep(every)
    _send_round()


def _send_round() -> None:
    settings = current_app.config["PORTAL_SETTINGS"].mail
    report = send_due(settings, utcnow())
    if report.logged:
        click.echo(f"{report.logged} text message(s) written to the log, not sent (PORTAL_SMS_BACKEND=log).")
    if report.waiting:
        click.echo(f"PORTAL_SMTP_HOST is not set: {report.waiting} message(s) wait in the outbox.")
        return
    click.echo(f"Sent {report.sent} message(s); {report.retried} kept for a later attempt.")
    for message in report.given_up:
        click.echo(f"Given up: {_described(message)}", err=True)


@mail.command("status", help="How many messages are queued, due, sent and given up; the given-up ones, and why.")
def mail_status() -> None:
    counts = outbox_counts(utcnow())
    click.echo(
        f"queued {counts['queued']} (due now {counts['due']}), sent {counts['sent']}, given up {counts['failed']}, "
        f"not sent (logged only) {counts['logged']}"
    )
    for message in given_up():
        click.echo(_described(message))


@mail.command("retry", help="Queue given-up messages again (all, or one with --id) for a new round of attempts.")
@click.option("--id", "message_id", type=int, default=None, help="Only this message.")
def mail_retry(message_id: int | None) -> None:
    count = retry_given_up(utcnow(), message_id)
    db.session.commit()
    click.echo(f"Queued {count} message(s) again; `flask mail send` sends them.")


@mail.command(
    "digest",
    help="Queue today's digest of the 工作台账 to each user who opted in (run every working day in the morning; a "
    "second run the same day queues nothing).",
)
@click.option(
    "--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this day (YYYY-MM-DD)."
)
def mail_digest(on: datetime | None) -> None:
    today = on.date() if on is not None else clock.today()
    report = queue_digests(today)
    commit()  # the request-less commit still sends what it queued, best effort (the mail hook)
    if report.day_off:
        click.echo(f"{today.isoformat()} is not a working day: no digest.")
        return
    click.echo(
        f"Digest for {today.isoformat()}: {report.queued} queued, {report.already} queued already today, "
        f"{report.nothing_due} with nothing due."
    )


def _described(message: MailMessage) -> str:
    """One given-up message for the operator: the address masked (the row keeps it whole), the case and the error."""
    masked = mask_phone(message.recipient) if message.channel is Channel.SMS else mask_email(message.recipient)
    error = message.last_error.replace(message.recipient, masked)  # an SMTP reply often quotes the address
    return f"#{message.id} {message.kind} {message.about} to {masked}, {message.attempts} attempt(s): {error}"
