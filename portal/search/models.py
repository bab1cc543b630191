"""The search vocabulary staff extend in the workspace (/workspace/search/terms), beside vocabulary.toml."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class SearchTerm(db.Model):  # type: ignore[name-defined]
    """A word residents type: a synonym of the site's terms (`means`, 欠钱 -> 拖欠账款) or another name of an agency
    (`agency`, 县医院 -> 演示县人民医院). It takes effect at the next search, with no rebuild."""

    __tablename__ = "search_terms"
    __table_args__ = (UniqueConstraint("word", "means", "agency_id", name="uq_search_terms_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(40))
    means: Mapped[str] = mapped_column(String(40), default="")  # the site's term, for a synonym
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency | None] = relationship()
