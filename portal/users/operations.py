"""Use cases for accounts: create, change role, disable, check a password, set up and check the second factor.
Each writes its audit entry and flushes; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.core.masking import mask_email
from portal.extensions import db
from portal.users.models import User
from portal.users.rules import (
    InvalidUserError,
    Role,
    check_digest,
    check_display_name,
    check_email,
    check_password,
    check_role,
    check_username,
    reset_link_expires,
    reset_link_usable,
    totp_step_accepted,
)
from portal.users.sealing import UNREADABLE

_hasher = PasswordHasher()
_UNKNOWN_USER_HASH = _hasher.hash("no such user: the same work is done either way")


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def create_user(
    username: str,
    password: str,
    role: Role,
    *,
    display_name: str = "",
    agency: Agency | None = None,
    is_demo: bool = False,
    actor: User | None = None,
) -> User:
    username = check_username(username.strip().lower())
    display_name = check_display_name(display_name.strip())
    check_password(password, username)
    check_role(role, agency.id if agency else None)
    if find_user(username) is not None:
        raise InvalidUserError("username", _l("该用户名已被使用"))
    user = User(
        username=username,
        display_name=display_name or username,
        role=role.value,
        agency_id=agency.id if agency else None,
        password_hash=_hasher.hash(password),
        is_demo=is_demo,
    )
    db.session.add(user)
    db.session.flush()
    write_audit(
        "user.create",
        "user",
        user.id,
        {"username": [None, username], "role": [None, role.value], "agency": [None, agency.name if agency else None]},
        **_by(actor),
    )
    return user


def set_role(user: User, role: Role, agency: Agency | None, *, actor: User | None = None) -> None:
    check_role(role, agency.id if agency else None)
    if actor is not None and actor.id == user.id and role is not Role.ADMIN:
        raise InvalidUserError("role", _l("管理员不能取消自己的管理员角色"))
    old_role, old_agency = user.role, user.agency.name if user.agency else None
    user.role = role
    user.agency = agency  # the relationship, not only the column: a loaded user.agency would go stale
    if role not in (Role.STAFF, Role.ADMIN):
        user.totp_secret = None
    write_audit(
        "user.role",
        "user",
        user.id,
        {"role": [old_role, role.value], "agency": [old_agency, agency.name if agency else None]},
        **_by(actor),
    )
    db.session.flush()


def set_active(user: User, active: bool, *, actor: User | None = None, reason: str = "") -> None:
    """Disable (or enable again) an account; a disabled user's session stops working at its next request."""
    if actor is not None and actor.id == user.id and not active:
        raise InvalidUserError(None, _l("管理员不能停用自己的账号"))
    if user.active != active:
        write_audit(
            "user.enable" if active else "user.disable",
            "user",
            user.id,
            {"active": [user.active, active]},
            reason=reason or None,
            **_by(actor),
        )
        user.active = active
        user.session_version += 1
        if not active:  # a reset link issued before stays void when the account is enabled again
            user.reset_token_hash = user.reset_expires_at = None
    db.session.flush()


def set_password(user: User, password: str, *, actor: User | None = None, action: str = "user.password") -> None:
    """A new password (never in the audit entry): every session of the user ends, and a reset link still open is
    void."""
    check_password(password, user.username)
    user.password_hash = _hasher.hash(password)
    user.session_version += 1
    user.reset_token_hash = user.reset_expires_at = None
    write_audit(action, "user", user.id, {}, **_by(actor))
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The user's own change on the account page: only with the current password. The caller signs the current
    session in again (set_password ended every session)."""
    if not user.password_hash or not _verify(user.password_hash, current_password):
        raise InvalidUserError("current_password", _l("当前密码不正确"))
    set_password(user, new_password, actor=user)


def set_mail_settings(
    user: User,
    email: str,
    *,
    daily_digest: bool | None = None,
    language: str | None = None,
    actor: User | None = None,
) -> bool:
    """The user's e-mail address and, on their own account page, the daily digest of the 工作台账 and the language of
    their messages (portal/mail/digest.py). `daily_digest` None (an admin changing the address) keeps it, except that
    removing the address ends it: a digest needs somewhere to go. Audited (the addresses masked); False when nothing
    changed."""
    email = check_email(email)
    digest = (user.daily_digest and bool(email)) if daily_digest is None else daily_digest
    language = language or user.mail_language
    check_digest(digest, email, language)
    changes: dict[str, list[Any]] = {}
    if email != user.email:
        changes["email"] = [mask_email(user.email) or None, mask_email(email) or None]
    if digest != user.daily_digest:
        changes["daily_digest"] = [user.daily_digest, digest]
    if language != user.mail_language:
        changes["mail_language"] = [user.mail_language, language]
    if not changes:
        return False
    user.email, user.daily_digest, user.mail_language = email, digest, language
    write_audit("user.mail", "user", user.id, changes, **_by(actor))
    db.session.flush()
    return True


def issue_reset_link(user: User, *, actor: User, now: datetime) -> str:
    """A one-time password reset link's token for an admin to hand to the user, good for RESET_LINK_HOURS. Only its
    SHA-256 is kept, so the token is shown once; issuing another makes this one void."""
    if actor.id == user.id:
        raise InvalidUserError(None, _l("不能在这里为自己生成重置链接，请在“我的账号”页面修改密码。"))
    if not user.active:
        raise InvalidUserError(None, _l("账号已停用，请先恢复账号，再生成重置链接。"))
    token = secrets.token_urlsafe(32)
    user.reset_token_hash = _token_hash(token)
    user.reset_expires_at = reset_link_expires(now)
    write_audit("user.reset_link", "user", user.id, {"expires_at": [None, user.reset_expires_at.isoformat()]}, by=actor)
    db.session.flush()
    return token


def reset_link_user(token: str, now: datetime) -> User | None:
    """The active user whose newest reset link this is, while it is still good; None for any other token."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.reset_token_hash == _token_hash(token)))
    if user is None or not user.active or not reset_link_usable(user.reset_expires_at, now):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    """The user sets a new password through the reset link (found by reset_link_user): the link is spent and every
    session of the user ends."""
    set_password(user, password, actor=user, action="user.password_reset")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_totp(user: User, *, actor: User | None, reason: str) -> None:
    """An admin removes another user's second factor (a lost phone, or one sealed under an old PORTAL_SECRET_KEY):
    they set it up again at their next login (PORTAL_REQUIRE_2FA) or on their account page. Every session of theirs
    ends. `actor` None: the command line (`flask users reset-totp`)."""
    if actor is not None and actor.id == user.id:
        raise InvalidUserError(None, _l("不能在这里重置自己的动态验证码，请在“我的账号”页面重新设置。"))
    if not user.totp_secret:
        raise InvalidUserError(None, _l("此账号没有启用动态验证码。"))
    user.totp_secret = user.totp_last_step = None  # the steps counted the old secret's codes
    user.session_version += 1
    write_audit("user.totp_reset", "user", user.id, {"totp": [True, False]}, reason=reason, **_by(actor))
    db.session.flush()


