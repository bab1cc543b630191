from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.audit.models import AuditEntry
from portal.extensions import db

if TYPE_CHECKING:
    from portal.users.models import User


def write_audit(
    action: str,
    entity_type: str,
    entity_id: object,
    changes: dict[str, Any] | None = None,
    *,
    actor: str = "system",
    actor_id: int | None = None,
    reason: str | None = None,
    by: User | None = None,
) -> AuditEntry:
    """Add one audit entry to the current transaction (the caller commits). `by` names the signed-in user who
    acted; without it, `actor` says what did (a command, the system)."""
    if by is not None:
        actor, actor_id = by.username, by.id
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
