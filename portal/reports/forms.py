"""The bulletin's workspace forms: make a month's draft, edit its narrative, make its figures again, publish it,
add an erratum. Every one is a OnceForm: posted twice, it acts once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, ValidationError

from portal.core.months import Month
from portal.forms import REQUIRED, OnceForm, PlainText, line_field, strip, text_field, too_long
from portal.reports.rules import ERRATUM_MAX, TEXT_MAX, TITLE_MAX


class DraftForm(OnceForm):
    month = StringField(_l("月份"), validators=[REQUIRED, too_long(7), PlainText()], filters=[strip])

    def validate_month(self, field: StringField) -> None:
        try:
            Month.parse(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("请按“2026-11”的格式填写月份（年份四位，月份两位）。")) from exc

    @property
    def chosen(self) -> Month:
        return Month.parse(self.month.data or "")  # validated


class EditForm(OnceForm):
    title = line_field(_l("标题"), TITLE_MAX)
    summary = text_field(_l("总体情况"), TEXT_MAX, required=False)
    notable = text_field(_l("典型案例"), TEXT_MAX, required=False)
    next_steps = text_field(_l("下一步工作"), TEXT_MAX, required=False)


class RemakeForm(OnceForm):
    """Make the draft's figures again: nothing to fill in."""


class PublishForm(OnceForm):
    checked = BooleanField(
        _l("我已核对数据和文字，确认发布；发布后不能再修改，只能添加勘误。"),
        validators=[DataRequired(_l("请勾选确认后再发布。"))],
    )


class ErratumForm(OnceForm):
    text = text_field(_l("勘误内容"), ERRATUM_MAX, required=True)
