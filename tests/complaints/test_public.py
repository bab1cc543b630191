"""The public side of complaints: the form without an account, the receipt, the status page that needs the number
and the secret, anti-abuse, hostile input, privacy of the complainant, and the anonymised published complaint."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

import portal.forms
from portal.audit.models import AuditEntry
from portal.complaints.models import Complaint
from portal.complaints.operations import accept, close, publish_answer, transfer
from portal.demo.pdf import one_page_pdf
from portal.errors import NotAllowedError
from portal.extensions import db
from tests.commitments.test_workspace import files_on_disk
from tests.factories import make_agency, make_user
from tests.forms import hidden_fields, multipart, post_files
from tests.html import canonical, find, text_of, visible_text

PERSON = {"name": "王小明", "phone": "13912345678", "email": "xiaoming@example.com", "uscc": "91990121MA0000001X"}


def complaint_fields(agency_id: int | str = "", **changes: Any) -> dict[str, Any]:
    return {
        "filer_type": "individual",
        "name": PERSON["name"],
        "phone": PERSON["phone"],
        "email": PERSON["email"],
        "agency": str(agency_id),
        "agency_typed": "" if agency_id else "演示县某某指挥部",
        "category": "arrears",
        "description": "2025 年完工的道路工程款 120 万元至今未付。",
        "amount": "1200000",
        "publish_consent": "y",
        "consent": "y",
    } | changes


def file(client: FlaskClient, files: list[tuple[bytes, str]] | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    return post_files(client, "/complaints/new", complaint_fields(**fields), {"attachments": files or []})


def receipt_of(body: str) -> tuple[str, str]:
    text = visible_text(body)
    number = re.search(r"TS-\d{4}-\d{6}", text)
    secret = re.search(r"[0-9a-f]{4}(?:-[0-9a-f]{4}){5}", text)
    assert number, "no receipt number on the page"
    assert secret, "no receipt secret on the page"
    return number.group(0), secret.group(0)


def look_up(client: FlaskClient, number: str, secret: str):  # type: ignore[no-untyped-def]
    page = client.get("/complaints/status")
    return client.post(
        "/complaints/status", data={**hidden_fields(page.get_data(as_text=True)), "number": number, "secret": secret}
    )


def test_filing_gives_a_receipt_that_opens_the_status_page(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    pdf = one_page_pdf(["contract"])
    response = file(client, [(pdf, "合同.pdf")], agency_id=agency.id)
    assert response.status_code == 201
    body = response.get_data(as_text=True)
    number, secret = receipt_of(body)
    assert number.startswith("TS-2026-")
    assert response.headers["Cache-Control"] == "private, no-store"
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    assert secret not in complaint.secret_hash
    assert len(complaint.secret_hash) == 64
    assert complaint.accept_due == date(2026, 11, 24)
    assert complaint.close_due == date(2026, 12, 11)
    status = look_up(client, number, secret)
    assert status.status_code == 200
    text = status.get_data(as_text=True)
    assert "已提交" in text
    assert agency.name in text
    assert "合同.pdf" in text
    download = client.post(
        f"/complaints/status/files/{complaint.attachments[0]['sha256']}",
        data={
            **hidden_fields(client.get("/complaints/status").get_data(as_text=True)),
            "number": number,
            "secret": secret,
        },
    )
    with download:
        assert download.status_code == 200
        assert download.data == pdf
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_wrong_pairs_look_exactly_like_unknown_numbers(app: Flask, client: FlaskClient) -> None:
    number, secret = receipt_of(file(client).get_data(as_text=True))
    unknown = look_up(client, "TS-2026-999999", secret)
    wrong = look_up(client, number, "0000-0000-0000-0000-0000-0000")
    assert unknown.status_code == wrong.status_code == 404
    typed = lambda element, name: name == "value"  # noqa: E731 - the typed values (and tokens) differ
    assert canonical(unknown.get_data(as_text=True), drop=typed) == canonical(wrong.get_data(as_text=True), drop=typed)
    assert look_up(client, number.lower().replace("-", " - "), secret.upper()).status_code == 200


def test_guessing_receipts_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    codes = [look_up(client, f"TS-2026-{n:06d}", "0000-0000-0000-0000-0000-0000").status_code for n in range(31)]
    assert codes[:30] == [404] * 30
    assert codes[30] == 429


def test_errors_stand_beside_their_fields_with_the_text_kept(app: Flask, client: FlaskClient) -> None:
    before = db.session.scalar(select(func.count(Complaint.id)))
    response = file(
        client,
        filer_type="enterprise",
        uscc="91990121MA0000001Y",
        phone="",
        email="not-an-email",
        description="",
        amount="12.345",
        agency_typed="",
        consent="",
        name="保留的名字",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in ("uscc", "email", "description", "amount", "agency_typed", "consent"):
        assert f'id="{name}-error"' in body, name
    assert 'value="保留的名字"' in body
    assert db.session.scalar(select(func.count(Complaint.id))) == before


@pytest.mark.parametrize(
    ("files", "status", "message"),
    [
        ([(b"<html>hi</html>", "a.pdf")], 400, "文件内容不是"),
        ([(b"", "a.png")], 400, "文件是空的"),
        ([(one_page_pdf(["x"]) + b"%" + b"0" * (10 * 1024 * 1024), "big.pdf")], 413, "文件太大"),
        ([(one_page_pdf([str(n)]), f"{n}.pdf") for n in range(6)], 400, "最多上传 5 个文件"),
        ([(one_page_pdf(["x"]), "../../etc/x.pdf")], 400, "不能包含路径"),
    ],
)
def test_bad_attachments_file_nothing(
    app: Flask, client: FlaskClient, files: list[tuple[bytes, str]], status: int, message: str
) -> None:
    before = files_on_disk(app), db.session.scalar(select(func.count(Complaint.id)))
    response = file(client, files)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert (files_on_disk(app), db.session.scalar(select(func.count(Complaint.id)))) == before


def test_anti_abuse_honeypot_fill_time_csrf_and_replay(app: Flask, client: FlaskClient) -> None:
    count = lambda: db.session.scalar(select(func.count(Complaint.id))) or 0  # noqa: E731
    before = count()
    assert file(client, website="http://spam.example").status_code == 400
    app.config["PORTAL_MIN_FILL_SECONDS"] = 3
    try:
        response = file(client)
        assert response.status_code == 400
        assert "提交太快了" in response.get_data(as_text=True)
    finally:
        app.config["PORTAL_MIN_FILL_SECONDS"] = 0
    body, content_type = multipart(complaint_fields(), {})
    assert client.post("/complaints/new", data=body, content_type=content_type).status_code == 400  # no CSRF
    assert count() == before
    hidden = hidden_fields(client.get("/complaints/new").get_data(as_text=True))
    body, content_type = multipart({**hidden, **complaint_fields()}, {})
    first = client.post("/complaints/new", data=body, content_type=content_type)
    again = client.post("/complaints/new", data=body, content_type=content_type)  # the same form replayed
    assert first.status_code == 201
    assert again.status_code == 200  # the same receipt again (issue 18), not a second complaint
    assert receipt_of(again.get_data(as_text=True)) == receipt_of(first.get_data(as_text=True))
    assert count() == before + 1


@contextlib.contextmanager
def freeze_clock(at: float) -> Iterator[None]:
    """The forms' clock (and only theirs: CSRF and sessions keep the real one) stands at `at`."""
    with mock.patch.object(portal.forms, "time", SimpleNamespace(time=lambda: at)):
        yield


