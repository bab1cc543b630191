"""The workspace of every signed-in role: the dashboard it starts from (its figures and the menu come from the
features, portal/menu.py), the account page where every user changes their password and their e-mail settings (the
daily digest of the 工作台账) and staff and admins set up their TOTP second factor, and, for admins, account
management (list, create, change role, e-mail address, disable/enable, a one-time password reset link, removing a
lost second factor; the blueprint "users_admin")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectField

from portal.agencies.models import Agency
from portal.db import commit
from portal.db_types import utcnow
from portal.errors import show_refusal
from portal.extensions import db, limiter
from portal.forms import choices
from portal.listing import paginate, parse_list_query
from portal.menu import dashboard_figures, menu_link
from portal.users.access import current, get_or_404, second_factor_missing, signed_in
from portal.users.forms import (
    ActiveForm,
    CodeForm,
    EmailForm,
    MailSettingsForm,
    PasswordChangeForm,
    RoleForm,
    TotpReplaceForm,
    TotpResetForm,
    UserForm,
)
from portal.users.models import User
from portal.users.operations import (
    change_password,
    create_user,
    enable_totp,
    issue_reset_link,
    new_totp_secret,
    replace_own_totp,
    reset_totp,
    set_active,
    set_mail_settings,
    set_role,
    totp_uri,
)
from portal.users.rules import (
    MIN_PASSWORD_CHARS,
    RESET_LINK_HOURS,
    TOTP_ROLES,
    InvalidUserError,
    Role,
    check_password,
    check_role,
    check_username,
)
from portal.users.sealing import seal, unseal
from portal.web import external_url, select_locale

bp = Blueprint("workspace", __name__, url_prefix="/workspace")
admin_bp = Blueprint("users_admin", __name__, url_prefix="/workspace/users")

menu_link("workspace.account", _l("我的账号"), roles=frozenset(Role), order=90)
menu_link("users_admin.index", _l("用户管理"), roles=frozenset({Role.ADMIN}), order=80)


@bp.get("/")
@signed_in()
def dashboard() -> str:
    user = current()
    return render_template("workspace/dashboard.html", user=user, figures=dashboard_figures(user))


# --- the account page ----------------------------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@login_required  # not signed_in: a staff member who must set up the second factor is sent here
def account() -> Response | tuple[str, int]:
    """The account page: every user changes their password here; staff and admins set up their TOTP second factor
    (or remove it, with their password, to set it up again on a new phone)."""
    user = current()
    form = CodeForm()
    status = 200
    if user.role in TOTP_ROLES and not user.totp_secret and form.is_submitted():
        secret = _setup_secret()
        if form.validate():
            if enable_totp(user, secret, form.code.data or ""):
                session.pop("totp_setup", None)
                commit()
                flash(_("动态验证码已启用，以后登录时需要输入。"), "info")
                return redirect(url_for(".account"), code=303)
            form.code.errors = [_("验证码不正确，请输入手机应用上显示的最新验证码。")]
        status = 400
    return _account_page(user, code_form=form), status


def _setup_secret() -> str:
    """The secret being set up on the account page, kept in the session (sealed, like the stored one) until a code
    confirms it."""
    key = current_app.config["SECRET_KEY"]
    secret = unseal(session.get("totp_setup") or "", key) or new_totp_secret()
    session["totp_setup"] = seal(secret, key)
    return secret


def _own_account_key() -> str:
    return f"account-password:{current().id}"


def _refused(response: Response) -> bool:
    return response.status_code == 400


# The current password is asked for on the account page: a stolen session may not guess it without end.
CURRENT_PASSWORD_LIMIT = "10 per 15 minutes"


@bp.post("/account/password")
@login_required
@limiter.limit(CURRENT_PASSWORD_LIMIT, key_func=_own_account_key, deduct_when=_refused)
def password() -> Response | tuple[str, int]:
    """The user's own password change: with the current one, the new one twice. Every other session of the user
    ends; this one goes on (signed in again under the new session version, its clocks kept)."""
    user = current()
    form = PasswordChangeForm()
    status = 400
    if form.validate():
        try:
            change_password(user, form.current_password.data or "", form.password.data or "")
        except InvalidUserError as refused:
            status = show_refusal(form, refused)
        else:
            login_user(user)  # the session keeps signed_in_at and seen_at: no longer lifetime for a new password
            commit()
            flash(_("密码已修改。您在其他设备或浏览器上的登录已全部退出。"), "info")
            return redirect(url_for(".account"), code=303)
    return _account_page(user, password_form=form), status


@bp.post("/account/totp")
@login_required
@limiter.limit(CURRENT_PASSWORD_LIMIT, key_func=_own_account_key, deduct_when=_refused)
def replace_totp() -> Response | tuple[str, int]:
    """Remove one's own second factor, with the password, to set it up again (a new phone)."""
    user = current()
    form = TotpReplaceForm(prefix="totp")
    status = 400
    if form.validate():
        try:
            replace_own_totp(user, form.current_password.data or "")
        except InvalidUserError as refused:
            status = show_refusal(form, refused)
        else:
            commit()
            flash(_("原动态验证码已停用，请在下方用新的手机应用重新设置。"), "info")
            return redirect(url_for(".account"), code=303)
    return _account_page(user, replace_form=form), status


