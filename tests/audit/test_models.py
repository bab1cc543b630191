from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from portal.audit.models import AuditEntry, AuditLogIsAppendOnlyError
from portal.audit.operations import write_audit
from portal.extensions import db


def test_entries_are_written_with_old_and_new_values(app: Flask) -> None:
    entry = write_audit("record.correct", "record", 7, {"title": ["旧", "新"]}, actor="staff1", reason="笔误")
    db.session.flush()
    stored = db.session.get(AuditEntry, entry.id)
    assert stored is not None
    assert stored.changes == {"title": ["旧", "新"]}
    assert stored.at.tzinfo is not None


def test_the_orm_refuses_to_change_or_delete_an_entry(app: Flask) -> None:
    entry = db.session.scalars(select(AuditEntry)).first()
    assert entry is not None  # the demo loader wrote one
    entry.reason = "tampered"
    with pytest.raises(AuditLogIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEntry)).first())
    with pytest.raises(AuditLogIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET reason = 'x'", "DELETE FROM audit_entries"])
def test_the_database_refuses_it_too(app: Flask, statement: str) -> None:
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert (db.session.scalar(select(sa.func.count()).select_from(AuditEntry)) or 0) >= 1
