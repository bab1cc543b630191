from __future__ import annotations

from typing import Any

from portal.audit.models import AuditEntry
from portal.extensions import db


def write_audit(
    action: str,
    entity_type: str,
    entity_id: object,
    changes: dict[str, Any] | None = None,
    *,
    actor: str = "system",
    actor_id: int | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add one audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=changes or {},
        actor=actor,
        actor_id=actor_id,
        reason=reason,
    )
    db.session.add(entry)
    return entry
