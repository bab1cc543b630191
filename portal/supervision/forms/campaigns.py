"""The form that opens a commitment campaign (定期承诺征集; 泰信用办〔2022〕12号 二(一), 泗政秘〔2018〕145号 (十四)): a
title, the commitment's subject, the agencies called on — ticked one by one, or every open agency of a kind at once
(all townships, all departments) — the due date and a note. The rules (a due date not before today, at least one
agency, none closed) are the operation's."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from portal.agencies.rules import AgencyKind
from portal.commitments.rules import CommitmentSubject
from portal.forms import REQUIRED, OnceForm, PlainText, choices, strip, strip_lines, too_long
from portal.records.forms import IsoDateField
from portal.supervision.operations.campaigns import TITLE_MAX

NOTE_MAX = 5000
MOST_AGENCIES = 5000  # more ticked boxes than that is not a person's form


class CampaignForm(OnceForm):
    title = StringField(_l("征集名称"), validators=[REQUIRED, too_long(TITLE_MAX), PlainText()], filters=[strip])
    subject = SelectField(
        _l("承诺主题"),
        choices=choices([("", _l("请选择")), *CommitmentSubject.choices()]),
        validators=[REQUIRED],
        validate_choice=False,
    )
    agencies = SelectMultipleField(_l("征集单位"), choices=[], validate_choice=False)
    kinds = SelectMultipleField(_l("按类别选择全部存续单位"), choices=[], validate_choice=False)
    due_on = IsoDateField(_l("报送截止日期"), validators=[REQUIRED])
    note = TextAreaField(
        _l("说明"), validators=[Optional(), too_long(NOTE_MAX), PlainText(True)], filters=[strip_lines]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds.choices = [(kind.value, kind.label) for kind in AgencyKind]

    def validate_subject(self, field: SelectField) -> None:
        if field.data not in CommitmentSubject.codes():
            raise ValidationError(_l("请从列表中选择承诺主题"))

    def validate_agencies(self, field: SelectMultipleField) -> None:
        data = field.data or []
        if len(data) > MOST_AGENCIES or not all(
            str(value).isascii() and str(value).isdigit() and len(str(value)) <= 10 for value in data
        ):
            raise ValidationError(_l("请从列表中选择单位"))

    def validate_kinds(self, field: SelectMultipleField) -> None:
        if not set(field.data or []) <= set(AgencyKind.codes()):
            raise ValidationError(_l("请从列表中选择单位类别"))

    def agency_ids(self) -> set[int]:
        return {int(value) for value in self.agencies.data or []}

    def chosen_kinds(self) -> set[AgencyKind]:
        return {AgencyKind(value) for value in self.kinds.data or []}
