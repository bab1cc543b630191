"""Use cases for objections: file one (the public, from a record page), accept it, decide it (corrected, revoked,
upheld), and show a staff member the objector's contact. Each checks the rules, changes state, writes its audit
entry (never the objector's name or contact) and flushes; the view commits once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.operations import write_audit
from portal.core.transitions import TransitionError, check_transition
from portal.core.uploads import CheckedFile
from portal.core.workdays import WorkCalendar
from portal.errors import NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import keep_upload
from portal.mail.operations import queue_mail, queue_sms
from portal.objections.models import Objection
from portal.objections.rules import (
    DECIDED,
    OPEN,
    TRANSITIONS,
    Ground,
    ObjectionStatus,
    objection_deadlines,
)
from portal.outbox import ItemType, changed, item_key
from portal.receipts.operations import next_number
from portal.receipts.rules import new_secret, secret_hash
from portal.records.models import Correction, Record
from portal.records.operations import change_status
from portal.records.rules import TRANSITIONS as RECORD_TRANSITIONS
from portal.records.rules import RecordStatus
from portal.users.models import User

NUMBER_PREFIX = "YY"  # 异议


@dataclass(frozen=True)
class Receipt:
    number: str
    secret: str  # shown once, never stored


@dataclass(frozen=True)
class Objector:
    """Who objects, and how to reach them: private, seen only by staff (masked until they press "show")."""

    name: str
    phone: str = ""
    email: str = ""


def file_objection(
    record: Record,
    ground: Ground,
    explanation: str,
    objector: Objector,
    evidence: list[CheckedFile],
    files_dir: Path,
    today: date,
    calendar: WorkCalendar,
    days: Mapping[str, int],
) -> tuple[Objection, Receipt]:
    """A new objection to a public record, with its public number, its receipt secret (only the hash is kept), its
    deadlines and its evidence files, all in the caller's transaction. The record shows 异议处理中 from now on."""
    if not record.is_public(today):
        raise NotAllowedError(_l("该记录未在公示中，不能提出异议。"))
    deadlines = objection_deadlines(today, calendar, days)
    secret = new_secret()
    objection = Objection(
        number=next_number(NUMBER_PREFIX, today.year),
        secret_hash=secret_hash(secret),
        record=record,
        ground=ground.value,
        explanation=explanation,
        attachments=[keep_upload(f, files_dir) for f in evidence],
        name=objector.name,
        phone=objector.phone,
        email=objector.email,
        status=ObjectionStatus.SUBMITTED.value,
        filed_on=today,
        accept_due=deadlines.accept,
        verify_due=deadlines.verify,
        outcome_reason="",
    )
    db.session.add(objection)
    record.objection_open = True
    db.session.flush()
    write_audit(
        "objection.file",
        "objection",
        objection.number,
        {"number": [None, objection.number], "ground": [None, objection.ground], "record": [None, record.id]},
        actor="public",
    )
    changed(item_key(ItemType.RECORD, record.id))
    tell_objector(objection)
    db.session.flush()
    return objection, Receipt(objection.number, secret)


def tell_objector(objection: Objection) -> None:
    """E-mail the objector the step just taken, if they gave an address (issue 18): the number, the status, what is
    due next and a signed link to the status page (where the reason is). Never the receipt's secret, anyone's name or
    contact, or the reason's text."""
    if not objection.email:  # a phone only: a short text instead, if it is a mobile (portal/mail/sms.py)
        queue_sms(objection.phone, "objection", objection.number, objection.status, "objections.status")
        return
    queue_mail(
        objection.email,
        _l("异议 %(number)s：%(status)s", number=objection.number, status=objection.status.label),
        "objection_step",
        kind=f"objection.{objection.status.value}",
        about=f"objection:{objection.number}",
        status_page="objections.status",
        status=objection.status.value,
        number=objection.number,
        due=objection.due,
        outcome=objection.status.label,
    )


