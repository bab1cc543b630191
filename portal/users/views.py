"""Signing in (password, then the TOTP code when the account has or needs one) and signing out. The account page,
where staff set up their second factor, is in workspace.py."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.audit.operations import write_audit
from portal.db import commit
from portal.db_types import utcnow
from portal.errors import show_refusal
from portal.extensions import db, limiter
from portal.users.access import current
from portal.users.forms import CodeForm, LoginForm, NewPasswordForm
from portal.users.models import User
from portal.users.operations import (
    authenticate,
    check_totp,
    enable_totp,
    end_sessions,
    find_user,
    new_totp_secret,
    note_failed_login,
    reset_link_user,
    reset_password,
    totp_uri,
)
from portal.users.queries import failures_since_last_login
from portal.users.rules import (
    CODE_LIMIT_PER_ACCOUNT,
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS,
    LOGIN_LIMIT_PER_ADDRESS,
    LOGIN_SLOW_WINDOW,
    MIN_PASSWORD_CHARS,
    PENDING_LOGIN_SECONDS,
    RESET_LIMIT_PER_ADDRESS,
    RESET_LINK_HOURS,
    TOTP_ROLES,
    InvalidUserError,
    login_delay,
    safe_next,
)
from portal.users.sealing import UNREADABLE, seal, unseal

bp = Blueprint("users", __name__)


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _account_and_address_key() -> str:
    return f"login-account:{request.form.get('username', '').strip().lower()[:80]}:{get_remote_address()}"


pause = time.sleep  # the slow-down of a much-guessed account (a name, so that tests can see it without waiting)


def _pending_key() -> str:
    return "login-code:" + str((session.get("pending_login") or {}).get("user", ""))


def _needs_code(user: User) -> bool:
    return user.role in TOTP_ROLES and bool(user.totp_secret or current_app.config["PORTAL_SETTINGS"].require_2fa)


def _sign_in(user: User, next_url: str | None) -> Response:
    """A new session at every login (nothing of the anonymous one is carried over), then the page asked for."""
    session.clear()
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = time.time()  # the session's clocks (web.end_stale_session)
    _tell_of_failures(user)
    write_audit("user.login", "user", user.id, {}, by=user)
    commit()
    return redirect(safe_next(next_url) or url_for("workspace.dashboard"), code=303)


def _tell_of_failures(user: User) -> None:
    """The owner is told of the wrong passwords typed for the account since its last sign-in (issue 19)."""
    count, latest = failures_since_last_login(user)
    if count and latest is not None:
        at = format_datetime(latest.at, "yyyy-MM-dd HH:mm")
        address = (latest.changes.get("address") or [None, "?"])[1]
        flash(
            _(
                "自上次登录以来，有人用错误的密码尝试登录您的账号 %(count)d 次，最近一次在 %(at)s，来自 %(address)s。"
                "如果不是您本人，请修改密码并告知管理员。",
                count=count,
                at=at,
                address=address,
            ),
            "error",
        )


def _slow_key(username: str) -> str:
    return f"login-slow:{username.strip().lower()[:80]}"


def _slow_down(username: str) -> None:
    """Every password check on a user name much guessed lately waits a little, right or wrong, whether or not such
    an account exists (so that the wait tells nothing); the owner still gets in. The failures are counted per typed
    name in the rate limits' storage (Redis in production: shared by every worker). The request's transaction is
    ended first: on SQLite it holds the write lock, which nobody may wait for while this one sleeps."""
    delay = login_delay(limiter.storage.get(_slow_key(username)))
    if delay:
        db.session.rollback()  # nothing is written yet: let other writers go while this request waits
        pause(delay)


def _count_failure(username: str) -> None:
    limiter.storage.incr(_slow_key(username), int(LOGIN_SLOW_WINDOW.total_seconds()))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS, key_func=_account_and_address_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(LOGIN_LIMIT_PER_ADDRESS, key_func=get_remote_address, methods=["POST"], deduct_when=_failed)
def login() -> Response | tuple[str, int]:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("workspace.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("users/login.html", form=form), 400 if form.errors else 200
    _slow_down(form.username.data or "")
    user = authenticate(form.username.data or "", form.password.data or "")
    if user is None:
        _count_failure(form.username.data or "")
        known = find_user(form.username.data or "")
        if known is not None:
            note_failed_login(known, get_remote_address() or "")
            commit()
        form.form_errors.append(_("用户名或密码不正确，或账号已停用。"))
        return render_template("users/login.html", form=form), 401
    if user.totp_secret == UNREADABLE:  # sealed under an old PORTAL_SECRET_KEY: never the password alone
        form.form_errors.append(
            _(
                "您的动态验证码无法读取（服务器密钥已更换）。为安全起见，不能仅凭密码登录：请联系管理员重置您的动态"
                "验证码后重新设置。"
            )
        )
        return render_template("users/login.html", form=form), 403
    if _needs_code(user):
        session.clear()
        session["pending_login"] = {"user": user.id, "next": next_url, "at": time.time()}
        commit()  # a rehashed password is kept
        return redirect(url_for("users.code"), code=303)
    return _sign_in(user, next_url)


def _pending_user() -> User | None:
    pending = session.get("pending_login") or {}
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_LOGIN_SECONDS:
        return None
    user = db.session.get(User, int(pending["user"]))
    return user if user is not None and user.active else None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT_PER_ACCOUNT, key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def code() -> Response | tuple[str, int]:
    """The second step: the TOTP code, or, when 2FA is required and not set up yet, setting it up now."""
    user = _pending_user()
    if user is None:
        session.pop("pending_login", None)
        flash(_("请重新输入用户名和密码。"), "error")
        return redirect(url_for("users.login"), code=303)
    pending = session["pending_login"]
    setting_up = not user.totp_secret
    key = current_app.config["SECRET_KEY"]
    # the secret being set up is kept in the session sealed, as the stored one is (sealing.py)
    secret = (unseal(pending.get("secret") or "", key) or new_totp_secret()) if setting_up else None
    if secret and pending.get("secret") is None:
        pending["secret"] = seal(secret, key)
        session.modified = True
    form = CodeForm()
    if form.validate_on_submit():
        entered = form.code.data or ""
        ok = enable_totp(user, secret, entered) if secret else check_totp(user, entered)
        if ok:
            return _sign_in(user, pending.get("next"))
        form.code.errors = [_("验证码不正确或已使用过，请输入手机应用上显示的最新验证码。")]
        status = 401
    else:
        status = 400 if form.errors else 200
    return render_template("users/code.html", form=form, secret=secret, uri=_uri(user, secret)), status


def _uri(user: User, secret: str | None) -> str | None:
    return totp_uri(user, secret, current_app.config["PORTAL_SETTINGS"].site_name) if secret else None


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        user = current()
        end_sessions(user)  # a copy of the cookie (another tab, another machine) is signed out too
        write_audit("user.logout", "user", user.id, {}, by=user)
        commit()
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("home.index"), code=303)


# --- a password reset link (an admin issues it on the user's page, workspace.py) ------------------------------------


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT_PER_ADDRESS, key_func=get_remote_address, methods=["POST"])
def reset(token: str) -> tuple[str, int, dict[str, str]] | Response:
    """A one-time reset link's page: the user types a new password twice, and then signs in with it (every session
    of theirs has ended). A link used, replaced by a newer one, void since the password changed, or older than
    RESET_LINK_HOURS is refused (410). The link never leaves in a Referer header."""
    headers = {"Referrer-Policy": "no-referrer"}
    user = reset_link_user(token, utcnow())
    if user is None:
        message = _(
            "此链接无效或已失效：重置链接只能使用一次，在签发后 %(hours)d 小时内有效，"
            "签发新链接或修改密码后旧链接即失效。请联系管理员重新签发。",
            hours=RESET_LINK_HOURS,
        )
        return render_template("error.html", code=410, title=_("重置链接已失效"), message=message), 410, headers
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            reset_password(user, form.password.data or "")
        except InvalidUserError as refused:
            status = show_refusal(form, refused)
        else:
            commit()
            flash(_("新密码已设置，请用新密码登录。"), "info")
            return redirect(url_for("users.login"), code=303)
    elif form.errors:
        status = 400
    page = render_template("users/reset.html", form=form, user=user, min_password=MIN_PASSWORD_CHARS)
    return page, status, headers
