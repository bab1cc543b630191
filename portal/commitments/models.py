from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.commitments.rules import EDITABLE_STATES, CommitmentSubject, CommitmentType, DraftState, Fulfilment, Scope
from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.files.models import StoredFile


class Commitment(db.Model):  # type: ignore[name-defined]
    """A government commitment (政务承诺/信用承诺) with its signed letter."""

    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_listing", "scope", "published_at", "made_on"),
        one_of("type", CommitmentType),
        one_of("subject", CommitmentSubject),
        one_of("scope", Scope),
        one_of("fulfilment", Fulfilment),
        one_of("state", DraftState),
        CheckConstraint("state != 'published' OR code IS NOT NULL", name="published_have_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)  # given when it is published
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    type: Mapped[CommitmentType] = mapped_column(Coded(CommitmentType, 32))
    subject: Mapped[CommitmentSubject] = mapped_column(Coded(CommitmentSubject, 32))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)  # 承诺事由
    content: Mapped[str] = mapped_column(Text)  # 承诺内容
    liability: Mapped[str] = mapped_column(Text)  # 违诺责任
    made_on: Mapped[date]
    valid_until: Mapped[date | None]  # None: no end date (长期有效)
    accepting_unit: Mapped[str] = mapped_column(String(200))
    scope: Mapped[Scope] = mapped_column(Coded(Scope, 16), default=Scope.PUBLIC)
    fulfilment: Mapped[Fulfilment] = mapped_column(Coded(Fulfilment, 16))
    letter_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[DraftState] = mapped_column(Coded(DraftState, 16), default=DraftState.PUBLISHED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    agency: Mapped[Agency] = relationship()
    letter: Mapped[StoredFile | None] = relationship()
    fulfilment_history: Mapped[list[FulfilmentEntry]] = relationship(
        back_populates="commitment", order_by="FulfilmentEntry.determined_on"
    )

    @property
    def is_editable(self) -> bool:
        return DraftState(self.state) in EDITABLE_STATES

    @property
    def is_public(self) -> bool:
        return self.scope == Scope.PUBLIC.value and self.published_at is not None

    @classmethod
    def public_clause(cls) -> ColumnElement[bool]:
        """The SQL twin of `is_public`."""
        return and_(cls.scope == Scope.PUBLIC.value, cls.published_at.is_not(None))


class FulfilmentEntry(db.Model):  # type: ignore[name-defined]
    """One determination of a commitment's fulfilment: what, when and by which unit."""

    __tablename__ = "commitment_fulfilments"
    __table_args__ = (one_of("fulfilment", Fulfilment),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    fulfilment: Mapped[Fulfilment] = mapped_column(Coded(Fulfilment, 16))
    determined_on: Mapped[date]
    determined_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")

    commitment: Mapped[Commitment] = relationship(back_populates="fulfilment_history")
