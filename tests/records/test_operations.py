from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.core.transitions import TransitionError
from portal.extensions import db
from portal.records.models import Record
from portal.records.operations import change_status, expire_due_records
from portal.records.rules import RecordStatus
from tests.conftest import TODAY
from tests.factories import make_record

today = date.fromisoformat(TODAY)


def audit_for(record_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(record_id))))


def test_revoking_stops_publication_with_a_dated_notice_and_an_audit_entry(client: FlaskClient) -> None:
    record = make_record()
    change_status(record, RecordStatus.REVOKED, today, reason="异议成立，认定错误", actor="staff1")
    response = client.get(f"/records/{record.id}")
    assert response.status_code == 410
    assert "已撤销" in response.get_data(as_text=True)
    [entry] = audit_for(record.id)
    assert entry.changes["status"] == ["public", "revoked"]
    assert entry.reason == "异议成立，认定错误"
    assert entry.actor == "staff1"


def test_illegal_transition_changes_nothing(app: Flask) -> None:
    record = make_record(status="revoked", stopped_on=today)
    with pytest.raises(TransitionError, match="'revoked' to 'public'"):
        change_status(record, RecordStatus.PUBLIC, today, reason="", actor="staff1")
    assert record.status == "revoked"
    assert audit_for(record.id) == []


def test_stopping_publication_needs_a_reason(app: Flask) -> None:
    record = make_record()
    with pytest.raises(ValueError, match="reason"):
        change_status(record, RecordStatus.REVOKED, today, reason="  ", actor="staff1")
    assert record.status == "public"


def test_expire_marks_only_records_past_their_maximum(app: Flask) -> None:
    due = make_record(severity="minor", decision_date=date(2026, 8, 20))  # max end == today
    not_due = make_record(severity="minor", decision_date=date(2026, 8, 21))
    expected = db.session.scalar(
        select(func.count()).where(
            Record.status.in_(["public", "rectifying", "fulfilled"]), Record.publication_max_end <= today
        )
    )
    assert expire_due_records(today) == expected
    assert due.status == "expired"
    assert due.stopped_on == date(2026, 11, 20)
    assert not_due.status == "public"
    assert expire_due_records(today) == 0  # nothing left to do
