from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.review.rules import SubmissionKind, SubmissionStatus

if TYPE_CHECKING:
    from portal.commitments.models import Commitment
    from portal.records.models import Record
    from portal.users.models import User


class Submission(db.Model):  # type: ignore[name-defined]
    """One thing an officer sent for review, and the decision on it. A commitment submission points at the draft;
    progress and fulfilment carry what was reported in `payload` until it is approved."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_queue", "status", "submitted_at"),
        one_of("kind", SubmissionKind),
        one_of("status", SubmissionStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubmissionKind] = mapped_column(Coded(SubmissionKind, 16))
    status: Mapped[SubmissionStatus] = mapped_column(Coded(SubmissionStatus, 16), default=SubmissionStatus.PENDING)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)  # files: [{sha256, name, type}]
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    record: Mapped[Record | None] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def files(self) -> list[dict[str, str]]:
        return list(self.payload.get("files", []))
