"""The forms of court cases against government bodies (涉政府案件): registering the suit (新信用发〔2018〕6号 二(一)),
then one form per step on the case's page — the hearing date, a 庭外信用调解 session (泰信用办〔2022〕12号 二(三)),
the judgment and the performance (新信用发〔2018〕6号 二(二)), the 司法判决（败诉） record. The forms check the input's
shape; the rules (dates in order, a 案号 not reused, the stage) are the operations'. Field names are unique across
the case page's forms, so each error stands beside its own field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from portal.agencies.models import Agency
from portal.core.periods import Severity
from portal.forms import (
    REQUIRED,
    OnceForm,
    YuanField,
    choices,
    line_field,
    text_field,
)
from portal.records.forms import IsoDateField
from portal.supervision.operations.cases import CASE_NUMBER_MAX, NAME_MAX, CaseValues
from portal.supervision.rules import CaseStage, MediationResult

TEXT_MAX = 5000


def _is_id(value: Any) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 10


class CaseForm(OnceForm):
    """A suit as the court reported it (新信用发〔2018〕6号 二(一))."""

    agency = SelectField(_l("被告单位"), validators=[REQUIRED], choices=[], validate_choice=False)
    case_number = line_field(_l("案号"), CASE_NUMBER_MAX)
    court = line_field(_l("审理法院"), NAME_MAX)
    plaintiff = line_field(_l("原告"), NAME_MAX)
    cause = line_field(_l("案由"), NAME_MAX)
    amount_fen = YuanField(_l("标的额（元）"), validators=[Optional()])
    filed_on = IsoDateField(_l("立案日期"), validators=[REQUIRED])
    hearing_on = IsoDateField(_l("开庭日期"), validators=[Optional()])
    notified_on = IsoDateField(_l("收到法院通报日期"), validators=[Optional()])
    note = text_field(_l("备注"), TEXT_MAX, required=False)

    def set_agencies(self, agencies: Sequence[Agency]) -> None:
        self.agency.choices = [("", str(_l("请选择"))), *((str(a.id), f"{a.name}（{a.uscc}）") for a in agencies)]

    def validate_agency(self, field: SelectField) -> None:
        if not _is_id(field.data):
            raise ValidationError(_l("请从列表中选择被告单位"))

    def values(self) -> CaseValues:
        """The validated input as register_case takes it."""
        return {
            "agency": int(self.agency.data),
            "case_number": self.case_number.data or "",
            "court": self.court.data or "",
            "plaintiff": self.plaintiff.data or "",
            "cause": self.cause.data or "",
            "amount_fen": self.amount_fen.data,
            "filed_on": self.filed_on.data,
            "hearing_on": self.hearing_on.data,
            "notified_on": self.notified_on.data,
            "note": self.note.data or "",
        }


class HearingForm(OnceForm):
    hearing_on = IsoDateField(_l("开庭日期"), validators=[REQUIRED])


class MediationForm(OnceForm):
    """A 庭外信用调解 session (泰信用办〔2022〕12号 二(三))."""

    held_on = IsoDateField(_l("调解日期"), validators=[REQUIRED])
    mediator = line_field(_l("调解组织或调解人（按职务）"), NAME_MAX)
    result = SelectField(
        _l("调解结果"),
        choices=choices([("", _l("请选择")), *MediationResult.choices()]),
        validators=[REQUIRED],
        validate_choice=False,
    )
    mediation_note = text_field(_l("调解情况"), TEXT_MAX, required=False)

    def validate_result(self, field: SelectField) -> None:
        if field.data not in MediationResult.codes():
            raise ValidationError(_l("请从列表中选择调解结果"))


DECIDED_STAGES = [stage for stage in CaseStage if stage is not CaseStage.PENDING]


class JudgmentForm(OnceForm):
    """The judgment, or the case closed otherwise (新信用发〔2018〕6号 二(二))."""

    stage = SelectField(
        _l("判决或结案结果"),
        choices=choices([("", _l("请选择")), *((s.value, s.label) for s in DECIDED_STAGES)]),
        validators=[REQUIRED],
        validate_choice=False,
    )
    judged_on = IsoDateField(_l("判决（裁定）或结案日期"), validators=[REQUIRED])
    judgment = text_field(_l("判决结果"), TEXT_MAX, required=False)
    performance_due = IsoDateField(_l("履行期限"), validators=[Optional()])

    def validate_stage(self, field: SelectField) -> None:
        if field.data not in {s.value for s in DECIDED_STAGES}:
            raise ValidationError(_l("请从列表中选择判决或结案结果"))


class FulfilmentForm(OnceForm):
    """A lost case fulfilled, or settled with the applicant and the settlement performed."""

    fulfilled_on = IsoDateField(_l("履行完毕日期"), validators=[REQUIRED])
    fulfilment_note = text_field(_l("履行情况"), TEXT_MAX, required=False)


class CaseRecordForm(OnceForm):
    """The lost case made a 司法判决（败诉） record: only its severity is asked, the rest comes from the case."""

    severity = SelectField(
        _l("严重程度"),
        choices=choices(Severity.choices()),
        default=Severity.GENERAL.value,
        validate_choice=False,
    )

    def validate_severity(self, field: SelectField) -> None:
        if field.data not in {s.value for s in Severity}:
            raise ValidationError(_l("请从列表中选择严重程度"))
