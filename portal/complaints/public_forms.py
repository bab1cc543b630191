"""The public complaint form (no account, no JavaScript needed) and the status look-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.complaints.rules import Category, FilerType, Satisfaction
from portal.core.uploads import EVIDENCE
from portal.forms import (
    REQUIRED,
    PlainText,
    PublicForm,
    YuanField,
    choices,
    email_field,
    normalise_uscc,
    phone_field,
    strip,
    strip_lines,
    upload_label,
    uscc_message,
)

ATTACHMENTS = EVIDENCE  # the upload policy of the attachments


class ComplaintForm(PublicForm):
    filer_type = RadioField(_l("投诉人类型"), choices=choices(FilerType.choices()), default=FilerType.INDIVIDUAL.value)
    name = StringField(_l("姓名或企业名称"), validators=[REQUIRED, Length(max=100), PlainText()], filters=[strip])
    uscc = StringField(  # checked for enterprises only (validate_uscc, which runs when it is empty too)
        _l("统一社会信用代码（企业必填）"), validators=[PlainText()], filters=[normalise_uscc]
    )
    phone = phone_field()  # one of phone and e-mail is needed
    email = email_field()
    agency = SelectField(_l("被投诉单位"), choices=[], validate_choice=False)
    agency_typed = StringField(
        _l("被投诉单位不在列表中时，请填写其名称"), validators=[Length(max=200), PlainText()], filters=[strip]
    )
    category = SelectField(_l("投诉类别"), choices=choices(Category.choices()))
    description = TextAreaField(
        _l("投诉事项"), validators=[REQUIRED, Length(max=10000), PlainText(True)], filters=[strip_lines]
    )
    amount = YuanField(_l("涉及金额（元，可不填）"), validators=[Optional()])  # fen
    attachments = MultipleFileField(upload_label(_l("附件"), ATTACHMENTS))
    publish_consent = BooleanField(_l("同意办结后将答复去除个人信息后公开"))
    consent = BooleanField(
        _l("我确认所填内容真实，并同意信用办为处理本投诉使用上述信息"),
        validators=[DataRequired(_l("请确认后再提交"))],
    )

    def validate_uscc(self, field: StringField) -> None:
        if self.filer_type.data == FilerType.ENTERPRISE.value:
            if not field.data:
                raise ValidationError(_l("企业投诉请填写统一社会信用代码"))
            message = uscc_message(field.data)
            if message:
                raise ValidationError(message)

    def validate_agency_typed(self, field: StringField) -> None:
        if not self.agency.data and not field.data:
            raise ValidationError(_l("请选择被投诉单位，或填写其名称"))

    def validate_filer_type(self, field: RadioField) -> None:
        if field.data not in {f.value for f in FilerType}:
            raise ValidationError(_l("请选择投诉人类型"))


class StatusForm(FlaskForm):
    """The receipt: the public number and the secret (posted, so that the secret is in no address or log)."""

    number = StringField(_l("投诉编号"), validators=[REQUIRED, Length(max=30)], filters=[strip])
    secret = StringField(_l("查询码"), validators=[REQUIRED, Length(max=60)], filters=[strip])


RATING_COMMENT_MAX = 2000


class RatingForm(FlaskForm):
    """The complainant rates a closed complaint's answer (issue 18). It proves who is rating the way the status page
    was opened: the receipt posted again (number and secret, hidden), or the signed link's token."""

    number = HiddenField(validators=[Length(max=30)], filters=[strip])
    secret = HiddenField(validators=[Length(max=60)], filters=[strip])
    t = HiddenField(validators=[Length(max=200)], filters=[strip])
    rating = RadioField(
        _l("您对答复的评价"),
        choices=choices(Satisfaction.choices()),
        validate_choice=False,
        validators=[DataRequired(_l("请选择满意、基本满意或不满意。"))],
    )
    rating_comment = TextAreaField(
        _l("意见（选择不满意时必填）"),
        validators=[Length(max=RATING_COMMENT_MAX), PlainText(True)],
        filters=[strip_lines],
    )

    def validate_rating(self, field: RadioField) -> None:
        if field.data not in {s.value for s in Satisfaction}:
            raise ValidationError(_l("请选择满意、基本满意或不满意。"))

    def validate_rating_comment(self, field: TextAreaField) -> None:
        if self.rating.data == Satisfaction.DISSATISFIED.value and not field.data:
            raise ValidationError(_l("请说明不满意的原因，信用办据此决定是否退回承办单位重新办理。"))

    def satisfaction(self) -> Satisfaction:
        return Satisfaction(self.rating.data)
