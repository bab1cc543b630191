"""Officers apply for credit repair of their agency's records: only once the record is 已履行 and its minimum
disclosure period has passed (the page says from when otherwise), with evidence and one signed 信用承诺书 checked by
content; a refused application keeps nothing, a double post makes one, and the record shows 修复申请中."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.audit.models import AuditEntry
from portal.core.uploads import MB
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.forms import issue_form_token
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.repairs.models import RepairApplication
from tests.commitments.test_workspace import files_on_disk
from tests.core.test_uploads import PNG
from tests.factories import make_agency, make_record, make_user
from tests.forms import csrf_token as csrf_of
from tests.forms import hidden_fields, multipart, post_files, sign_in
from tests.html import find, text_of, visible_text

STATEMENT = "已于 2026 年 3 月全额支付拖欠款项，并与企业签订和解协议。"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def unique_pdf(label: str = "evidence") -> bytes:
    """A valid PDF no earlier test stored (files are kept once by their hash, so a new one shows on disk)."""
    return one_page_pdf([label, uuid.uuid4().hex])


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(unique_pdf("pledge")))
    writer.encrypt("open-sesame", owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def repairable(agency: Any = None, **fields: Any) -> Record:
    """A fulfilled record whose minimum period (一般: 3 months from 2026-01-10) ended on 2026-04-10, still shown
    until 2027-01-10: its agency may apply for repair on the tests' today (2026-11-20)."""
    values: dict[str, Any] = {"decision_date": date(2026, 1, 10), "status": "fulfilled"} | fields
    return make_record(agency, **values)


def apply_url(record_id: int) -> str:
    return f"/workspace/records/{record_id}/repair"


def apply(
    client: FlaskClient,
    record: Record,
    *,
    statement: str = STATEMENT,
    evidence: list[tuple[bytes, str]] | None = None,
    pledge: list[tuple[bytes, str]] | None = None,
) -> TestResponse:
    files = {
        "evidence": [(unique_pdf(), "付款凭证.pdf")] if evidence is None else evidence,
        "pledge": [(unique_pdf("pledge"), "信用承诺书.pdf")] if pledge is None else pledge,
    }
    return post_files(client, apply_url(record.id), {"statement": statement}, files)


def applications(record_id: int) -> list[RepairApplication]:
    return list(db.session.scalars(select(RepairApplication).where(RepairApplication.record_id == record_id)))


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, from the header's sign-out form."""
    return csrf_of(client.get("/").get_data(as_text=True))


