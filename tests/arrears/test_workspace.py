"""Staff enter the money side of arrears and investment-promise records (沈政办发〔2018〕117号 二(三)): subtype,
repayment plan, promised incentives, payments with evidence; refusals beside their fields with nothing written; the
public record page shows the plan, payments and balance; the record's feeds move."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.arrears.models import ArrearsTerms, Incentive, Instalment, Payment
from portal.audit.models import AuditEntry
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_record, make_user
from tests.forms import multipart, sign_in
from tests.html import find, find_all, form_fields, one, text_of, visible_text

PDF = one_page_pdf(["bank receipt"])


def arrears_record(owed: int = 500_000, **fields: Any) -> Record:
    details = {
        "contract_number": "演建〔2025〕7号",
        "party_a": "演示县交通运输局",
        "party_b": "某某建设有限公司",
        "contract_amount": owed * 2,
        "amount_owed": owed,
        "breach": "工程竣工后未按约支付工程款。",
    }
    return make_record(kind="arrears", details=details, amount_fen=owed, **fields)


def promise_record(**fields: Any) -> Record:
    details = {"project": "演示产业园", "promise": "三年内兑现奖励", "unfulfilled": "奖励未兑现", "amount": 300_000}
    return make_record(kind="investment_promise", details=details, amount_fen=300_000, **fields)


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def page_url(record: Record) -> str:
    return f"/workspace/arrears/{record.id}"


def post_step(
    client: FlaskClient, record: Record, step: str, data: dict[str, str], files: list[tuple[bytes, str]] | None = None
) -> TestResponse:
    """Post one of the page's forms (found by its action) with its hidden fields and `data`."""
    action = f"{page_url(record)}/{step}"
    page = client.get(page_url(record))
    assert page.status_code == 200
    form = find(page.get_data(as_text=True), "form", action=action)
    assert form is not None, f"the page has no form posting to {action}"
    fields = form_fields(form, hidden_only=True) | data
    body, content_type = multipart(fields, {"evidence": files or []})
    return client.post(action, data=body, content_type=content_type)


def error_beside(body: str, field: str) -> str:
    message = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert message is not None, f"no message beside {field}"
    return text_of(message)


@pytest.fixture
def staff(app: Flask, client: FlaskClient) -> User:
    user = make_user(Role.STAFF)
    sign_in(client, user)
    return user


def test_staff_set_the_subtype_and_build_the_plan_in_order(client: FlaskClient, staff: User) -> None:
    record = arrears_record()
    assert post_step(client, record, "subtype", {"subtype": "construction"}).status_code == 303
    assert db.session.get(ArrearsTerms, record.id).subtype == "construction"  # type: ignore[union-attr]

    first = post_step(client, record, "instalments", {"instalment_due": "2027-01-31", "instalment_amount": "2000"})
    assert first.status_code == 303
    before = (count(Instalment), count(AuditEntry))
    late = post_step(client, record, "instalments", {"instalment_due": "2027-01-15", "instalment_amount": "1000"})
    assert late.status_code == 400
    assert "2027-01-31" in error_beside(late.get_data(as_text=True), "instalment_due")
    too_much = post_step(
        client, record, "instalments", {"instalment_due": "2027-03-01", "instalment_amount": "3000.01"}
    )
    assert too_much.status_code == 400
    assert "5,000.00 元" in error_beside(too_much.get_data(as_text=True), "instalment_amount")
    assert (count(Instalment), count(AuditEntry)) == before
    assert (
        post_step(
            client, record, "instalments", {"instalment_due": "2027-03-01", "instalment_amount": "3000"}
        ).status_code
        == 303
    )

    public = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    assert "工程款" in public
    assert "2,000.00 元" in public
    assert "3,000.00 元" in public


