"""Signing in (password, then the TOTP code when the account has or needs one) and signing out. The account page,
where staff set up their second factor, is in workspace.py."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.audit.operations import write_audit
from portal.db import commit
from portal.extensions import db, limiter
from portal.users.access import current
from portal.users.forms import CodeForm, LoginForm
from portal.users.models import User
from portal.users.operations import authenticate, check_totp, enable_totp, end_sessions, new_totp_secret, totp_uri
from portal.users.rules import (
    CODE_LIMIT_PER_ACCOUNT,
    LOGIN_LIMIT_PER_ACCOUNT,
    LOGIN_LIMIT_PER_ADDRESS,
    PENDING_LOGIN_SECONDS,
    TOTP_ROLES,
    safe_next,
)

bp = Blueprint("users", __name__)


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _account_key() -> str:
    return "login-account:" + request.form.get("username", "").strip().lower()[:80]


def _pending_key() -> str:
    return "login-code:" + str((session.get("pending_login") or {}).get("user", ""))


def _needs_code(user: User) -> bool:
    return user.role in TOTP_ROLES and bool(user.totp_secret or current_app.config["PORTAL_SETTINGS"].require_2fa)


def _sign_in(user: User, next_url: str | None) -> Response:
    """A new session at every login (nothing of the anonymous one is carried over), then the page asked for."""
    session.clear()
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = time.time()  # the session's clocks (web.end_stale_session)
    write_audit("user.login", "user", user.id, {}, by=user)
    commit()
    return redirect(safe_next(next_url) or url_for("workspace.dashboard"), code=303)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(LOGIN_LIMIT_PER_ADDRESS, key_func=get_remote_address, methods=["POST"], deduct_when=_failed)
def login() -> Response | tuple[str, int]:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("workspace.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("users/login.html", form=form), 400 if form.errors else 200
    user = authenticate(form.username.data or "", form.password.data or "")
    if user is None:
        form.form_errors.append(_("用户名或密码不正确，或账号已停用。"))
        return render_template("users/login.html", form=form), 401
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
    if setting_up and "secret" not in pending:
        pending["secret"] = new_totp_secret()
        session.modified = True
    form = CodeForm()
    if form.validate_on_submit():
        entered = form.code.data or ""
        ok = enable_totp(user, pending["secret"], entered) if setting_up else check_totp(user, entered)
        if ok:
            return _sign_in(user, pending.get("next"))
        form.code.errors = [_("验证码不正确或已使用过，请输入手机应用上显示的最新验证码。")]
        status = 401
    else:
        status = 400 if form.errors else 200
    secret = pending.get("secret") if setting_up else None
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
