"""Use cases that change records: each checks the rules, changes state, writes the audit entry and flushes.
The caller (a view or a CLI command) commits once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit.operations import write_audit
from portal.extensions import db
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES, RecordStatus, check_transition
from portal.search.operations import enqueue


def change_status(record: Record, new: RecordStatus, on: date, *, reason: str, actor: str) -> None:
    """Move a record to `new` (InvalidTransition if the table forbids it). Stopping publication needs a reason
    and is dated `on`, so that the 410 notice can say since when and why."""
    old = record.record_status
    check_transition(old, new)
    if new not in SHOWN_STATUSES and not reason.strip():
        raise ValueError("stopping publication needs a reason")
    record.status = new.value
    changes: dict[str, list[str | None]] = {"status": [old.value, new.value]}
    if new not in SHOWN_STATUSES:
        record.stopped_on = on
        record.stop_note = reason
        changes["stopped_on"] = [None, on.isoformat()]
    write_audit("record.status", "record", record.id, changes, actor=actor, reason=reason)
    enqueue(f"record:{record.id}", *([f"outcome:{record.rectification.id}"] if record.rectification else []))
    db.session.flush()


def expire_due_records(today: date, *, actor: str = "system") -> int:
    """Mark as 公示期满 every shown record whose maximum period has passed (they already left the public pages
    at that date; this records it). Returns how many changed."""
    due = db.session.scalars(
        select(Record).where(Record.status.in_([s.value for s in SHOWN_STATUSES]), Record.publication_max_end <= today)
    ).all()
    for record in due:
        change_status(
            record, RecordStatus.EXPIRED, record.publication_max_end, reason="最长公示期届满，自动停止公示", actor=actor
        )
    db.session.flush()
    return len(due)
