"""Use cases of credit repair: an agency's officer applies for the repair of a record (evidence of fulfilment and the
signed 信用承诺书), the credit office approves (publication stops) or rejects it with a reason. Each checks the rules,
changes state, writes the audit entry and flushes; the view commits once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.operations import write_audit
from portal.core.transitions import TransitionError
from portal.core.uploads import CheckedFile, FileKind
from portal.errors import NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import keep_upload
from portal.measures.operations import lift_for_repair
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from portal.repairs.models import RepairApplication
from portal.repairs.rules import DECISIONS, Refusal, RepairStatus, refusal
from portal.supervision.operations import work_calendar
from portal.users.models import User

APPROVAL_NOTE = "准予信用修复"  # the stop note of an approval without further words (kept as data, like others)


def refusal_message(record: Record, today: date) -> Any:
    """Why the record's agency cannot apply for its repair today, in words that name the date from which it may
    (a lazy message); None when it may."""
    why = refusal(record.status, record.is_public(today), record.publication_min_end, today)
    day = record.publication_min_end.isoformat()
    if why is Refusal.NOT_SHOWN:
        return _l("该记录已不在公示，无需申请信用修复。")
    if why is Refusal.NOT_FULFILLED:
        status = record.status.label
        if record.publication_min_end > today:
            return _l(
                "该记录目前的状态是“%(status)s”，尚未履行完毕：须先达到“已履行”才能申请信用修复。"
                "最短公示期至 %(day)s 届满，届时且已履行的，自 %(day)s 起可以申请。",
                status=status,
                day=day,
            )
        return _l(
            "该记录目前的状态是“%(status)s”，尚未履行完毕：须先达到“已履行”才能申请信用修复"
            "（最短公示期已于 %(day)s 届满）。",
            status=status,
            day=day,
        )
    if why is Refusal.TOO_EARLY:
        return _l("最短公示期尚未届满：自 %(day)s 起可以申请信用修复。", day=day)
    return None


def open_application(record_id: int) -> RepairApplication | None:
    """The record's application still waiting for a decision (there is at most one)."""
    return db.session.scalars(
        select(RepairApplication)
        .where(RepairApplication.record_id == record_id, RepairApplication.status == RepairStatus.SUBMITTED.value)
        .limit(1)
    ).first()


def decide_due(filed_on: date) -> date:
    """The decision is due `repair_decide` working days (PORTAL_DEADLINE_DAYS, default 10) after filing, on China's
    calendar as corrected by the staff's table."""
    days = int(current_app.config["PORTAL_SETTINGS"].deadline_days["repair_decide"])
    return work_calendar(filed_on).add_workdays(filed_on, days)


def apply_for_repair(
    record: Record,
    statement: str,
    evidence: list[CheckedFile],
    pledge: CheckedFile,
    files_dir: Path,
    today: date,
    *,
    by: User,
) -> RepairApplication:
    """The officer's application for the repair of their agency's record. NotAllowedError (nothing stored) for another
    agency's record, a record that may not be repaired yet, one already waiting for a decision, or missing parts.
    The files are stored only once every check passed; the record shows 修复申请中 publicly."""
    if by.agency_id != record.agency_id:
        raise NotAllowedError(_l("只能为本单位的记录申请信用修复。"))
    why = refusal_message(record, today)
    if why is not None:
        raise NotAllowedError(why)
    if open_application(record.id) is not None:
        raise NotAllowedError(_l("该记录已有一份信用修复申请正在办理，不能重复申请。"))
    if not statement.strip():
        raise NotAllowedError(_l("请说明履行情况。"))
    if not evidence:
        raise NotAllowedError(_l("请上传履行佐证材料。"))
    if pledge.kind is not FileKind.PDF:
        raise NotAllowedError(_l("信用承诺书须为 PDF 文件。"))
    application = RepairApplication(
        record_id=record.id,
        agency_id=record.agency_id,
        applicant_id=by.id,
        statement=statement.strip(),
        evidence=[keep_upload(f, files_dir) for f in evidence],
        pledge_sha256=keep_upload(pledge, files_dir)["sha256"],
        status=RepairStatus.SUBMITTED.value,
        filed_on=today,
        decide_due=decide_due(today),
        decision_reason="",
    )
    db.session.add(application)
    record.repair_open = True
    db.session.flush()
    write_audit(
        "repair.apply",
        "repair_application",
        application.id,
        {
            "record_id": [None, record.id],
            "status": [None, application.status],
            "decide_due": [None, application.decide_due.isoformat()],
            "evidence": [None, [f["sha256"] for f in application.evidence]],
            "pledge_sha256": [None, application.pledge_sha256],
        },
        by=by,
    )
    changed(item_key(ItemType.RECORD, record.id))  # the 修复申请中 marker is public
    db.session.flush()
    return application


def decide_repair(
    application: RepairApplication, decision: RepairStatus, reason: str, today: date, *, by: User
) -> None:
    """Approve (the record becomes 已修复 and its publication stops today, and its joint measures still in force are
    lifted, reason 信用修复) or reject with a reason (the record stays
    as it is; the applicant sees the reason). Either way the 修复申请中 marker goes. NotAllowedError for an application
    already decided or a record that can no longer become 已修复; RefusedError (beside the reason field) for a
    rejection without a reason."""
    if not application.is_open:
        raise NotAllowedError(_l("这份申请已经作出决定，不能再次决定。"))
    if decision not in DECISIONS:
        raise NotAllowedError(_l("请选择准予修复或不予修复。"))
    reason = reason.strip()
    if decision is RepairStatus.REJECTED and not reason:
        raise RefusedError(_l("不予修复时必须说明理由，申请单位会看到这段理由。"), field="reason")
    record = application.record
    if decision is RepairStatus.APPROVED:
        try:
            change_status(record, RecordStatus.REPAIRED, today, reason=reason or APPROVAL_NOTE, by=by)
        except TransitionError:
            raise NotAllowedError(
                _l(
                    "该记录目前的状态是“%(status)s”，不能再改为“已修复”。",
                    status=record.status.label,
                )
            ) from None
        lift_for_repair(record, today, by=by)  # the record's joint measures still in force end with it
    application.status = decision
    application.decided_on = today
    application.decided_by_id = by.id
    application.decision_reason = reason
    record.repair_open = False
    write_audit(
        f"repair.{'approve' if decision is RepairStatus.APPROVED else 'reject'}",
        "repair_application",
        application.id,
        {"status": [RepairStatus.SUBMITTED.value, decision.value], "decided_on": [None, today.isoformat()]},
        by=by,
        reason=reason or None,
    )
    if decision is RepairStatus.REJECTED:
        changed(
            item_key(ItemType.RECORD, record.id)
        )  # the marker goes (an approval's status change already noted the record)
    db.session.flush()
