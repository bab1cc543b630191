from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.files.models import StoredFile
from portal.records.models import Record
from portal.repairs.rules import RepairStatus
from portal.users.models import User


class RepairApplication(db.Model):  # type: ignore[name-defined]
    """An agency's application for credit repair of one of its records (信用修复申请)."""

    __tablename__ = "repair_applications"
    __table_args__ = (
        Index("ix_repair_applications_queue", "status", "submitted_at"),
        one_of("status", RepairStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    statement: Mapped[str] = mapped_column(Text)  # how the obligations were fulfilled
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)  # [{sha256, name, type}]
    pledge_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))  # the signed 信用承诺书 (PDF)
    status: Mapped[RepairStatus] = mapped_column(Coded(RepairStatus, 16), default=RepairStatus.SUBMITTED)
    filed_on: Mapped[date]
    decide_due: Mapped[date]
    decided_on: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    record: Mapped[Record] = relationship()
    agency: Mapped[Agency] = relationship()
    pledge: Mapped[StoredFile] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        """Still waiting for the credit office's decision (the record shows 修复申请中)."""
        return self.status is RepairStatus.SUBMITTED

    @property
    def due(self) -> date | None:
        """What is due next: the decision while the application waits for it, nothing once decided (the queue's
        flag is core.deadlines.urgency of this)."""
        return self.decide_due if self.is_open else None
