"""The monthly bulletin and its errata. A published bulletin is a snapshot: its figures are the JSON made from the
data when it was drafted (or made again before publishing), never recomputed; a correction is a dated erratum."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import Coded, JSONDocument, UTCDateTime, utcnow
from portal.extensions import db
from portal.reports.rules import BulletinState


class Bulletin(db.Model):  # type: ignore[name-defined]
    """月度通报 for one month (新信用发〔2018〕6号 二(八))."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-11"
    state: Mapped[BulletinState] = mapped_column(Coded(BulletinState, 16), default=BulletinState.DRAFT)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)  # the snapshot, as made
    figures_as_of: Mapped[date]  # the last day the figures count (the month's last day, or the day made if earlier)
    figures_made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")  # 总体情况, written by staff
    notable: Mapped[str] = mapped_column(Text, default="")  # 典型案例, written by staff
    next_steps: Mapped[str] = mapped_column(Text, default="")  # 下一步工作, written by staff
    published_on: Mapped[date | None]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))  # the PDF as published
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    errata: Mapped[list[BulletinErratum]] = relationship(back_populates="bulletin", order_by="BulletinErratum.id")

    @property
    def is_published(self) -> bool:
        return self.state is BulletinState.PUBLISHED


class BulletinErratum(db.Model):  # type: ignore[name-defined]
    """A dated correction to a published bulletin (勘误), shown under it; the bulletin itself is never changed."""

    __tablename__ = "bulletin_errata"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id"), index=True)
    dated_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bulletin: Mapped[Bulletin] = relationship(back_populates="errata")
