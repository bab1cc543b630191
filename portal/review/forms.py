from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import OnceForm, choices
from portal.review.rules import SubmissionStatus


class DecisionForm(OnceForm):
    decision = RadioField(
        _l("审核结论"),
        choices=choices(
            [
                (SubmissionStatus.APPROVED.value, _l("通过并发布")),
                (SubmissionStatus.RETURNED.value, _l("退回修改（说明理由）")),
                (SubmissionStatus.REJECTED.value, _l("不予通过（说明理由）")),
            ]
        ),
        validate_choice=False,  # the view names a missing or unknown choice in words
    )
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=5000)])
