"""Use cases of the credit office's letters (提醒函, 督办函, 交办单, 约谈通知书, 情况通报): staff send one — numbered
from the year's sequence (信用办函〔2026〕N号), rendered as a PDF with its CJK fonts embedded and kept under its
SHA-256, closing the ledger item it answers — and the body's officer replies once with text and evidence.

The clauses: 新信用发〔2018〕6号 二(一) (提醒函 on a suit), 二(二) (督办函 on a lost case), 二(五) (发函、下发交办单,
失信约谈); 泰信用办〔2022〕12号 二(二) (函告 to fulfil and repair), 二(四) (提醒履行), 二(五) (通报同级党委、政府及
组织部、财政).

The letter is an official document in Chinese, kept as sent: its PDF is rendered in Chinese whatever the language
of the staff member who sends it, and its fixed words (templates/letters/letter.html) are not translated."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.core.uploads import CheckedFile
from portal.errors import InputRefusedError, NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import keep_upload, store_bytes
from portal.pdf import chinese_date, office_name, render_pdf
from portal.records.models import Record
from portal.supervision.models import CourtCase, LedgerItem, Letter
from portal.supervision.operations.ledger import close_item, refresh_subject
from portal.supervision.queries.letters import next_serial, serial_taken
from portal.supervision.rules import ClosedHow, LetterKind, letter_number
from portal.users.models import User
from portal.users.rules import Role

log = logging.getLogger(__name__)

# 泰信用办〔2022〕12号 二(五): a body listed as 失信被执行人 is reported to 同级党委、政府及党委组织部、财政.
NOTIFICATION_ADDRESSEE = "县委、县政府、县委组织部、县财政局"
TITLE_MAX = 200  # the columns' lengths
ADDRESSEE_MAX = 300
BODY_MAX = 10000
REPLY_MAX = 10000
SERIAL_MAX = 99999


def paragraphs(text: str) -> list[str]:
    """The body's paragraphs: one per line, empty lines dropped."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def default_addressee(kind: LetterKind, agency: Agency) -> str:
    """主送: the body itself, or for a 情况通报 the county's party committee, government, 组织部 and 财政."""
    return NOTIFICATION_ADDRESSEE if kind is LetterKind.NOTIFICATION else agency.name


@dataclass(frozen=True)
class LetterText:
    """What the PDF shows."""

    number: str
    kind: LetterKind
    agency_name: str
    addressee: str
    title: str
    body: str
    deadline: date | None
    reply_due: date | None
    issued_on: date
    sender: str


def letter_html(text: LetterText) -> str:
    """The letter as HTML for the PDF (templates/letters/letter.html), always in Chinese."""
    return render_template(
        "letters/letter.html",
        letter=text,
        kind_label=text.kind.msgid,  # the Chinese label itself, not the reader's translation
        paragraphs=paragraphs(text.body),
        issued=chinese_date(text.issued_on),
        deadline=chinese_date(text.deadline) if text.deadline else "",
        reply_due=chinese_date(text.reply_due) if text.reply_due else "",
    )


