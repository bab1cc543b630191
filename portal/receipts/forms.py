"""Rate limits of the public's forms and receipt look-ups (the forms' base, PublicForm, is in portal/forms.py), and
the form that replaces a lost secret (issue 18)."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from portal.forms import REQUIRED, PlainText, strip, too_long
from portal.receipts.rules import NUMBER_PATTERN, normalise_number, typed_contact

LOOKUP_LIMIT = "30 per hour"  # receipt look-ups per address: guessing is refused long before it could succeed
RECOVER_LIMIT = "5 per hour"  # recoveries per address: each can reveal nothing, but each is a message to someone
RECOVER_NUMBER_LIMIT = "5 per day"  # recoveries per case number, from anywhere: a filer is not flooded with mail


def public_form_limit() -> str:
    """Complaints and objections filed per address (PORTAL_PUBLIC_FORM_LIMIT), for flask-limiter."""
    return str(current_app.config["PORTAL_SETTINGS"].public_form_limit)


def recovered_number() -> str:
    """The rate-limit key of a recovery: the case number posted (in its stored form), not the address."""
    return "recover:" + normalise_number(request.form.get("number", ""))[:30]


class RecoverForm(FlaskForm):
    """A lost secret: the case number and the phone or e-mail address given at filing. Only what was typed is
    checked here (the same for every case); whether it matches a case is never said."""

    number = StringField(
        _l("编号"), validators=[REQUIRED, too_long(30), PlainText()], filters=[strip], render_kw={"autocomplete": "off"}
    )
    contact = StringField(
        _l("登记时填写的电子邮箱或联系电话"),
        validators=[REQUIRED, too_long(200), PlainText()],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )

    def validate_number(self, field: StringField) -> None:
        if not NUMBER_PATTERN.fullmatch(normalise_number(field.data or "")):
            raise ValidationError(_l("请按回执填写编号，如 TS-2026-000123（投诉）或 YY-2026-000123（异议）。"))

    def validate_contact(self, field: StringField) -> None:
        if typed_contact(field.data or "") is None:
            raise ValidationError(_l("请填写有效的电子邮箱（如 name@example.cn）或电话号码（如 13812345678）。"))
