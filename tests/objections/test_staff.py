"""The credit office's side of objections: the queue (open first, due and overdue flagged), an objection's page
(contact masked until "show", which is audited; evidence for staff only), accepting, and the three outcomes —
corrected (needs a correction saved after filing), revoked (410), upheld — with the 异议处理中 marker cleared."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.core.deadlines import DEFAULT_DAYS
from portal.core.masking import mask_email, mask_name, mask_phone
from portal.core.uploads import FileKind, check_upload
from portal.extensions import db
from portal.objections.models import Objection
from portal.objections.operations import Objector, accept, decide, file_objection
from portal.objections.rules import Ground, ObjectionStatus
from portal.receipts.operations import next_number
from portal.records.models import Record
from portal.records.operations import correct_record
from portal.supervision.operations import work_calendar
from portal.users.models import User
from tests.factories import make_record, make_user
from tests.forms import sign_in
from tests.html import find_all, form_fields, forms, parse_strict, text_of, title_of, visible_text
from tests.objections.test_public import EMAIL, NAME, PDF, PHONE, all_audit_text, file, look_up, receipt_of

TODAY = date(2026, 11, 20)


def filed(record: Record, on: date = TODAY, *, evidence: bool = False, **who: str) -> Objection:
    """An objection filed through the operation (dated `on`), as the public form files it."""
    checked = [check_upload("证明.pdf", PDF, frozenset({FileKind.PDF}), 10 * 1024 * 1024)] if evidence else []
    objection, _ = file_objection(
        record,
        Ground.WRONG,
        "金额有误",
        Objector(who.get("name", NAME), who.get("phone", PHONE), who.get("email", EMAIL)),
        checked,
        current_app.config["PORTAL_SETTINGS"].files_dir,
        on,
        work_calendar(on),
        DEFAULT_DAYS,
    )
    return objection


def page_url(objection: Objection, step: str = "") -> str:
    """The objection's page, or the address its `step` (reveal, accept, decide) is posted to."""
    return f"/workspace/objections/{objection.id}" + (f"/{step}" if step else "")


def action_form(body: str, step: str) -> dict[str, str]:
    """The hidden fields of the page's form that posts `step` (the page holds several forms)."""
    for form in forms(body, method="post"):
        if form.get("action", "").endswith(f"/{step}"):
            return form_fields(form, hidden_only=True)
    raise AssertionError(f"no form for {step!r} on the page")


def act(client: FlaskClient, objection: Objection, step: str, **data: str) -> TestResponse:
    body = client.get(page_url(objection)).get_data(as_text=True)
    return client.post(page_url(objection, step), data={**action_form(body, step), **data})


@pytest.fixture
def staff(app: Flask, client: FlaskClient) -> User:
    user = make_user("staff")
    sign_in(client, user)
    return user


def audit_entries(action: str, objection: Objection) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == objection.number)
        )
    )


# --- who may see what ----------------------------------------------------------------------------------------------


