"""`flask --app portal retention run [--dry-run]`: a complaint or objection closed 3 years and a day ago loses its
filer's personal data (the row, number, status and public answer stay), one closed 3 years less a day ago keeps it;
the dry run changes nothing; the audit entries hold no personal data; attachments nothing else uses are deleted; a
second run changes nothing more."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.core.masking import ERASED
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.operations import store_bytes
from portal.objections.models import Objection
from portal.objections.rules import Ground, ObjectionStatus
from portal.records.models import Record
from portal.users.rules import Role
from tests.factories import make_agency, make_closed_complaint, make_user
from tests.forms import sign_in
from tests.html import visible_text

TODAY = date(2026, 11, 20)  # the tests' today (PORTAL_TODAY); PORTAL_RETENTION_YEARS is the default, 3
DUE = date(2023, 11, 19)  # closed 3 years and a day before today
KEPT = date(2023, 11, 21)  # closed 3 years less a day before today
PERSON = {"name": "王小明", "phone": "13912345678", "email": "xiaoming@example.com", "uscc": "91990121MA0000001X"}
STORY = "王小明的道路工程款 120 万元至今未付，联系人王小明。"
FILE_NAME = "王小明身份证.pdf"
ANSWER = "经核查，演示县交通运输局已于 2023 年 11 月付清工程款。"


@dataclass
class Cases:
    due: Complaint  # closed 3 years and a day ago, with two attachments: one its own, one shared with `kept`
    kept: Complaint  # closed 3 years less a day ago, sharing one attachment with `due`
    objection_due: Objection
    objection_kept: Objection
    own_file: str  # SHA-256 of the attachment only `due` names
    shared_file: str  # SHA-256 of the attachment `due` and `kept` name


def files_dir(app: Flask) -> Path:
    return Path(app.config["PORTAL_SETTINGS"].files_dir)


def attachment(app: Flask, name: str) -> dict[str, str]:
    stored = store_bytes(b"%PDF-1.4 retention test " + os.urandom(16).hex().encode(), "application/pdf", files_dir(app))
    return {"sha256": stored.sha256, "name": name, "type": stored.content_type}


def decided_objection(number: str, decided_on: date, files: list[dict[str, str]]) -> Objection:
    record = db.session.scalar(select(Record).order_by(Record.id).limit(1))
    objection = Objection(
        number=number,
        secret_hash="0" * 64,
        record=record,
        ground=Ground.WRONG,
        explanation=STORY,
        attachments=files,
        name=PERSON["name"],
        phone=PERSON["phone"],
        email=PERSON["email"],
        status=ObjectionStatus.UPHELD,
        filed_on=decided_on - timedelta(days=14),
        accept_due=decided_on - timedelta(days=12),
        verify_due=decided_on,
        accepted_on=decided_on - timedelta(days=12),
        decided_on=decided_on,
        outcome_reason="经核查，记录无误。",
    )
    db.session.add(objection)
    db.session.flush()
    return objection


@pytest.fixture
def cases(app: Flask) -> Cases:
    staff = make_user(Role.STAFF)
    agency = make_agency()
    own, shared = attachment(app, FILE_NAME), attachment(app, "合同.pdf")
    person = {k: v for k, v in PERSON.items()} | {"description": STORY}
    due = make_closed_complaint(
        agency, "TS-2023-990001", ANSWER, staff, filed_on=DUE, attachments=[own, shared], **person
    )
    kept = make_closed_complaint(agency, "TS-2023-990002", ANSWER, staff, filed_on=KEPT, attachments=[shared], **person)
    return Cases(
        due,
        kept,
        decided_objection("YY-2023-990001", DUE, [attachment(app, FILE_NAME)]),
        decided_objection("YY-2023-990002", KEPT, []),
        own["sha256"],
        shared["sha256"],
    )


def run(app: Flask, *options: str) -> Result:
    result = app.test_cli_runner().invoke(args=["retention", "run", *options])
    assert result.exit_code == 0, result.output
    return result


def state(item: Complaint | Objection) -> dict[str, Any]:
    db.session.refresh(item)
    return {column.key: getattr(item, column.key) for column in item.__table__.columns}


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def personal_values() -> list[str]:
    return [*PERSON.values(), STORY, FILE_NAME, "王小明"]


def test_the_dry_run_lists_numbers_and_dates_and_changes_nothing(app: Flask, cases: Cases) -> None:
    before = [state(item) for item in (cases.due, cases.kept, cases.objection_due, cases.objection_kept)]
    audits, stored = audit_count(), db.session.scalar(select(func.count()).select_from(StoredFile))
    output = run(app, "--dry-run").output
    assert "would erase complaint TS-2023-990001 (closed 2023-11-19, 2 attachment(s))" in output
    assert "would erase objection YY-2023-990001 (closed 2023-11-19, 1 attachment(s))" in output
    assert "TS-2023-990002" not in output
    assert "YY-2023-990002" not in output
    assert "nothing was changed" in output
    assert not [value for value in personal_values() if value in output]
    db.session.expire_all()
    assert [state(item) for item in (cases.due, cases.kept, cases.objection_due, cases.objection_kept)] == before
    assert audit_count() == audits
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == stored
    assert (files_dir(app) / cases.own_file[:2] / cases.own_file).is_file()


def test_a_case_closed_3_years_and_a_day_ago_is_erased_and_one_closed_a_day_later_is_not(
    app: Flask, cases: Cases
) -> None:
    due_before, kept_before = state(cases.due), state(cases.kept)
    steps_before = [(step.status, step.on, step.note) for step in cases.due.steps]
    objection_kept_before = state(cases.objection_kept)
    output = run(app).output
    assert "erased complaint TS-2023-990001 (closed 2023-11-19, 2 attachment(s))" in output
    assert "erased objection YY-2023-990001 (closed 2023-11-19, 1 attachment(s))" in output

    erased = state(cases.due)
    assert {k: erased[k] for k in ("name", "uscc", "phone", "email", "description", "attachments")} == {
        "name": ERASED,
        "uscc": "",
        "phone": "",
        "email": "",
        "description": ERASED,
        "attachments": [],
    }
    unchanged = {"name", "uscc", "phone", "email", "description", "attachments"}
    assert {k: v for k, v in erased.items() if k not in unchanged} == {
        k: v for k, v in due_before.items() if k not in unchanged
    }  # the number, status, dates, amount, answer, publication, and the time feeds show as "updated"
    assert erased["answer"] == ANSWER
    assert [(step.status, step.on, step.note) for step in cases.due.steps] == steps_before  # the dated steps stay

    objection = state(cases.objection_due)
    assert (objection["name"], objection["phone"], objection["email"]) == (ERASED, "", "")
    assert (objection["explanation"], objection["attachments"]) == (ERASED, [])
    assert objection["outcome_reason"] == "经核查，记录无误。"
    assert objection["status"] is ObjectionStatus.UPHELD

    assert state(cases.kept) == kept_before
    assert state(cases.objection_kept) == objection_kept_before


def test_attachments_nothing_else_uses_are_deleted(app: Flask, cases: Cases) -> None:
    objection_file = cases.objection_due.attachments[0]["sha256"]
    output = run(app).output
    assert "2 stored file(s) nothing else uses deleted (2 found on disk)" in output
    for sha256 in (cases.own_file, objection_file):
        assert db.session.get(StoredFile, sha256) is None
        assert not (files_dir(app) / sha256[:2] / sha256).exists()
    assert db.session.get(StoredFile, cases.shared_file) is not None  # the kept complaint still names it
    assert (files_dir(app) / cases.shared_file[:2] / cases.shared_file).is_file()


def test_the_audit_entries_hold_no_personal_data(app: Flask, cases: Cases) -> None:
    run(app)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("%.erase_personal_data")).order_by(AuditEntry.id)
    ).all()
    assert [(e.entity_type, e.entity_id, e.actor) for e in entries if e.entity_id.endswith("990001")] == [
        ("complaint", "TS-2023-990001", "retention run"),
        ("objection", "YY-2023-990001", "retention run"),
    ]
    for entry in entries:
        written = json.dumps(entry.changes, ensure_ascii=False) + (entry.reason or "")
        assert not [value for value in personal_values() if value in written]
        assert cases.own_file not in written
        assert cases.shared_file not in written
    assert "办结于 2023-11-19，保存 3 年" in (entries[0].reason or "")


def test_the_public_pages_are_the_same_after_the_erasure(app: Flask, client: FlaskClient, cases: Cases) -> None:
    paths = [
        f"/complaints/{cases.due.number}",
        "/complaints/",
        "/statistics/",
        f"/records/{cases.objection_due.record_id}",
    ]
    before = [client.get(path) for path in paths]
    assert [r.status_code for r in before] == [200, 200, 200, 200]
    assert ANSWER in visible_text(before[0].get_data(as_text=True))
    run(app)
    after = [client.get(path) for path in paths]
    assert [r.get_data(as_text=True) for r in after] == [r.get_data(as_text=True) for r in before]


def test_staff_see_the_placeholder_and_the_attachment_is_gone(app: Flask, client: FlaskClient, cases: Cases) -> None:
    run(app)
    sign_in(client, make_user(Role.STAFF))
    page = client.get(f"/workspace/complaints/{cases.due.id}")
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert ERASED in text
    assert not [value for value in personal_values() if value in text]
    assert client.get(f"/workspace/complaints/{cases.due.id}/files/{cases.own_file}").status_code == 404


def test_a_second_run_changes_nothing_more(app: Flask, cases: Cases) -> None:
    run(app)
    after_first = [state(item) for item in (cases.due, cases.kept, cases.objection_due, cases.objection_kept)]
    audits = audit_count()
    output = run(app).output
    assert "erased complaint" not in output
    assert "erased objection" not in output
    assert "0 item(s) closed on or before 2023-11-20 (3 years before 2026-11-20) erased" in output
    assert [state(item) for item in (cases.due, cases.kept, cases.objection_due, cases.objection_kept)] == after_first
    assert audit_count() == audits


def test_an_open_complaint_is_never_due(app: Flask, cases: Cases) -> None:
    cases.due.status, cases.due.closed_on = cases.due.status.ANSWERED, None  # reopened, as if never closed
    db.session.flush()
    output = run(app, "--dry-run").output
    assert "TS-2023-990001" not in output
