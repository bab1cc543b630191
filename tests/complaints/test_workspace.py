"""The signed-in side of complaints: the staff queue with its due and overdue flags, each step of the flow (dated and
audited), the masked complainant and the audited reveal, the officers of the agency complained about, and who may
open what."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal import clock
from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.complaints.operations import accept, agency_answers, close, file_complaint, transfer
from portal.complaints.rules import RefusalReason
from portal.core.uploads import FileKind, check_upload
from portal.demo.generator import make_uscc
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.forms import issue_form_token
from portal.supervision.operations import work_calendar
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_user
from tests.forms import sign_in
from tests.html import attr, find, find_all, links, one, parse_strict, title_of, visible_text
from tests.html import text_of as shown_text

TODAY = date(2026, 11, 20)  # the tests' PORTAL_TODAY
NAME, PHONE, EMAIL = "欧阳小明", "13912345678", "xiaoming@example.com"
USCC = make_uscc("91", "990121", 4242)
PDF = one_page_pdf(["delivery note"])


# --- helpers ----------------------------------------------------------------------------------------------------------


def make_complaint(
    app: Flask, agency: Agency | None = None, *, on: date = TODAY, pdf: bool = False, **values: Any
) -> Complaint:
    """A complaint filed through the operation the public form uses, on the day `on`."""
    settings = app.config["PORTAL_SETTINGS"]
    fields: dict[str, Any] = {
        "filer_type": "enterprise",
        "name": NAME,
        "uscc": USCC,
        "phone": PHONE,
        "email": EMAIL,
        "agency_id": agency.id if agency else None,
        "agency_typed": "" if agency else "演示县某某指挥部",
        "category": "arrears",
        "description": "2025 年完工的道路工程款至今未付。",
        "amount_fen": 120_000_000,
        "publish_consent": True,
    } | values
    files = [check_upload("送货单.pdf", PDF, frozenset({FileKind.PDF}), 10 << 20)] if pdf else []
    complaint, _receipt = file_complaint(
        fields, files, settings.files_dir, on, work_calendar(on), settings.deadline_days
    )
    return complaint


def url(complaint: Complaint, action: str = "") -> str:
    return f"/workspace/complaints/{complaint.id}" + (f"/{action}" if action else "")


def form_fields(body: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to `action` (the page has several forms)."""
    form = find(body, "form", action=action)
    assert form is not None, f"the page has no form posting to {action}"
    fields = {attr(i, "name"): i.get("value", "") for i in find_all(form, "input", type="hidden", name=True)}
    assert "csrf_token" in fields
    return fields


def step(client: FlaskClient, complaint: Complaint, action: str, data: dict[str, Any] | None = None) -> TestResponse:
    """Open the complaint's page, then post the step's form from it, as a browser does."""
    page = client.get(url(complaint))
    assert page.status_code == 200
    return client.post(
        url(complaint, action),
        data={**form_fields(page.get_data(as_text=True), url(complaint, action)), **(data or {})},
    )


def text_of(response: TestResponse) -> str:
    return visible_text(response.get_data(as_text=True))


def audit_actions(complaint: Complaint) -> list[tuple[str, str]]:
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "complaint", AuditEntry.entity_id == complaint.number)
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.actor) for e in entries]


def fresh(complaint: Complaint) -> Complaint:
    db.session.expire_all()
    reloaded = db.session.get(Complaint, complaint.id)
    assert reloaded is not None
    return reloaded


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token: from the header's sign-out form, or the login form when nobody is signed in."""
    for page in ("/", "/login"):
        token = find(client.get(page).get_data(as_text=True), "input", name="csrf_token")
        if token is not None:
            return attr(token, "value")
    raise AssertionError("no CSRF token on the home or login page")


def step_history(complaint: Complaint) -> list[tuple[str, date, str]]:
    return [(s.status, s.on, s.note) for s in fresh(complaint).steps]


