"""The officer's application form and the credit office's decision form."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Optional

from portal.core.uploads import REPAIR_EVIDENCE, REPAIR_PLEDGE
from portal.forms import OnceForm, choices, too_long, upload_label
from portal.repairs.rules import RepairStatus


class FileRequired:
    """Marks a file field as required on the page; the view checks the files themselves, by content
    (portal/forms.checked_files), and puts the reason beside the field."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class RepairForm(OnceForm):
    statement = TextAreaField(_l("履行情况说明"), validators=[DataRequired(_l("请说明履行情况")), too_long(10000)])
    evidence = MultipleFileField(upload_label(_l("履行佐证材料"), REPAIR_EVIDENCE), validators=[FileRequired()])
    pledge = FileField(upload_label(_l("签章的信用承诺书"), REPAIR_PLEDGE), validators=[FileRequired()])


class RepairDecisionForm(OnceForm):
    decision = RadioField(
        _l("决定"),
        choices=choices(
            [
                (RepairStatus.APPROVED.value, _l("准予修复（停止公示）")),
                (RepairStatus.REJECTED.value, _l("不予修复（须说明理由）")),
            ]
        ),
        validate_choice=False,  # the view names a missing or unknown choice in words
    )
    reason = TextAreaField(_l("理由"), validators=[Optional(), too_long(5000)])
