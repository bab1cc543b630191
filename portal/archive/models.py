"""The agency credit report (政务诚信报告, 泰信用办〔2022〕12号 二(六): 评先评优 checks): the 诚信档案 as of a
day, issued once per agency and day under a report number, kept as PDF with its SHA-256, so that the site can
confirm it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db
from portal.files.models import StoredFile


class AgencyReport(db.Model):  # type: ignore[name-defined]
    __tablename__ = "agency_reports"
    __table_args__ = (UniqueConstraint("agency_id", "as_of", name="uq_agency_reports_agency_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # XYBG-20261204-000001, printed on the report
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    as_of: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    pdf_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))

    agency: Mapped[Agency] = relationship()
    pdf: Mapped[StoredFile] = relationship()