def test_the_form_token_is_the_servers_and_one_wait_buys_one_filing(app: Flask, client: FlaskClient) -> None:
    """Issue 19: the one-time token is issued by the server with the time the form was shown, and spent by the
    filing. A token the client makes up, or whose time it rewrites, is refused; a token that has waited the
    minimum fill time files once, and posting it again with other words files nothing more."""
    count = lambda: db.session.scalar(select(func.count(Complaint.id))) or 0  # noqa: E731
    before = count()
    hidden = hidden_fields(client.get("/complaints/new").get_data(as_text=True))
    nonce, shown_at = URLSafeSerializer(app.config["SECRET_KEY"], salt="form-token").loads(hidden["form_token"])
    made_up = [
        "0123456789abcdef0123456789abcdef",  # what a client could send before
        URLSafeSerializer("not the server's key", salt="form-token").dumps([nonce, shown_at - 60]),
        hidden["form_token"][:-2] + "xx",  # the time or nonce changed: the signature no longer matches
    ]
    for token in made_up:
        body, content_type = multipart({**hidden, "form_token": token, **complaint_fields()}, {})
        refused = client.post("/complaints/new", data=body, content_type=content_type)
        assert refused.status_code == 400
        assert "表单已失效" in visible_text(refused.get_data(as_text=True))
    assert count() == before
    app.config["PORTAL_MIN_FILL_SECONDS"] = 3
    try:
        body, content_type = multipart({**hidden, **complaint_fields()}, {})
        too_soon = client.post("/complaints/new", data=body, content_type=content_type)
        assert too_soon.status_code == 400
        assert "提交太快了" in visible_text(too_soon.get_data(as_text=True))
        with freeze_clock(shown_at + 4):
            first = client.post("/complaints/new", data=body, content_type=content_type)
            assert first.status_code == 201
            body, content_type = multipart({**hidden, **complaint_fields(description="另一件投诉，同一张表单")}, {})
            second = client.post("/complaints/new", data=body, content_type=content_type)
        assert second.status_code == 200  # the first filing's receipt again (issue 18), not a second complaint
        assert receipt_of(second.get_data(as_text=True)) == receipt_of(first.get_data(as_text=True))
        assert count() == before + 1
        fresh = hidden_fields(client.get("/complaints/new").get_data(as_text=True))
        body, content_type = multipart({**fresh, **complaint_fields()}, {})
        with freeze_clock(time.time() + 25 * 3600):  # a token older than a day is refused even unspent
            stale = client.post("/complaints/new", data=body, content_type=content_type)
    finally:
        app.config["PORTAL_MIN_FILL_SECONDS"] = 0
    assert stale.status_code == 400
    assert "表单已失效" in visible_text(stale.get_data(as_text=True))
    assert count() == before + 1


