from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class DemoDataset(db.Model):  # type: ignore[name-defined]
    """Present when the fictional demo data is loaded: every page then says so."""

    __tablename__ = "demo_datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    seed: Mapped[int]
    records: Mapped[int]
    anchor_date: Mapped[date]
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
