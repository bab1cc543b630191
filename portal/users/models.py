from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.users.rules import Role
from portal.users.sealing import SealedSecret


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who feeds the portal: an agency officer (bound to one agency), credit-office staff or an admin."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(Coded(Role, 20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # set once the second factor is confirmed; sealed in the database under a key from PORTAL_SECRET_KEY
    totp_secret: Mapped[str | None] = mapped_column(SealedSecret())
    totp_last_step: Mapped[int | None]  # the last time step accepted, so that a code works only once
    session_version: Mapped[int] = mapped_column(default=0)  # raised to end every session the user has
    # the password reset link an admin issued last: only its SHA-256 (the link itself is shown once), until when
    reset_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reset_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the work e-mail address (set on the account page or by an admin), and the daily digest of the 工作台账 the user
    # opted in to, in the language chosen (issue 18; portal/mail/digest.py)
    email: Mapped[str] = mapped_column(String(200), default="")
    daily_digest: Mapped[bool] = mapped_column(default=False)
    mail_language: Mapped[str] = mapped_column(String(8), default="zh_CN")

    agency: Mapped[Agency | None] = relationship()

    @property
    def is_staff(self) -> bool:
        """Staff and admins run the credit office's side; officers only their agency's."""
        return self.role in (Role.STAFF.value, Role.ADMIN.value)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled user's session stops working
        return self.active

    def get_id(self) -> str:
        """What the session cookie keeps: the id and the session version, so that raising the version (sign-out,
        disabling, a new password) ends every session made before, wherever its cookie is."""
        return f"{self.id}.{self.session_version}"


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: only an active user whose session version is still current keeps a session."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit() and len(user_id) < 12 and len(version) < 12):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
