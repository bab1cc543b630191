"""Complaint → record (DESIGN.md "Complaint"): staff make a record from a substantiated complaint, prefilled and
linked both ways, without the complainant's identity; or link the complaint to an existing record."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal import clock
from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.complaints.operations import accept
from portal.extensions import db
from portal.records.models import Record
from portal.users.rules import Role
from tests.complaints.test_workspace import EMAIL, NAME, PHONE, USCC, make_complaint
from tests.factories import make_agency, make_record, make_user
from tests.forms import sign_in
from tests.html import find, form_fields, one, text_of, visible_text
from tests.records.test_workspace import record_input


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_record_made_from_a_complaint_is_prefilled_and_linked(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = make_complaint(app, agency, category="contract", amount_fen=98_765_43)
    accept(complaint, clock.today(), by=staff)
    sign_in(client, staff)

    page = client.get(f"/workspace/complaints/{complaint.id}").get_data(as_text=True)
    make_form = one(page, "form", action="/workspace/records/new")
    assert form_fields(make_form) == {"complaint": str(complaint.id), "kind": "arrears"}  # 合同违约 → arrears

    url = f"/workspace/records/new?kind=arrears&complaint={complaint.id}"
    form_page = client.get(url).get_data(as_text=True)
    prefilled = form_fields(one(form_page, "form", method="post", action=url))
    assert prefilled["agency"] == str(agency.id)
    assert prefilled["amount_owed"] == "98765.43"
    assert prefilled["summary"] == complaint.description
    assert prefilled["party_b"] == ""
    for private in (NAME, PHONE, EMAIL, USCC):
        assert private not in form_page

    typed = record_input("arrears", agency.id) | {
        k: v for k, v in prefilled.items() if k in ("summary", "amount_owed", "csrf_token", "form_token")
    }
    response = client.post(url, data=typed)
    assert response.status_code == 303
    db.session.refresh(complaint)
    record = db.session.get(Record, complaint.record_id)
    assert record is not None
    assert record.amount_fen == 98_765_43
    assert all(private not in str(record.details) + record.summary for private in (NAME, PHONE, EMAIL, USCC))
    shown = client.get(f"/workspace/records/{record.id}").get_data(as_text=True)
    linked = one(shown, "section", aria_labelledby="complaints-heading")
    assert complaint.number in text_of(linked)
    assert client.get(url).status_code == 409  # the complaint has its record now


def test_a_complaint_not_yet_accepted_makes_no_record(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency())
    sign_in(client, make_user(Role.STAFF))
    assert client.get(f"/workspace/records/new?kind=arrears&complaint={complaint.id}").status_code == 409
    assert client.get("/workspace/records/new?kind=arrears&complaint=999999").status_code == 404
    page = client.get(f"/workspace/complaints/{complaint.id}").get_data(as_text=True)
    assert find(page, "form", action=f"/workspace/complaints/{complaint.id}/link") is None


def test_staff_link_a_complaint_to_an_existing_record(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = make_complaint(app, agency)
    accept(complaint, clock.today(), by=staff)
    record, elsewhere = make_record(agency), make_record(make_agency())
    sign_in(client, staff)
    action = f"/workspace/complaints/{complaint.id}/link"

    def post(value: str) -> tuple[int, str]:
        page = client.get(f"/workspace/complaints/{complaint.id}").get_data(as_text=True)
        fields = form_fields(one(page, "form", action=action), hidden_only=True) | {"record": value}
        response = client.post(action, data=fields)
        return response.status_code, response.get_data(as_text=True)

    before = count(AuditEntry)
    for value in ("abc", "999999", str(elsewhere.id)):
        status, body = post(value)
        assert status == 400, value
        assert find(body, "p", class_="field-error-message", id="record-error") is not None
    assert count(AuditEntry) == before
    db.session.refresh(complaint)
    assert complaint.record_id is None

    status, _body = post(str(record.id))
    assert status == 303
    db.session.refresh(complaint)
    assert complaint.record_id == record.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint.link_record")).one()
    assert NAME not in str(entry.changes)
    assert record.title in visible_text(client.get(f"/workspace/complaints/{complaint.id}").get_data(as_text=True))
    assert db.session.get(Complaint, complaint.id) is not None
