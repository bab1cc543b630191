from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.core.periods import Severity
from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.records.kinds import KINDS, FieldType, Kind, KindField, RecordKind, RecordValues, field_label, value_type
from portal.records.rules import (
    SHOWN_STATUSES,
    RecordStatus,
    StopNotice,
    is_published,
    publication_stop,
    repair_allowed,
)

if TYPE_CHECKING:
    from portal.commitments.models import Commitment
    from portal.rectifications.models import Rectification


# The kind field whose amount is kept in Record.amount_fen (the other kinds have none there).
AMOUNT_FIELDS: dict[str, str] = {"arrears": "amount_owed", "investment_promise": "amount"}


class Record(db.Model):  # type: ignore[name-defined]
    """A disclosed record of a government body's breach of faith (政务失信记录); one table for every kind."""

    __tablename__ = "records"
    # Lists walk the newest-first index and filter inside it, so a page or a count never sorts or reads rows it
    # does not show; the kind index serves the kind filter and the home page's figures (see bench/pages.py).
    __table_args__ = (
        Index(
            "ix_records_newest",
            "publication_start",
            "id",
            "status",
            "publication_max_end",
            "kind",
            "severity",
            "agency_id",
            "decision_date",
        ),
        Index(
            "ix_records_kind_newest",
            "kind",
            "publication_start",
            "id",
            "status",
            "publication_max_end",
            "agency_id",
            "amount_fen",  # so the money owed on public arrears is summed inside the index (the home page)
        ),
        Index("ix_records_agency", "agency_id", "publication_start", "status", "publication_max_end"),
        # The arrears list sorted by amount (?kind=arrears&sort=amount) walks this index backwards and filters inside
        # it, and the money figures of the home page and the agency profiles sum amount_fen from it.
        Index(
            "ix_records_kind_amount",
            "kind",
            "amount_fen",
            "id",
            "status",
            "publication_max_end",
            "publication_start",
            "agency_id",
        ),
        one_of("kind", Kind),
        one_of("status", RecordStatus),
        one_of("severity", Severity),
        CheckConstraint(
            "stopped_on IS NOT NULL OR status IN ({})".format(
                ", ".join(f"'{s.value}'" for s in RecordStatus if s in SHOWN_STATUSES)
            ),
            name="stopped_records_are_dated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Kind] = mapped_column(Coded(Kind, 32))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")  # markdown, sanitised on display
    severity: Mapped[Severity] = mapped_column(Coded(Severity, 16))
    deciding_authority: Mapped[str] = mapped_column(String(200))
    deciding_authority_code: Mapped[str] = mapped_column(String(18), default="")
    source_unit: Mapped[str] = mapped_column(String(200))  # 数据来源单位
    document_number: Mapped[str] = mapped_column(String(100), index=True)
    decision_date: Mapped[date]
    publication_start: Mapped[date]
    publication_min_end: Mapped[date]
    publication_max_end: Mapped[date]
    status: Mapped[RecordStatus] = mapped_column(Coded(RecordStatus, 16), default=RecordStatus.PUBLIC)
    stopped_on: Mapped[date | None]
    stop_note: Mapped[str] = mapped_column(Text, default="")
    objection_open: Mapped[bool] = mapped_column(default=False)  # 异议处理中
    repair_open: Mapped[bool] = mapped_column(default=False)  # 修复申请中
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # The amount the record is about, in fen (AMOUNT_FIELDS: 拖欠金额 of arrears, 涉及金额 of an investment promise),
    # copied from details by the operations that enter and correct records, for the list's sort and the money sums.
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    agency: Mapped[Agency] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    rectification: Mapped[Rectification | None] = relationship(back_populates="record", uselist=False)
    corrections: Mapped[list[Correction]] = relationship(back_populates="record", order_by="Correction.id")

    @property
    def record_kind(self) -> RecordKind:
        return KINDS[self.kind]

    @property
    def severity_tier(self) -> Severity:
        return Severity(self.severity)

    def as_values(self) -> RecordValues:
        """A stored record as RecordValues (to prefill the correction form and to compare with the new input)."""
        values: RecordValues = {
            "agency": self.agency_id,
            "title": self.title,
            "summary": self.summary or "",
            "severity": self.severity,
            "deciding_authority": self.deciding_authority,
            "deciding_authority_code": self.deciding_authority_code or "",
            "source_unit": self.source_unit,
            "document_number": self.document_number,
            "decision_date": self.decision_date,
        }
        if self.kind == "investment_promise":
            values["commitment_code"] = self.commitment.code if self.commitment and self.commitment.code else ""
        for spec in self.record_kind.fields:
            raw = self.details.get(spec.name)
            if spec.type is FieldType.DATE and isinstance(raw, str) and raw:
                raw = date.fromisoformat(raw)
            values[spec.name] = raw
        return values

    def kind_values(self) -> list[tuple[KindField, str]]:
        """(field, display value) for the kind's declared fields, in declaration order."""
        return [(f, f.display(self.details.get(f.name))) for f in self.record_kind.fields]

    def stop_notice(self, today: date) -> StopNotice | None:
        return publication_stop(self.status, self.stopped_on, self.publication_max_end, today)

    def is_public(self, today: date) -> bool:
        return is_published(self.status, self.publication_start, self.publication_max_end, today)

    def repair_may_be_asked(self, today: date) -> bool:
        return self.is_public(today) and repair_allowed(self.status, self.publication_min_end, today)

    @classmethod
    def public_clause(cls, today: date) -> ColumnElement[bool]:
        """The SQL twin of `is_public` (rules.publication_stop), for every public list and count."""
        return and_(
            cls.status.in_([s.value for s in SHOWN_STATUSES]),
            cls.publication_max_end > today,
            cls.publication_start <= today,
        )


class Correction(db.Model):  # type: ignore[name-defined]
    """A correction to a published record (更正记录): the fields changed with their old and new values, and why.
    The record page shows every correction; the old values are never lost."""

    __tablename__ = "record_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    corrected_on: Mapped[date]
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # field name -> [old, new], as shown
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    record: Mapped[Record] = relationship(back_populates="corrections")

    def rows(self) -> list[tuple[Any, str, str, str]]:
        """The changes as (field label, value type, old, new), in the order they were stored; the type says how
        a value is shown: 'date', 'severity' (a code with a label) or 'text'."""
        kind = self.record.record_kind
        return [
            (field_label(kind, name), value_type(kind, name), old or "", new or "")
            for name, (old, new) in self.changes.items()
        ]
