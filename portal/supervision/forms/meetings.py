"""The 约谈 and 现场督办 registers' forms: schedule a meeting, hold it (minutes and up to five undertakings with their
dates), cancel it, record an undertaking kept, publish a held 约谈 as a 约谈告诫 measure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from portal.agencies.models import Agency
from portal.forms import REQUIRED, OnceForm, choices, line_field, text_field
from portal.records.forms import IsoDateField
from portal.supervision.operations.meetings import PLACE_MAX, POST_MAX, TEXT_MAX
from portal.supervision.rules import MeetingKind

UNDERTAKING_ROWS = 5  # the hold form's rows; empty ones are ignored
UNDERTAKING_MAX = 1000


def _agency_choices(agencies: Sequence[Agency]) -> list[tuple[str, str]]:
    return [("", str(_l("请选择"))), *((str(a.id), f"{a.name}（{a.uscc}）") for a in agencies)]


def _chosen_id(field: SelectField, allowed: frozenset[int], message: Any) -> None:
    data = str(field.data)
    if not (data.isascii() and data.isdigit() and int(data) in allowed):
        raise ValidationError(message)


class ScheduleMeetingForm(OnceForm):
    kind = SelectField(
        _l("类别"),
        choices=choices([("", _l("请选择")), *MeetingKind.choices()]),
        validators=[REQUIRED],
        validate_choice=False,  # an unknown code is named in words below
    )
    agency = SelectField(_l("约谈或督办对象"), validators=[REQUIRED], choices=[], validate_choice=False)
    scheduled_on = IsoDateField(_l("安排日期"), validators=[REQUIRED])
    place = line_field(_l("地点"), PLACE_MAX)
    interviewer_post = line_field(_l("约谈人或督办带队（职务）"), POST_MAX)
    attendee_post = line_field(_l("被约谈或督办单位参加人（职务）"), POST_MAX)
    reason = text_field(_l("事由"), TEXT_MAX, required=False)

    agency_ids: frozenset[int] = frozenset()

    def set_agencies(self, agencies: Sequence[Agency]) -> None:
        self.agency.choices = _agency_choices(agencies)
        self.agency_ids = frozenset(a.id for a in agencies)

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in MeetingKind.codes():
            raise ValidationError(_l("请选择约谈或现场督办"))

    def validate_agency(self, field: SelectField) -> None:
        _chosen_id(field, self.agency_ids, _l("请从列表中选择被约谈或督办的机构"))


def _row_text(n: int) -> StringField:
    return line_field(_l("承诺事项 %(n)d", n=n), UNDERTAKING_MAX, required=False)


def _row_due(n: int) -> IsoDateField:
    return IsoDateField(_l("完成期限 %(n)d", n=n), validators=[Optional()])


class HoldMeetingForm(OnceForm):
    held_on = IsoDateField(_l("举行日期"), validators=[REQUIRED])
    minutes = text_field(_l("纪要"), TEXT_MAX * 4, required=True)
    # what the body undertook, each by its date (如东县办法 三(二)): up to five rows, empty ones ignored
    undertaking_1, undertaking_due_1 = _row_text(1), _row_due(1)
    undertaking_2, undertaking_due_2 = _row_text(2), _row_due(2)
    undertaking_3, undertaking_due_3 = _row_text(3), _row_due(3)
    undertaking_4, undertaking_due_4 = _row_text(4), _row_due(4)
    undertaking_5, undertaking_due_5 = _row_text(5), _row_due(5)

    def row_fields(self) -> list[tuple[Field, Field]]:
        """Each row's (text, due day) fields, in order."""
        return [(self[f"undertaking_{n}"], self[f"undertaking_due_{n}"]) for n in range(1, UNDERTAKING_ROWS + 1)]

    def rows(self) -> list[tuple[int, str, date]]:
        """The filled rows (number from 1, text, due day); call after `validate`."""
        return [
            (n, text.data, due.data)
            for n, (text, due) in enumerate(self.row_fields(), start=1)
            if text.data and due.data is not None
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then each row: a text needs its due day and a due day its text (the error beside that row)."""
        valid = super().validate(extra_validators)
        for text, due in self.row_fields():
            if text.errors or due.errors:
                continue
            if text.data and due.data is None:
                due.errors = [*due.errors, str(_l("请填写该承诺事项的完成期限"))]
                valid = False
            elif due.data is not None and not text.data:
                text.errors = [*text.errors, str(_l("请填写承诺事项，或清除该行的完成期限"))]
                valid = False
        return valid


class CancelMeetingForm(OnceForm):
    cancel_reason = text_field(_l("取消理由"), TEXT_MAX, required=True)


class KeepUndertakingForm(OnceForm):
    done_on = IsoDateField(_l("履行日期"), validators=[REQUIRED])
    done_note = text_field(_l("履行情况"), TEXT_MAX, required=False)


class PublishMeasureForm(OnceForm):
    implementing_agency = SelectField(_l("实施单位"), validators=[REQUIRED], choices=[], validate_choice=False)
    document_number = line_field(_l("文号"), 100)
    basis = text_field(_l("实施依据"), TEXT_MAX, required=True)

    agency_ids: frozenset[int] = frozenset()

    def set_agencies(self, agencies: Sequence[Agency]) -> None:
        self.implementing_agency.choices = _agency_choices(agencies)
        self.agency_ids = frozenset(a.id for a in agencies)

    def validate_implementing_agency(self, field: SelectField) -> None:
        _chosen_id(field, self.agency_ids, _l("请从列表中选择实施单位"))
