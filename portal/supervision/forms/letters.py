"""The staff's form to send a letter (prefilled from the ledger item it answers) and the body's form to reply.

The letter's own words (the title and body prefilled here) are the content of an official document in Chinese:
they are drafted in Chinese whatever the sender's language (staff edit them before sending) and are not
translated; the form's labels and hints are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from portal.agencies.models import Agency
from portal.core.uploads import EVIDENCE
from portal.core.workdays import WorkCalendar
from portal.forms import REQUIRED, OnceForm, PlainText, choices, strip, strip_lines, too_long, upload_label
from portal.records.forms import IsoDateField
from portal.supervision.models import CourtCase, LedgerItem
from portal.supervision.operations.letters import (
    ADDRESSEE_MAX,
    BODY_MAX,
    REPLY_MAX,
    SERIAL_MAX,
    TITLE_MAX,
    default_addressee,
)
from portal.supervision.rules import LedgerRule, LetterKind
from portal.web import as_id

# The reply's evidence: the kinds and size of portal/core/uploads.py EVIDENCE, one file (the letter keeps one).
REPLY_EVIDENCE = replace(EVIDENCE, max_files=1)


class SerialField(StringField):
    """指定文号序号: a whole number typed by staff, or empty (the year's next number). `data` is an int or None;
    anything else is a parse error beside the field."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not (text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= SERIAL_MAX):
            raise ValueError(_l("文号序号应为 1 到 %(max)d 之间的整数，如 3；留空则取下一个文号。", max=SERIAL_MAX))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class LetterForm(OnceForm):
    kind = SelectField(
        _l("函件类别"),
        choices=choices([("", _l("请选择")), *LetterKind.choices()]),
        validators=[REQUIRED],
        validate_choice=False,  # an unknown code is named in words below
    )
    agency = SelectField(_l("主体"), validators=[REQUIRED], choices=[], validate_choice=False)
    addressee = StringField(_l("主送"), validators=[Optional(), too_long(ADDRESSEE_MAX), PlainText()], filters=[strip])
    title = StringField(_l("标题"), validators=[REQUIRED, too_long(TITLE_MAX), PlainText()], filters=[strip])
    body = TextAreaField(_l("正文"), validators=[REQUIRED, too_long(BODY_MAX), PlainText(True)], filters=[strip_lines])
    deadline = IsoDateField(_l("办理期限"), validators=[Optional()])
    reply_due = IsoDateField(_l("回复期限"), validators=[Optional()])
    serial = SerialField(_l("指定文号序号"), validators=[Optional()])

    def set_agencies(self, agencies: Sequence[Agency]) -> None:
        """The agencies offered (those in existence, and the item's own even if closed, so that the refusal says
        why); the view finds the one chosen, and the operation refuses one closed or merged meanwhile."""
        self.agency.choices = [
            ("", str(_l("请选择"))),
            *((str(a.id), a.name if a.is_active else f"{a.name}（{a.status.label}）") for a in agencies),
        ]

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in LetterKind.codes():
            raise ValidationError(_l("请从列表中选择函件类别"))

    def validate_agency(self, field: SelectField) -> None:
        data = str(field.data)
        if as_id(data) is None:
            raise ValidationError(_l("请从列表中选择主体"))

    @property
    def agency_id(self) -> int:
        """The chosen agency's id (after validation)."""
        return int(str(self.agency.data))


class ReplyForm(OnceForm):
    reply_text = TextAreaField(
        _l("回复内容"), validators=[REQUIRED, too_long(REPLY_MAX), PlainText(True)], filters=[strip_lines]
    )
    evidence = FileField(upload_label(_l("佐证材料"), REPLY_EVIDENCE))


# --- the draft of a letter for a ledger item ---------------------------------------------------------------------

# What each rule's letter says of the facts and asks: "{subject}" is the item's subject (the 案号 and 案由, the
# record's title), "{agency}" the body, "{clause}" the rule's source clause.
_FACTS: Mapping[LedgerRule, str] = {
    # 新信用发〔2018〕6号 二(一)
    LedgerRule.SUIT_REMINDER: (
        "人民法院已受理以你单位为被告的“{subject}”一案。根据{clause}的规定，请你单位高度重视，认真做好应诉准备，"
        "积极与原告沟通协商，争取庭外和解，防止形成政务失信。"
    ),
    # 新信用发〔2018〕6号 二(二)
    LedgerRule.LOST_CASE_URGING: (
        "你单位在“{subject}”一案中败诉。根据{clause}的规定，请你单位在人民法院判决确定的履行期限内全面履行"
        "生效判决，防止被纳入失信被执行人名单。"
    ),
    # 泰信用办〔2022〕12号 二(四)
    LedgerRule.EXECUTION_REMINDER: (
        "人民法院已对你单位“{subject}”立案执行。根据{clause}的规定，请你单位及时履行生效法律文书确定的义务，"
        "或与申请执行人协商达成执行和解，防止被纳入失信被执行人名单。"
    ),
    # 泰信用办〔2022〕12号 二(五)
    LedgerRule.DEFAULTER_NOTIFICATION: (
        "{agency}因“{subject}”被人民法院纳入失信被执行人名单。根据{clause}的规定，现将有关情况予以通报，"
        "建议督促其尽快履行法定义务，依法退出失信被执行人名单。"
    ),
    # 泰信用办〔2022〕12号 二(二)
    LedgerRule.PENALTY_REPAIR_REMINDER: (
        "你单位“{subject}”行政处罚信息已届满最短公示期。根据{clause}的规定，请你单位及时履行行政处罚决定，"
        "并按规定向信用办申请信用修复。"
    ),
}
_GENERIC_FACTS = "关于“{subject}”（{rule}），根据{clause}的规定，请你单位抓紧办理。"


def letter_draft(
    item: LedgerItem | None,
    agency: Agency | None,
    case: CourtCase | None,
    today: date,
    calendar: WorkCalendar,
    days: Mapping[str, int],
) -> dict[str, Any]:
    """The form's first values: for a ledger item, its letter kind, body, a title and body in Chinese naming its
    subject and clause, and the dates; without one, only the reply date. The reply is asked for in
    `days["letter_reply"]` working days (none for a 情况通报, addressed to the county's leaders); the letter's
    deadline is the court's 履行期限 for a lost case, else the reply date."""
    reply_due = calendar.add_workdays(today, days["letter_reply"])
    if item is None:
        return {"reply_due": reply_due}
    kind = item.rule.spec.letter or LetterKind.REMINDER
    deadline = reply_due
    if case is not None and case.performance_due is not None and case.performance_due >= today:
        deadline = case.performance_due
    name = agency.name if agency is not None else item.responsible_unit
    facts = _FACTS.get(item.rule, _GENERIC_FACTS).format(
        subject=item.subject, agency=name, clause=item.rule.spec.clause, rule=item.rule.msgid
    )
    if kind is LetterKind.NOTIFICATION:
        title = f"关于{name}被纳入失信被执行人名单的{kind.msgid}"
    else:
        title = f"关于{item.subject}的{kind.msgid}"
    values: dict[str, Any] = {
        "kind": kind.value,
        "title": title[:TITLE_MAX],
        "body": facts,
        "deadline": None if kind is LetterKind.NOTIFICATION else deadline,
        "reply_due": None if kind is LetterKind.NOTIFICATION else reply_due,
    }
    if agency is not None:
        values["agency"] = str(agency.id)
        values["addressee"] = default_addressee(kind, agency)
    return values
