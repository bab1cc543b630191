"""Use cases for complaints: file one (public), then each step of the credit office's flow and the agency's answer.
Each checks the rules, changes state, writes its dated step and audit entry (never the complainant's personal
data), and flushes; the view commits once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.complaints.models import Complaint, ComplaintStep
from portal.complaints.rules import (
    SUBSTANTIATED,
    TRANSITIONS,
    ComplaintStatus,
    RefusalReason,
    Satisfaction,
    complaint_deadlines,
    may_rate,
    may_return,
    returned_deadlines,
)
from portal.core.personal_data import Finding, Found, find_personal_data, redact
from portal.core.transitions import TransitionError, check_transition
from portal.core.uploads import CheckedFile
from portal.core.workdays import WorkCalendar
from portal.errors import NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import keep_upload
from portal.mail.operations import queue_mail, queue_sms
from portal.outbox import ItemType, changed, item_key
from portal.receipts.operations import next_number
from portal.receipts.rules import new_secret, secret_hash
from portal.records.models import Record
from portal.users.models import User

ALREADY_MOVED = _l("该投诉当前状态下不能进行此操作（可能已被他人处理），请刷新页面。")


@dataclass(frozen=True)
class Receipt:
    number: str
    secret: str  # shown once, never stored


def file_complaint(
    values: Mapping[str, Any],
    attachments: list[CheckedFile],
    files_dir: Path,
    today: date,
    calendar: WorkCalendar,
    days: Mapping[str, int],
) -> tuple[Complaint, Receipt]:
    """A new complaint with its public number, its receipt secret (only the hash is kept), its deadlines and its
    attachments, all in the caller's transaction."""
    deadlines = complaint_deadlines(today, calendar, days)
    secret = new_secret()
    complaint = Complaint(
        number=next_number("TS", today.year),
        secret_hash=secret_hash(secret),
        filer_type=values["filer_type"],
        name=values["name"],
        uscc=values.get("uscc") or "",
        phone=values.get("phone") or "",
        email=values.get("email") or "",
        agency_id=values.get("agency_id"),
        agency_typed=values.get("agency_typed") or "",
        category=values["category"],
        description=values["description"],
        amount_fen=values.get("amount_fen"),
        publish_consent=bool(values.get("publish_consent")),
        filed_on=today,
        accept_due=deadlines.accept,
        answer_due=deadlines.answer,
        close_due=deadlines.close,
        attachments=[keep_upload(f, files_dir) for f in attachments],
    )
    complaint.steps.append(ComplaintStep(status=ComplaintStatus.SUBMITTED.value, on=today))
    db.session.add(complaint)
    db.session.flush()
    write_audit(
        "complaint.file",
        "complaint",
        complaint.number,
        {"category": [None, complaint.category], "agency": [None, complaint.agency_label]},
        actor="public",
    )
    tell_complainant(complaint)
    return complaint, Receipt(complaint.number, secret)


