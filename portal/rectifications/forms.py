from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import DateField, FieldList, Form, FormField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.core.uploads import EVIDENCE
from portal.forms import REQUIRED, OnceForm, PlainText, choices, strip, strip_lines, too_long, upload_label
from portal.records.forms import IsoDateField
from portal.rectifications.rules import Outcome, Plan, Step

STEP_ROWS = 8  # rows of the measures list on the page (no JavaScript: empty rows are left out)
REASON_MAX = 2000


class ProgressForm(OnceForm):
    entry_date = DateField(_l("进展日期"), validators=[DataRequired(_l("请填写日期，格式如 2026-11-20"))])
    text = TextAreaField(_l("进展情况"), validators=[REQUIRED, Length(max=5000)])
    evidence = MultipleFileField(upload_label(_l("佐证材料"), EVIDENCE))


def given_date(field: Any) -> date:
    """The date of a required date field that validated."""
    value = field.data
    assert isinstance(value, date)
    return value


class StepRow(Form):
    """One row of the measures list: what is to be done and by when; a row left empty is no measure."""

    text = StringField(_l("措施内容"), filters=[strip], validators=[Optional(), too_long(500), PlainText()])
    deadline = IsoDateField(_l("完成期限"), validators=[Optional()])


class PlanForm(OnceForm):
    """整改方案: responsible unit and post (a post, never a person's name), the measures, the overall deadline."""

    responsible_unit = StringField(_l("责任单位"), filters=[strip], validators=[REQUIRED, too_long(200), PlainText()])
    responsible_post = StringField(_l("责任岗位"), filters=[strip], validators=[REQUIRED, too_long(100), PlainText()])
    steps = FieldList(FormField(StepRow), label=_l("措施清单"), min_entries=STEP_ROWS, max_entries=STEP_ROWS)
    deadline = IsoDateField(_l("整改期限"), validators=[REQUIRED])

    def validate_steps(self, field: FieldList) -> None:
        """A row needs both its text and its deadline, or neither."""
        for row in field:
            text, deadline = row.form.text, row.form.deadline
            if text.data and deadline.data is None and not deadline.errors:
                deadline.errors = [*deadline.errors, _l("请填写该措施的完成期限")]
            if deadline.data is not None and not text.data:
                text.errors = [*text.errors, _l("请填写措施内容")]

    def has_row_errors(self) -> bool:
        return any(row.form.text.errors or row.form.deadline.errors for row in self.steps)

    def plan(self) -> tuple[Plan, list[int]]:
        """The plan entered, and for each of its measures the form row it came from."""
        rows = [n for n, row in enumerate(self.steps) if row.form.text.data]
        steps = tuple(Step(self.steps[n].form.text.data, given_date(self.steps[n].form.deadline)) for n in rows)
        return (
            Plan(
                responsible_unit=self.responsible_unit.data or "",
                responsible_post=self.responsible_post.data or "",
                steps=steps,
                deadline=given_date(self.deadline),
            ),
            rows,
        )

    def fill(self, plan: Plan) -> None:
        self.responsible_unit.data = plan.responsible_unit
        self.responsible_post.data = plan.responsible_post
        self.deadline.process_data(plan.deadline)
        for row, step in zip(self.steps, plan.steps, strict=False):
            row.form.text.data = step.text
            row.form.deadline.process_data(step.deadline)


class RevisionForm(PlanForm):
    reason = TextAreaField(
        _l("调整理由"), filters=[strip_lines], validators=[REQUIRED, too_long(REASON_MAX), PlainText(multiline=True)]
    )


class StepDoneForm(OnceForm):
    step = RadioField(
        _l("完成的措施"), choices=[], validate_choice=False, validators=[DataRequired(_l("请选择完成的措施。"))]
    )
    done_on = IsoDateField(_l("完成日期"), validators=[REQUIRED])

    def set_steps(self, steps: list[Any]) -> None:
        self.step.choices = [(str(s.id), s.text) for s in steps if s.done_on is None]


class OutcomeForm(OnceForm):
    """Staff record the result directly, with a reason (沈政办发〔2018〕117号 二(三): 履行完毕, 和解, 销案)."""

    outcome = RadioField(
        _l("整改结果"),
        choices=choices(Outcome.choices()),
        validate_choice=False,
        validators=[DataRequired(_l("请选择整改结果。"))],
    )
    finished_on = IsoDateField(_l("办结日期"), validators=[REQUIRED])
    basis = StringField(_l("认定依据"), filters=[strip], validators=[REQUIRED, too_long(500), PlainText()])
    summary = TextAreaField(
        _l("公开说明"), filters=[strip_lines], validators=[Optional(), too_long(REASON_MAX), PlainText(multiline=True)]
    )
    reason = TextAreaField(
        _l("直接登记的理由"),
        filters=[strip_lines],
        validators=[REQUIRED, too_long(REASON_MAX), PlainText(multiline=True)],
    )

    def validate_outcome(self, field: RadioField) -> None:
        if field.data not in {o.value for o in Outcome}:
            raise ValidationError(_l("请从列出的整改结果中选择一项。"))


class CompletionForm(OnceForm):
    """The officer's report of 履行完毕, with its evidence, for staff to confirm."""

    finished_on = IsoDateField(_l("履行完毕日期"), validators=[REQUIRED])
    basis = StringField(_l("认定依据"), filters=[strip], validators=[REQUIRED, too_long(500), PlainText()])
    summary = TextAreaField(
        _l("情况说明"), filters=[strip_lines], validators=[Optional(), too_long(REASON_MAX), PlainText(multiline=True)]
    )
    evidence = MultipleFileField(upload_label(_l("佐证材料"), EVIDENCE))
