from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import JSONDocument, UTCDateTime, utcnow
from portal.extensions import db


class AuditLogIsAppendOnlyError(RuntimeError):
    pass


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what, when, with old and new values. Append-only: the ORM refuses updates and deletes,
    and database triggers (see the initial migration) refuse them from any other client too."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(100))  # user name, or "system" / "demo loader"
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)  # field -> [old, new]
    reason: Mapped[str | None] = mapped_column(Text)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(*_args: Any) -> None:
    raise AuditLogIsAppendOnlyError("the audit log is append-only")