def _problems(
    kind: LetterKind,
    agency: Agency,
    title: str,
    body: str,
    deadline: date | None,
    reply_due: date | None,
    today: date,
    item: LedgerItem | None,
    serial: int | None,
) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if item is not None and item.rule.spec.letter is not kind:
        wanted = item.rule.spec.letter
        problems["kind"] = (
            _l(
                "该台账事项（%(rule)s）应以“%(wanted)s”办结（%(clause)s）。",
                rule=item.rule.label,
                wanted=wanted.label,
                clause=item.rule.spec.clause,
            )
            if wanted is not None
            else _l("该台账事项（%(rule)s）不以发函办结。", rule=item.rule.label)
        )
    if not agency.is_active:
        if agency.merged_into is not None:
            problems["agency"] = _l(
                "“%(name)s”已于 %(day)s 并入“%(into)s”，不能再向其发函；请向承继单位发函。",
                name=agency.name,
                day=agency.closed_on.isoformat() if agency.closed_on else "",
                into=agency.merged_into.name,
            )
        else:
            problems["agency"] = _l(
                "“%(name)s”已%(status)s（%(day)s），不能再向其发函。",
                name=agency.name,
                status=agency.status.label,
                day=agency.closed_on.isoformat() if agency.closed_on else "",
            )
    elif item is not None and item.agency_id is not None and item.agency_id != agency.id:
        problems["agency"] = _l("该台账事项的主体是“%(name)s”，函件应发给该主体。", name=item.responsible_unit)
    if not title.strip():
        problems["title"] = _l("请填写函件标题。")
    elif len(title.strip()) > TITLE_MAX:
        problems["title"] = _l("太长了：最多 %(max)d 个字符。", max=TITLE_MAX)
    if not body.strip():
        problems["body"] = _l("请填写函件正文：事实、依据和要求。")
    elif len(body.strip()) > BODY_MAX:
        problems["body"] = _l("太长了：最多 %(max)d 个字符。", max=BODY_MAX)
    if deadline is not None and deadline < today:
        problems["deadline"] = _l("办理期限不能早于今天（%(day)s）。", day=today.isoformat())
    if reply_due is not None and reply_due < today:
        problems["reply_due"] = _l("回复期限不能早于今天（%(day)s）。", day=today.isoformat())
    if serial is not None:
        taken = serial_taken(today.year, serial) if 1 <= serial <= SERIAL_MAX else None
        if not 1 <= serial <= SERIAL_MAX:
            problems["serial"] = _l("文号序号应为 1 到 %(max)d 之间的整数。", max=SERIAL_MAX)
        elif taken is not None:
            problems["serial"] = _l(
                "文号“%(number)s”已用于“%(title)s”，不能重复使用；留空则取下一个文号（%(next)s）。",
                number=taken.number,
                title=taken.title,
                next=letter_number(today.year, next_serial(today.year)),
            )
    return problems


def send_letter(
    kind: LetterKind,
    agency: Agency,
    *,
    addressee: str,
    title: str,
    body: str,
    deadline: date | None,
    reply_due: date | None,
    today: date,
    by: User,
    files_dir: Path,
    item: LedgerItem | None = None,
    case: CourtCase | None = None,
    record: Record | None = None,
    serial: int | None = None,
) -> Letter:
    """Staff send a letter to `agency` (for the ledger `item` it answers, if any): numbered 信用办函〔year〕N号 with
    the year's next number or the `serial` staff chose, rendered as a PDF and kept under its SHA-256; the item is
    closed 已发函 with it, and the reply it asks for by `reply_due` joins the ledger.

    InputRefusedError beside each field: a closed or merged agency, another agency than the item's, a kind the
    item's rule does not close with, no title or body, a deadline or reply date before today, a number already used
    this year. NotAllowedError (409) for an item already closed. A PDF that fails to render is refused (503) before
    anything is written, so no number is used up."""
    if item is not None and item.closed_on is not None:
        raise NotAllowedError(
            _l(
                "该台账事项已于 %(day)s %(how)s，无需再发函。",
                day=item.closed_on.isoformat(),
                how=item.closed_how.label if item.closed_how else "",
            )
        )
    problems = _problems(kind, agency, title, body, deadline, reply_due, today, item, serial)
    if problems:
        raise InputRefusedError(problems)
    year = today.year
    number_serial = serial if serial is not None else next_serial(year)
    addressee = addressee.strip() or default_addressee(kind, agency)
    if len(addressee) > ADDRESSEE_MAX:
        raise RefusedError(_l("太长了：最多 %(max)d 个字符。", max=ADDRESSEE_MAX), field="addressee")
    text = LetterText(
        number=letter_number(year, number_serial),
        kind=kind,
        agency_name=agency.name,
        addressee=addressee,
        title=title.strip(),
        body="\n".join(paragraphs(body)),
        deadline=deadline,
        reply_due=reply_due,
        issued_on=today,
        sender=office_name(),
    )
    # Rendered before anything is added to the session: a failure leaves no row, no file and no number used.
    try:
        pdf = render_pdf(letter_html(text))
    except Exception:  # WeasyPrint, fontconfig, a template error: whatever it is, nothing is written
        log.exception("letter PDF failed to render: %s", text.number)
        raise RefusedError(_l("函件PDF生成失败，未占用文号，请重试。"), status=503) from None
    case_id = case.id if case is not None else None
    record_id = record.id if record is not None else None
    if item is not None and item.subject_id is not None:
        case_id = case_id or (item.subject_id if item.subject_type == "case" else None)
        record_id = record_id or (item.subject_id if item.subject_type == "record" else None)
    stored = store_bytes(pdf, "application/pdf", files_dir)
    letter = Letter(
        kind=kind,
        year=year,
        serial=number_serial,
        agency_id=agency.id,
        addressee=addressee,
        title=text.title,
        body=text.body,
        deadline=deadline,
        reply_due=reply_due,
        issued_on=today,
        file_sha256=stored.sha256,
        case_id=case_id,
        record_id=record_id,
        issued_by_id=by.id,
        reply_text="",
    )
    try:
        with db.session.begin_nested():  # the unique (year, serial) backs the check above against a twin post
            db.session.add(letter)
            db.session.flush()
    except IntegrityError:
        raise RefusedError(
            _l("文号“%(number)s”刚被另一份函件占用，请重新提交。", number=text.number), field="serial", status=409
        ) from None
    if item is not None:
        close_item(item, ClosedHow.LETTER, today, by=by, letter=letter)
    write_audit(
        "letter.send",
        "letter",
        letter.id,
        {
            "number": [None, text.number],
            "kind": [None, kind.value],
            "agency_id": [None, agency.id],
            "addressee": [None, addressee],
            "title": [None, letter.title],
            "deadline": [None, deadline.isoformat() if deadline else None],
            "reply_due": [None, reply_due.isoformat() if reply_due else None],
            "file_sha256": [None, stored.sha256],
            "ledger_item_id": [None, item.id if item is not None else None],
        },
        by=by,
    )
    db.session.flush()
    refresh_subject("letter", letter.id, today)  # the reply it asks for is due on the ledger from today
    return letter


