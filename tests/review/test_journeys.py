"""Each role's journey end to end in the test client: an officer uploads a commitment letter and submits it, staff
return it, the officer fixes it and submits again, staff approve it and it is public with its SHA-256; progress and
fulfilment reports go the same way."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.commitments.models import Commitment
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.review.models import Submission
from tests.factories import make_agency, make_commitment, make_record, make_rectification, make_user, photo
from tests.forms import post_files, post_form, sign_in, sign_out

LETTER = one_page_pdf(["Test commitment letter", "signed"])


def commitment_fields(**changes: object) -> dict[str, object]:
    return {
        "title": "优化营商环境承诺",
        "type": "voluntary",
        "subject": "service",
        "reason": "落实优化营商环境条例",
        "content": "承诺依法履约，按期支付中小企业账款",
        "liability": "违诺的，依法承担责任并接受失信惩戒",
        "made_on": "2026-11-18",
        "valid_until": "",
        "accepting_unit": "演示县信用办",
        "scope": "public",
    } | changes


def upload(client: FlaskClient, data: bytes = LETTER, name: str = "承诺书.pdf", **changes: object) -> TestResponse:
    return post_files(client, "/workspace/commitments/new", commitment_fields(**changes), {"letter": [(data, name)]})


def test_officer_uploads_submits_staff_returns_then_approves(app: Flask, client: FlaskClient) -> None:
    agency = make_agency(region_code="990121")
    officer = make_user("officer", agency)
    staff = make_user("staff")
    sign_in(client, officer)

    response = upload(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    draft_url = response.headers["Location"]
    draft = db.session.scalars(select(Commitment).where(Commitment.agency_id == agency.id)).one()
    assert draft.state == "draft"
    assert draft.code is None
    assert not draft.is_public
    assert draft.letter_sha256 == hashlib.sha256(LETTER).hexdigest()

    response = post_form(client, draft_url, {}, to=f"{draft_url}/submit")
    assert response.status_code == 303
    assert client.get(f"{draft_url}/edit").status_code == 409  # locked while in review
    submission = db.session.scalars(select(Submission).where(Submission.commitment_id == draft.id)).one()

    sign_in(client, staff)
    queue = client.get("/workspace/review/").get_data(as_text=True)
    assert "优化营商环境承诺" in queue
    review_url = f"/workspace/review/{submission.id}"
    response = post_form(client, review_url, {"decision": "returned", "reason": ""})
    assert response.status_code == 400
    assert "必须说明理由" in response.get_data(as_text=True)
    response = post_form(client, review_url, {"decision": "returned", "reason": "承诺内容请写明支付期限"})
    assert response.status_code == 303

    sign_in(client, officer)
    page = client.get(draft_url).get_data(as_text=True)
    assert "已退回" in page
    assert "承诺内容请写明支付期限" in page
    response = post_form(client, f"{draft_url}/edit", commitment_fields(content="承诺在 30 日内支付中小企业账款"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert post_form(client, draft_url, {}, to=f"{draft_url}/submit").status_code == 303

    sign_in(client, staff)
    second = db.session.scalars(
        select(Submission).where(Submission.commitment_id == draft.id, Submission.status == "pending")
    ).one()
    outbox_before = db.session.query(OutboxEntry).count()
    response = post_form(client, f"/workspace/review/{second.id}", {"decision": "approved", "reason": ""})
    assert response.status_code == 303
    db.session.refresh(draft)
    assert draft.state == "published"
    assert draft.code is not None
    assert draft.code.startswith("99012120261118")
    assert db.session.query(OutboxEntry).count() > outbox_before
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "commitment.publish", AuditEntry.entity_id == draft.code)
    )

    sign_out(client)
    public = client.get(f"/commitments/?agency={agency.uscc}").get_data(as_text=True)
    assert "优化营商环境承诺" in public
    detail = client.get(f"/commitments/{draft.code}").get_data(as_text=True)
    assert hashlib.sha256(LETTER).hexdigest() in detail
    with client.get(f"/commitments/{draft.code}/letter.pdf") as letter:
        assert letter.data == LETTER


def test_progress_report_is_published_when_approved(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    record = make_record(agency)
    make_rectification(record)
    officer = make_user("officer", agency)
    staff = make_user("staff")
    sign_in(client, officer)
    url = f"/workspace/records/{record.id}/progress"
    png = photo("PNG")
    response = post_files(
        client, url, {"entry_date": "2026-11-19", "text": "已支付首期款项 50 万元"}, {"evidence": [(png, "回单.png")]}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    submission = db.session.scalars(select(Submission).where(Submission.record_id == record.id)).one()
    assert client.get(f"/records/{record.id}").get_data(as_text=True).count("已支付首期款项") == 0

    sign_in(client, staff)
    review = client.get(f"/workspace/review/{submission.id}").get_data(as_text=True)
    assert "回单.png" in review
    stored = submission.files[0]  # the photo as stored: re-encoded without its metadata
    with client.get(f"/workspace/review/{submission.id}/files/{stored['sha256']}") as file_response:
        assert file_response.status_code == 200
        assert hashlib.sha256(file_response.data).hexdigest() == stored["sha256"]
        assert file_response.data.startswith(b"\x89PNG")
        assert file_response.headers["Content-Disposition"].startswith("attachment")
        assert file_response.headers["X-Content-Type-Options"] == "nosniff"
    assert post_form(client, f"/workspace/review/{submission.id}", {"decision": "approved"}).status_code == 303
    db.session.refresh(record)
    assert record.status == "rectifying"
    assert "已支付首期款项 50 万元" in client.get(f"/records/{record.id}").get_data(as_text=True)


def test_fulfilment_report_is_shown_when_approved(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    commitment = make_commitment(agency, state="published")
    officer = make_user("officer", agency)
    sign_in(client, officer)
    url = f"/workspace/commitments/{commitment.id}/fulfilment"
    response = post_form(
        client, url, {"fulfilment": "fulfilled", "determined_on": "2026-11-19", "determined_by": "演示县信用办"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert (
        post_form(
            client, url, {"fulfilment": "partly", "determined_on": "2026-11-19", "determined_by": "x"}
        ).status_code
        == 400
    )
    submission = db.session.scalars(select(Submission).where(Submission.commitment_id == commitment.id)).one()
    sign_in(client, make_user("staff"))
    assert post_form(client, f"/workspace/review/{submission.id}", {"decision": "approved"}).status_code == 303
    db.session.refresh(commitment)
    assert commitment.fulfilment == "fulfilled"
    assert commitment.fulfilment_history[-1].determined_on == date(2026, 11, 19)
