from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db
from portal.users.rules import Role


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who feeds the portal: an agency officer (bound to one agency), credit-office staff or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # set once the second factor is confirmed
    totp_last_step: Mapped[int | None]  # the last time step accepted, so that a code works only once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency | None] = relationship()

    @property
    def user_role(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        """Staff and admins run the credit office's side; officers only their agency's."""
        return self.role in (Role.STAFF.value, Role.ADMIN.value)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled user's session stops working
        return self.active


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: only active users keep a session."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None
