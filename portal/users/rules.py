"""Who may do what, and what a password and a user name must be. Pure."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core.contacts import normal_email
from portal.core.labelled import N_, LabelledEnum
from portal.errors import RefusedError


class Role(LabelledEnum):
    OFFICER = "officer", N_("机构填报员")  # 机构填报员, bound to one agency
    STAFF = "staff", N_("信用办工作人员")  # 信用办
    ADMIN = "admin", N_("管理员")


MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
MAX_DISPLAY_NAME_CHARS = 100
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
TOTP_ROLES = frozenset({Role.STAFF, Role.ADMIN})  # roles that can (and with PORTAL_REQUIRE_2FA must) use TOTP


class InvalidUserError(RefusedError, ValueError):
    """A user cannot be created or changed so. `message` says why in the reader's language (a lazy string: the web
    form shows it beside `field`, the command line prints it); `field` is None when it concerns no single field."""

    def __init__(self, field: str | None, message: Any) -> None:
        super().__init__(message, field=field)


def check_username(username: str) -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidUserError(
            "username", _l("用户名为 3–80 个字符，只能使用小写字母、数字和“.”“_”“-”，并以字母或数字开头")
        )
    return username


def check_display_name(name: str) -> str:
    if len(name) > MAX_DISPLAY_NAME_CHARS:
        raise InvalidUserError("display_name", _l("姓名最多 %(n)d 个字符", n=MAX_DISPLAY_NAME_CHARS))
    if any(ord(ch) < 32 for ch in name):
        raise InvalidUserError("display_name", _l("姓名不能含有控制字符"))
    return name


def check_password(password: str, username: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidUserError("password", _l("密码至少需要 %(n)d 个字符", n=MIN_PASSWORD_CHARS))
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidUserError("password", _l("密码最多 %(n)d 个字符", n=MAX_PASSWORD_CHARS))
    if username and username.lower() in password.lower():
        raise InvalidUserError("password", _l("密码不能包含用户名"))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise InvalidUserError("password", _l("密码不能含有控制字符"))
    return password


def check_role(role: Role, agency_id: int | None) -> None:
    """An officer belongs to exactly one agency; staff and admins to none."""
    if role is Role.OFFICER and agency_id is None:
        raise InvalidUserError("agency", _l("机构填报员必须选择所属机构"))
    if role is not Role.OFFICER and agency_id is not None:
        raise InvalidUserError("agency", _l("只有机构填报员才有所属机构；信用办工作人员和管理员请留空"))


def totp_step_accepted(code_steps: list[int], last_step: int | None) -> int | None:
    """Of the time steps whose code matched, the newest one not used before (a code works once)."""
    fresh = [step for step in code_steps if last_step is None or step > last_step]
    return max(fresh) if fresh else None


# Login throttling (issue 19). Failed attempts are counted (flask-limiter) per account *and* address, and per
# address: an address that guesses is refused for a while, the account's owner elsewhere never is. Per account alone,
# failures only slow every attempt down (`login_delay`), and the owner is told of them at the next sign-in.
LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = "10 per 15 minutes"
LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
CODE_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
LOGIN_SLOW_WINDOW = timedelta(minutes=15)  # failures this recent slow the account's attempts down
LOGIN_SLOW_AFTER = 5  # failures in the window before any delay
LOGIN_DELAY_STEP = 0.5  # seconds added per failure beyond LOGIN_SLOW_AFTER - 1
LOGIN_DELAY_MAX = 3.0  # seconds: a slow-down, never a lock-out


def login_delay(recent_failures: int) -> float:
    """Seconds every password check on an account waits, given its failed attempts in LOGIN_SLOW_WINDOW (from any
    address): none for a few typos, then growing, at most LOGIN_DELAY_MAX."""
    beyond = recent_failures - (LOGIN_SLOW_AFTER - 1)
    return min(LOGIN_DELAY_MAX, LOGIN_DELAY_STEP * beyond) if beyond > 0 else 0.0


PENDING_LOGIN_SECONDS = 300  # between a right password and its second factor


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may follow the login (no other host, no scheme, no backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


# --- Accounts (issue 19): password changes, reset links, the second factor ------------------------------------------

RESET_LINK_HOURS = 24  # an admin-issued password reset link works once, for this long, and only the newest one
RESET_LIMIT_PER_ADDRESS = "10 per 15 minutes"  # posts to a reset link's page (flask-limiter), as for the login


def reset_link_expires(issued_at: datetime) -> datetime:
    return issued_at + timedelta(hours=RESET_LINK_HOURS)


def reset_link_usable(expires_at: datetime | None, now: datetime) -> bool:
    """A link issued and not yet expired (using it, a newer one or a new password clears it)."""
    return expires_at is not None and now < expires_at


# --- Mail to users (issue 18): a work e-mail address, and the daily digest of the 工作台账 ---------------------------

MAX_EMAIL_CHARS = 200
MAIL_LANGUAGES = ("zh_CN", "en")  # what a user's messages may be written in (portal.web.LANGUAGES)


def check_email(email: str) -> str:
    """A user's e-mail address in its normal form (core.contacts.normal_email), or "" for none."""
    email = email.strip()
    if not email:
        return ""
    found = normal_email(email) if len(email) <= MAX_EMAIL_CHARS else None
    if found is None:
        raise InvalidUserError("email", _l("请填写有效的电子邮箱地址，例如 name@example.gov.cn"))
    return found


def check_digest(daily_digest: bool, email: str, language: str) -> None:
    """The daily digest goes to an e-mail address: without one, nobody can opt in."""
    if daily_digest and not email:
        raise InvalidUserError("daily_digest", _l("没有电子邮箱地址，不能订阅每日提醒：请先填写电子邮箱地址。"))
    if language not in MAIL_LANGUAGES:
        raise InvalidUserError("mail_language", _l("请从列表中选择邮件语言"))
