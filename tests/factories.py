"""Factories: build objects with sensible defaults; tests name only what matters to them."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime
from typing import Any

from argon2 import PasswordHasher
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, PdfObject, TextStringObject

from portal.agencies.models import Agency, PositiveItem
from portal.agencies.rules import AgencyKind
from portal.commitments.models import Commitment
from portal.complaints.models import Complaint
from portal.complaints.operations import close, publish_answer
from portal.complaints.rules import Category, ComplaintStatus, FilerType
from portal.core.periods import Severity, disclosure_window
from portal.demo.generator import make_uscc
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.models import PlanStep, Rectification
from portal.users.models import User
from portal.users.rules import Role

_serial = itertools.count(90_000_000)
PASSWORD = "test-password-1234"
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)  # cheap: tests make many users


def make_agency(**fields: Any) -> Agency:
    serial = next(_serial)
    values: dict[str, Any] = {
        "uscc": make_uscc("11", "990121", serial),
        "name": f"测试机构{serial}",
        "kind": AgencyKind.DEPARTMENT.value,
        "region_code": "990121",
        "region_name": "演示县",
    } | fields
    agency = Agency(**values)
    db.session.add(agency)
    db.session.flush()
    return agency


def make_record(agency: Agency | None = None, **fields: Any) -> Record:
    severity = Severity(fields.pop("severity", Severity.GENERAL))
    decision = fields.pop("decision_date", date(2026, 10, 1))
    window = disclosure_window(decision, severity)
    values: dict[str, Any] = {
        "kind": "administrative_penalty",
        "title": f"测试记录{next(_serial)}",
        "severity": severity.value,
        "deciding_authority": "演示市市场监督管理局",
        "source_unit": "演示县信用办",
        "document_number": f"演测罚〔2026〕{next(_serial)}号",
        "decision_date": decision,
        "publication_start": decision,
        "publication_min_end": window.min_end,
        "publication_max_end": window.max_end,
        "status": RecordStatus.PUBLIC.value,
        "details": {
            "decision_number": "演测罚〔2026〕1号",
            "violation_type": "拖延办理项目审批",
            "fine": 123456,
        },
    } | fields
    record = Record(agency=agency or make_agency(), **values)
    db.session.add(record)
    db.session.flush()
    return record


def make_commitment(agency: Agency | None = None, **fields: Any) -> Commitment:
    serial = next(_serial)
    values: dict[str, Any] = {
        "code": f"99012120261001{serial % 1_000_000:06d}",
        "type": "voluntary",
        "subject": "duty",
        "title": f"测试承诺{serial}",
        "reason": "测试事由",
        "content": "测试内容",
        "liability": "测试责任",
        "made_on": date(2026, 10, 1),
        "accepting_unit": "演示县信用办",
        "scope": "public",
        "fulfilment": "in_progress",
        "published_at": datetime(2026, 10, 1, 1, 0, tzinfo=UTC),
    } | fields
    commitment = Commitment(agency=agency or make_agency(), **values)
    db.session.add(commitment)
    db.session.flush()
    return commitment


def make_rectification(record: Record, **fields: Any) -> Rectification:
    values: dict[str, Any] = {
        "responsible_unit": record.agency.name,
        "responsible_post": "主要负责人",
        "measures": "筹措资金，限期履行",
        "deadline": date(2026, 12, 1),
    } | fields
    measures = values.pop("measures")  # one text, or a list of PlanStep(text=, deadline=, done_on=)
    if isinstance(measures, str):
        measures = [PlanStep(text=measures, deadline=values["deadline"])]
    for n, step in enumerate(measures):
        step.position = n
    rectification = Rectification(record=record, steps=measures, **values)
    db.session.add(rectification)
    db.session.flush()
    return rectification


def make_user(role: Role | str = Role.STAFF, agency: Agency | None = None, **fields: Any) -> User:
    """A user whose password is PASSWORD; an officer gets a new agency unless one is given."""
    role = Role(role)
    if role is Role.OFFICER and agency is None:
        agency = make_agency()
    serial = next(_serial)
    values: dict[str, Any] = {
        "username": f"user{serial}",
        "display_name": f"测试用户{serial}",
        "role": role.value,
        "agency_id": agency.id if agency else None,
        "password_hash": _PASSWORD_HASH,
    } | fields
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user


def make_positive_item(agency: Agency | None = None, **fields: Any) -> PositiveItem:
    """Positive information (表彰奖励, 守信践诺) on an agency's 诚信档案."""
    values: dict[str, Any] = {
        "title": f"测试表彰{next(_serial)}",
        "kind": "commendation",
        "awarded_on": date(2026, 6, 1),
        "awarding_unit": "演示市人民政府",
        "document_number": "演政发〔2026〕8号",
    } | fields
    item = PositiveItem(agency=agency or make_agency(), **values)
    db.session.add(item)
    db.session.flush()
    return item


