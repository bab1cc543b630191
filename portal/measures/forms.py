"""The credit office's form to apply a joint measure and to lift one; the implementing unit's form to confirm it
已落实."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, ValidationError

from portal.agencies.models import Agency
from portal.forms import REQUIRED, OnceForm, PlainText, choices, strip, text_field
from portal.measures.rules import MeasureKind
from portal.records.forms import IsoDateField

TEXT_MAX = 5000


class ApplyMeasureForm(OnceForm):
    kind = SelectField(
        _l("惩戒措施"),
        choices=choices([("", _l("请选择")), *MeasureKind.choices()]),
        validators=[REQUIRED],
        validate_choice=False,  # an unknown code is named in words below
    )
    implementing_agency = SelectField(_l("实施单位"), validators=[REQUIRED], choices=[], validate_choice=False)
    document_number = StringField(_l("文号"), validators=[REQUIRED, Length(max=100), PlainText()], filters=[strip])
    applied_on = IsoDateField(_l("开始日期"), validators=[REQUIRED])
    basis = text_field(_l("实施依据"), TEXT_MAX, required=True)
    note = text_field(_l("说明"), TEXT_MAX, required=False)

    agency_ids: frozenset[int] = frozenset()

    def set_agencies(self, agencies: Sequence[Agency]) -> None:
        self.implementing_agency.choices = [
            ("", str(_l("请选择"))),
            *((str(a.id), f"{a.name}（{a.uscc}）") for a in agencies),
        ]
        self.agency_ids = frozenset(a.id for a in agencies)

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in MeasureKind.codes():
            raise ValidationError(_l("请从列表中选择惩戒措施"))

    def validate_implementing_agency(self, field: SelectField) -> None:
        data = str(field.data)
        if not (data.isascii() and data.isdigit() and int(data) in self.agency_ids):
            raise ValidationError(_l("请从列表中选择实施单位"))


class ConfirmMeasureForm(OnceForm):
    confirmed_on = IsoDateField(_l("落实日期"), validators=[REQUIRED])
    confirm_note = text_field(_l("落实情况"), TEXT_MAX, required=False)


class LiftMeasureForm(OnceForm):
    lifted_on = IsoDateField(_l("解除日期"), validators=[REQUIRED])
    lift_reason = text_field(_l("解除理由"), TEXT_MAX, required=True)
