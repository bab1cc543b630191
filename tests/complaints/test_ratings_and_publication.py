"""Closing the loop on a complaint (issue 18): the complainant rates the answer (满意/基本满意/不满意) from the status
page, staff may return a 不满意 case to the agency once within the period, and the public version of the answer is
written by staff from a redacted draft and refused while it still holds personal data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.complaints.operations import (
    accept,
    agency_answers,
    close,
    file_complaint,
    rate,
    return_to_agency,
    transfer,
)
from portal.complaints.rules import ComplaintStatus, Satisfaction
from portal.errors import NotAllowedError
from portal.extensions import db
from portal.forms import issue_form_token
from portal.mail.models import MailMessage
from portal.mail.rules import sign_status_link
from portal.supervision.models import LedgerItem
from portal.supervision.operations import work_calendar
from portal.supervision.operations.ledger import refresh_ledger
from portal.users.models import User
from portal.users.rules import Role
from tests.complaints.test_workspace import (
    EMAIL,
    NAME,
    PHONE,
    USCC,
    csrf_token,
    form_fields,
    fresh,
    step,
    text_of,
    url,
)
from tests.factories import make_agency, make_user
from tests.forms import sign_in
from tests.html import find, parse_strict, visible_text

TODAY = date(2026, 11, 20)  # the tests' PORTAL_TODAY
ANSWER = f"{NAME}：您好！经核实，拖欠款项已于 11 月支付。如有疑问请拨打 {PHONE}。"


def closed_complaint(app: Flask, *, consent: bool = True, on: date = TODAY) -> tuple[Complaint, str, User, User]:
    """A complaint filed (keeping its receipt's secret), accepted, transferred, answered and closed on `on` with an
    answer that greets the complainant by name and gives a phone number; with the staff and the officer."""
    agency = make_agency()
    staff, officer = make_user(Role.STAFF), make_user(Role.OFFICER, agency=agency)
    settings = app.config["PORTAL_SETTINGS"]
    values = {
        "filer_type": "enterprise",
        "name": NAME,
        "uscc": USCC,
        "phone": PHONE,
        "email": EMAIL,
        "agency_id": agency.id,
        "category": "arrears",
        "description": "2025 年完工的道路工程款至今未付。",
        "publish_consent": consent,
    }
    complaint, receipt = file_complaint(values, [], settings.files_dir, on, work_calendar(on), settings.deadline_days)
    accept(complaint, on, by=staff)
    transfer(complaint, agency, on, by=staff)
    agency_answers(complaint, "已支付。", on, by=officer)
    close(complaint, ANSWER, on, by=staff)
    db.session.flush()
    return complaint, receipt.secret, staff, officer


def status_page(client: FlaskClient, complaint: Complaint, secret: str) -> str:
    page = client.get("/complaints/status").get_data(as_text=True)
    fields = form_fields(page, "/complaints/status")
    response = client.post("/complaints/status", data={**fields, "number": complaint.number, "secret": secret})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rate_from(client: FlaskClient, page: str, rating: str, comment: str = "") -> tuple[int, str]:
    """Post the rating form found on the status page `page`, as a browser does."""
    fields = form_fields(page, "/complaints/status/rate")
    response = client.post("/complaints/status/rate", data={**fields, "rating": rating, "rating_comment": comment})
    return response.status_code, response.get_data(as_text=True)


# --- rating ---------------------------------------------------------------------------------------------------------


def test_the_complainant_rates_once_from_the_status_page(app: Flask, client: FlaskClient) -> None:
    complaint, secret, _staff, _officer = closed_complaint(app)
    page = status_page(client, complaint, secret)
    assert "评价答复" in page
    assert find(page, "form", action="/complaints/status/rate") is not None

    status, body = rate_from(client, page, "dissatisfied")  # 不满意 needs its reason
    assert status == 400
    assert "请说明不满意的原因" in body
    assert fresh(complaint).rating is None

    status, body = rate_from(client, page, "maybe")
    assert status == 400
    assert "请选择满意、基本满意或不满意" in body

    status, body = rate_from(client, page, "dissatisfied", "只付了一半，余款没有说法。")
    assert status == 200
    parse_strict(body)
    assert "感谢您的评价" in body
    rated = fresh(complaint)
    assert (rated.rating, rated.rating_comment, rated.rated_on) == (
        Satisfaction.DISSATISFIED,
        "只付了一半，余款没有说法。",
        TODAY,
    )
    assert find(body, "form", action="/complaints/status/rate") is None  # shown, no longer offered

    status, body = rate_from(client, page, "satisfied")  # the same form posted again: refused, nothing changed
    assert status == 409
    assert fresh(complaint).rating == Satisfaction.DISSATISFIED
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint.rate")).all()
    assert [(e.actor, e.changes) for e in entries] == [("public", {"rating": [None, "dissatisfied"]})]
    assert "只付了一半" not in str(entries[0].changes)  # the complainant's words stay off the audit log


def test_the_link_in_the_message_rates_without_the_secret(app: Flask, client: FlaskClient) -> None:
    complaint, _secret, _staff, _officer = closed_complaint(app)
    token = sign_status_link(app.config["SECRET_KEY"], f"complaint:{complaint.number}", TODAY)
    page = client.get(f"/complaints/status?t={token}").get_data(as_text=True)
    status, body = rate_from(client, page, "basically_satisfied")
    assert status == 200
    assert fresh(complaint).rating == Satisfaction.BASICALLY_SATISFIED
    assert "基本满意" in body


def test_a_rating_without_a_valid_receipt_or_link_is_refused(app: Flask, client: FlaskClient) -> None:
    complaint, secret, _staff, _officer = closed_complaint(app)
    page = status_page(client, complaint, secret)
    fields = form_fields(page, "/complaints/status/rate")
    for forged in ({"secret": "wrong-secret-wrong-secret"}, {"number": "", "secret": "", "t": "forged.token"}):
        response = client.post("/complaints/status/rate", data={**fields, "rating": "satisfied", **forged})
        assert response.status_code == 403
        assert "无法确认您的身份" in response.get_data(as_text=True)
    assert fresh(complaint).rating is None


def test_an_open_complaint_cannot_be_rated(app: Flask, client: FlaskClient) -> None:
    complaint, secret, _staff, _officer = closed_complaint(app)
    page = status_page(client, complaint, secret)
    complaint.status = ComplaintStatus.ANSWERED  # as if it were still open when the form was posted
    db.session.flush()
    status, body = rate_from(client, page, "satisfied")
    assert status == 409
    assert "不能评价" in body
    assert fresh(complaint).rating is None


# --- returning it to the agency ---------------------------------------------------------------------------------------


def test_a_dissatisfied_case_goes_back_to_the_agency_once(app: Flask, client: FlaskClient) -> None:
    complaint, secret, staff, officer = closed_complaint(app)
    sign_in(client, staff)
    assert url(complaint, "return") not in client.get(url(complaint)).get_data(as_text=True)  # not rated yet
    rate(complaint, Satisfaction.DISSATISFIED, "余款没有说法。", TODAY)
    db.session.flush()
    page = text_of(client.get(url(complaint)))
    assert "不满意" in page
    assert "余款没有说法。" in page
    assert "2026年12月4日" in page  # may be returned until 10 working days after the rating

    refused = step(client, complaint, "return", {"return_note": ""})
    assert refused.status_code == 400
    assert fresh(complaint).status == "closed"

    sent_before = db.session.scalar(select(func.count(MailMessage.id))) or 0
    first_answer_due, first_close_due = complaint.answer_due, complaint.close_due
    returned = step(client, complaint, "return", {"return_note": "请说明余款的支付时间。"})
    assert returned.status_code == 303
    again = fresh(complaint)
    assert (again.status, again.returned_on, again.rating, again.closed_on) == ("transferred", TODAY, None, None)
    calendar = work_calendar(TODAY)
    assert again.deadlines.answer == again.due == calendar.add_workdays(TODAY, 8)
    assert again.deadlines.close == calendar.add_workdays(TODAY, 13)
    assert (again.answer_due, again.close_due) == (first_answer_due, first_close_due)  # kept for the statistics
    assert again.steps[-1].note == "请说明余款的支付时间。"
    assert db.session.scalar(select(func.count(MailMessage.id))) == sent_before + 1  # the complainant is told

    sign_in(client, officer)  # the agency answers again, staff close again, the complainant rates again
    assert step(client, complaint, "answer", {"agency_answer": "余款 12 月底前付清。"}).status_code == 303
    sign_in(client, staff)
    assert step(client, complaint, "close", {"answer": "余款 12 月底前付清。"}).status_code == 303
    page = status_page(client, complaint, secret)
    assert rate_from(client, page, "dissatisfied", "还是不满意。")[0] == 200
    sign_in(client, staff)
    body = client.get(url(complaint)).get_data(as_text=True)
    assert url(complaint, "return") not in body  # only once
    assert "已于 2026年11月20日 退回承办单位重新办理过一次" in visible_text(body)
    assert stale_post(client, complaint, "return", {"return_note": "再退一次"}) == 409
    assert fresh(complaint).status == "closed"


def stale_post(client: FlaskClient, complaint: Complaint, action: str, data: dict[str, str]) -> int:
    """Post a step whose form is not on the page, as a stale tab or a hand-made request would."""
    fields = {"csrf_token": csrf_token(client), "form_token": issue_form_token()}
    return client.post(url(complaint, action), data={**fields, **data}).status_code


@pytest.mark.parametrize(
    ("rating", "days_later", "returnable"),
    [
        (Satisfaction.DISSATISFIED, 0, True),
        (Satisfaction.DISSATISFIED, 14, True),  # 10 working days: the weekends between are not counted
        (Satisfaction.DISSATISFIED, 15, False),
        (Satisfaction.BASICALLY_SATISFIED, 0, False),
        (Satisfaction.SATISFIED, 0, False),
    ],
)
def test_only_a_dissatisfied_rating_within_the_period_can_return_it(
    app: Flask, client: FlaskClient, rating: Satisfaction, days_later: int, returnable: bool
) -> None:
    complaint, _secret, staff, _officer = closed_complaint(app, on=TODAY - timedelta(days=days_later))
    rate(complaint, rating, "理由", TODAY - timedelta(days=days_later))
    db.session.flush()
    sign_in(client, staff)
    body = client.get(url(complaint)).get_data(as_text=True)
    assert (url(complaint, "return") in body) is returnable
    if not returnable:
        assert stale_post(client, complaint, "return", {"return_note": "再退一次"}) == 409
        assert fresh(complaint).status == "closed"


# --- the public version of the answer ----------------------------------------------------------------------------


def test_the_public_version_starts_redacted_and_is_checked_again(app: Flask, client: FlaskClient) -> None:
    complaint, _secret, staff, _officer = closed_complaint(app)
    sign_in(client, staff)
    body = client.get(url(complaint)).get_data(as_text=True)
    draft = find(body, "textarea", name="public_answer")
    assert draft is not None
    redacted = "投诉人：您好！经核实，拖欠款项已于 11 月支付。如有疑问请拨打 〔电话已隐去〕。"
    assert "".join(draft.itertext()).strip() == redacted
    assert client.get(f"/complaints/{complaint.number}").status_code == 404  # closing published nothing

    refused = step(client, complaint, "publish", {"public_answer": f"经核实已支付，联系 {PHONE}，{NAME}。"})
    assert refused.status_code == 400
    shown = text_of(refused)
    assert "公开版本中仍有疑似个人信息" in shown
    assert f"第 1 行 · 电话号码： {PHONE}" in shown  # the finding is marked (<mark>)
    assert f"第 1 行 · 姓名或名称： {NAME}" in shown
    assert not fresh(complaint).published
    assert client.get(f"/complaints/{complaint.number}").status_code == 404

    done = step(client, complaint, "publish", {"public_answer": "经核实，拖欠款项已于 11 月支付。"})
    assert done.status_code == 303
    published = fresh(complaint)
    assert (published.published, published.public_answer) == (True, "经核实，拖欠款项已于 11 月支付。")
    public = client.get(f"/complaints/{complaint.number}").get_data(as_text=True)
    assert "经核实，拖欠款项已于 11 月支付。" in public
    for private in (NAME, PHONE, EMAIL, USCC, "如有疑问", "已支付。"):
        assert private not in public, private


def test_no_public_version_without_consent(app: Flask, client: FlaskClient) -> None:
    complaint, _secret, staff, _officer = closed_complaint(app, consent=False)
    sign_in(client, staff)
    body = client.get(url(complaint)).get_data(as_text=True)
    assert find(body, "form", action=url(complaint, "publish")) is None
    assert stale_post(client, complaint, "publish", {"public_answer": "经核实已支付。"}) == 409
    assert not fresh(complaint).published


def test_a_returned_case_leaves_the_public_pages_until_published_again(app: Flask, client: FlaskClient) -> None:
    complaint, _secret, staff, _officer = closed_complaint(app)
    sign_in(client, staff)
    assert step(client, complaint, "publish", {"public_answer": "经核实已支付。"}).status_code == 303
    assert client.get(f"/complaints/{complaint.number}").status_code == 200
    rate(complaint, Satisfaction.DISSATISFIED, "没有付。", TODAY)
    db.session.flush()
    assert step(client, complaint, "return", {"return_note": "请核实。"}).status_code == 303
    assert client.get(f"/complaints/{complaint.number}").status_code == 404
    assert complaint.number not in client.get("/complaints/").get_data(as_text=True)


def test_rating_an_answer_twice_at_once_counts_once(app: Flask) -> None:
    """Two posts at the same moment: the second one's complaint was read before the first was stored (its rating
    still empty in memory), and the database's own check refuses it."""
    complaint, _secret, _staff, _officer = closed_complaint(app)
    db.session.connection().execute(
        text("UPDATE complaints SET rating = 'satisfied' WHERE id = :id"), {"id": complaint.id}
    )  # the other post, behind the ORM's back
    assert complaint.rating is None
    with pytest.raises(NotAllowedError):
        rate(complaint, Satisfaction.DISSATISFIED, "改主意", TODAY)
    assert fresh(complaint).rating == Satisfaction.SATISFIED


def test_a_returned_case_is_back_on_the_ledger(app: Flask) -> None:
    """The returned case gets a 工作台账 item of its own (the first round's, closed, is never reopened), due by the
    return's deadline, on the agency's ledger and in its officers' digest."""
    complaint, _secret, staff, _officer = closed_complaint(app)
    rate(complaint, Satisfaction.DISSATISFIED, "没付", TODAY)
    settings = app.config["PORTAL_SETTINGS"]
    return_to_agency(complaint, TODAY, work_calendar(TODAY), settings.deadline_days, by=staff, note="请重办")
    later = date(2026, 12, 10)
    refresh_ledger(later)
    items = {i.key: i for i in db.session.scalars(select(LedgerItem).where(LedgerItem.subject_type == "complaint"))}
    again = items[f"complaint:complaint:{complaint.id}:returned"]
    assert (again.closed_on, again.due_on, again.agency_id) == (None, complaint.deadlines.answer, complaint.agency_id)
    assert again.due_on < later  # overdue on the ledger and in the digest
