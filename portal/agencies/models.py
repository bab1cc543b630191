from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.rules import AgencyKind, AgencyStatus, PositiveKind
from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db


class Agency(db.Model):  # type: ignore[name-defined]
    """A government body (主体): government, department, public institution, SOE or township. Never deleted: a
    closed or merged one keeps its 政务诚信档案, marked with the date (and, merged, the agency it went into)."""

    __tablename__ = "agencies"
    __table_args__ = (
        Index("ix_agencies_region_kind", "region_code", "kind"),
        one_of("kind", AgencyKind),
        one_of("status", AgencyStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[AgencyKind] = mapped_column(Coded(AgencyKind, 20))
    region_code: Mapped[str] = mapped_column(String(9))
    region_name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[AgencyStatus] = mapped_column(Coded(AgencyStatus, 10), default=AgencyStatus.ACTIVE)
    closed_on: Mapped[date | None]  # the day it was closed or merged
    closing_note: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    merged_into: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    former_names: Mapped[list[AgencyName]] = relationship(
        order_by="AgencyName.used_until", back_populates="agency", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status is AgencyStatus.ACTIVE

    @property
    def last_name_change(self) -> date | None:
        """The last day of its latest former name (None if it was never renamed)."""
        return self.former_names[-1].used_until if self.former_names else None

    def __repr__(self) -> str:
        return f"<Agency {self.uscc} {self.name}>"


class AgencyName(db.Model):  # type: ignore[name-defined]
    """A former name (曾用名) and the last day it was used: kept, shown on the profile and found by search."""

    __tablename__ = "agency_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    used_until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="former_names")


class PositiveItem(db.Model):  # type: ignore[name-defined]
    """Positive information (表彰奖励, 守信践诺) on an agency's 政务诚信档案 (泰信用办〔2022〕12号 三(四)). Removing
    one keeps the row with the reason (and the audit log keeps who did it): the public page no longer shows it."""

    __tablename__ = "agency_positive_items"
    __table_args__ = (
        Index("ix_agency_positive_items_agency", "agency_id", "awarded_on"),
        one_of("kind", PositiveKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PositiveKind] = mapped_column(Coded(PositiveKind, 16))
    awarded_on: Mapped[date]
    awarding_unit: Mapped[str] = mapped_column(String(200))
    document_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removal_reason: Mapped[str] = mapped_column(Text, default="")

    agency: Mapped[Agency] = relationship()

    @property
    def is_shown(self) -> bool:
        return self.removed_at is None
