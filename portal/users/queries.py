"""Questions about accounts that read the audit log: failed sign-ins (issue 19)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.users.models import User

LOGIN_FAILED = "user.login_failed"  # the audit action of a wrong password for an existing account


def _of(user: User, action: str) -> ColumnElement[bool]:
    return and_(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id), AuditEntry.action == action)


def failures_since_last_login(user: User) -> tuple[int, AuditEntry | None]:
    """For telling the owner at sign-in: the wrong passwords typed for the account since its last sign-in (ever, if
    none), and the latest of them."""
    last_login = db.session.scalar(select(func.max(AuditEntry.at)).where(_of(user, "user.login")))
    after = and_(_of(user, LOGIN_FAILED), AuditEntry.at > last_login) if last_login else _of(user, LOGIN_FAILED)
    count = db.session.scalar(select(func.count(AuditEntry.id)).where(after)) or 0
    latest = db.session.scalar(select(AuditEntry).where(after).order_by(AuditEntry.id.desc()).limit(1))
    return count, latest
