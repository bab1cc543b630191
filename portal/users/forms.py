from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from portal.labels import ROLE
from portal.users.rules import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from portal.workspace.forms import OnceForm


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


ROLE_CHOICES = list(ROLE.items())


class UserForm(OnceForm):
    """An admin creates an account."""

    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=80)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名")), Length(max=100)])
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    agency = SelectField(_l("所属机构（仅机构填报员）"), choices=[], validate_choice=False)
    password = PasswordField(
        _l("初始密码"),
        validators=[DataRequired(_l("请输入密码")), Length(min=MIN_PASSWORD_CHARS, max=MAX_PASSWORD_CHARS)],
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    agency = SelectField(_l("所属机构（仅机构填报员）"), choices=[], validate_choice=False)


class ActiveForm(FlaskForm):
    active = BooleanField(_l("账号可用"))
    reason = StringField(_l("原因"), validators=[Length(max=500)])
