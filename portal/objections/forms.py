"""The public's objection form and status look-up (PublicForm: CSRF, one-time token, honeypot, minimum fill time),
and the staff's forms on an objection's page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from portal.core.uploads import EVIDENCE
from portal.forms import (
    REQUIRED,
    OnceForm,
    PlainText,
    PublicForm,
    choices,
    email_field,
    lazy_upload_rule,
    phone_field,
    strip,
    strip_lines,
    too_long,
)
from portal.objections.rules import DECIDED, Ground, ObjectionStatus
from portal.receipts.rules import normalise_number

EXPLANATION_MAX = 5000


class ObjectionForm(PublicForm):
    ground = SelectField(
        _l("异议理由"),
        choices=choices([("", _l("请选择")), *Ground.choices()]),
        validators=[REQUIRED],
        validate_choice=False,
    )
    explanation = TextAreaField(
        _l("异议说明"),
        validators=[REQUIRED, too_long(EXPLANATION_MAX), PlainText(True)],
        filters=[strip_lines],
    )
    evidence = MultipleFileField(
        _l("证明材料"),
        description=_l("可选。%(rule)s，按文件内容核验。", rule=lazy_upload_rule(EVIDENCE)),  # the hint
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    name = StringField(_l("姓名或单位名称"), validators=[REQUIRED, too_long(100), PlainText()], filters=[strip])
    phone = phone_field()  # one of phone and e-mail is needed
    email = email_field()
    consent = BooleanField(
        _l("我承诺所填内容真实，并同意信用办为处理本异议使用我的联系方式；这些信息不会公开。"),
        validators=[DataRequired(_l("请阅读并勾选此声明后再提交。"))],
    )

    def validate_ground(self, field: SelectField) -> None:
        if field.data not in {g.value for g in Ground}:
            raise ValidationError(_l("请从列表中选择异议理由。"))

    def objection_ground(self) -> Ground:
        return Ground(self.ground.data)


def _number(value: Any) -> Any:
    return normalise_number(value)[:40] if isinstance(value, str) else value


class StatusForm(PublicForm):
    """Number and secret, posted (so that the secret is in no address and no log line)."""

    number = StringField(_l("异议编号"), validators=[REQUIRED, too_long(20), PlainText()], filters=[_number])
    secret = StringField(
        _l("查询码"),
        validators=[REQUIRED, too_long(60), PlainText()],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )


class RevealForm(FlaskForm):
    """Only CSRF: showing the contact again is another audited look, not a second item."""


class AcceptForm(OnceForm):
    pass


class DecisionForm(OnceForm):
    outcome = RadioField(
        _l("核查结论"),
        choices=choices((s.value, s.label) for s in ObjectionStatus if s in DECIDED),
        validate_choice=False,
        validators=[DataRequired(_l("请选择核查结论。"))],
    )
    reason = TextAreaField(
        _l("理由（异议人会看到）"),
        validators=[REQUIRED, too_long(EXPLANATION_MAX), PlainText(True)],
        filters=[strip_lines],
    )

    def validate_outcome(self, field: RadioField) -> None:
        if field.data not in {s.value for s in DECIDED}:
            raise ValidationError(_l("请选择核查结论。"))

    def decided(self) -> ObjectionStatus:
        return ObjectionStatus(self.outcome.data)
