"""An agency's score for a month, stored with the method version that made it and each indicator's part, so that
a past month keeps the method it was scored by and "why this score" can always be shown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import JSONDocument, UTCDateTime, utcnow
from portal.extensions import db


class AgencyScore(db.Model):  # type: ignore[name-defined]
    """政务诚信评价 of one agency for one month (泰信用办〔2022〕12号 二(六) 信用画像)."""

    __tablename__ = "agency_scores"
    __table_args__ = (UniqueConstraint("agency_id", "month", name="uq_agency_scores_agency_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    method_version: Mapped[str] = mapped_column(String(20))  # the formula's version (evaluation/methods.toml)
    score_tenths: Mapped[int]  # the score × 10: 100.0 is 1000
    grade: Mapped[str] = mapped_column(String(1))  # A, B, C or D
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)  # each indicator: value, points
    as_of: Mapped[date]  # the day the data was counted to (the month's last day, or the day scored if earlier)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship()

    @property
    def score(self) -> float:
        return self.score_tenths / 10
