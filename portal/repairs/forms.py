"""The officer's application form and the credit office's decision form."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import OnceForm, choices
from portal.repairs.rules import RepairStatus

MAX_EVIDENCE_FILES = 5


def too_long(longest: int) -> Length:
    return Length(max=longest, message=_l("太长了：最多 %(max)d 个字符。"))


class FileRequired:
    """Marks a file field as required on the page; the view checks the files themselves, by content
    (portal/forms.checked_files), and puts the reason beside the field."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class RepairForm(OnceForm):
    statement = TextAreaField(_l("履行情况说明"), validators=[DataRequired(_l("请说明履行情况")), too_long(10000)])
    evidence = MultipleFileField(
        _l("履行佐证材料（PDF、JPEG 或 PNG，1 至 5 个，每个最大 10 MB）"), validators=[FileRequired()]
    )
    pledge = FileField(_l("签章的信用承诺书（一份 PDF，最大 20 MB）"), validators=[FileRequired()])


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
