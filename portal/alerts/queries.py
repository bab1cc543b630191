"""Subscriptions looked up: by their feed and address (one each), by their links' tokens, and the due ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.alerts.models import AlertSubscription
from portal.alerts.rules import AlertFrequency
from portal.extensions import db


def subscription_of(feed_key: str, email: str) -> AlertSubscription | None:
    """The subscription, pending or confirmed, of this address to this feed."""
    return db.session.scalar(
        select(AlertSubscription).where(AlertSubscription.feed_key == feed_key, AlertSubscription.email == email)
    )


def named_subscription(subscription_id: int, nonce: str) -> AlertSubscription | None:
    """The subscription a link names (its id and nonce must both match), or None: gone, or never this one."""
    found = db.session.get(AlertSubscription, subscription_id) if 0 < subscription_id < 2**63 else None
    return found if found is not None and found.nonce == nonce else None


def due(frequency: AlertFrequency) -> list[int]:
    """The ids of the confirmed subscriptions sent at `frequency`, oldest first."""
    query = select(AlertSubscription.id).where(
        AlertSubscription.frequency == frequency, AlertSubscription.confirmed_at.is_not(None)
    )
    return list(db.session.scalars(query.order_by(AlertSubscription.id)))


def never_confirmed(before: datetime) -> list[AlertSubscription]:
    """Pending subscriptions whose last confirmation was sent before `before`."""
    query = select(AlertSubscription).where(
        AlertSubscription.confirmed_at.is_(None), AlertSubscription.requested_at < before
    )
    return list(db.session.scalars(query.order_by(AlertSubscription.id)))


def counts() -> dict[str, int]:
    """How many subscriptions are confirmed, by frequency, and pending: numbers only, never an address."""
    found = {f"{frequency.value}": 0 for frequency in AlertFrequency} | {"pending": 0}
    rows = db.session.execute(
        select(AlertSubscription.frequency, AlertSubscription.confirmed_at.is_not(None), func.count()).group_by(
            AlertSubscription.frequency, AlertSubscription.confirmed_at.is_not(None)
        )
    )
    for frequency, confirmed, count in rows:
        key = str(getattr(frequency, "value", frequency)) if confirmed else "pending"
        found[key] += int(count)
    return found