def _step(objection: Objection, new: ObjectionStatus) -> ObjectionStatus:
    old = objection.status
    try:
        check_transition(TRANSITIONS, old, new)
    except TransitionError:
        raise NotAllowedError(_l("该异议当前状态下不能进行此操作（可能已被他人处理），请刷新页面。")) from None
    objection.status = new
    return old


def accept(objection: Objection, today: date, *, by: User) -> None:
    """已受理: verification starts (due by verify_due)."""
    old = _step(objection, ObjectionStatus.ACCEPTED)
    objection.accepted_on = today
    write_audit(
        "objection.accept",
        "objection",
        objection.number,
        {"status": [old.value, objection.status], "accepted_on": [None, today.isoformat()]},
        by=by,
    )
    tell_objector(objection)
    db.session.flush()


def correction_since_filing(objection: Objection) -> Correction | None:
    """The newest correction saved on the objection's record after the objection was filed, if any."""
    correction = db.session.scalar(
        select(Correction).where(Correction.record_id == objection.record_id).order_by(Correction.id.desc()).limit(1)
    )
    if correction is None or correction.created_at < objection.submitted_at:
        return None
    return correction


def decide(objection: Objection, outcome: ObjectionStatus, reason: str, today: date, *, by: User) -> None:
    """The verification's outcome, with the reason the objector is told:
    - corrected: the record was corrected (through the records' correction page) after the objection was filed;
      the newest such correction is linked;
    - revoked: publication of the record stops (its address answers 410 with the reason);
    - upheld: the record stays as it is.
    The record's 异议处理中 marker goes when no other objection to it is still open."""
    if outcome not in DECIDED:
        raise NotAllowedError(_l("请选择核查结论。"))
    reason = reason.strip()
    if not reason:
        raise RefusedError(_l("请填写理由，异议人会看到这段理由。"), field="reason")
    record = objection.record
    changes: dict[str, Any] = {}
    correction = None
    if objection.status is ObjectionStatus.ACCEPTED and outcome is ObjectionStatus.CORRECTED:
        correction = correction_since_filing(objection)
        if correction is None:
            raise NotAllowedError(
                _l("该记录在异议提出后还没有保存过更正。请先在记录的“更正”页面保存更正，再选择“已更正”。")
            )
        changes["correction"] = [None, correction.id]
    if objection.status is ObjectionStatus.ACCEPTED and outcome is ObjectionStatus.REVOKED:
        try:
            check_transition(RECORD_TRANSITIONS, record.status, RecordStatus.REVOKED)
        except TransitionError:
            raise NotAllowedError(_l("该记录已停止公示，不能再撤销。")) from None
    old = _step(objection, outcome)  # every check is above: from here on nothing refuses
    objection.correction = correction
    if outcome is ObjectionStatus.REVOKED:
        change_status(record, RecordStatus.REVOKED, today, reason=reason, actor=by.username, by=by)
    objection.decided_on = today
    objection.outcome_reason = reason
    # The record's row is locked before counting: an objection being filed at this moment holds it (it sets the
    # marker), so the count sees it once it is committed, and a filing after this waits and sets the marker again.
    db.session.execute(select(Record.id).where(Record.id == record.id).with_for_update())
    record.objection_open = others_open(objection)
    write_audit(
        "objection.decide",
        "objection",
        objection.number,
        {"status": [old.value, objection.status], "decided_on": [None, today.isoformat()], **changes},
        by=by,
        reason=reason,
    )
    if outcome is not ObjectionStatus.REVOKED:  # change_status has noted the record already
        changed(item_key(ItemType.RECORD, record.id))
    tell_objector(objection)
    db.session.flush()


def others_open(objection: Objection) -> bool:
    """Is another objection to the same record still open?"""
    count = db.session.scalar(
        select(func.count(Objection.id)).where(
            Objection.record_id == objection.record_id,
            Objection.id != objection.id,
            Objection.status.in_([s.value for s in OPEN]),
        )
    )
    return bool(count)


def reveal_contact(objection: Objection, *, by: User) -> None:
    """A staff member pressed "show": the unmasked contact is shown, and the audit log says who saw it, when."""
    write_audit("objection.reveal", "objection", objection.number, {}, by=by)
    db.session.flush()
