"""The 工作台账's form: staff close an item by recording what happened (rules.Closing.MANUAL)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from portal.forms import REQUIRED, OnceForm, PlainText, strip_lines, too_long
from portal.records.forms import IsoDateField
from portal.supervision.operations.ledger_notes import NOTE_MAX


class CloseItemForm(OnceForm):
    closed_on = IsoDateField(_l("办结日期"), validators=[REQUIRED])
    closed_note = TextAreaField(
        _l("办结说明"), validators=[REQUIRED, too_long(NOTE_MAX), PlainText(True)], filters=[strip_lines]
    )