def reply_to_letter(
    letter: Letter,
    text: str,
    evidence: Sequence[CheckedFile],
    today: date,
    *,
    by: User,
    files_dir: Path,
) -> None:
    """The body's officer (or staff, for a reply received on paper) replies once, with text and at most one
    evidence file; the reply's ledger item is closed 已回复. RefusedError beside the field: no text; NotAllowedError
    (409): a letter already answered, one that asks no reply, an officer of another agency."""
    if by.role is Role.OFFICER and by.agency_id != letter.agency_id:
        raise NotAllowedError(_l("只有函件所涉单位才能回复该函件。"))
    if letter.replied_on is not None:
        raise NotAllowedError(_l("该函件已于 %(day)s 回复，不能重复回复。", day=letter.replied_on.isoformat()))
    if letter.reply_due is None:
        raise NotAllowedError(_l("该函件不要求回复。"))
    text = text.strip()
    if not text:
        raise RefusedError(_l("请填写回复内容：办理情况和结果。"), field="reply_text")
    if len(text) > REPLY_MAX:
        raise RefusedError(_l("太长了：最多 %(max)d 个字符。", max=REPLY_MAX), field="reply_text")
    if len(evidence) > 1:
        raise RefusedError(_l("最多上传 %(n)d 个文件。", n=1), field="evidence")
    sha256 = keep_upload(evidence[0], files_dir)["sha256"] if evidence else None
    letter.reply_text = text
    letter.reply_evidence_sha256 = sha256
    letter.replied_on = today
    letter.replied_by_id = by.id
    write_audit(
        "letter.reply",
        "letter",
        letter.id,
        {
            "replied_on": [None, today.isoformat()],
            "reply_text": [None, text],
            "reply_evidence_sha256": [None, sha256],
        },
        by=by,
    )
    db.session.flush()
    refresh_subject("letter", letter.id, today)  # the reply's ledger item: 已回复