def test_filing_is_rate_limited_per_address(app: Flask, client: FlaskClient) -> None:
    codes = [file(client, description=f"第 {n} 件").status_code for n in range(11)]
    assert codes[:10] == [201] * 10
    assert codes[10] == 429


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "x" * 100_000, "控制\x00字符", "a\x1bb"],
)
def test_hostile_text_is_refused_or_escaped_never_500(app: Flask, client: FlaskClient, payload: str) -> None:
    response = file(client, description=payload, agency_typed=payload[:200], name=payload[:100])
    assert response.status_code in (201, 400), response.status_code
    if response.status_code == 201:
        number, secret = receipt_of(response.get_data(as_text=True))
        body = look_up(client, number, secret).get_data(as_text=True)
        assert payload not in body or "<" not in payload


def test_the_closed_complaint_is_published_anonymised_with_consent_only(app: Flask, client: FlaskClient) -> None:
    """Closing publishes nothing; staff publish a public version, and only for a complainant who consented. The
    answer written to the complainant is on no public page (issue 18)."""
    agency = make_agency()
    staff = make_user("staff")
    numbers = {}
    complaints = {}
    for consent in ("y", ""):
        number, _ = receipt_of(
            file(
                client, [(one_page_pdf(["evidence"]), "证据.pdf")], agency_id=agency.id, publish_consent=consent
            ).get_data(as_text=True)
        )
        complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint is not None
        accept(complaint, date(2026, 11, 20), by=staff)
        transfer(complaint, agency, date(2026, 11, 20), by=staff)
        complaint.status = "answered"  # the agency's answer step has its own tests (test_workspace)
        close(complaint, f"张三先生：已督促支付 {consent or 'none'}", date(2026, 11, 20), by=staff)
        numbers[consent] = number
        complaints[consent] = complaint
    db.session.flush()
    assert client.get(f"/complaints/{numbers['y']}").status_code == 404  # closed, not yet published
    publish_answer(complaints["y"], "已督促被投诉单位支付", by=staff)
    with pytest.raises(NotAllowedError):
        publish_answer(complaints[""], "已督促被投诉单位支付", by=staff)
    db.session.flush()
    for url in ("/complaints/", f"/agencies/{agency.uscc}", f"/complaints/{numbers['y']}"):
        body = client.get(url).get_data(as_text=True)
        assert numbers["y"] in body
        assert "已督促被投诉单位支付" in body
        assert "张三" not in body  # the internal answer never
        assert "已督促支付" not in body
        assert numbers[""] not in body
        for private in (*PERSON.values(), "证据.pdf"):
            assert private not in body, (url, private)
    # the list links each one to its own page (search links there too); one not published has none
    assert f'href="/complaints/{numbers["y"]}"' in client.get("/complaints/").get_data(as_text=True)
    assert client.get(f"/complaints/{numbers['']}").status_code == 404
    assert client.get("/complaints/TS-2026-999999").status_code == 404


