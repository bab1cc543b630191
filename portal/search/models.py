from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class OutboxEntry(db.Model):  # type: ignore[name-defined]
    """One change to a public item, written in the same transaction as the change (the transactional outbox).
    Each index remembers the last entry it applied; entries are never updated. Ids grow in commit order:
    writers serialise on an advisory lock (PostgreSQL) or the database's single writer (SQLite)."""

    __tablename__ = "search_outbox"
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
