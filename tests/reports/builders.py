"""Builders of the bulletin's tests: the things a month's figures count that tests/factories.py does not build
(complaints, letters, meetings, repairs, payments), each with the dates the figures read."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app

from portal.agencies.models import Agency
from portal.arrears.models import Payment
from portal.complaints.models import Complaint
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.operations import store_bytes
from portal.records.models import Record
from portal.repairs.models import RepairApplication
from portal.supervision.models import Letter, Meeting
from portal.users.models import User

_serial = itertools.count(70_001)


def files_dir() -> Path:
    return Path(current_app.config["PORTAL_SETTINGS"].files_dir)


def stored_pdf(text: str) -> StoredFile:
    return store_bytes(one_page_pdf([text]), "application/pdf", files_dir())


def make_complaint(agency: Agency | None, filed_on: date, **fields: Any) -> Complaint:
    serial = next(_serial)
    values: dict[str, Any] = {
        "number": f"TS-2026-{serial:06d}",
        "secret_hash": "0" * 64,
        "filer_type": "individual",
        "name": "测试投诉人",
        "category": "arrears",
        "description": "测试投诉",
        "status": "submitted",
        "filed_on": filed_on,
        "accept_due": filed_on,
        "answer_due": filed_on,
        "close_due": filed_on,
        "agency_id": agency.id if agency else None,
        "agency_typed": "" if agency else "未列入名录的单位",
    } | fields
    complaint = Complaint(**values)
    db.session.add(complaint)
    db.session.flush()
    return complaint


def make_letter(agency: Agency, issued_on: date, kind: str = "reminder") -> Letter:
    letter = Letter(
        kind=kind,
        year=issued_on.year,
        serial=next(_serial),
        agency_id=agency.id,
        addressee=agency.name,
        title="测试函件",
        body="测试正文",
        issued_on=issued_on,
        file_sha256=stored_pdf(f"letter {issued_on}").sha256,
        reply_text="",
    )
    db.session.add(letter)
    db.session.flush()
    return letter


def make_meeting(agency: Agency, kind: str, held_on: date | None, scheduled_on: date | None = None) -> Meeting:
    meeting = Meeting(
        kind=kind,
        agency_id=agency.id,
        scheduled_on=scheduled_on or held_on or date(2026, 11, 1),
        place="县信用办会议室",
        interviewer_post="县信用办主任",
        attendee_post="主要负责人",
        held_on=held_on,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_repair(record: Record, applicant: User, decided_on: date | None, status: str = "approved") -> Any:
    application = RepairApplication(
        record_id=record.id,
        agency_id=record.agency_id,
        applicant_id=applicant.id,
        statement="已全部履行",
        pledge_sha256=stored_pdf(f"pledge {record.id}").sha256,
        status=status,
        filed_on=decided_on or date(2026, 11, 1),
        decide_due=decided_on or date(2026, 11, 15),
        decided_on=decided_on,
    )
    db.session.add(application)
    db.session.flush()
    return application


def make_payment(record: Record, paid_on: date, amount_fen: int) -> Payment:
    payment = Payment(record_id=record.id, paid_on=paid_on, amount_fen=amount_fen, note="", evidence=[])
    db.session.add(payment)
    db.session.flush()
    return payment
