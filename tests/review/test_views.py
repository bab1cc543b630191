"""The review queue: staff only, one decision per submission, evidence files only for staff and the agency."""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.review.models import Submission
from tests.factories import make_agency, make_record, make_rectification, make_user, photo
from tests.forms import hidden_fields, post_files, post_form, sign_in, sign_out
from tests.html import visible_text

PNG = photo("PNG")


def reported(client: FlaskClient, agency=None) -> Submission:  # type: ignore[no-untyped-def]
    record = make_record(agency or make_agency())
    make_rectification(record)
    sign_in(client, make_user("officer", record.agency))
    response = post_files(
        client,
        f"/workspace/records/{record.id}/progress",
        {"entry_date": "2026-11-19", "text": "整改进展 <b>已付款</b>"},
        {"evidence": [(PNG, "回单.png")]},
    )
    assert response.status_code == 303
    return db.session.scalars(select(Submission).where(Submission.record_id == record.id)).one()


def test_queue_and_decisions_are_for_staff_only(app: Flask, client: FlaskClient) -> None:
    submission = reported(client)
    urls = ["/workspace/review/", f"/workspace/review/{submission.id}"]
    sign_out(client)
    for url in urls:
        assert client.get(url).headers["Location"].startswith("/login?next=")
    sign_in(client, make_user("officer", submission.agency))
    for url in urls:
        assert client.get(url).status_code == 403
    for role in ("staff", "admin"):
        sign_in(client, make_user(role))
        for url in urls:
            assert client.get(url).status_code == 200
    assert client.get("/workspace/review/999999999").status_code == 404
    assert client.get("/workspace/review/?status=nonsense").status_code == 400


def test_a_submission_is_decided_once(app: Flask, client: FlaskClient) -> None:
    submission = reported(client)
    url = f"/workspace/review/{submission.id}"
    sign_in(client, make_user("staff"))
    first = hidden_fields(client.get(url).get_data(as_text=True))
    second = hidden_fields(client.get(url).get_data(as_text=True))  # another tab, opened before the decision
    assert client.post(url, data={**first, "decision": "rejected", "reason": "证据不足"}).status_code == 303
    assert client.post(url, data={**first, "decision": "rejected", "reason": "证据不足"}).status_code == 303  # again
    response = client.post(url, data={**second, "decision": "approved"})
    assert response.status_code == 409
    assert "已经处理过了" in response.get_data(as_text=True)
    db.session.refresh(submission)
    assert submission.status == "rejected"
    assert submission.decision_reason == "证据不足"
    assert submission.record is not None
    assert submission.record.rectification is not None
    assert submission.record.rectification.progress == []
    decisions = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "submission", AuditEntry.entity_id == str(submission.id))
    ).all()
    assert [d.action for d in decisions] == ["submission.rejected"]


def test_a_decision_needs_a_choice_and_a_reason_to_return(app: Flask, client: FlaskClient) -> None:
    submission = reported(client)
    url = f"/workspace/review/{submission.id}"
    sign_in(client, make_user("staff"))
    for data, message in (({}, "请选择审核结论"), ({"decision": "returned", "reason": "  "}, "必须说明理由")):
        response = post_form(client, url, data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    db.session.refresh(submission)
    assert submission.status == "pending"


def test_evidence_is_served_to_staff_and_the_agency_only(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    submission = reported(client, agency)
    stored = submission.files[0]["sha256"]  # the photo re-encoded without its metadata
    url = f"/workspace/review/{submission.id}/files/{stored}"
    for user in (make_user("officer", agency), make_user("staff")):
        sign_in(client, user)
        with client.get(url) as response:
            assert response.status_code == 200
            assert hashlib.sha256(response.data).hexdigest() == stored
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in response.headers["Cache-Control"]
    sign_in(client, make_user("officer"))
    assert client.get(url).status_code == 404
    sign_in(client, make_user("staff"))
    assert client.get(f"/workspace/review/{submission.id}/files/{'0' * 64}").status_code == 404
    sign_out(client)
    assert client.get(url).status_code == 302
    assert "回单" not in client.get(f"/records/{submission.record_id}").get_data(as_text=True)


def test_hostile_report_text_is_escaped_in_the_queue(app: Flask, client: FlaskClient) -> None:
    submission = reported(client)
    sign_in(client, make_user("staff"))
    for url in ("/workspace/review/", f"/workspace/review/{submission.id}"):
        body = client.get(url).get_data(as_text=True)
        assert "<b>已付款</b>" not in body
        assert "&lt;b&gt;已付款&lt;/b&gt;" in body


def test_the_queue_and_the_history_show_every_kind_of_submission(app: Flask, client: FlaskClient) -> None:
    """A drafted plan and a 履行完毕 report wait in the queue beside progress reports (they once made it fail)."""
    from datetime import date

    from portal.core.uploads import EVIDENCE, check_upload
    from portal.demo.pdf import one_page_pdf
    from portal.rectifications.operations import report_completion, submit_plan
    from portal.rectifications.rules import Plan, Step

    today = date(2026, 11, 20)
    files_dir = app.config["PORTAL_SETTINGS"].files_dir
    agency = make_agency()
    officer = make_user("officer", agency)
    planned, finished = make_record(agency), make_record(agency)
    deadline = date(2026, 12, 31)
    submit_plan(planned, Plan("演示县财政局", "局长", (Step("筹措资金", deadline),), deadline), today, by=officer)
    make_rectification(finished)
    pdf = check_upload("佐证.pdf", one_page_pdf(["queue"]), EVIDENCE.kinds, EVIDENCE.max_bytes)
    report_completion(finished, today, "付款凭证", "已全部付清", [pdf], files_dir, today, by=officer)
    sign_in(client, make_user("staff"))
    response = client.get("/workspace/review/")
    assert response.status_code == 200
    text = visible_text(response.get_data(as_text=True))
    assert "整改期限 2026年12月31日" in text
    assert "履行完毕：已全部付清" in text
    sign_in(client, officer)
    history = client.get(f"/workspace/records/{finished.id}/plan")
    assert history.status_code == 200
