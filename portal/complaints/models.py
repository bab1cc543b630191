from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.agencies.models import Agency
from portal.complaints.rules import (
    Category,
    ComplaintStatus,
    Deadlines,
    FilerType,
    RefusalReason,
    Satisfaction,
    due_for,
)
from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.records.models import Record


class Complaint(db.Model):  # type: ignore[name-defined]
    """A complaint about a government body's breach of faith (政务失信投诉). The complainant's name and contact are
    private: they appear on no public page, feed, search result, export or log line."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_queue", "status", "submitted_at"),
        Index("ix_complaints_published", "published", "closed_on"),
        one_of("filer_type", FilerType),
        one_of("category", Category),
        one_of("status", ComplaintStatus),
        one_of("refusal_reason", RefusalReason),
        one_of("rating", Satisfaction),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # TS-2026-000123, public
    secret_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the receipt secret
    filer_type: Mapped[FilerType] = mapped_column(Coded(FilerType, 16))
    name: Mapped[str] = mapped_column(String(100))  # private
    uscc: Mapped[str] = mapped_column(String(18), default="")  # an enterprise's 统一社会信用代码, private
    phone: Mapped[str] = mapped_column(String(30), default="")  # private
    email: Mapped[str] = mapped_column(String(200), default="")  # private
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency_typed: Mapped[str] = mapped_column(String(200), default="")  # when the agency is not in the list
    category: Mapped[Category] = mapped_column(Coded(Category, 20))
    description: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)  # [{sha256, name, type}]
    publish_consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ComplaintStatus] = mapped_column(Coded(ComplaintStatus, 16), default=ComplaintStatus.SUBMITTED)
    refusal_reason: Mapped[RefusalReason | None] = mapped_column(Coded(RefusalReason, 24))
    agency_answer: Mapped[str] = mapped_column(Text, default="")  # the agency officers' feedback
    answer: Mapped[str] = mapped_column(Text, default="")  # the credit office's answer to the complainant
    filed_on: Mapped[date]
    accept_due: Mapped[date]
    answer_due: Mapped[date]
    close_due: Mapped[date]
    closed_on: Mapped[date | None]
    published: Mapped[bool] = mapped_column(default=False)  # closed, consented, and its public version published
    # The public version of the answer, written by staff from a redacted draft and checked for personal data
    # (issue 18): the only answer text any public page, feed, search result or export shows.
    public_answer: Mapped[str] = mapped_column(Text, default="")
    # The complainant's rating of the answer (满意/基本满意/不满意) and comment: private to the complainant and staff.
    rating: Mapped[Satisfaction | None] = mapped_column(Coded(Satisfaction, 24))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_on: Mapped[date | None]
    returned_on: Mapped[date | None]  # sent back to the agency after a 不满意 rating (once)
    # A returned case's own deadlines: the original ones stay, for the evaluation and the statistics of the first
    # answer (portal/evaluation/queries.answers_late, portal/statistics).
    returned_answer_due: Mapped[date | None]
    returned_close_due: Mapped[date | None]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The record made from the complaint, or the existing one it was linked to (DESIGN.md "Complaint"); the record
    # lists its complaints (`record.complaints`) in the workspace, never publicly.
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)

    agency: Mapped[Agency | None] = relationship()
    record: Mapped[Record | None] = relationship(backref=backref("complaints", order_by="Complaint.id"))
    steps: Mapped[list[ComplaintStep]] = relationship(back_populates="complaint", order_by="ComplaintStep.id")

    @property
    def deadlines(self) -> Deadlines:
        """What is due when: after a return, the return's own answer and closing deadlines."""
        return Deadlines(
            self.accept_due, self.returned_answer_due or self.answer_due, self.returned_close_due or self.close_due
        )

    @property
    def due(self) -> date | None:
        """What is due next (acceptance, the agency's answer, closing), or None once finished."""
        return due_for(self.status, self.deadlines)

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency else self.agency_typed


class ComplaintStep(db.Model):  # type: ignore[name-defined]
    """One dated step of a complaint, as the complainant sees it (the audit log keeps who did it)."""

    __tablename__ = "complaint_steps"
    __table_args__ = (one_of("status", ComplaintStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    status: Mapped[ComplaintStatus] = mapped_column(Coded(ComplaintStatus, 16))
    on: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")  # shown to the complainant

    complaint: Mapped[Complaint] = relationship(back_populates="steps")