@pytest.fixture
def officer(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    user = make_user("officer", make_agency())
    sign_in(client, user)
    return user


# --- when an application may be made --------------------------------------------------------------------------------


def test_refused_before_the_minimum_period_saying_from_when(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency, decision_date=date(2026, 10, 1))  # minimum period ends 2027-01-01
    before = files_on_disk(app)
    page = client.get(apply_url(record.id))
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "最短公示期尚未届满：自 2027-01-01 起可以申请信用修复。" in text
    assert 'name="statement"' not in page.get_data(as_text=True)  # no form to fill in vain
    body, content_type = multipart(
        {"csrf_token": csrf_token(client), "form_token": issue_form_token(), "statement": STATEMENT},
        {"evidence": [(unique_pdf(), "a.pdf")], "pledge": [(unique_pdf("pledge"), "p.pdf")]},
    )
    response = client.post(apply_url(record.id), data=body, content_type=content_type)
    assert response.status_code == 409
    assert "自 2027-01-01 起可以申请" in visible_text(response.get_data(as_text=True))
    assert applications(record.id) == []
    assert not record.repair_open
    assert files_on_disk(app) == before


@pytest.mark.parametrize(
    ("status", "decision", "said"),
    [
        ("public", date(2026, 1, 10), "目前的状态是“公示中”，尚未履行完毕：须先达到“已履行”才能申请信用修复"),
        ("rectifying", date(2026, 10, 1), "目前的状态是“整改中”"),
    ],
)
def test_refused_while_not_fulfilled(
    app: Flask, client: FlaskClient, officer: Any, status: str, decision: date, said: str
) -> None:
    record = repairable(officer.agency, status=status, decision_date=decision)
    text = visible_text(client.get(apply_url(record.id)).get_data(as_text=True))
    assert said in text
    assert record.publication_min_end.isoformat() in text
    body, content_type = multipart(
        {"csrf_token": csrf_token(client), "form_token": issue_form_token(), "statement": STATEMENT},
        {"evidence": [(unique_pdf(), "a.pdf")], "pledge": [(unique_pdf("pledge"), "p.pdf")]},
    )
    before = files_on_disk(app)
    response = client.post(apply_url(record.id), data=body, content_type=content_type)
    assert response.status_code == 409
    assert said in visible_text(response.get_data(as_text=True))
    assert applications(record.id) == []
    assert not record.repair_open
    assert files_on_disk(app) == before


def test_a_stopped_record_needs_no_repair(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency, status="revoked", stopped_on=date(2026, 11, 1), stop_note="撤销")
    text = visible_text(client.get(apply_url(record.id)).get_data(as_text=True))
    assert "该记录已不在公示，无需申请信用修复。" in text


def test_allowed_after_the_minimum_period_once_fulfilled(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    page = client.get(apply_url(record.id)).get_data(as_text=True)
    assert "修复不收取任何费用" in visible_text(page)
    assert 'name="statement"' in page
    evidence, pledge = unique_pdf(), unique_pdf("pledge")
    response = apply(
        client, record, evidence=[(evidence, "付款凭证.pdf"), (PNG, "回单.png")], pledge=[(pledge, "承诺.pdf")]
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    (application,) = applications(record.id)
    assert response.headers["Location"] == f"/workspace/repairs/{application.id}"
    assert application.status == "submitted"
    assert application.filed_on == date(2026, 11, 20)
    assert application.decide_due == date(2026, 12, 4)  # 10 working days, no holiday in between
    assert application.statement == STATEMENT
    assert application.applicant_id == officer.id
    assert [f["name"] for f in application.evidence] == ["付款凭证.pdf", "回单.png"]
    assert application.pledge.size == len(pledge)
    assert application.pledge.content_type == "application/pdf"
    assert record.repair_open
    audit = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "repair_application", AuditEntry.entity_id == str(application.id)
        )
    ).one()
    assert audit.action == "repair.apply"
    assert audit.actor_id == officer.id
    assert db.session.scalar(select(func.count()).where(OutboxEntry.item_key == f"record:{record.id}"))

    shown = visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "信用修复申请已提交。信用办将在 2026-12-04 前作出决定。" in shown
    assert STATEMENT in shown
    public = client.get(f"/records/{record.id}")
    assert public.status_code == 200
    assert "修复申请中" in visible_text(public.get_data(as_text=True))
    listed = visible_text(client.get("/workspace/repairs/").get_data(as_text=True))
    assert record.title in listed
    assert "修复申请中" in listed


def test_the_officer_finds_the_way_from_the_record_page(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    page = client.get(f"/workspace/records/{record.id}").get_data(as_text=True)
    assert f'href="{apply_url(record.id)}"' in page
    sign_in(client, make_user("staff"))
    assert f'href="{apply_url(record.id)}"' not in client.get(f"/workspace/records/{record.id}").get_data(as_text=True)


# --- the files ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evidence", "pledge", "status", "field", "message"),
    [
        (None, [(PNG, "承诺书.pdf")], 400, "pledge", "文件内容不是 PDF"),
        (None, [(encrypted_pdf(), "承诺书.pdf")], 400, "pledge", "PDF 文件已加密或设有密码"),
        (
            None,
            [(one_page_pdf(["big"]) + b"%" + b"0" * (20 * MB), "承诺书.pdf")],
            413,
            "pledge",
            "文件太大：最大 20 MB",
        ),
        (None, [], 400, "pledge", "请上传签章的信用承诺书"),
        (None, [(unique_pdf(), "a.pdf"), (unique_pdf(), "b.pdf")], 400, "pledge", "只能上传一份信用承诺书"),
        ([], None, 400, "evidence", "请选择要上传的文件"),
        ([(unique_pdf(), f"{n}.pdf") for n in range(6)], None, 400, "evidence", "最多上传 5 个文件"),
        ([(unique_pdf(), "ok.pdf"), (b"MZ\x90\x00 not a pdf", "x.pdf")], None, 400, "evidence", "文件内容不是"),
        ([(unique_pdf(), "ok.pdf"), (b"%PDF-" + b"0" * (10 * MB), "big.pdf")], None, 413, "evidence", "文件太大"),
    ],
)
def test_refused_files_keep_nothing(
    app: Flask,
    client: FlaskClient,
    officer: Any,
    evidence: list[tuple[bytes, str]] | None,
    pledge: list[tuple[bytes, str]] | None,
    status: int,
    field: str,
    message: str,
) -> None:
    record = repairable(officer.agency)
    before = files_on_disk(app)
    response = apply(client, record, evidence=evidence, pledge=pledge)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    error = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert error is not None
    assert message in text_of(error)
    assert STATEMENT in body  # what was typed is kept
    assert applications(record.id) == []
    assert not record.repair_open
    assert files_on_disk(app) == before


def test_the_statement_is_required_and_limited(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    before = files_on_disk(app)
    response = apply(client, record, statement="   ")
    assert response.status_code == 400
    assert "请说明履行情况" in response.get_data(as_text=True)
    response = apply(client, record, statement="很长" * 50_000)
    assert response.status_code == 400
    assert "太长了：最多 10000 个字符。" in response.get_data(as_text=True)
    assert applications(record.id) == []
    assert files_on_disk(app) == before


def test_hostile_statement_comes_back_escaped(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    response = apply(client, record, statement=XSS)
    assert response.status_code == 303
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body


# --- once, and one at a time -----------------------------------------------------------------------------------------


def test_a_double_post_makes_one_application(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    hidden = hidden_fields(client.get(apply_url(record.id)).get_data(as_text=True))
    files = {"evidence": [(unique_pdf(), "a.pdf")], "pledge": [(unique_pdf("pledge"), "p.pdf")]}
    locations = set()
    for _ in range(2):
        body, content_type = multipart({**hidden, "statement": STATEMENT}, files)
        response = client.post(apply_url(record.id), data=body, content_type=content_type)
        assert response.status_code == 303
        locations.add(response.headers["Location"])
    assert len(applications(record.id)) == 1
    assert len(locations) == 1


def test_a_second_open_application_is_refused(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    other_tab = hidden_fields(client.get(apply_url(record.id)).get_data(as_text=True))
    assert apply(client, record).status_code == 303
    (first,) = applications(record.id)
    page = client.get(apply_url(record.id)).get_data(as_text=True)
    assert "该记录已有一份信用修复申请正在办理" in visible_text(page)
    assert 'name="statement"' not in page
    before = files_on_disk(app)
    body, content_type = multipart(
        {**other_tab, "statement": "第二份"},
        {"evidence": [(unique_pdf(), "a.pdf")], "pledge": [(unique_pdf(), "p.pdf")]},
    )
    response = client.post(apply_url(record.id), data=body, content_type=content_type)
    assert response.status_code == 409
    assert f'href="/workspace/repairs/{first.id}"' in response.get_data(as_text=True)
    assert applications(record.id) == [first]
    assert files_on_disk(app) == before


def test_missing_csrf_is_refused_and_stores_nothing(app: Flask, client: FlaskClient, officer: Any) -> None:
    record = repairable(officer.agency)
    hidden = hidden_fields(client.get(apply_url(record.id)).get_data(as_text=True))
    del hidden["csrf_token"]
    before = files_on_disk(app)
    body, content_type = multipart(
        {**hidden, "statement": STATEMENT}, {"evidence": [(unique_pdf(), "a.pdf")], "pledge": [(unique_pdf(), "p.pdf")]}
    )
    response = client.post(apply_url(record.id), data=body, content_type=content_type)
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert applications(record.id) == []
    assert not record.repair_open
    assert files_on_disk(app) == before


# --- deadlines ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "due"),
    [
        # 2026-10-01..07 are the National Day holidays (10-03/04 a weekend); Saturday 10-10 is a make-up working day
        (10, date(2026, 10, 20)),
        (3, date(2026, 10, 10)),
    ],
)
def test_the_deadline_counts_working_days_across_the_national_day_holiday(
    app: Flask, client: FlaskClient, officer: Any, monkeypatch: pytest.MonkeyPatch, days: int, due: date
) -> None:
    settings = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(
        app.config,
        "PORTAL_SETTINGS",
        replace(settings, today=date(2026, 9, 30), deadline_days={**settings.deadline_days, "repair_decide": days}),
    )
    record = repairable(officer.agency)
    response = apply(client, record)
    assert response.status_code == 303, response.get_data(as_text=True)
    (application,) = applications(record.id)
    assert application.filed_on == date(2026, 9, 30)
    assert application.decide_due == due
    assert f"信用办将在 {due.isoformat()} 前作出决定" in visible_text(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )


# --- who may open what ----------------------------------------------------------------------------------------------


def test_authorisation_of_the_application_form(app: Flask, client: FlaskClient) -> None:
    record = repairable()
    url = apply_url(record.id)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/workspace/repairs/").headers["Location"].startswith("/login?next=")

    for role in ("staff", "admin"):
        sign_in(client, make_user(role))
        assert client.get(url).status_code == 403
        body, content_type = multipart({"csrf_token": csrf_token(client), "statement": "x"}, {})
        assert client.post(url, data=body, content_type=content_type).status_code == 403

    sign_in(client, make_user("officer"))  # another agency's officer
    response = client.get(url)
    assert response.status_code == 404
    assert record.title not in response.get_data(as_text=True)
    body, content_type = multipart(
        {"csrf_token": csrf_token(client), "form_token": issue_form_token(), "statement": STATEMENT},
        {"evidence": [(unique_pdf(), "a.pdf")], "pledge": [(unique_pdf(), "p.pdf")]},
    )
    assert client.post(url, data=body, content_type=content_type).status_code == 404
    assert applications(record.id) == []
    assert client.get(apply_url(2_000_000_000)).status_code == 404

    sign_in(client, make_user("officer", record.agency))
    assert client.get(url).status_code == 200
