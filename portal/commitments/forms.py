from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment, Scope
from portal.core.uploads import COMMITMENT_LETTER
from portal.forms import REQUIRED, OnceForm, choices, upload_label


class CommitmentForm(OnceForm):
    """A commitment's fields (DESIGN.md) and its signed letter as a PDF."""

    title = StringField(_l("承诺名称"), validators=[REQUIRED, Length(max=200)])
    type = SelectField(_l("承诺类型"), choices=choices(CommitmentType.choices()))
    subject = SelectField(_l("承诺主题"), choices=choices(CommitmentSubject.choices()))
    reason = TextAreaField(_l("承诺事由"), validators=[REQUIRED, Length(max=5000)])
    content = TextAreaField(_l("承诺内容"), validators=[REQUIRED, Length(max=20000)])
    liability = TextAreaField(_l("违诺责任"), validators=[REQUIRED, Length(max=5000)])
    made_on = DateField(_l("承诺日期"), validators=[DataRequired(_l("请填写日期，格式如 2026-11-20"))])
    valid_until = DateField(_l("有效期至（长期有效可不填）"), validators=[Optional()])
    accepting_unit = StringField(_l("承诺受理单位"), validators=[REQUIRED, Length(max=200)])
    scope = SelectField(_l("公开范围"), choices=choices(Scope.choices()))
    letter = FileField(
        upload_label(_l("签章承诺书"), COMMITMENT_LETTER),
        description=_l("必须是可以打开、未加密的 PDF 文件，最大 %(mb)d MB。", mb=COMMITMENT_LETTER.max_mb),  # the hint
    )

    def validate_valid_until(self, field: DateField) -> None:
        if field.data and self.made_on.data and field.data < self.made_on.data:
            raise ValidationError(_l("有效期不能早于承诺日期"))


class FulfilmentForm(OnceForm):
    fulfilment = SelectField(
        _l("履行情况"),
        choices=choices((f.value, f.label) for f in Fulfilment if f is not Fulfilment.IN_PROGRESS),
    )
    determined_on = DateField(_l("认定日期"), validators=[DataRequired(_l("请填写日期，格式如 2026-11-20"))])
    determined_by = StringField(_l("认定单位"), validators=[REQUIRED, Length(max=200)])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])