def _step(complaint: Complaint, new: ComplaintStatus, today: date, by: User, note: str = "", **changes: Any) -> None:
    old = complaint.status
    try:
        check_transition(TRANSITIONS, old, new)
    except TransitionError:
        raise NotAllowedError(ALREADY_MOVED) from None
    moved = db.session.execute(  # only if nobody moved it meanwhile (SQLite has no row locks)
        update(Complaint).where(Complaint.id == complaint.id, Complaint.status == old.value).values(status=new.value)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowedError(ALREADY_MOVED)
    complaint.status = new
    complaint.steps.append(ComplaintStep(status=new.value, on=today, note=note))
    write_audit(
        f"complaint.{new.value}",
        "complaint",
        complaint.number,
        {"status": [old.value, new.value], **{k: [None, v] for k, v in changes.items()}},
        by=by,
        reason=note or None,
    )
    tell_complainant(complaint)
    db.session.flush()


def tell_complainant(complaint: Complaint) -> None:
    """E-mail the complainant the step just taken, if they gave an address (issue 18): the number, the new status,
    what is due next, a refusal's reason from the fixed list, the agency it went to, and a signed link to the status
    page. Never the receipt's secret, anyone's name or contact, or what staff or the agency wrote (the status page
    shows the complainant that)."""
    if not complaint.email:  # a phone only: a short text instead, if it is a mobile (portal/mail/sms.py)
        queue_sms(complaint.phone, "complaint", complaint.number, complaint.status, "complaints.status")
        return
    queue_mail(
        complaint.email,
        _l("投诉 %(number)s：%(status)s", number=complaint.number, status=complaint.status.label),
        "complaint_step",
        kind=f"complaint.{complaint.status.value}",
        about=f"complaint:{complaint.number}",
        status_page="complaints.status",
        status=complaint.status.value,
        number=complaint.number,
        due=complaint.due,
        reason=complaint.refusal_reason.label if complaint.refusal_reason else "",
        agency=complaint.agency.name if complaint.agency else "",
    )


def accept(complaint: Complaint, today: date, *, by: User) -> None:
    _step(complaint, ComplaintStatus.ACCEPTED, today, by)


def refuse(complaint: Complaint, reason: RefusalReason, today: date, *, by: User, note: str = "") -> None:
    """不予受理, for one of the fixed reasons (told to the complainant)."""
    complaint.refusal_reason = reason
    complaint.closed_on = today
    _step(complaint, ComplaintStatus.NOT_ACCEPTED, today, by, note, refusal_reason=reason.value)


def transfer(complaint: Complaint, agency: Agency, today: date, *, by: User, note: str = "") -> None:
    """已转办: to the officers of the agency complained about (chosen from the list if it was typed)."""
    if complaint.status is not ComplaintStatus.ACCEPTED:  # a closed one goes back only by return_to_agency
        raise NotAllowedError(ALREADY_MOVED)
    complaint.agency_id = agency.id
    complaint.agency = agency
    _step(complaint, ComplaintStatus.TRANSFERRED, today, by, note, agency=agency.name)


def agency_answers(complaint: Complaint, answer: str, today: date, *, by: User) -> None:
    """部门已反馈: the agency's officers say what they found and did."""
    if by.agency_id is None or by.agency_id != complaint.agency_id:
        raise NotAllowedError(_l("只有被投诉单位的填报员可以反馈。"))
    if not answer.strip():
        raise NotAllowedError(_l("请填写反馈内容。"))
    complaint.agency_answer = answer.strip()
    _step(complaint, ComplaintStatus.ANSWERED, today, by)


def close(complaint: Complaint, answer: str, today: date, *, by: User) -> None:
    """已办结 with the credit office's answer to the complainant. Nothing is published by closing: with the
    complainant's consent, staff then publish a public version they wrote (`publish_answer`)."""
    if not answer.strip():
        raise NotAllowedError(_l("办结时必须填写给投诉人的答复。"))
    complaint.answer = answer.strip()
    complaint.closed_on = today
    _step(complaint, ComplaintStatus.CLOSED, today, by)


def personal_data_in(complaint: Complaint, text: str) -> list[Finding]:
    """What in `text` looks like personal data, the complainant's own name and phone (as filed) included."""
    return find_personal_data(text, [complaint.name], [complaint.phone])


def redacted_answer(complaint: Complaint, placeholders: dict[Found, str] | None = None) -> str:
    """The answer to the complainant with what personal_data_in finds replaced: where a public version starts."""
    return redact(complaint.answer, [complaint.name], [complaint.phone], placeholders)


def publish_answer(complaint: Complaint, text: str, *, by: User) -> None:
    """Publish (or replace) the public version of a closed complaint's answer, which staff wrote from a redacted
    draft (DESIGN.md "Complaint": with consent, the reply is published anonymised). Refused while it still holds
    anything that looks like personal data (core.personal_data), and for a complaint whose complainant did not
    consent. Only this text is ever public; the answer to the complainant stays private."""
    if complaint.status is not ComplaintStatus.CLOSED:
        raise NotAllowedError(_l("只有已办结的投诉可以公开。"))
    if not complaint.publish_consent:
        raise NotAllowedError(_l("投诉人未同意公开，不能公开这件投诉。"))
    text = text.strip()
    if not text:
        raise RefusedError(_l("请填写公开版本的答复。"), field="public_answer")
    if personal_data_in(complaint, text):
        raise RefusedError(_l("公开版本中仍有疑似个人信息，请删除或改写标出的内容后再公开。"), field="public_answer")
    old = complaint.public_answer if complaint.published else None
    complaint.public_answer = text
    complaint.published = True
    write_audit(
        "complaint.publish", "complaint", complaint.number, {"public_answer": [old, text]}, by=by
    )  # the public text only: it names no one
    changed(item_key(ItemType.COMPLAINT, complaint.number))  # into search and the feeds (issue 16, 18)
    db.session.flush()


def rate(complaint: Complaint, rating: Satisfaction, comment: str, today: date) -> None:
    """The complainant rates the answer of their closed complaint (满意/基本满意/不满意, with a comment). Private:
    staff see it and the integrity evaluation counts 不满意 (portal/evaluation)."""
    if not may_rate(complaint.status, complaint.rating):
        raise NotAllowedError(_l("这件投诉现在不能评价（尚未办结，或已经评价过）。"))
    moved = db.session.execute(  # only once, even for two posts at the same moment
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.rating.is_(None), Complaint.status == ComplaintStatus.CLOSED)
        .values(rating=rating.value)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowedError(_l("这件投诉现在不能评价（尚未办结，或已经评价过）。"))
    complaint.rating = rating
    complaint.rating_comment = comment.strip()
    complaint.rated_on = today
    write_audit("complaint.rate", "complaint", complaint.number, {"rating": [None, rating.value]}, actor="public")
    db.session.flush()


def return_to_agency(
    complaint: Complaint, today: date, calendar: WorkCalendar, days: Mapping[str, int], *, by: User, note: str
) -> None:
    """After a 不满意 rating, staff send the case back to the agency once, within the return period: it reopens as
    已转办 with new deadlines, its publication (if any) is withdrawn until it is closed and published again, and
    the rating is cleared so that the complainant can rate the new answer (the audit log keeps the old one)."""
    if not may_return(
        complaint.status, complaint.rating, complaint.rated_on, complaint.returned_on, today, calendar, days
    ):
        raise NotAllowedError(_l("只有投诉人评价为不满意、尚未退回过、且在评价后规定期限内的投诉可以退回重办。"))
    if not note.strip():
        raise RefusedError(_l("请说明退回重办的理由和要求。"), field="return_note")
    deadlines = returned_deadlines(today, calendar, days)
    old_rating = complaint.rating.value if complaint.rating else None
    complaint.returned_on = today
    complaint.returned_answer_due = deadlines.answer
    complaint.returned_close_due = deadlines.close
    complaint.closed_on = None
    complaint.rating = None
    complaint.rated_on = None
    was_published = complaint.published
    complaint.published = False
    _step(complaint, ComplaintStatus.TRANSFERRED, today, by, note.strip(), returned=old_rating)
    if was_published:
        changed(item_key(ItemType.COMPLAINT, complaint.number))  # out of search and the feeds until published again


def reveal_contact(complaint: Complaint, *, by: User) -> None:
    """Staff pressed "show": the unmasked contact is shown, and the audit log says who saw it, when."""
    write_audit("complaint.reveal", "complaint", complaint.number, {}, by=by)
    db.session.flush()


def link_record(complaint: Complaint, record: Record, *, by: User) -> None:
    """Link a substantiated complaint to the record made from it or to an existing one (DESIGN.md "Complaint"): the
    record's agency must be the one complained about. The complainant's identity stays on the complaint."""
    if complaint.status not in SUBSTANTIATED:
        raise NotAllowedError(_l("只有已受理的投诉可以关联失信记录。"))
    if complaint.record_id is not None:
        raise NotAllowedError(_l("该投诉已关联失信记录。"))
    if complaint.agency_id is not None and complaint.agency_id != record.agency_id:
        raise RefusedError(_l("该记录的失信主体不是被投诉单位，请核对记录编号。"), field="record")
    complaint.record_id = record.id
    complaint.record = record
    write_audit("complaint.link_record", "complaint", complaint.number, {"record_id": [None, record.id]}, by=by)
    db.session.flush()