def test_a_payment_moves_the_balance_the_feed_and_the_audit_log(client: FlaskClient, staff: User) -> None:
    record = arrears_record(updated_at=datetime(2026, 10, 1, tzinfo=UTC))
    outbox, audits = count(OutboxEntry), count(AuditEntry)
    response = post_step(
        client,
        record,
        "payments",
        {"paid_on": "2026-11-02", "paid_amount": "1200.50", "note": "第一笔"},
        [(PDF, "回单.pdf")],
    )
    assert response.status_code == 303
    payment = db.session.scalars(select(Payment).where(Payment.record_id == record.id)).one()
    assert payment.amount_fen == 120_050
    assert payment.evidence[0]["name"] == "回单.pdf"
    assert count(OutboxEntry) > outbox
    assert count(AuditEntry) == audits + 1
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "arrears.payment", AuditEntry.entity_id == str(record.id))
    ).one()
    assert entry.changes["balance_fen"] == [500_000, 379_950]
    db.session.refresh(record)
    assert record.updated_at > datetime(2026, 11, 1, tzinfo=UTC)

    public = client.get(f"/records/{record.id}").get_data(as_text=True)
    section = one(public, "section", aria_labelledby="money-heading")
    shown = visible_text(section)
    assert "1,200.50 元" in shown  # paid
    assert "3,799.50 元" in shown  # still owed
    assert "回单.pdf" not in public  # evidence is private
    evidence = client.get(f"{page_url(record)}/files/{payment.evidence[0]['sha256']}")
    assert evidence.status_code == 200
    assert evidence.headers["Content-Disposition"].startswith("attachment")
    evidence.close()


def test_a_payment_above_the_balance_is_refused_beside_the_field(client: FlaskClient, staff: User) -> None:
    record = arrears_record()
    assert post_step(client, record, "payments", {"paid_on": "2026-11-02", "paid_amount": "4000"}).status_code == 303
    before = (count(Payment), count(AuditEntry), count(OutboxEntry))
    response = post_step(
        client, record, "payments", {"paid_on": "2026-11-03", "paid_amount": "1000.01"}, [(PDF, "x.pdf")]
    )
    assert response.status_code == 400
    assert "1,000.00 元" in error_beside(response.get_data(as_text=True), "paid_amount")
    future = post_step(client, record, "payments", {"paid_on": "2026-11-21", "paid_amount": "1"})
    assert future.status_code == 400
    assert error_beside(future.get_data(as_text=True), "paid_on")
    assert (count(Payment), count(AuditEntry), count(OutboxEntry)) == before


def test_investment_promises_carry_incentives_and_what_was_paid(client: FlaskClient, staff: User) -> None:
    record = promise_record()
    data = {"item": "设备补贴", "incentive_amount": "2000", "incentive_due": "2026-06-30"}
    assert post_step(client, record, "incentives", data).status_code == 303
    incentive = db.session.scalars(select(Incentive).where(Incentive.record_id == record.id)).one()
    unchosen = post_step(client, record, "payments", {"paid_on": "2026-11-02", "paid_amount": "100"})
    assert unchosen.status_code == 400
    assert error_beside(unchosen.get_data(as_text=True), "incentive")
    over = post_step(
        client, record, "payments", {"incentive": str(incentive.id), "paid_on": "2026-11-02", "paid_amount": "2000.01"}
    )
    assert over.status_code == 400
    assert error_beside(over.get_data(as_text=True), "paid_amount")
    paid = post_step(
        client, record, "payments", {"incentive": str(incentive.id), "paid_on": "2026-11-02", "paid_amount": "500"}
    )
    assert paid.status_code == 303
    shown = visible_text(
        one(client.get(f"/records/{record.id}").get_data(as_text=True), "section", aria_labelledby="money-heading")
    )
    assert "设备补贴" in shown
    assert "1,500.00 元" in shown  # still owed on the promise


def test_officers_read_their_agencys_page_and_cannot_post(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    record = arrears_record(agency=agency)
    officer = make_user(Role.OFFICER, agency)
    sign_in(client, officer)
    body = client.get(page_url(record)).get_data(as_text=True)
    assert not find_all(body, "form", action=f"{page_url(record)}/payments")
    assert client.get(page_url(make_record(agency=agency))).status_code == 404  # not an arrears record


def test_a_stopped_record_takes_no_payment(client: FlaskClient, staff: User) -> None:
    record = arrears_record(status="revoked", stopped_on=date(2026, 11, 1), stop_note="撤销")
    before = count(Payment)
    page = client.get(page_url(record)).get_data(as_text=True)
    assert not find_all(page, "form", action=f"{page_url(record)}/payments")
    assert count(Payment) == before
