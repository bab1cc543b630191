"""Staff forms of the money side: subtype, an instalment, an incentive, a payment with evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from portal.arrears.models import Incentive
from portal.arrears.rules import Subtype
from portal.core.money import format_yuan
from portal.core.uploads import EVIDENCE
from portal.forms import REQUIRED, OnceForm, PlainText, YuanField, choices, strip, strip_lines, too_long, upload_label
from portal.records.forms import IsoDateField


def given_date(field: IsoDateField) -> date:
    """A required date field's value, once the form validated."""
    assert isinstance(field.data, date)
    return field.data


def given_fen(field: YuanField) -> int:
    """A required amount field's value in fen, once the form validated."""
    assert isinstance(field.data, int)
    return field.data


class SubtypeForm(OnceForm):
    subtype = SelectField(
        _l("拖欠账款类别"), choices=choices([("", _l("请选择")), *Subtype.choices()]), validate_choice=False
    )

    def validate_subtype(self, field: SelectField) -> None:
        if field.data not in {s.value for s in Subtype}:
            raise ValidationError(_l("请从列表中选择类别"))


class InstalmentForm(OnceForm):
    instalment_due = IsoDateField(_l("计划还款日期"), validators=[REQUIRED])
    instalment_amount = YuanField(_l("计划还款金额（元）"), validators=[REQUIRED])


class IncentiveForm(OnceForm):
    item = StringField(_l("承诺的优惠政策"), validators=[REQUIRED, too_long(200), PlainText()], filters=[strip])
    incentive_amount = YuanField(_l("承诺金额（元）"), validators=[REQUIRED])
    incentive_due = IsoDateField(_l("承诺兑现日期"), validators=[REQUIRED])


class PaymentForm(OnceForm):
    """A payment received; for an investment promise with incentives, the incentive it pays (set by the view).
    (Field names differ from the other forms', as the forms share one page and its ids.)"""

    incentive = SelectField(_l("兑现的优惠政策"), choices=[], validate_choice=False)
    paid_on = IsoDateField(_l("付款日期"), validators=[REQUIRED])
    paid_amount = YuanField(_l("付款金额（元）"), validators=[REQUIRED])
    note = TextAreaField(
        _l("说明（公开显示，可不填）"), validators=[too_long(2000), PlainText(True)], filters=[strip_lines]
    )
    evidence = MultipleFileField(upload_label(_l("付款凭证"), EVIDENCE))

    def set_incentives(self, incentives: Sequence[Incentive]) -> None:
        self.incentive.choices = choices(
            [("", _l("请选择")), *((str(i.id), f"{i.item}（{format_yuan(i.amount_fen)}）") for i in incentives)]
        )

    def incentive_id(self) -> int | None:
        data = self.incentive.data or ""
        return int(data) if data.isascii() and data.isdigit() and len(data) < 10 else None