def test_personal_data_is_on_no_public_surface_and_in_no_audit_entry(app: Flask, client: FlaskClient) -> None:
    number, _ = receipt_of(file(client, filer_type="enterprise", uscc=PERSON["uscc"]).get_data(as_text=True))
    for url in ("/", "/complaints/", "/records/feed.atom", "/commitments/feed.atom", "/agencies/"):
        body = client.get(url).get_data(as_text=True)
        for private in PERSON.values():
            assert private not in body, (url, private)
    for private in PERSON.values():  # the search page repeats what was asked, so ask the API what it found
        found = client.get("/api/v1/search", query_string={"q": private}).get_json()
        assert private not in str(found["items"]), private
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == number)).all()
    assert entries
    for entry in entries:
        for private in PERSON.values():
            assert private not in str(entry.changes)
            assert private not in (entry.reason or "")


def test_five_large_attachments_fit_the_forms_own_size_limit(app: Flask, client: FlaskClient) -> None:
    """The site's default request limit is 21 MB; this form takes 5 × 10 MB (checked before CSRF reads the form)."""
    big = [(one_page_pdf([str(n)]) + b"%" + b"0" * (9 * 1024 * 1024), f"{n}.pdf") for n in range(5)]
    assert file(client, big).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "请填写有效的电话号码"),  # accepted before: the same rule as the objection form
        ({"phone": "12345", "email": ""}, "phone", "请填写有效的电话号码"),
        ({"phone": "", "email": ""}, "phone", "请至少填写联系电话或电子邮箱中的一项"),
        ({"email": "xiaoming@example"}, "email", "请填写有效的电子邮箱"),
        ({"amount": "1" + "0" * 17}, "amount", "金额过大：最多 1,000,000,000,000 元"),  # 10^17 元: was a 500 on saving
        ({"amount": "1000000000000.01"}, "amount", "金额过大"),
        ({"filer_type": "enterprise", "uscc": "91350100M000100Y44"}, "uscc", "校验位不符"),
        ({"filer_type": "enterprise", "uscc": ""}, "uscc", "企业投诉请填写统一社会信用代码"),  # accepted before
    ],
)
def test_a_refused_contact_amount_or_code_is_said_beside_its_field_and_nothing_is_stored(
    app: Flask, client: FlaskClient, changes: dict[str, Any], field: str, message: str
) -> None:
    before = db.session.scalar(select(func.count(Complaint.id)))
    response = file(client, **changes)
    assert response.status_code == 400
    error = find(response.get_data(as_text=True), "p", class_="field-error-message", id=f"{field}-error")
    assert error is not None
    assert message in text_of(error)
    assert db.session.scalar(select(func.count(Complaint.id))) == before


def test_the_contact_and_the_amount_are_kept_in_their_normal_form(app: Flask, client: FlaskClient) -> None:
    response = file(client, phone="+86 139-1234-5678", email="XiaoMing@Example.COM", amount="1,000,000,000,000")
    number, _ = receipt_of(response.get_data(as_text=True))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    assert (complaint.phone, complaint.email, complaint.amount_fen) == ("13912345678", "XiaoMing@example.com", 10**14)


def test_an_individuals_code_is_not_kept(app: Flask, client: FlaskClient) -> None:
    """The code is asked of enterprises only; what an individual typed there is not stored (nor checked)."""
    number, _ = receipt_of(file(client, filer_type="individual", uscc="不是代码" * 10).get_data(as_text=True))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    assert complaint.uscc == ""
