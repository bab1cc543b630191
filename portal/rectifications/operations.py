"""Use cases for rectifications: an officer reports progress (to review); approved, it becomes a public entry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l

from portal.audit.operations import write_audit
from portal.core.uploads import CheckedFile
from portal.errors import NotAllowedError
from portal.extensions import db
from portal.files.operations import keep_upload
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from portal.rectifications.models import ProgressEntry
from portal.review.models import Submission
from portal.review.operations import on_decision
from portal.review.rules import SubmissionKind, SubmissionStatus
from portal.users.models import User


def report_progress(
    record: Record, on: date, text: str, evidence: list[CheckedFile], files_dir: Path, today: date, *, by: User
) -> Submission:
    """The officer's dated progress entry with its evidence files, waiting for review. The files are stored only
    once the report is allowed."""
    rectification = record.rectification
    if rectification is None:
        raise NotAllowedError(_l("该记录尚未建立整改台账，请联系信用办。"))
    if rectification.outcome is not None:
        raise NotAllowedError(_l("该记录的整改已经办结，不能再报告进展。"))
    if not record.is_public(today):
        raise NotAllowedError(_l("该记录已停止公示。"))
    if on > today:
        raise NotAllowedError(_l("进展日期不能晚于今天。"))
    submission = Submission(
        kind=SubmissionKind.PROGRESS.value,
        agency_id=record.agency_id,
        record_id=record.id,
        submitted_by_id=by.id,
        payload={"entry_date": on.isoformat(), "text": text, "files": [keep_upload(f, files_dir) for f in evidence]},
    )
    db.session.add(submission)
    db.session.flush()
    write_audit("rectification.progress_reported", "record", record.id, {"entry_date": [None, on.isoformat()]}, by=by)
    return submission


def add_progress(record: Record, on: date, text: str, evidence: str, *, by: User) -> ProgressEntry:
    """Approved progress becomes a public entry; a record still 公示中 is now 整改中."""
    rectification = record.rectification
    assert rectification is not None
    entry = ProgressEntry(rectification_id=rectification.id, entry_date=on, text=text, evidence=evidence)
    db.session.add(entry)
    rectification.progress.append(entry)
    if record.status is RecordStatus.PUBLIC:
        change_status(record, RecordStatus.RECTIFYING, on, reason="", actor=by.username)
    changed(item_key(ItemType.RECORD, record.id), item_key(ItemType.OUTCOME, rectification.id))
    db.session.flush()
    write_audit(
        "rectification.progress", "rectification", rectification.id, {"entry_date": [None, on.isoformat()]}, by=by
    )
    return entry


@on_decision(SubmissionKind.PROGRESS)
def _decide_progress(submission: Submission, decision: SubmissionStatus, by: User) -> None:
    """Approved: the reported progress becomes a public entry (a returned or rejected report changes nothing)."""
    if decision is not SubmissionStatus.APPROVED:
        return
    assert submission.record is not None
    payload = submission.payload
    evidence = "、".join(f["name"] for f in submission.files)
    add_progress(submission.record, date.fromisoformat(payload["entry_date"]), payload["text"], evidence, by=by)
