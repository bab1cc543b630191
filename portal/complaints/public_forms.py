"""The public complaint form (no account, no JavaScript needed) and the status look-up."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.complaints.rules import Category, FilerType
from portal.core.money import parse_yuan
from portal.core.uscc import normalise, uscc_error
from portal.forms import REQUIRED, PlainText, PublicForm, choices, strip, strip_lines

PHONE = re.compile(r"\+?[0-9][0-9 -]{4,28}")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_ATTACHMENTS = 5


class ComplaintForm(PublicForm):
    filer_type = RadioField(_l("投诉人类型"), choices=choices(FilerType.choices()), default=FilerType.INDIVIDUAL.value)
    name = StringField(_l("姓名或企业名称"), validators=[REQUIRED, Length(max=100), PlainText()], filters=[strip])
    uscc = StringField(_l("统一社会信用代码（企业必填）"), validators=[Optional(), PlainText()], filters=[strip])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30), PlainText()], filters=[strip])
    email = StringField(
        _l("电子邮箱"),
        validators=[Optional(), Length(max=200), Regexp(EMAIL, message=_l("请填写有效的电子邮箱地址"))],
        filters=[strip],
    )
    agency = SelectField(_l("被投诉单位"), choices=[], validate_choice=False)
    agency_typed = StringField(
        _l("被投诉单位不在列表中时，请填写其名称"), validators=[Length(max=200), PlainText()], filters=[strip]
    )
    category = SelectField(_l("投诉类别"), choices=choices(Category.choices()))
    description = TextAreaField(
        _l("投诉事项"), validators=[REQUIRED, Length(max=10000), PlainText(True)], filters=[strip_lines]
    )
    amount = StringField(_l("涉及金额（元，可不填）"), validators=[Length(max=30)], filters=[strip])
    attachments = MultipleFileField(_l("附件（PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB）"))
    publish_consent = BooleanField(_l("同意办结后将答复去除个人信息后公开"))
    consent = BooleanField(
        _l("我确认所填内容真实，并同意信用办为处理本投诉使用上述信息"),
        validators=[DataRequired(_l("请确认后再提交"))],
    )

    def validate_uscc(self, field: StringField) -> None:
        if self.filer_type.data == FilerType.ENTERPRISE.value:
            if not field.data:
                raise ValidationError(_l("企业投诉请填写统一社会信用代码"))
            if uscc_error(normalise(field.data)) is not None:
                raise ValidationError(_l("统一社会信用代码有误，请核对（18 位，末位为校验码）"))
            field.data = normalise(field.data)

    def validate_phone(self, field: StringField) -> None:
        if field.data and not PHONE.fullmatch(field.data):
            raise ValidationError(_l("请填写有效的电话号码"))
        if not field.data and not self.email.data:
            raise ValidationError(_l("请至少填写联系电话或电子邮箱中的一项"))

    def validate_agency_typed(self, field: StringField) -> None:
        if not self.agency.data and not field.data:
            raise ValidationError(_l("请选择被投诉单位，或填写其名称"))

    def validate_amount(self, field: StringField) -> None:
        if field.data:
            try:
                parse_yuan(field.data)
            except ValueError:
                raise ValidationError(_l("请填写金额（元），最多两位小数，如 12345.67")) from None

    def validate_filer_type(self, field: RadioField) -> None:
        if field.data not in {f.value for f in FilerType}:
            raise ValidationError(_l("请选择投诉人类型"))


class StatusForm(FlaskForm):
    """The receipt: the public number and the secret (posted, so that the secret is in no address or log)."""

    number = StringField(_l("投诉编号"), validators=[REQUIRED, Length(max=30)], filters=[strip])
    secret = StringField(_l("查询码"), validators=[REQUIRED, Length(max=60)], filters=[strip])
