"""`flask --app portal mail send | status | retry` (portal/cli.py registers the group). `mail send` runs every
minute (cron or a systemd timer): it sends what the requests' own attempts after their commits could not."""

from __future__ import annotations

import click
from flask import current_app

from portal.core.masking import mask_email
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.mail.operations import given_up, outbox_counts, retry_given_up, send_due


@click.group(help="Outgoing mail: the outbox of queued messages and their delivery (PORTAL_SMTP_*).")
def mail() -> None:
    pass


@mail.command("send", help="Send every queued message that is due (run it every minute).")
def mail_send() -> None:
    settings = current_app.config["PORTAL_SETTINGS"].mail
    report = send_due(settings, utcnow())
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
        f"queued {counts['queued']} (due now {counts['due']}), sent {counts['sent']}, given up {counts['failed']}"
    )
    for message in given_up():
        click.echo(_described(message))


@mail.command("retry", help="Queue given-up messages again (all, or one with --id) for a new round of attempts.")
@click.option("--id", "message_id", type=int, default=None, help="Only this message.")
def mail_retry(message_id: int | None) -> None:
    count = retry_given_up(utcnow(), message_id)
    db.session.commit()
    click.echo(f"Queued {count} message(s) again; `flask mail send` sends them.")


def _described(message: MailMessage) -> str:
    """One given-up message for the operator: the address masked (the row keeps it whole), the case and the error."""
    masked = mask_email(message.recipient)
    error = message.last_error.replace(message.recipient, masked)  # an SMTP reply often quotes the address
    return f"#{message.id} {message.kind} {message.about} to {masked}, {message.attempts} attempt(s): {error}"
