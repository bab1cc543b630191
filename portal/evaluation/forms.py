"""The evaluation's workspace form: staff score a month."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, StringField
from wtforms.validators import ValidationError

from portal.core.months import Month
from portal.forms import REQUIRED, OnceForm, strip

MONTH_FORMAT = _l("请按 YYYY-MM 的格式填写月份，例如 2026-10。")


def valid_month(form: Form, field: Field) -> None:
    try:
        Month.parse(field.data or "")
    except ValueError:
        raise ValidationError(MONTH_FORMAT) from None


class ScoreMonthForm(OnceForm):
    month = StringField(_l("评价月份"), validators=[REQUIRED, valid_month], filters=[strip])

    def chosen(self) -> Month:
        """The month entered (only after `validate()`)."""
        return Month.parse(self.month.data or "")
