from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.mail.rules import Channel, MailStatus


class MailMessage(db.Model):  # type: ignore[name-defined]
    """One e-mail (or text message: `channel`), written in the same transaction as the change that causes it, fully
    rendered (in the recipient's language) and sent after the commit. A row is never lost: a failed attempt keeps it
    queued for its next attempt, and one given up keeps the address and the error. The recipient's address is
    private, like the contact it came from: it is in no log line or page."""

    __tablename__ = "mail_outbox"
    __table_args__: ClassVar[tuple[Any, ...]] = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        one_of("status", MailStatus),
        one_of("channel", Channel),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # e-mail, or a text message (to a filer who gave only a phone): `recipient` is then the phone number, the text is
    # `text_body`, and `subject` and `html_body` are empty
    channel: Mapped[Channel] = mapped_column(Coded(Channel, 8), default=Channel.EMAIL)
    recipient: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))  # zh_CN or en: what the message was written in
    kind: Mapped[str] = mapped_column(String(40))  # what it tells, e.g. complaint.accepted
    about: Mapped[str] = mapped_column(String(60), index=True, default="")  # the case, e.g. complaint:TS-2026-000123
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)  # e.g. List-Unsubscribe
    status: Mapped[MailStatus] = mapped_column(Coded(MailStatus, 10), default=MailStatus.QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
