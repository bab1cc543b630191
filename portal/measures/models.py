from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.measures.rules import JointMeasureState, MeasureKind, state
from portal.records.models import Record


class JointMeasure(db.Model):  # type: ignore[name-defined]
    """A joint measure (联合惩戒) applied to a record's body, carried out by another unit (金融办, 财政局 …): applied,
    confirmed 已落实 by that unit, lifted. Each step is a dated public entry on the record's page.

    It belongs to the record, not to its rectification plan: 书面警示 and 约谈告诫 may come before any plan exists
    (如东县政务失信防范治理长效管理办法 四(一)), the page that shows it is the record's, and a credit repair lifts the
    record's measures."""

    __tablename__ = "joint_measures"
    __table_args__ = (
        one_of("kind", MeasureKind),
        CheckConstraint("confirmed_on IS NULL OR confirmed_on >= applied_on", name="confirmed_after_start"),
        CheckConstraint("lifted_on IS NULL OR lifted_on >= applied_on", name="lifted_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    kind: Mapped[MeasureKind] = mapped_column(Coded(MeasureKind, 32))
    implementing_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)  # 实施单位
    document_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    applied_on: Mapped[date]  # the start date: in force from this day
    basis: Mapped[str] = mapped_column(Text, default="")  # 依据 (the clause it rests on)
    note: Mapped[str] = mapped_column(Text, default="")
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_on: Mapped[date | None]  # 已落实, by the implementing unit
    confirm_note: Mapped[str] = mapped_column(Text, default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_on: Mapped[date | None]  # 已解除
    lift_reason: Mapped[str] = mapped_column(Text, default="")
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    record: Mapped[Record] = relationship()
    implementing_agency: Mapped[Agency] = relationship()

    @property
    def state(self) -> JointMeasureState:
        return state(self.confirmed_on, self.lifted_on)

    @property
    def in_force(self) -> bool:
        """Not lifted: the implementing unit still carries it out."""
        return self.lifted_on is None

    @property
    def agency_id(self) -> int:
        """The agency whose officers act on it (confirm 已落实): the implementing unit, not the punished body."""
        return self.implementing_agency_id