def test_only_staff_and_admins_open_the_pages(app: Flask, client: FlaskClient) -> None:
    objection = filed(make_record(), evidence=True)
    sha = objection.attachments[0]["sha256"]
    urls = ["/workspace/objections/", page_url(objection), f"{page_url(objection)}/files/{sha}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
    officer = make_user("officer", objection.record.agency)
    sign_in(client, officer)
    assert client.get(urls[0]).status_code == 403
    assert client.get(urls[1]).status_code == 403
    assert client.get(urls[2]).status_code == 404  # an evidence file is not there for anyone but staff
    for role in ("staff", "admin"):
        sign_in(client, make_user(role))
        for url in urls:
            response = client.get(url)
            response.close()
            assert response.status_code == 200, (role, url)
    assert client.get("/workspace/objections/999999999").status_code == 404


def test_the_workspace_menu_links_to_the_queue(app: Flask, client: FlaskClient, staff: User) -> None:
    assert 'href="/workspace/objections/"' in client.get("/workspace/").get_data(as_text=True)


# --- the queue -----------------------------------------------------------------------------------------------------


def test_the_queue_puts_open_objections_first_by_due_date_and_flags_them(
    app: Flask, client: FlaskClient, staff: User
) -> None:
    overdue = filed(make_record(), date(2026, 11, 10))  # accept due 11-12
    due = filed(make_record(), date(2026, 11, 19))  # accept due Monday 11-23: the next working day
    later = filed(make_record(), TODAY)  # accept due 11-24
    accept(later, TODAY, by=staff)  # now verification, due 12-04
    done = filed(make_record(), date(2026, 11, 2))
    accept(done, date(2026, 11, 3), by=staff)
    decide(done, ObjectionStatus.UPHELD, "记录无误", date(2026, 11, 10), by=staff)
    db.session.flush()
    response = client.get("/workspace/objections/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("异议申诉")
    positions = [body.index(o.number) for o in (overdue, due, later, done)]
    assert positions == sorted(positions)
    listed = [tr for tr in find_all(body, "tr") if find_all(tr, "td")]
    rows = {text_of(find_all(tr, "td")[0]): visible_text(tr) for tr in listed}  # by the number in the first cell
    assert "已逾期" in rows[overdue.number]
    assert "受理 2026年11月12日" in rows[overdue.number]
    assert "今明到期" in rows[due.number]
    assert "已逾期" not in rows[due.number]
    assert "答复 2026年12月4日" in rows[later.number]
    assert "今明到期" not in rows[later.number]
    assert "已逾期" not in rows[later.number]
    assert "已办结" in rows[done.number]
    assert "维持原记录" in rows[done.number]
    assert NAME not in body
    assert PHONE not in body

    only_upheld = client.get("/workspace/objections/?status=upheld").get_data(as_text=True)
    assert done.number in only_upheld
    assert overdue.number not in only_upheld
    bad = client.get("/workspace/objections/?status=%3Cscript%3E")
    assert bad.status_code == 400
    assert "<script>" not in bad.get_data(as_text=True)


# --- an objection's page --------------------------------------------------------------------------------------------


def test_the_contact_is_masked_until_shown_and_showing_is_audited(app: Flask, client: FlaskClient, staff: User) -> None:
    objection = filed(make_record(), evidence=True)
    response = client.get(page_url(objection))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert mask_name(NAME) in body
    assert mask_phone(PHONE) in body
    assert mask_email(EMAIL) in body
    assert NAME not in body
    assert PHONE not in body
    assert EMAIL not in body
    assert objection.record.title in body
    assert "金额有误" in body
    assert "证明.pdf" in body
    assert not audit_entries("objection.reveal", objection)

    assert client.post(page_url(objection, "reveal")).status_code == 400  # no CSRF token
    assert not audit_entries("objection.reveal", objection)
    shown = act(client, objection, "reveal")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "private, no-store"
    text = shown.get_data(as_text=True)
    assert NAME in text
    assert PHONE in text
    assert EMAIL in text
    assert "已记入审计日志" in text
    entries = audit_entries("objection.reveal", objection)
    assert len(entries) == 1
    assert entries[0].actor_id == staff.id
    assert NAME not in all_audit_text()
    assert PHONE not in all_audit_text()
    assert NAME not in client.get(page_url(objection)).get_data(as_text=True)  # masked again on the next visit


def test_evidence_is_downloaded_by_staff_only_as_an_attachment(app: Flask, client: FlaskClient, staff: User) -> None:
    objection = filed(make_record(), evidence=True)
    other = filed(make_record(), evidence=False)
    sha = objection.attachments[0]["sha256"]
    response = client.get(f"{page_url(objection)}/files/{sha}")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    assert data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get(f"{page_url(other)}/files/{sha}").status_code == 404  # not this objection's file
    assert client.get(f"{page_url(objection)}/files/{'0' * 64}").status_code == 404
    assert client.get(f"{page_url(objection)}/files/..%2F..%2Fsecret_key").status_code == 404


def test_hostile_input_is_stored_as_typed_and_shown_escaped(app: Flask, client: FlaskClient, staff: User) -> None:
    record = make_record()
    payload = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    response = file(client, record, [(PDF, "<b>evil<b>.pdf")], explanation=payload, name=payload)
    assert response.status_code == 201
    number, _ = receipt_of(response.get_data(as_text=True))
    objection = db.session.scalar(select(Objection).where(Objection.number == number))
    assert objection is not None
    assert objection.explanation == payload
    for body in (
        client.get(page_url(objection)).get_data(as_text=True),
        act(client, objection, "reveal").get_data(as_text=True),
    ):
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "<b>evil" not in body
        assert "&lt;script&gt;alert(" in body
        assert "&lt;b&gt;evil&lt;b&gt;.pdf" in body


def test_each_step_has_its_own_address_and_there_is_no_other(app: Flask, client: FlaskClient, staff: User) -> None:
    objection = filed(make_record())
    body = client.get(page_url(objection)).get_data(as_text=True)
    fields = action_form(body, "accept")
    assert client.post(page_url(objection), data=fields).status_code == 405  # the page takes no step
    assert client.post(page_url(objection, "delete"), data=fields).status_code == 404
    assert db.session.get(Objection, objection.id).status == "submitted"  # type: ignore[union-attr]


# --- accepting and deciding -----------------------------------------------------------------------------------------


def test_accept_then_uphold_and_the_objector_reads_the_reason(app: Flask, client: FlaskClient, staff: User) -> None:
    record = make_record()
    number, secret = receipt_of(file(client, record).get_data(as_text=True))
    objection = db.session.scalar(select(Objection).where(Objection.number == number))
    assert objection is not None
    sign_in(client, staff)

    body = client.get(page_url(objection)).get_data(as_text=True)
    form = action_form(body, "accept")
    accepted = client.post(page_url(objection, "accept"), data=form)
    assert accepted.status_code == 303
    assert accepted.headers["Location"] == page_url(objection)
    again = client.post(page_url(objection, "accept"), data=form)  # the same form posted twice: one acceptance
    assert again.status_code == 303
    db.session.refresh(objection)
    assert (objection.status, objection.accepted_on) == ("accepted", TODAY)
    assert len(audit_entries("objection.accept", objection)) == 1
    assert "已受理，核查中" in look_up(client, number, secret).get_data(as_text=True)

    no_reason = act(client, objection, "decide", outcome="upheld", reason="  ")
    assert no_reason.status_code == 400
    assert "此项必填" in no_reason.get_data(as_text=True)
    no_outcome = act(client, objection, "decide", outcome="deleted", reason="x")
    assert no_outcome.status_code == 400
    assert "请选择核查结论" in no_outcome.get_data(as_text=True)
    db.session.refresh(objection)
    assert objection.status == "accepted"

    reason = "经核对认定机关原始文书，记录内容无误，维持公示。"
    decided = act(client, objection, "decide", outcome="upheld", reason=reason)
    assert decided.status_code == 303
    db.session.refresh(objection)
    db.session.refresh(record)
    assert (objection.status, objection.decided_on, objection.outcome_reason) == ("upheld", TODAY, reason)
    assert not record.objection_open
    assert "异议处理中" not in client.get(f"/records/{record.id}").get_data(as_text=True)
    entry = audit_entries("objection.decide", objection)[0]
    assert entry.changes["status"] == ["accepted", "upheld"]
    assert entry.actor_id == staff.id

    status = look_up(client, number, secret).get_data(as_text=True)
    assert "维持原记录" in status
    assert reason in status
    assert NAME not in all_audit_text()
    assert PHONE not in all_audit_text()
    assert EMAIL not in all_audit_text()


def test_a_decision_needs_an_accepted_objection(app: Flask, client: FlaskClient, staff: User) -> None:
    objection = filed(make_record())
    body = client.get(page_url(objection)).get_data(as_text=True)
    crafted = {**action_form(body, "accept"), "outcome": "upheld", "reason": "跳过受理"}
    response = client.post(page_url(objection, "decide"), data=crafted)
    assert response.status_code == 409
    assert "可能已被他人处理" in response.get_data(as_text=True)
    assert db.session.get(Objection, objection.id).status == "submitted"  # type: ignore[union-attr]


def test_a_second_decision_is_refused(app: Flask, client: FlaskClient, staff: User) -> None:
    objection = filed(make_record())
    accept(objection, TODAY, by=staff)
    db.session.flush()
    first = action_form(client.get(page_url(objection)).get_data(as_text=True), "decide")
    second = action_form(client.get(page_url(objection)).get_data(as_text=True), "decide")  # another staff member
    decide = page_url(objection, "decide")
    assert client.post(decide, data={**first, "outcome": "upheld", "reason": "无误"}).status_code == 303
    late = client.post(decide, data={**second, "outcome": "revoked", "reason": "撤销"})
    assert late.status_code == 409
    db.session.refresh(objection)
    assert objection.status == "upheld"
    assert objection.record.status == "public"


def test_corrected_needs_a_correction_saved_after_the_objection(app: Flask, client: FlaskClient, staff: User) -> None:
    record = make_record()
    original_title = record.title
    correct_record(record, {**record.as_values(), "title": "较早的更正"}, "另案更正", TODAY, staff)
    number, secret = receipt_of(file(client, record).get_data(as_text=True))
    objection = db.session.scalar(select(Objection).where(Objection.number == number))
    assert objection is not None
    sign_in(client, staff)
    assert act(client, objection, "accept").status_code == 303

    refused = act(client, objection, "decide", outcome="corrected", reason="已更正")
    assert refused.status_code == 400
    assert "还没有保存过更正" in refused.get_data(as_text=True)
    db.session.refresh(objection)
    assert objection.status == "accepted"
    assert objection.correction_id is None

    correction = correct_record(record, {**record.as_values(), "title": "更正后的标题"}, "异议成立", TODAY, staff)
    assert correction is not None
    db.session.flush()
    decided = act(client, objection, "decide", outcome="corrected", reason="异议成立，已更正记录标题。")
    assert decided.status_code == 303
    db.session.refresh(objection)
    db.session.refresh(record)
    assert objection.status == "corrected"
    assert objection.correction_id == correction.id
    assert not record.objection_open
    assert record.status == "public"
    public = client.get(f"/records/{record.id}").get_data(as_text=True)
    assert "更正后的标题" in public
    assert "更正记录" in public
    assert "异议处理中" not in public
    status = look_up(client, number, secret).get_data(as_text=True)
    assert "已更正" in status
    assert "较早的更正" in status
    assert "更正后的标题" in status
    assert "异议成立，已更正记录标题。" in status
    assert original_title not in status  # the earlier correction is not the one linked


def test_revoked_stops_publication_with_the_410_notice(app: Flask, client: FlaskClient, staff: User) -> None:
    record = make_record()
    number, secret = receipt_of(file(client, record).get_data(as_text=True))
    objection = db.session.scalar(select(Objection).where(Objection.number == number))
    assert objection is not None
    sign_in(client, staff)
    assert act(client, objection, "accept").status_code == 303
    reason = "认定机关已撤销原处罚决定，记录不应公示。"
    assert act(client, objection, "decide", outcome="revoked", reason=reason).status_code == 303
    db.session.refresh(record)
    assert (record.status, record.stopped_on, record.stop_note) == ("revoked", TODAY, reason)
    assert not record.objection_open
    gone = client.get(f"/records/{record.id}")
    assert gone.status_code == 410
    assert "已撤销" in gone.get_data(as_text=True)
    assert client.get(f"/records/{record.id}/objection").status_code == 404
    status = look_up(client, number, secret).get_data(as_text=True)
    assert "已撤销公示" in status
    assert "已停止公示" in status
    assert f'href="/records/{record.id}"' not in status
    assert [
        e.changes["status"]
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "record.status", AuditEntry.entity_id == str(record.id))
        )
    ] == [["public", "revoked"]]


def test_the_marker_stays_while_another_objection_is_open(app: Flask, client: FlaskClient, staff: User) -> None:
    record = make_record()
    first, second = filed(record), filed(record, name="另一人")
    for objection in (first, second):
        accept(objection, TODAY, by=staff)
    decide(first, ObjectionStatus.UPHELD, "无误", TODAY, by=staff)
    db.session.flush()
    assert record.objection_open
    assert "异议处理中" in client.get(f"/records/{record.id}").get_data(as_text=True)
    decide(second, ObjectionStatus.UPHELD, "无误", TODAY, by=staff)
    db.session.flush()
    assert not record.objection_open
    assert "异议处理中" not in client.get(f"/records/{record.id}").get_data(as_text=True)


def test_numbers_count_on_within_the_year(app: Flask) -> None:
    first = next_number("YY", 2026)
    assert next_number("YY", 2026) == first[:-6] + f"{int(first[-6:]) + 1:06d}"
    assert next_number("YY", 2027) == "YY-2027-000001"