# --- the whole flow ---------------------------------------------------------------------------------------------------


def test_accept_transfer_answer_close(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    officer = make_user(Role.OFFICER, agency=agency)
    complaint = make_complaint(app, agency, pdf=True)
    sign_in(client, staff)

    page = client.get(url(complaint))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith(f"投诉 {complaint.number}")
    text = visible_text(body)
    assert agency.name in text
    assert "拖欠账款" in text
    assert "道路工程款" in text
    assert "120.00 万元" in text
    assert "送货单.pdf" in text
    assert "2026年11月20日" in text

    accepted = step(client, complaint, "accept")
    assert accepted.status_code == 303
    assert accepted.headers["Location"] == url(complaint)
    assert f"已受理投诉 {complaint.number}" in text_of(client.get(url(complaint)))

    transfer_page = client.get(url(complaint)).get_data(as_text=True)
    assert find_all(transfer_page, "option", value=str(agency.id), selected=True)
    transferred = step(client, complaint, "transfer", {"agency": str(agency.id), "transfer_note": "请核实付款进度"})
    assert transferred.status_code == 303
    assert fresh(complaint).status == "transferred"
    assert "等待其在 2026年12月4日 前反馈" in text_of(client.get(url(complaint)))

    sign_in(client, officer)
    answered = step(client, complaint, "answer", {"agency_answer": "已于本月支付 60 万元，余款年底前付清。"})
    assert answered.status_code == 303

    sign_in(client, staff)
    closing_page = text_of(client.get(url(complaint)))
    assert "已于本月支付 60 万元" in closing_page
    assert "给投诉人的答复" in closing_page
    closed = step(client, complaint, "close", {"answer": "经核实，拖欠款项已部分支付，余款年底前付清。"})
    assert closed.status_code == 303

    done = fresh(complaint)
    assert done.status == "closed"
    assert done.closed_on == TODAY
    assert not done.published  # staff publish a public version of their own (test_ratings_and_publication)
    assert done.agency_answer == "已于本月支付 60 万元，余款年底前付清。"
    assert step_history(done) == [
        ("submitted", TODAY, ""),
        ("accepted", TODAY, ""),
        ("transferred", TODAY, "请核实付款进度"),
        ("answered", TODAY, ""),
        ("closed", TODAY, ""),
    ]
    assert audit_actions(done) == [
        ("complaint.file", "public"),
        ("complaint.accepted", staff.username),
        ("complaint.transferred", staff.username),
        ("complaint.answered", officer.username),
        ("complaint.closed", staff.username),
    ]
    final = client.get(url(complaint))
    final_text = text_of(final)
    assert "已办结" in final_text
    assert "余款年底前付清" in final_text
    assert "已公开" not in final_text
    for action in ("accept", "refuse", "transfer", "answer", "close"):  # no step is offered any more
        assert url(complaint, action) + '"' not in final.get_data(as_text=True)


def test_typed_agency_is_chosen_from_the_list_when_transferring(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    complaint = make_complaint(app)  # agency typed by the complainant
    sign_in(client, make_user(Role.STAFF))
    assert "演示县某某指挥部" in text_of(client.get(url(complaint)))
    step(client, complaint, "accept")
    missing = step(client, complaint, "transfer", {"agency": ""})
    assert missing.status_code == 400
    assert "此项必填" in text_of(missing)
    unknown = step(client, complaint, "transfer", {"agency": "999999999"})
    assert unknown.status_code == 400
    assert "请从列表中选择承办单位" in text_of(unknown)
    assert fresh(complaint).status == "accepted"
    assert fresh(complaint).agency_id is None
    assert step(client, complaint, "transfer", {"agency": str(agency.id)}).status_code == 303
    moved = fresh(complaint)
    assert moved.agency_id == agency.id
    assert moved.status == "transferred"


@pytest.mark.parametrize("reason", list(RefusalReason))
def test_refuse_with_each_reason(app: Flask, client: FlaskClient, reason: RefusalReason) -> None:
    complaint = make_complaint(app, make_agency())
    staff = make_user(Role.STAFF)
    sign_in(client, staff)
    response = step(client, complaint, "refuse", {"reason": reason.value, "refuse_note": "请通过仲裁途径解决。"})
    assert response.status_code == 303
    refused = fresh(complaint)
    assert refused.status == "not_accepted"
    assert refused.refusal_reason == reason.value
    assert refused.closed_on == TODAY
    assert step_history(refused)[-1] == ("not_accepted", TODAY, "请通过仲裁途径解决。")
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_id == complaint.number, AuditEntry.action == "complaint.not_accepted"
        )
    ).one()
    assert entry.actor == staff.username
    assert entry.changes["refusal_reason"] == [None, reason.value]
    text = text_of(client.get(url(complaint)))
    assert f"不予受理：{reason.label}" in text
    assert "请通过仲裁途径解决。" in text
    # finished: out of the open queue, found with the status filter
    assert complaint.number not in text_of(client.get("/workspace/complaints/"))
    assert complaint.number in text_of(client.get("/workspace/complaints/?status=not_accepted"))


