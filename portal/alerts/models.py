from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.alerts.rules import AlertFrequency
from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db


class AlertSubscription(db.Model):  # type: ignore[name-defined]
    """Someone following a feed by e-mail (issue 18). Pending until the address's owner opens the confirmation link
    (`confirmed_at`); only then does it get alerts. The address is private: it is on no page (the workspace shows
    counts only), in no log line and no audit entry, and unsubscribing deletes the row."""

    __tablename__ = "alert_subscriptions"
    __table_args__: ClassVar[tuple[Any, ...]] = (
        UniqueConstraint("feed_key", "email", name="uq_alert_subscriptions_feed_key_email"),
        Index("ix_alert_subscriptions_due", "frequency", "confirmed_at"),
        one_of("frequency", AlertFrequency),
        {"sqlite_autoincrement": True},  # an id is never used again: an old link never names a new subscription
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    feed: Mapped[str] = mapped_column(String(2000))  # the feed's canonical address, /records/feed.atom?kind=arrears
    feed_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of `feed`: one subscription per address and feed
    title: Mapped[str] = mapped_column(String(300))  # the feed's title when it was followed, in `language`
    email: Mapped[str] = mapped_column(String(200))  # private
    language: Mapped[str] = mapped_column(String(8))  # zh_CN or en: what the messages are written in
    frequency: Mapped[AlertFrequency] = mapped_column(Coded(AlertFrequency, 10))
    nonce: Mapped[str] = mapped_column(String(32))  # in its links' tokens (portal/alerts/rules.py)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # the last confirmation sent
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when its feed was last looked at
    seen: Mapped[list[str]] = mapped_column(JSONDocument, default=list)  # the entries already sent (their keys)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
