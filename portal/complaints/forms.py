"""Forms of complaints."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from portal.complaints.rules import RefusalReason
from portal.forms import REQUIRED, OnceForm, PlainText, choices, strip, strip_lines, too_long

# workspace forms

NOTE_MAX = 2000
ANSWER_MAX = 10000


class RevealForm(FlaskForm):
    """Only CSRF: showing the contact again is another audited look, not a new item."""


class AcceptForm(OnceForm):
    """已受理: nothing to fill in."""


class RefuseForm(OnceForm):
    """不予受理, for one of the fixed reasons; the note is shown to the complainant with the reason."""

    reason = RadioField(
        _l("不予受理的理由"),
        choices=choices(RefusalReason.choices()),
        validate_choice=False,
        validators=[DataRequired(_l("请选择不予受理的理由。"))],
    )
    refuse_note = TextAreaField(
        _l("补充说明（可不填，投诉人会看到）"),
        validators=[too_long(NOTE_MAX), PlainText(True)],
        filters=[strip_lines],
    )

    def validate_reason(self, field: RadioField) -> None:
        if field.data not in {r.value for r in RefusalReason}:
            raise ValidationError(_l("请从列出的理由中选择一项。"))

    def refusal_reason(self) -> RefusalReason:
        return RefusalReason(self.reason.data)


class TransferForm(OnceForm):
    """已转办 to an agency's officers (the list's choices are set by the view)."""

    agency = SelectField(_l("转办给"), choices=[], validate_choice=False, validators=[REQUIRED])
    transfer_note = TextAreaField(
        _l("转办说明（可不填，投诉人和承办单位会看到）"),
        validators=[too_long(NOTE_MAX), PlainText(True)],
        filters=[strip_lines],
    )

    def set_agencies(self, agencies: list[tuple[int, str]]) -> None:
        self.agency.choices = choices([("", _l("请选择")), *((str(i), name) for i, name in agencies)])
        self._known = {str(i) for i, _name in agencies}

    def validate_agency(self, field: SelectField) -> None:
        if field.data not in getattr(self, "_known", set()):
            raise ValidationError(_l("请从列表中选择承办单位。"))

    def agency_id(self) -> int:
        return int(self.agency.data or "0")


class AgencyAnswerForm(OnceForm):
    """部门已反馈: what the agency's officers found and did."""

    agency_answer = TextAreaField(
        _l("反馈内容"),
        validators=[REQUIRED, too_long(ANSWER_MAX), PlainText(True)],
        filters=[strip_lines],
    )


class CloseForm(OnceForm):
    """已办结 with the credit office's answer to the complainant."""

    answer = TextAreaField(
        _l("给投诉人的答复"),
        validators=[REQUIRED, too_long(ANSWER_MAX), PlainText(True)],
        filters=[strip_lines],
    )


class ReturnForm(OnceForm):
    """退回重办: after a 不满意 rating, back to the agency once, with what is asked of it."""

    return_note = TextAreaField(
        _l("退回理由和要求（投诉人和承办单位会看到）"),
        validators=[REQUIRED, too_long(NOTE_MAX), PlainText(True)],
        filters=[strip_lines],
    )


class PublishForm(OnceForm):
    """The public version of the answer: prefilled with personal data taken out, checked again when posted."""

    public_answer = TextAreaField(
        _l("公开版本的答复"),
        validators=[REQUIRED, too_long(ANSWER_MAX), PlainText(True)],
        filters=[strip_lines],
    )


class LinkRecordForm(OnceForm):
    """Link the complaint to an existing record, named by its number (the id in its address /records/<id>)."""

    record = StringField(_l("失信记录编号"), validators=[REQUIRED, too_long(10)], filters=[strip])

    def validate_record(self, field: StringField) -> None:
        if not (str(field.data).isascii() and str(field.data).isdigit()):
            raise ValidationError(_l("请填写记录编号（数字，即记录地址 /records/ 后的数字）"))

    def record_id(self) -> int:
        return int(self.record.data or "0")