@bp.post("/account/mail")
@login_required
def mail() -> Response | tuple[str, int]:
    """One's e-mail address and the daily digest of one's 工作台账 items (issue 18; portal/mail/digest.py): opting in
    without an address is refused beside the checkbox."""
    user = current()
    form = MailSettingsForm()
    status = 400
    if form.validate():
        try:
            changed = set_mail_settings(
                user,
                form.email.data or "",
                daily_digest=bool(form.daily_digest.data),
                language=form.mail_language.data,
                actor=user,
            )
        except InvalidUserError as refused:
            status = show_refusal(form, refused)
        else:
            commit()
            if not changed:
                flash(_("邮件设置没有变化。"), "info")
            elif user.daily_digest:
                flash(_("邮件设置已保存。每个工作日早上，工作台账提醒将发送到 %(email)s。", email=user.email), "info")
            else:
                flash(_("邮件设置已保存。您没有订阅工作台账提醒。"), "info")
            return redirect(url_for(".account"), code=303)
    return _account_page(user, mail_form=form), status


def _account_page(
    user: User,
    *,
    code_form: CodeForm | None = None,
    password_form: PasswordChangeForm | None = None,
    replace_form: TotpReplaceForm | None = None,
    mail_form: MailSettingsForm | None = None,
) -> str:
    secret = _setup_secret() if user.role in TOTP_ROLES and not user.totp_secret else None
    uri = totp_uri(user, secret, current_app.config["PORTAL_SETTINGS"].site_name) if secret else None
    return render_template(
        "users/account.html",
        user=user,
        form=code_form or CodeForm(formdata=None),
        password_form=password_form or PasswordChangeForm(formdata=None),
        replace_form=replace_form or TotpReplaceForm(formdata=None, prefix="totp"),
        mail_form=mail_form or _mail_form(user),
        secret=secret,
        uri=uri,
        must_set_up=second_factor_missing(user),
        min_password=MIN_PASSWORD_CHARS,
    )


def _mail_form(user: User) -> MailSettingsForm:
    """The mail settings as stored; the language of this page until the user has opted in."""
    language = user.mail_language if user.daily_digest else select_locale()
    data = {"email": user.email, "daily_digest": user.daily_digest, "mail_language": language}
    return MailSettingsForm(formdata=None, data=data)


# --- admins: the accounts ------------------------------------------------------------------------------------------


def _agency_choices(field: SelectField) -> None:
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name, Agency.id)).all()
    field.choices = choices([("", _("（无，信用办工作人员和管理员）")), *((str(id_), name) for id_, name in agencies)])


