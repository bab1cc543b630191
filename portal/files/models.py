from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class StoredFile(db.Model):  # type: ignore[name-defined]
    """A file kept once under its SHA-256, outside static/ (see portal/files/operations.py)."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def path_in(self, files_dir: Path) -> Path:
        return files_dir / self.sha256[:2] / self.sha256
