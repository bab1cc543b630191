from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.core.uploads import EVIDENCE
from portal.forms import REQUIRED, OnceForm, upload_label


class ProgressForm(OnceForm):
    entry_date = DateField(_l("进展日期"), validators=[DataRequired(_l("请填写日期，格式如 2026-11-20"))])
    text = TextAreaField(_l("进展情况"), validators=[REQUIRED, Length(max=5000)])
    evidence = MultipleFileField(upload_label(_l("佐证材料"), EVIDENCE))