def _chosen_agency(field: SelectField) -> Agency | None:
    """The agency picked in the select, or None for the empty choice; anything else is an error beside the field."""
    value = (field.data or "").strip()
    if not value:
        return None
    agency = db.session.get(Agency, int(value)) if value.isascii() and value.isdigit() and len(value) <= 9 else None
    if agency is None:
        field.errors = [*field.errors, _("请从列表中选择机构")]
    return agency


@admin_bp.get("/")
@signed_in(Role.ADMIN)
def index() -> tuple[str, int]:
    asked = parse_list_query(request.args, {})
    results = paginate(select(User).options(selectinload(User.agency)).order_by(User.username), asked)
    return render_template("users/admin/index.html", results=results, asked=asked), asked.status


@admin_bp.route("/new", methods=["GET", "POST"])
@signed_in(Role.ADMIN)
def new() -> Response | tuple[str, int]:
    form = UserForm()
    _agency_choices(form.agency)
    if not form.is_submitted():
        return _new_page(form), 200
    done = form.already_done()
    if done is not None:
        return done
    valid = form.validate()
    agency = _chosen_agency(form.agency)
    _check_new(form, agency)
    if valid and not any(field.errors for field in form):
        try:
            user = create_user(
                form.username.data or "",
                form.password.data or "",
                Role(form.role.data),
                display_name=form.display_name.data or "",
                agency=agency,
                actor=current(),
            )
        except InvalidUserError as refused:  # the name is taken
            show_refusal(form, refused)
        else:
            url = url_for(".show", user_id=user.id)
            return form.finish(url, _("账号 %(name)s 已创建。", name=user.username))
    return _new_page(form), 400


def _check_new(form: UserForm, agency: Agency | None) -> None:
    """The account rules (pure) for every field the form found no fault with, so that all problems show at once;
    create_user checks them again, and whether the name is taken."""
    username = (form.username.data or "").lower()
    checks: list[tuple[Any, Callable[[], object]]] = [
        (form.username, lambda: check_username(username)),
        (form.password, lambda: check_password(form.password.data or "", username)),
    ]
    if not form.role.errors:
        checks.append((form.agency, lambda: check_role(Role(form.role.data), agency.id if agency else None)))
    for field, check in checks:
        if not field.errors:
            try:
                check()
            except InvalidUserError as refused:
                show_refusal(form, refused)


def _new_page(form: UserForm) -> str:
    return render_template("users/admin/new.html", form=form, min_password=MIN_PASSWORD_CHARS)


@admin_bp.get("/<id:user_id>")  # larger ids cannot exist: 404, not a database error
@signed_in(Role.ADMIN)
def show(user_id: int) -> tuple[str, int]:
    return _show_page(get_or_404(User, user_id)), 200


@admin_bp.post("/<id:user_id>/role")
@signed_in(Role.ADMIN)
def role(user_id: int) -> Response | tuple[str, int]:
    user = get_or_404(User, user_id, lock=True)
    form = RoleForm()
    if form.validate():
        new_role = Role(form.role.data)
        agency = _chosen_agency(form.agency)
        if not form.agency.errors:
            url = url_for(".show", user_id=user.id)
            if new_role is user.role and (agency.id if agency else None) == user.agency_id:
                flash(_("角色和所属机构没有变化。"), "info")  # a second post of the same form changes nothing
                return redirect(url, code=303)
            try:
                set_role(user, new_role, agency, actor=current())
            except InvalidUserError as refused:
                show_refusal(form, refused)
            else:
                commit()
                flash(_("已更改 %(name)s 的角色。", name=user.username), "info")
                return redirect(url, code=303)
    return _show_page(user, role_form=form, posted="role"), 400


