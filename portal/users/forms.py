from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from portal.forms import OnceForm, PlainText, choices, strip
from portal.users.rules import MAX_EMAIL_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Role


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=80)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=MAX_PASSWORD_CHARS)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("动态验证码"),
        validators=[
            DataRequired(_l("请输入验证码")),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("验证码是 6 位数字")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


ROLE_CHOICES = choices(Role.choices())


AGENCY_LABEL = _l("所属机构（仅机构填报员）")


class UserForm(OnceForm):
    """An admin creates an account. The agency choices are filled by the view; the user name's pattern, a taken name,
    a password containing the name and the officer/agency pairing are the account rules' to refuse (the view shows
    their refusals beside the field)."""

    username = StringField(
        _l("用户名"),
        validators=[DataRequired(_l("请输入用户名")), Length(max=80, message=_l("最多 %(max)d 个字符")), PlainText()],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("姓名"),
        validators=[DataRequired(_l("请输入姓名")), Length(max=100, message=_l("最多 %(max)d 个字符")), PlainText()],
        filters=[strip],
    )
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    agency = SelectField(AGENCY_LABEL, choices=[], validate_choice=False)
    password = PasswordField(
        _l("初始密码"),
        validators=[
            DataRequired(_l("请输入密码")),
            Length(
                min=MIN_PASSWORD_CHARS,
                max=MAX_PASSWORD_CHARS,
                message=_l("密码应为 %(min)d 到 %(max)d 个字符"),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    agency = SelectField(AGENCY_LABEL, choices=[], validate_choice=False)


class ActiveForm(FlaskForm):
    """Disable an account, or enable it again; either way the reason goes into the audit log."""

    active = BooleanField(_l("账号可用"))
    reason = StringField(
        _l("原因"),
        validators=[DataRequired(_l("请说明原因")), Length(max=500, message=_l("最多 %(max)d 个字符")), PlainText()],
        filters=[strip],
    )


def _new_password(label: Any) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("请输入新密码")),
            Length(min=MIN_PASSWORD_CHARS, max=MAX_PASSWORD_CHARS, message=_l("密码应为 %(min)d 到 %(max)d 个字符")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _repeat() -> PasswordField:
    return PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(_l("请再次输入新密码")), EqualTo("password", message=_l("两次输入的新密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice: on a reset link's page."""

    password = _new_password(_l("新密码"))
    password_repeat = _repeat()


class PasswordChangeForm(FlaskForm):
    """On the account page: the current password first, then the new one twice."""

    current_password = PasswordField(
        _l("当前密码"),
        validators=[DataRequired(_l("请输入当前密码")), Length(max=MAX_PASSWORD_CHARS)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password(_l("新密码"))
    password_repeat = _repeat()


class TotpResetForm(FlaskForm):
    """An admin removes a user's second factor; the reason goes into the audit log."""

    reason = StringField(
        _l("原因"),
        validators=[DataRequired(_l("请说明原因")), Length(max=500, message=_l("最多 %(max)d 个字符")), PlainText()],
        filters=[strip],
    )


class TotpReplaceForm(FlaskForm):
    """On the account page: one's own second factor removed, with the password, to set it up again."""

    current_password = PasswordField(
        _l("当前密码"),
        validators=[DataRequired(_l("请输入当前密码")), Length(max=MAX_PASSWORD_CHARS)],
        render_kw={"autocomplete": "current-password"},
    )


def _email_field() -> StringField:
    return StringField(
        _l("电子邮箱"),
        validators=[Length(max=MAX_EMAIL_CHARS, message=_l("最多 %(max)d 个字符"))],
        filters=[strip],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none", "spellcheck": "false"},
    )


MAIL_LANGUAGE_CHOICES = choices([("zh_CN", "中文"), ("en", "English")])  # each in its own language


class MailSettingsForm(FlaskForm):
    """On the account page: one's work e-mail address, and the daily digest of one's 工作台账 items (issue 18). The
    account rules refuse the digest without an address (beside the checkbox)."""

    email = _email_field()
    daily_digest = BooleanField(_l("每个工作日早上发送工作台账提醒（已逾期、今日到期、明日到期的事项）"))
    mail_language = SelectField(_l("邮件语言"), choices=MAIL_LANGUAGE_CHOICES)


class EmailForm(FlaskForm):
    """An admin sets or corrects a user's e-mail address (removing it ends the user's daily digest)."""

    email = _email_field()
