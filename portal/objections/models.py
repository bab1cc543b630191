from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.objections.rules import Ground, ObjectionStatus, due_for
from portal.records.models import Correction, Record


class Objection(db.Model):  # type: ignore[name-defined]
    """An objection to a public record (异议申诉). The objector's name and contact are private."""

    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_queue", "status", "submitted_at"),
        one_of("ground", Ground),
        one_of("status", ObjectionStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # YY-2026-000001, public
    secret_hash: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    ground: Mapped[Ground] = mapped_column(Coded(Ground, 16))
    explanation: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    name: Mapped[str] = mapped_column(String(100))  # private
    phone: Mapped[str] = mapped_column(String(30), default="")  # private
    email: Mapped[str] = mapped_column(String(200), default="")  # private
    status: Mapped[ObjectionStatus] = mapped_column(Coded(ObjectionStatus, 16), default=ObjectionStatus.SUBMITTED)
    filed_on: Mapped[date]
    accept_due: Mapped[date]
    verify_due: Mapped[date]
    accepted_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    outcome_reason: Mapped[str] = mapped_column(Text, default="")  # told to the objector
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("record_corrections.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    record: Mapped[Record] = relationship()
    correction: Mapped[Correction | None] = relationship()

    @property
    def due(self) -> date | None:
        """What is due next: acceptance, then the verification; nothing once decided (the queue's flag is
        core.deadlines.urgency of this)."""
        return due_for(self.status, self.accept_due, self.verify_due)