def test_refusal_needs_a_reason_from_the_list(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency())
    sign_in(client, make_user(Role.STAFF))
    for data in ({}, {"reason": "because"}, {"reason": "no_facts", "refuse_note": "a\x00b"}):
        response = step(client, complaint, "refuse", data)
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert 'class="field-error-message"' in body
        assert fresh(complaint).status == "submitted"
        assert fresh(complaint).refusal_reason is None
    assert len(fresh(complaint).steps) == 1


def test_closing_needs_an_answer(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = make_complaint(app, agency)
    accept(complaint, TODAY, by=staff)
    transfer(complaint, agency, TODAY, by=staff)
    agency_answers(complaint, "已处理", TODAY, by=make_user(Role.OFFICER, agency=agency))
    sign_in(client, staff)
    response = step(client, complaint, "close", {"answer": "   "})
    assert response.status_code == 400
    assert shown_text(one(response.get_data(as_text=True), id="answer-error")) == "此项必填"
    assert 'aria-describedby="answer-hint answer-error"' in response.get_data(as_text=True)
    assert fresh(complaint).status == "answered"


# --- deadlines across a holiday, and the queue's flags ----------------------------------------------------------------


def test_deadlines_across_national_day(app: Flask, client: FlaskClient) -> None:
    """Filed on 2026-09-30, the day before 国庆 (1–7 October; Saturday 10 October is a make-up working day)."""
    complaint = make_complaint(app, make_agency(), on=date(2026, 9, 30))
    assert (complaint.accept_due, complaint.answer_due, complaint.close_due) == (
        date(2026, 10, 9),
        date(2026, 10, 20),
        date(2026, 10, 27),
    )
    sign_in(client, make_user(Role.STAFF))
    text = text_of(client.get(url(complaint)))
    assert "2026年10月9日" in text
    assert "2026年10月20日" in text
    assert "2026年10月27日" in text


def _flag_in_queue(client: FlaskClient, complaint: Complaint, query: str = "") -> str | None:
    """The flag the queue shows beside the complaint ('' without one), None if it is not listed."""
    body = client.get("/workspace/complaints/" + query).get_data(as_text=True)
    firsts = [(tr, find(tr, "td")) for tr in find_all(body, "tr")]  # the first cell links to the complaint
    row = next((tr for tr, td in firsts if td is not None and url(complaint) in links(td)), None)
    if row is None:
        return None
    cell = visible_text(row)
    return "已逾期" if "已逾期" in cell else "今明到期" if "今明到期" in cell else ""


@pytest.mark.parametrize(
    ("today", "flag"),
    [
        (date(2026, 9, 30), ""),  # filing day: 2 working days to go (8 and 9 October), though 9 calendar days
        (date(2026, 10, 7), ""),  # last day of the holiday: still 2 working days to go
        (date(2026, 10, 8), "今明到期"),  # the working day before the due day
        (date(2026, 10, 9), "今明到期"),  # the due day
        (date(2026, 10, 10), "已逾期"),  # the make-up Saturday after it
    ],
)
def test_acceptance_flags_around_national_day(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, today: date, flag: str
) -> None:
    complaint = make_complaint(app, make_agency(), on=date(2026, 9, 30), category="old_debts")
    monkeypatch.setattr(clock, "today", lambda: today)
    sign_in(client, make_user(Role.STAFF))
    assert _flag_in_queue(client, complaint, "?category=old_debts") == flag
    assert _flag_in_queue(client, complaint, "?flag=overdue") == ("已逾期" if flag == "已逾期" else None)
    assert _flag_in_queue(client, complaint, "?flag=due") == ("今明到期" if flag == "今明到期" else None)
    page = client.get(url(complaint)).get_data(as_text=True)
    assert ('class="marker marker-alert">已逾期' in page) is (flag == "已逾期")
    assert ('class="marker">今明到期' in page) is (flag == "今明到期")


def test_queue_sorts_open_complaints_by_what_is_due_next(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    new = make_complaint(app, agency, category="contract")  # accept by 24 November
    overdue = make_complaint(app, agency, on=date(2026, 11, 16), category="contract")  # accept by 18 November
    due = make_complaint(app, agency, on=date(2026, 11, 19), category="contract")  # accept by 23 November
    waiting = make_complaint(app, agency, on=date(2026, 11, 2), category="contract")  # answer by 16 November
    accept(waiting, date(2026, 11, 3), by=staff)
    finished = make_complaint(app, agency, category="contract")
    accept(finished, TODAY, by=staff)
    transfer(finished, agency, TODAY, by=staff)
    agency_answers(finished, "已处理", TODAY, by=make_user(Role.OFFICER, agency=agency))
    close(finished, "已办结", TODAY, by=staff)
    sign_in(client, staff)
    response = client.get("/workspace/complaints/?category=contract")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    numbers = re.findall(r"TS-2026-\d{6}", visible_text(body))
    assert numbers == [waiting.number, overdue.number, due.number, new.number]
    assert _flag_in_queue(client, waiting, "?category=contract") == "已逾期"
    assert _flag_in_queue(client, overdue, "?category=contract") == "已逾期"
    assert _flag_in_queue(client, due, "?category=contract") == "今明到期"
    assert _flag_in_queue(client, new, "?category=contract") == ""
    overdue_page = client.get("/workspace/complaints/?flag=overdue&category=contract").get_data(as_text=True)
    assert re.findall(r"TS-2026-\d{6}", visible_text(overdue_page)) == [waiting.number, overdue.number]
    closed = client.get("/workspace/complaints/?status=closed&category=contract").get_data(as_text=True)
    assert re.findall(r"TS-2026-\d{6}", visible_text(closed)) == [finished.number]
    arrears = client.get("/workspace/complaints/?category=arrears").get_data(as_text=True)
    assert re.findall(r"TS-2026-\d{6}", visible_text(arrears)) == []


@pytest.mark.parametrize(
    "query",
    ["?status=lost", "?category=%3Cscript%3E", "?flag=soon", "?flag=due%00", "?page=0"],
)
def test_bad_filters_answer_400_beside_the_field(app: Flask, client: FlaskClient, query: str) -> None:
    sign_in(client, make_user(Role.STAFF))
    response = client.get("/workspace/complaints/" + query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "请检查以下参数" in body
    assert "<script>" not in body
    name = query[1:].split("=")[0]
    if name != "page":
        assert f'id="filter-{name}-error"' in body
        assert f'aria-describedby="filter-{name}-error"' in body


# --- privacy: masking and the audited reveal --------------------------------------------------------------------------


def test_staff_see_the_complainant_masked_until_they_press_show(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency())
    staff = make_user(Role.STAFF)
    sign_in(client, staff)
    body = client.get(url(complaint)).get_data(as_text=True)
    for private in (NAME, PHONE, EMAIL):
        assert private not in body
    text = visible_text(body)
    assert "欧***" in text
    assert "139****5678" in text
    assert "x***@example.com" in text
    assert USCC not in body  # an enterprise's code names the firm: masked too (issue 19)
    assert f"{USCC[:2]}{'*' * 14}{USCC[-2:]}" in text
    assert audit_actions(complaint) == [("complaint.file", "public")]

    no_token = client.post(url(complaint, "reveal"))
    assert no_token.status_code == 400
    assert NAME not in no_token.get_data(as_text=True)
    assert audit_actions(complaint) == [("complaint.file", "public")]

    shown = client.post(url(complaint, "reveal"), data=form_fields(body, url(complaint, "reveal")))
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "private, no-store"
    shown_text = text_of(shown)
    assert NAME in shown_text
    assert PHONE in shown_text
    assert EMAIL in shown_text
    assert USCC in shown_text
    assert "已记入审计日志" in shown_text
    assert audit_actions(complaint) == [("complaint.file", "public"), ("complaint.reveal", staff.username)]
    # the next visit is masked again
    assert NAME not in client.get(url(complaint)).get_data(as_text=True)


def test_individual_without_email_shows_no_uscc(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency(), filer_type="individual", uscc="", email="", name="张三")
    sign_in(client, make_user(Role.ADMIN))
    text = text_of(client.get(url(complaint)))
    assert "张*" in text
    assert "张三" not in text
    assert "统一社会信用代码" not in text
    assert "未填写" in text


# --- officers ---------------------------------------------------------------------------------------------------------


def _transferred(app: Flask, agency: Agency, staff: User, **values: Any) -> Complaint:
    complaint = make_complaint(app, agency, pdf=True, **values)
    accept(complaint, TODAY, by=staff)
    transfer(complaint, agency, TODAY, by=staff, note="请十日内反馈")
    return complaint


def test_officers_of_the_agency_see_it_only_once_transferred_and_without_the_complainant(
    app: Flask, client: FlaskClient
) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    officer = make_user(Role.OFFICER, agency=agency)
    complaint = make_complaint(app, agency, pdf=True)
    sha = complaint.attachments[0]["sha256"]
    sign_in(client, officer)
    assert client.get(url(complaint)).status_code == 404  # not transferred yet
    assert client.get(url(complaint, f"files/{sha}")).status_code == 404
    assert complaint.number not in text_of(client.get("/workspace/complaints/"))

    accept(complaint, TODAY, by=staff)
    transfer(complaint, agency, TODAY, by=staff, note="请十日内反馈")
    page = client.get(url(complaint))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    parse_strict(body)
    for private in (NAME, PHONE, EMAIL, USCC, "欧***", "139****5678", "x***@example.com", "显示联系方式", "企业"):
        assert private not in body
    text = visible_text(body)
    assert "道路工程款" in text
    assert "送货单.pdf" in text
    assert "请十日内反馈" in text
    assert "反馈办理情况" in text
    for staff_action in ("accept", "refuse", "transfer", "close", "reveal"):
        assert url(complaint, staff_action) + '"' not in body
    download = client.get(url(complaint, f"files/{sha}"))
    with download:
        assert download.status_code == 200
        assert download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url(complaint, "files/" + "0" * 64)).status_code == 404

    queue = client.get("/workspace/complaints/")
    assert queue.status_code == 200
    assert complaint.number in text_of(queue)
    assert "转办给本单位的投诉" in text_of(queue)

    # after answering and closing, the officers still find it (with the status filter once finished)
    assert step(client, complaint, "answer", {"agency_answer": "已付清。"}).status_code == 303
    answered = text_of(client.get(url(complaint)))
    assert "已付清。" in answered
    assert "反馈办理情况" not in answered
    close(fresh(complaint), "已办结", TODAY, by=staff)
    assert client.get(url(complaint)).status_code == 200
    assert complaint.number in text_of(client.get("/workspace/complaints/?status=closed"))


def test_other_agencies_officers_get_404_and_staff_see_all(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = _transferred(app, agency, staff)
    sha = complaint.attachments[0]["sha256"]
    sign_in(client, make_user(Role.OFFICER))  # of another agency
    assert client.get(url(complaint)).status_code == 404
    assert client.get(url(complaint, f"files/{sha}")).status_code == 404
    assert complaint.number not in text_of(client.get("/workspace/complaints/"))
    assert complaint.number not in text_of(client.get("/workspace/complaints/?status=transferred"))
    other = client.post(
        url(complaint, "answer"),
        data={"csrf_token": csrf_token(client), "form_token": issue_form_token(), "agency_answer": "x"},
    )
    assert other.status_code == 404
    assert fresh(complaint).status == "transferred"
    for user in (staff, make_user(Role.ADMIN)):
        sign_in(client, user)
        assert client.get(url(complaint)).status_code == 200
        with client.get(url(complaint, f"files/{sha}")) as download:
            assert download.status_code == 200
            assert download.data == PDF
        assert complaint.number in text_of(client.get("/workspace/complaints/"))


# --- authorisation ----------------------------------------------------------------------------------------------------


STAFF_STEPS = ("accept", "refuse", "transfer", "close", "reveal")


def test_anonymous_visitors_are_sent_to_the_login_page(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency(), pdf=True)
    sha = complaint.attachments[0]["sha256"]
    for path in ("/workspace/complaints/", url(complaint), url(complaint, f"files/{sha}")):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    token = csrf_token(client)
    for action in (*STAFF_STEPS, "answer"):
        response = client.post(url(complaint, action), data={"csrf_token": token, "form_token": issue_form_token()})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert fresh(complaint).status == "submitted"


def test_officers_cannot_take_staff_steps_and_staff_cannot_answer(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = _transferred(app, agency, staff)
    sign_in(client, make_user(Role.OFFICER, agency=agency))
    token = csrf_token(client)
    data = {
        "csrf_token": token,
        "form_token": issue_form_token(),
        "answer": "x",
        "reason": "no_facts",
        "agency": str(agency.id),
    }
    for action in STAFF_STEPS:
        assert client.post(url(complaint, action), data=data).status_code == 403
    sign_in(client, staff)
    answer = client.post(
        url(complaint, "answer"), data={**data, "csrf_token": csrf_token(client), "agency_answer": "x"}
    )
    assert answer.status_code == 403
    assert fresh(complaint).status == "transferred"
    assert len(fresh(complaint).steps) == 3
    assert client.get(url(complaint, "accept")).status_code == 405


def test_unknown_complaints_are_404(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user(Role.STAFF))
    assert client.get("/workspace/complaints/999999999").status_code == 404
    assert client.get("/workspace/complaints/99999999999").status_code == 404
    assert client.get("/workspace/complaints/999999999/files/" + "0" * 64).status_code == 404


# --- hostile input, CSRF, double posts, conflicts ---------------------------------------------------------------------


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_in_description_and_answers_comes_back_escaped(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    complaint = _transferred(app, agency, staff, description=XSS, agency_typed=XSS)
    sign_in(client, make_user(Role.OFFICER, agency=agency))
    assert step(client, complaint, "answer", {"agency_answer": XSS}).status_code == 303
    sign_in(client, staff)
    assert step(client, complaint, "close", {"answer": XSS}).status_code == 303
    assert fresh(complaint).answer == XSS
    assert fresh(complaint).agency_answer == XSS
    body = client.get(url(complaint)).get_data(as_text=True)
    parse_strict(body)
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    # description, agency's answer, answer, and the public version's draft (the answer, nothing to take out)
    assert body.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 4


def test_a_step_without_the_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency())
    sign_in(client, make_user(Role.STAFF))
    body = client.get(url(complaint)).get_data(as_text=True)
    fields = form_fields(body, url(complaint, "accept"))
    del fields["csrf_token"]
    response = client.post(url(complaint, "accept"), data=fields)
    assert response.status_code == 400
    assert "安全令牌" in text_of(response)
    wrong = client.post(url(complaint, "accept"), data={**fields, "csrf_token": "forged"})
    assert wrong.status_code == 400
    assert fresh(complaint).status == "submitted"
    assert len(fresh(complaint).steps) == 1


def test_the_same_step_form_posted_twice_takes_one_step(app: Flask, client: FlaskClient) -> None:
    complaint = make_complaint(app, make_agency())
    staff = make_user(Role.STAFF)
    sign_in(client, staff)
    fields = form_fields(client.get(url(complaint)).get_data(as_text=True), url(complaint, "accept"))
    first = client.post(url(complaint, "accept"), data=fields)
    second = client.post(url(complaint, "accept"), data=fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == url(complaint)
    assert [s for s, _on, _note in step_history(complaint)] == ["submitted", "accepted"]
    assert [a for a, _actor in audit_actions(complaint)] == ["complaint.file", "complaint.accepted"]


def test_a_step_no_longer_allowed_is_409_and_changes_nothing(app: Flask, client: FlaskClient) -> None:
    """Two staff open the same new complaint; one accepts it, then the other refuses it (or accepts it too)."""
    complaint = make_complaint(app, make_agency())
    first, second = make_user(Role.STAFF), make_user(Role.STAFF)
    sign_in(client, second)
    seen = client.get(url(complaint)).get_data(as_text=True)
    refuse_fields = form_fields(seen, url(complaint, "refuse"))
    accept_fields = form_fields(seen, url(complaint, "accept"))
    sign_in(client, first)
    assert step(client, complaint, "accept").status_code == 303

    sign_in(client, second)
    stale = (
        ("refuse", {**refuse_fields, "reason": "duplicate"}),
        ("refuse", dict(refuse_fields)),  # no reason either: the form is gone from the page, so 409 rather than 400
        ("accept", accept_fields),
    )
    for action, fields in stale:
        fields["csrf_token"] = csrf_token(client)  # a new session after signing in again
        response = client.post(url(complaint, action), data=fields)
        assert response.status_code == 409
        body = response.get_data(as_text=True)
        parse_strict(body)
        assert "不能进行此操作" in visible_text(body)
        assert "未做任何更改" in visible_text(body)
    after = fresh(complaint)
    assert after.status == "accepted"
    assert after.refusal_reason is None
    assert after.closed_on is None
    assert [s for s, _on, _note in step_history(after)] == ["submitted", "accepted"]
    assert [a for a, _actor in audit_actions(after)] == ["complaint.file", "complaint.accepted"]


def test_an_officer_answering_twice_at_once_answers_once(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    complaint = _transferred(app, agency, make_user(Role.STAFF))
    officer, colleague = make_user(Role.OFFICER, agency=agency), make_user(Role.OFFICER, agency=agency)
    sign_in(client, colleague)
    colleague_fields = form_fields(client.get(url(complaint)).get_data(as_text=True), url(complaint, "answer"))
    sign_in(client, officer)
    assert step(client, complaint, "answer", {"agency_answer": "第一份反馈"}).status_code == 303
    sign_in(client, colleague)
    late = client.post(
        url(complaint, "answer"),
        data={**colleague_fields, "csrf_token": csrf_token(client), "agency_answer": "第二份反馈"},
    )
    assert late.status_code == 409
    assert fresh(complaint).agency_answer == "第一份反馈"