@admin_bp.post("/<id:user_id>/active")
@signed_in(Role.ADMIN)
def active(user_id: int) -> Response | tuple[str, int]:
    user = get_or_404(User, user_id, lock=True)
    form = ActiveForm()
    if form.validate():
        try:
            set_active(user, bool(form.active.data), actor=current(), reason=form.reason.data or "")
        except InvalidUserError as refused:
            show_refusal(form, refused)
        else:
            commit()
            if user.active:
                flash(_("账号 %(name)s 可以使用。", name=user.username), "info")
            else:
                flash(_("账号 %(name)s 已停用，已登录的会话在下一次请求时失效。", name=user.username), "info")
            return redirect(url_for(".show", user_id=user.id), code=303)
    return _show_page(user, active_form=form, posted="active"), 400


@admin_bp.post("/<id:user_id>/email")
@signed_in(Role.ADMIN)
def email(user_id: int) -> Response | tuple[str, int]:
    """Set or correct a user's e-mail address (removing it ends their daily digest); audited."""
    user = get_or_404(User, user_id, lock=True)
    form = EmailForm(prefix="email")
    status = 400
    if form.validate():
        try:
            changed = set_mail_settings(user, form.email.data or "", actor=current())
        except InvalidUserError as refused:
            status = show_refusal(form, refused)
        else:
            commit()
            if changed:
                flash(_("已更改 %(name)s 的电子邮箱。", name=user.username), "info")
            else:
                flash(_("电子邮箱没有变化。"), "info")
            return redirect(url_for(".show", user_id=user.id), code=303)
    return _show_page(user, email_form=form, posted="email"), status


@admin_bp.post("/<id:user_id>/reset-link")
@signed_in(Role.ADMIN)
def reset_link(user_id: int) -> tuple[str, int]:
    """Issue a one-time password reset link and show it, this once, for the admin to hand to the user (the page is
    the answer to the post, never stored: only the link's hash is kept)."""
    user = get_or_404(User, user_id, lock=True)
    form = FlaskForm()
    try:
        token = issue_reset_link(user, actor=current(), now=utcnow())
    except InvalidUserError as refused:
        status = show_refusal(form, refused)
        return _show_page(user, reset_form=form, posted="reset"), status
    commit()
    link = external_url("users.reset", token=token)
    return _show_page(user, reset_form=form, reset_link=link), 200


@admin_bp.post("/<id:user_id>/totp")
@signed_in(Role.ADMIN)
def totp(user_id: int) -> Response | tuple[str, int]:
    """Remove a user's second factor (a lost phone), with a reason for the audit log; their sessions end."""
    user = get_or_404(User, user_id, lock=True)
    form = TotpResetForm(prefix="totp")
    status = 400
    if form.validate():
        try:
            reset_totp(user, actor=current(), reason=form.reason.data or "")
        except InvalidUserError as refused:
            status = show_refusal(form, refused)
        else:
            commit()
            flash(_("已停用 %(name)s 的动态验证码，此人已登录的会话全部退出。", name=user.username), "info")
            return redirect(url_for(".show", user_id=user.id), code=303)
    return _show_page(user, totp_form=form, posted="totp"), status


def _show_page(
    user: User,
    *,
    role_form: RoleForm | None = None,
    active_form: ActiveForm | None = None,
    totp_form: TotpResetForm | None = None,
    reset_form: FlaskForm | None = None,
    email_form: EmailForm | None = None,
    posted: str | None = None,
    reset_link: str | None = None,
) -> str:
    """The account's page; after a post that was refused, only that post's form (`posted`), with its errors."""
    role_form = role_form or RoleForm(formdata=None, data={"role": user.role, "agency": str(user.agency_id or "")})
    _agency_choices(role_form.agency)
    return render_template(
        "users/admin/show.html",
        user=user,
        role_form=role_form,
        active_form=active_form or ActiveForm(formdata=None),
        totp_form=totp_form or TotpResetForm(formdata=None, prefix="totp"),
        reset_form=reset_form or FlaskForm(formdata=None),
        email_form=email_form or EmailForm(formdata=None, prefix="email", data={"email": user.email}),
        posted=posted,
        reset_link=reset_link,
        reset_hours=RESET_LINK_HOURS,
        is_self=user.id == current().id,
    )
