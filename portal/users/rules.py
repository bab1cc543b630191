"""Who may do what, and what a password and a user name must be. Pure."""

from __future__ import annotations

import re
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"  # 机构填报员, bound to one agency
    STAFF = "staff"  # 信用办
    ADMIN = "admin"


MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
TOTP_ROLES = frozenset({Role.STAFF, Role.ADMIN})  # roles that can (and with PORTAL_REQUIRE_2FA must) use TOTP


class InvalidUser(ValueError):
    """A user cannot be created or changed so; the message says why."""


def check_username(username: str) -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidUser("user names are 3–80 characters: lower-case letters, digits, '.', '_' or '-'")
    return username


def check_password(password: str, username: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidUser(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidUser(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
    if username and username.lower() in password.lower():
        raise InvalidUser("the password must not contain the user name")
    return password


def check_role(role: Role, agency_id: int | None) -> None:
    """An officer belongs to exactly one agency; staff and admins to none."""
    if role is Role.OFFICER and agency_id is None:
        raise InvalidUser("an agency officer must be bound to an agency")
    if role is not Role.OFFICER and agency_id is not None:
        raise InvalidUser("only agency officers are bound to an agency")


def totp_step_accepted(code_steps: list[int], last_step: int | None) -> int | None:
    """Of the time steps whose code matched, the newest one not used before (a code works once)."""
    fresh = [step for step in code_steps if last_step is None or step > last_step]
    return max(fresh) if fresh else None


# Login throttling (flask-limiter): failed attempts only, per account and per address.
LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
CODE_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
PENDING_LOGIN_SECONDS = 300  # between a right password and its second factor


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may follow the login (no other host, no scheme, no backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target
