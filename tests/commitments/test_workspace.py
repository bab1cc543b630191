"""Officers' commitment pages: who may open them, uploads refused by content with nothing left behind, CSRF,
double submission, and hostile text that comes back escaped on every page that shows it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter
from sqlalchemy import func, select

from portal.commitments.models import Commitment
from portal.core.uploads import MB
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.files.models import StoredFile
from portal.review.models import Submission
from portal.users.models import User
from tests.factories import active_pdf, make_agency, make_commitment, make_user
from tests.forms import hidden_fields, multipart, post_form, sign_in, sign_out
from tests.review.test_journeys import LETTER, commitment_fields, upload

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]
TEXT_FIELDS = ("title", "reason", "content", "liability", "accepting_unit")


def files_on_disk(app: Flask) -> set[Path]:
    return {p for p in app.config["PORTAL_SETTINGS"].files_dir.rglob("*") if p.is_file()}


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def officer(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    user = make_user("officer")
    sign_in(client, user)
    return user


def draft_of(officer) -> Commitment:  # type: ignore[no-untyped-def]
    return db.session.scalars(select(Commitment).where(Commitment.agency_id == officer.agency_id)).one()


# --- who may open what -------------------------------------------------------------------------------------------


def officer_routes(commitment_id: int) -> list[tuple[str, str]]:
    base = f"/workspace/commitments/{commitment_id}"
    return [
        ("GET", base),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("POST", f"{base}/submit"),
        ("GET", f"{base}/fulfilment"),
        ("POST", f"{base}/fulfilment"),
        ("GET", f"{base}/letter.pdf"),
    ]


def test_anonymous_visitors_are_sent_to_the_login(app: Flask, client: FlaskClient) -> None:
    commitment = make_commitment(state="draft", code=None, published_at=None)
    for method, url in [
        ("GET", "/workspace/commitments/"),
        ("GET", "/workspace/commitments/new"),
        *officer_routes(commitment.id),
    ]:
        response = client.open(url, method=method)
        if method == "POST":  # a POST without a session has no CSRF token either: refused before anything else
            assert response.status_code == 400, url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url


def test_staff_may_not_draft_commitments(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user("staff"))
    for url in ("/workspace/commitments/", "/workspace/commitments/new"):
        assert client.get(url).status_code == 403


def test_another_agencys_commitment_is_not_found(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    other = make_commitment(make_agency(), state="draft", code=None, published_at=None)
    other_published = make_commitment(make_agency(), state="published")
    token = hidden_fields(client.get("/workspace/commitments/new").get_data(as_text=True))
    for commitment in (other, other_published):
        for method, url in officer_routes(commitment.id):
            response = client.open(url, method=method, data=token if method == "POST" else None)
            assert response.status_code == 404, (method, url)
            assert commitment.title not in response.get_data(as_text=True)
    assert client.get("/workspace/commitments/").get_data(as_text=True).count(other.title) == 0


# --- uploads ----------------------------------------------------------------------------------------------------


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


REFUSED_UPLOADS = [
    (b"<html><script>alert(1)</script></html>", "letter.pdf", 400, "文件内容不是 PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "letter.pdf", 400, "文件内容不是 PDF"),
    (b"", "letter.pdf", 400, "文件是空的"),
    (LETTER[: len(LETTER) // 2], "letter.pdf", 400, "文件已损坏"),
    (encrypted_pdf(), "letter.pdf", 400, "已加密"),
    (active_pdf("open-script"), "letter.pdf", 400, "含有脚本"),  # issue 19: served later, it would run
    (b"<html><script>alert(1)</script>" + LETTER, "letter.pdf", 400, "夹带了网页内容"),
    (LETTER, "../../etc/passwd.pdf", 400, "不能包含路径"),
    (LETTER, "a\x00b.pdf", 400, "控制字符"),
    (LETTER, "长" * 201 + ".pdf", 400, "文件名太长"),
    (LETTER + b"%" + b"0" * (20 * MB), "big.pdf", 413, "文件太大"),
]


@pytest.mark.parametrize(("data", "name", "status", "message"), REFUSED_UPLOADS)
def test_refused_letters_leave_nothing_behind(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, officer, data: bytes, name: str, status: int, message: str
) -> None:
    before = files_on_disk(app), count(Commitment), count(StoredFile)
    response = upload(client, data, name, title="保留的标题")
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in body
    assert 'value="保留的标题"' in body  # what was typed is kept
    assert (files_on_disk(app), count(Commitment), count(StoredFile)) == before


def test_a_request_over_the_size_limit_gets_413(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    before = files_on_disk(app), count(Commitment)
    hidden = hidden_fields(client.get("/workspace/commitments/new").get_data(as_text=True))
    body, content_type = multipart(
        {"csrf_token": hidden["csrf_token"]}, {"letter": [(b"%PDF-" + b"0" * 22 * MB, "a.pdf")]}
    )
    response = client.post("/workspace/commitments/new", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "超过了大小限制" in response.get_data(as_text=True)
    assert (files_on_disk(app), count(Commitment)) == before


def test_a_pdf_named_otherwise_is_accepted_by_its_content(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    assert upload(client, LETTER, "scan.jpg").status_code == 303
    letter = draft_of(officer).letter
    assert letter is not None
    assert letter.size == len(LETTER)


def test_the_same_letter_is_stored_once(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    letter = one_page_pdf(["stored once"])
    assert upload(client, letter, "a.pdf", title="第一份").status_code == 303
    files = files_on_disk(app)
    assert upload(client, letter, "b.pdf", title="第二份").status_code == 303
    assert files_on_disk(app) == files
    hashes = db.session.scalars(select(Commitment.letter_sha256).where(Commitment.agency_id == officer.agency_id))
    assert len(set(hashes)) == 1


def test_a_failed_save_removes_the_file_it_wrote(app: Flask, client: FlaskClient, officer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import portal.forms as views

    def broken_commit() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views, "commit", broken_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        before = files_on_disk(app), count(Commitment)
        response = upload(client, one_page_pdf(["never stored"]))
        assert response.status_code == 500
        db.session.rollback()
        assert (files_on_disk(app), count(Commitment)) == before
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None


def test_a_new_draft_needs_its_letter_and_fields(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    response = post_form(client, "/workspace/commitments/new", commitment_fields(title="", made_on="20261118"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="title-error"' in body
    assert 'id="made_on-error"' in body
    assert 'id="letter-error"' in body
    assert "请上传签章承诺书" in body
    assert count(Commitment) == count(Commitment)
    assert db.session.scalar(select(func.count()).where(Commitment.agency_id == officer.agency_id)) == 0


# --- CSRF, double submission, locking -----------------------------------------------------------------------------


def test_missing_or_wrong_csrf_changes_nothing(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    for csrf in ({}, {"csrf_token": "forged"}):
        body, content_type = multipart(commitment_fields(**csrf), {"letter": [(LETTER, "a.pdf")]})
        response = client.post("/workspace/commitments/new", data=body, content_type=content_type)
        assert response.status_code == 400
        assert "安全令牌" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Commitment.agency_id == officer.agency_id)) == 0


def test_the_same_form_posted_twice_makes_one_draft_and_one_submission(
    app: Flask, client: FlaskClient, officer: User
) -> None:
    hidden = hidden_fields(client.get("/workspace/commitments/new").get_data(as_text=True))
    body, content_type = multipart({**hidden, **commitment_fields()}, {"letter": [(LETTER, "a.pdf")]})
    responses = [client.post("/workspace/commitments/new", data=body, content_type=content_type) for _ in range(2)]
    assert [r.status_code for r in responses] == [303, 303]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    draft = draft_of(officer)
    submit_hidden = hidden_fields(client.get(f"/workspace/commitments/{draft.id}").get_data(as_text=True))
    for _ in range(2):
        assert client.post(f"/workspace/commitments/{draft.id}/submit", data=submit_hidden).status_code == 303
    assert db.session.scalar(select(func.count()).where(Submission.commitment_id == draft.id)) == 1


def test_a_submitted_draft_is_locked(app: Flask, client: FlaskClient, officer) -> None:  # type: ignore[no-untyped-def]
    upload(client)
    draft = draft_of(officer)
    post_form(client, f"/workspace/commitments/{draft.id}", {}, to=f"/workspace/commitments/{draft.id}/submit")
    hidden = hidden_fields(client.get("/workspace/commitments/new").get_data(as_text=True))
    response = client.post(f"/workspace/commitments/{draft.id}/edit", data={**hidden, **commitment_fields(title="改")})
    assert response.status_code == 409
    db.session.refresh(draft)
    assert draft.title == "优化营商环境承诺"
    assert draft.state == "submitted"
    # submitting the locked draft again (with a fresh form token) is refused
    response = client.post(f"/workspace/commitments/{draft.id}/submit", data=hidden)
    assert response.status_code == 409
    assert "已经提交过了" in response.get_data(as_text=True)


# --- hostile text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_is_escaped_everywhere_it_is_shown(app: Flask, client: FlaskClient, officer, payload: str) -> None:  # type: ignore[no-untyped-def]
    response = upload(client, LETTER, "承诺书.pdf", **{name: f"{name} {payload}" for name in TEXT_FIELDS})
    assert response.status_code == 303, response.get_data(as_text=True)
    draft = draft_of(officer)
    pages = [f"/workspace/commitments/{draft.id}", "/workspace/commitments/", f"/workspace/commitments/{draft.id}/edit"]
    post_form(client, pages[0], {}, to=f"/workspace/commitments/{draft.id}/submit")
    submission = db.session.scalars(select(Submission).where(Submission.commitment_id == draft.id)).one()
    sign_in(client, make_user("staff"))
    pages += [f"/workspace/review/{submission.id}", "/workspace/review/"]
    for url in pages[3:]:
        assert_escaped(client, url, payload)
    post_form(client, f"/workspace/review/{submission.id}", {"decision": "approved"})
    db.session.refresh(draft)
    sign_out(client)
    for url in (f"/commitments/{draft.code}", "/commitments/", f"/search?q={draft.code}"):
        assert_escaped(client, url, payload)
    sign_in(client, officer)
    for url in pages[:2]:
        assert_escaped(client, url, payload)


def assert_escaped(client: FlaskClient, url: str, payload: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.get_data(as_text=True)
    if "<" in payload:  # markup must come back as text; markdown link syntax as text is harmless
        assert payload not in body, url
    for tag in ("<script>alert", "<img src=x", "<svg onload"):
        assert tag not in body, (url, tag)
    assert 'href="javascript:' not in body, url
