"""`flask --app portal alerts send --frequency immediate|daily | status` (portal/cli.py registers the group).

`alerts send --frequency immediate` runs every 10 minutes and `--frequency daily` at 07:30 (cron, or the systemd
timers deploy/systemd/portal-alerts-immediate.timer and portal-alerts-daily.timer), on one node. Each confirmed
subscription of that frequency gets one message with what is new in its feed since the last run (nothing when
nothing is); its message and its mark are committed together, so a run that stops half-way sends nothing twice.
The messages go out at the end of the run, and whatever is left by the next `mail send`."""

from __future__ import annotations

import click
from flask import current_app

from portal.alerts.models import AlertSubscription
from portal.alerts.operations import Followed, forget_never_confirmed, look_at, send_alert
from portal.alerts.queries import counts, due
from portal.alerts.rules import AlertFrequency
from portal.db import commit
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail.operations import send_due


@click.group(help="E-mail alerts for followers of feeds (lists, searches, agencies).")
def alerts() -> None:
    pass


@alerts.command("send", help="Send each confirmed subscription of a frequency what is new in its feed.")
@click.option(
    "--frequency",
    type=click.Choice(sorted(AlertFrequency.codes())),
    required=True,
    help="immediate: every 10 minutes; daily: once a day.",
)
def alerts_send(frequency: str) -> None:
    now = utcnow()
    forgotten = forget_never_confirmed(now)
    commit()
    looked: dict[tuple[str, str], Followed | None] = {}  # (feed, language) -> the feed now: once per run
    checked = mailed = waiting = 0
    for subscription_id in due(AlertFrequency(frequency)):
        subscription = db.session.get(AlertSubscription, subscription_id)
        if subscription is None:  # unsubscribed meanwhile
            continue
        key = (subscription.feed, subscription.language)
        if key not in looked:
            looked[key] = look_at(*key)
        followed = looked[key]
        if followed is None:  # the feed cannot be computed now: its mark stays, a later run catches up
            waiting += 1
            continue
        checked += 1
        mailed += send_alert(subscription, followed, now)
        commit()
    report = send_due(current_app.config["PORTAL_SETTINGS"].mail, utcnow())
    click.echo(
        f"Checked {checked} subscription(s) ({len(looked)} feed(s)); queued {mailed} alert(s), sent {report.sent} "
        f"message(s) now; {waiting} wait for their feed; forgot {forgotten} never confirmed."
    )


@alerts.command("status", help="How many subscriptions are confirmed (by frequency) and pending; never an address.")
def alerts_status() -> None:
    found = counts()
    click.echo(
        f"confirmed: immediate {found['immediate']}, daily {found['daily']}; pending confirmation {found['pending']}"
    )
