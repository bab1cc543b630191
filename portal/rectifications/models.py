from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.rectifications.rules import MeasureKind, Outcome, is_overdue

if TYPE_CHECKING:
    from portal.records.models import Record


class Rectification(db.Model):  # type: ignore[name-defined]
    """How a record is being put right (整改); finished, it is published as an outcome (整改结果)."""

    __tablename__ = "rectifications"
    __table_args__ = (
        Index("ix_rectifications_finished", "finished_on", "id"),
        one_of("outcome", Outcome),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)
    responsible_unit: Mapped[str] = mapped_column(String(200))
    responsible_post: Mapped[str] = mapped_column(String(100))
    measures: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    outcome: Mapped[Outcome | None] = mapped_column(Coded(Outcome, 16))
    finished_on: Mapped[date | None]
    outcome_summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    record: Mapped[Record] = relationship(back_populates="rectification")
    progress: Mapped[list[ProgressEntry]] = relationship(order_by="ProgressEntry.entry_date")
    measures_applied: Mapped[list[JointMeasure]] = relationship(order_by="JointMeasure.applied_on")

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.deadline, Outcome(self.outcome) if self.outcome else None, today)


class ProgressEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "rectification_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    entry_date: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")


class JointMeasure(db.Model):  # type: ignore[name-defined]
    """A joint measure (联合惩戒) applied to an overdue rectification: a dated public entry."""

    __tablename__ = "joint_measures"
    __table_args__ = (one_of("kind", MeasureKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    kind: Mapped[MeasureKind] = mapped_column(Coded(MeasureKind, 32))
    applied_on: Mapped[date]
    applied_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
