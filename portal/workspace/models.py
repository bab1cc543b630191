from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class UsedFormToken(db.Model):  # type: ignore[name-defined]
    """A form's one-time token, spent in the same transaction as what the form created: the same form posted
    twice finds its token spent and is sent to what the first post made, so it creates one item."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_url: Mapped[str] = mapped_column(String(300))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
