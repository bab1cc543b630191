from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.rules import AgencyKind
from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db


class Agency(db.Model):  # type: ignore[name-defined]
    """A government body (主体): government, department, public institution, SOE or township."""

    __tablename__ = "agencies"
    __table_args__ = (
        Index("ix_agencies_region_kind", "region_code", "kind"),
        one_of("kind", AgencyKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[AgencyKind] = mapped_column(Coded(AgencyKind, 20))
    region_code: Mapped[str] = mapped_column(String(9))
    region_name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Agency {self.uscc} {self.name}>"