def make_measure(record: Record, implementing: Agency | None = None, **fields: Any) -> Any:
    """A joint measure (联合惩戒) on the record, carried out by `implementing` (a new agency unless given)."""
    from portal.measures.models import JointMeasure

    values: dict[str, Any] = {
        "kind": "limit_financing",
        "document_number": f"演信用〔2026〕{next(_serial)}号",
        "applied_on": date(2026, 11, 10),
        "basis": "新信用发〔2018〕6号 (五)2",
        "note": "",
        "confirm_note": "",
        "lift_reason": "",
    } | fields
    measure = JointMeasure(record_id=record.id, implementing_agency_id=(implementing or make_agency()).id, **values)
    db.session.add(measure)
    db.session.flush()
    return measure


def make_closed_complaint(agency: Agency, number: str, answer: str, by: User, **fields: Any) -> Complaint:
    """A complaint about `agency`, answered and then closed by staff `by` with `answer`; when `publish_consent` (the
    default) staff then publish `answer` as its public version too. The complainant's name, phone and code are
    planted to be looked for."""
    day = fields.pop("filed_on", date(2026, 11, 20))
    values: dict[str, Any] = {
        "number": number,
        "secret_hash": "0" * 64,
        "filer_type": FilerType.ENTERPRISE,
        "name": "私密公司",
        "uscc": "91990121MA0000000X",
        "phone": "13800000000",
        "agency": agency,
        "category": Category.ARREARS,
        "description": f"{agency.name}拖欠货款（演示）",
        "publish_consent": True,
        "status": ComplaintStatus.ANSWERED,
        "filed_on": day,
        "accept_due": day,
        "answer_due": day,
        "close_due": day,
    } | fields
    complaint = Complaint(**values)
    db.session.add(complaint)
    db.session.flush()
    close(complaint, answer, day, by=by)
    if complaint.publish_consent:
        publish_answer(complaint, answer, by=by)
    return complaint


def photo(fmt: str = "PNG", size: tuple[int, int] = (4, 2), exif: Image.Exif | None = None) -> bytes:
    """A real, tiny image (uploads are decoded and re-encoded, so a made-up header is refused), with `exif` if given."""
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **options)
    return out.getvalue()


def active_pdf(part: str) -> bytes:
    """A one-page PDF carrying something active (issue 19): "javascript" (a document-level script), "open-script"
    (a script run on opening), "launch" (a program started on opening), "attachment" (an embedded file), "xfa" (an
    XFA form); "goto" is the harmless kind of open action (show page 1) that must stay accepted."""
    writer = PdfWriter(clone_from=io.BytesIO(one_page_pdf(["Commitment letter"])))
    root = writer._root_object

    def action(kind: str, **entries: PdfObject) -> DictionaryObject:
        return DictionaryObject({NameObject("/S"): NameObject(kind), **{NameObject(k): v for k, v in entries.items()}})

    if part == "javascript":
        script = action("/JavaScript", **{"/JS": TextStringObject("app.alert(1)")})
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), script])})
        root[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    elif part == "open-script":
        root[NameObject("/OpenAction")] = action("/JavaScript", **{"/JS": TextStringObject("app.alert(1)")})
    elif part == "launch":
        root[NameObject("/OpenAction")] = action("/Launch", **{"/F": TextStringObject("cmd.exe")})
    elif part == "attachment":
        writer.add_attachment("payload.txt", b"hidden")
    elif part == "xfa":
        root[NameObject("/AcroForm")] = DictionaryObject({NameObject("/XFA"): ArrayObject()})
    elif part == "goto":
        page = writer.pages[0].indirect_reference
        root[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
