"""The demo's worked cases go through the workspace's own operations: each leaves what those operations leave
(audit entries, public entries on the record pages), so the demo shows the real flow."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.demo.showcase import show_the_real_flow
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.rectifications.models import PlanRevision, Rectification
from portal.rectifications.rules import Outcome
from tests.conftest import TODAY
from tests.html import visible_text


def test_the_worked_cases_leave_what_the_operations_leave(app: Flask, client: FlaskClient) -> None:
    today = date.fromisoformat(TODAY)
    before = db.session.scalar(select(func.count(AuditEntry.id))) or 0
    show_the_real_flow(today, app.config["PORTAL_SETTINGS"].files_dir)
    db.session.flush()
    actions = set(db.session.scalars(select(AuditEntry.action)))
    for action in (
        "rectification.plan_created",
        "rectification.plan_revised",
        "rectification.plan_submitted",
        "rectification.completion_reported",
        "rectification.outcome",
        "submission.approved",
        "measure.apply",
        "measure.confirm",
        "arrears.instalment",
        "arrears.payment",
        "arrears.incentive",
        "agency.positive.add",
        "complaint.link_record",
    ):
        assert action in actions, action
    assert (db.session.scalar(select(func.count(AuditEntry.id))) or 0) > before + 20

    revision = db.session.scalars(select(PlanRevision)).first()
    assert revision is not None
    adjusted = db.session.get(Rectification, revision.rectification_id)
    assert adjusted is not None
    page = visible_text(client.get(f"/records/{adjusted.record_id}").get_data(as_text=True))
    assert "财政资金分两批到位，整改期限相应延长" in page  # the 调整记录, in public

    confirmed = db.session.scalars(
        select(JointMeasure).where(JointMeasure.document_number == "演信用办〔2026〕12号")
    ).one()
    assert confirmed.confirmed_on is not None
    assert "已落实" in visible_text(client.get(f"/records/{confirmed.record_id}").get_data(as_text=True))

    performed = db.session.scalars(
        select(Rectification).where(Rectification.outcome == Outcome.PERFORMED, Rectification.outcome_basis != "")
    ).all()
    assert any(r.outcome_basis == "履行凭证及债权人确认书" for r in performed)

    linked = db.session.scalars(select(Complaint).where(Complaint.record_id.is_not(None))).one()
    assert linked.name not in visible_text(client.get(f"/records/{linked.record_id}").get_data(as_text=True))

    # issue 18: one complaint rated 满意 and published in a redacted version; one 不满意 and returned once
    published = db.session.scalars(select(Complaint).where(Complaint.published)).one()
    assert published.rating == "satisfied"
    public = visible_text(client.get(f"/complaints/{published.number}").get_data(as_text=True))
    assert "已安排支付" in public
    for private in (published.name, published.phone, published.uscc):
        assert private not in public
    returned = db.session.scalars(select(Complaint).where(Complaint.returned_on.is_not(None))).one()
    assert (returned.status, returned.rating, returned.published) == ("transferred", None, False)
    assert {"complaint.rate", "complaint.publish"} <= actions