def replace_own_totp(user: User, current_password: str) -> None:
    """The user removes their own second factor, with their password, to set it up again (a new phone)."""
    if not user.password_hash or not _verify(user.password_hash, current_password):
        raise InvalidUserError("current_password", _l("当前密码不正确"))
    if not user.totp_secret:
        raise InvalidUserError(None, _l("此账号没有启用动态验证码。"))
    user.totp_secret = user.totp_last_step = None
    write_audit("user.totp_reset", "user", user.id, {"totp": [True, False]}, by=user)
    db.session.flush()


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, or None. An unknown name costs as much as a wrong password."""
    user = find_user(username)
    if user is None or not user.password_hash:
        _verify(_UNKNOWN_USER_HASH, password)
        return None
    if not _verify(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie made so far stops working."""
    user.session_version += 1
    db.session.flush()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def check_totp(user: User, code: str, secret: str | None = None, now: float | None = None) -> bool:
    """Is `code` right for the user's secret (or a secret being set up), within one step of clock drift, and not
    used before? A code that is accepted is spent."""
    secret = secret or user.totp_secret
    code = "".join(code.split())
    if not secret or secret == UNREADABLE or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    step_now = int((time.time() if now is None else now) // totp.interval)
    matching = [s for s in (step_now - 1, step_now, step_now + 1) if totp.at(s * totp.interval) == code]
    accepted = totp_step_accepted(matching, user.totp_last_step)
    if accepted is None:
        return False
    user.totp_last_step = accepted
    return True


def enable_totp(user: User, secret: str, code: str) -> bool:
    """Turn the second factor on once the user proves their app shows the right code."""
    if not check_totp(user, code, secret):
        return False
    user.totp_secret = secret
    write_audit("user.totp_on", "user", user.id, {}, by=user)
    db.session.flush()
    return True


def demo_account_names() -> list[str]:
    """Active demo accounts: production refuses to start while any exists."""
    return list(db.session.scalars(select(User.username).where(User.is_demo, User.active).order_by(User.username)))


def _by(actor: User | None) -> dict[str, Any]:
    """Who changed an account: an admin in the web UI, or the command line."""
    return {"by": actor} if actor is not None else {"actor": "command line"}


class DemoAccountsInProductionError(RuntimeError):
    pass


def refuse_demo_accounts_in_production(app: Flask) -> None:
    """Production must not start with the demo logins (their password is in the README) still usable."""
    if not app.config["PORTAL_SETTINGS"].is_production:
        return
    with app.app_context():
        try:
            names = demo_account_names()
        except SQLAlchemyError:  # no users table yet: nothing to refuse
            names = []
        finally:
            db.session.remove()
    if names:
        raise DemoAccountsInProductionError(
            "production refuses to start while demo accounts are active: "
            + ", ".join(names)
            + ". Disable them with `flask --app portal users disable NAME` (or use a database without demo data)."
        )


def note_failed_login(user: User, address: str) -> None:
    """A wrong password for this account, from `address` (audited: it slows the account's next attempts down and
    its owner is told at the next sign-in; see rules.login_delay)."""
    write_audit("user.login_failed", "user", user.id, {"address": [None, address[:45]]}, actor="login form")
