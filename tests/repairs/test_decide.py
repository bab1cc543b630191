"""The credit office decides credit-repair applications: approval stops publication (410, gone from lists and
search), rejection needs a reason that the officer then reads; a decision is made once; the queue puts what waits
first and flags what is due and overdue; the files are private."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.files.models import StoredFile
from portal.records.models import Record
from portal.repairs.models import RepairApplication
from portal.search.index import SearchIndex
from portal.users.models import User
from tests.conftest import TODAY
from tests.factories import make_agency, make_user
from tests.forms import hidden_fields, multipart, post_form, sign_in
from tests.html import parse_strict, title_of, visible_text
from tests.repairs.test_apply import XSS, applications, apply, csrf_token, repairable, unique_pdf

TODAY_DATE = date.fromisoformat(TODAY)


def show_url(application: RepairApplication) -> str:
    return f"/workspace/repairs/{application.id}"


def applied(client: FlaskClient, record: Record, officer: User, **files: Any) -> RepairApplication:
    """The officer applies (through the form) for the record's repair."""
    sign_in(client, officer)
    response = apply(client, record, **files)
    assert response.status_code == 303, response.get_data(as_text=True)
    (application,) = [a for a in applications(record.id) if a.status == "submitted"]
    return application


def make_application(record: Record, officer: User, **fields: Any) -> RepairApplication:
    """An application written straight to the database (for the queue's order and flags)."""
    data = uuid.uuid4().bytes
    sha256 = hashlib.sha256(data).hexdigest()
    db.session.add(StoredFile(sha256=sha256, size=len(data), content_type="application/pdf"))
    values: dict[str, Any] = {
        "record_id": record.id,
        "agency_id": record.agency_id,
        "applicant_id": officer.id,
        "statement": "已履行",
        "evidence": [],
        "pledge_sha256": sha256,
        "status": "submitted",
        "filed_on": TODAY_DATE - timedelta(days=7),
        "decide_due": TODAY_DATE + timedelta(days=7),
        "decision_reason": "",
    } | fields
    application = RepairApplication(**values)
    db.session.add(application)
    record.repair_open = values["status"] == "submitted"
    db.session.flush()
    return application


@pytest.fixture
def fresh_index(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SearchIndex:
    """A search index of this test's own, built from the database as the test found it."""
    live: SearchIndex = app.extensions["search_index"]
    index = SearchIndex(tmp_path / "search_index", live.engine_name, live.content_dir)
    monkeypatch.setitem(app.extensions, "search_index", index)
    return index


# --- approving and rejecting ----------------------------------------------------------------------------------------


def test_approval_stops_publication_everywhere(app: Flask, client: FlaskClient, fresh_index: SearchIndex) -> None:
    agency = make_agency()
    officer, staff = make_user("officer", agency), make_user("staff")
    record = repairable(agency, title="信用修复测试记录甲乙丙")
    fresh_index.rebuild(db.session, TODAY_DATE)
    search = f"/search?q={quote('信用修复测试记录甲乙丙')}"
    assert f'href="/records/{record.id}"' in client.get(search).get_data(as_text=True)
    listed = f"/records/?agency={agency.uscc}"
    assert record.title in client.get(listed).get_data(as_text=True)

    application = applied(client, record, officer)
    sign_in(client, staff)
    queue = visible_text(client.get("/workspace/repairs/").get_data(as_text=True))
    assert record.title in queue
    assert agency.name in queue
    response = post_form(client, show_url(application), {"decision": "approved", "reason": ""})
    assert response.status_code == 303
    assert response.headers["Location"] == show_url(application)

    assert application.status == "approved"
    assert application.decided_on == TODAY_DATE
    assert application.decided_by_id == staff.id
    assert record.status == "repaired"
    assert record.stopped_on == TODAY_DATE
    assert not record.repair_open
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == staff.id)))
    assert {"repair.approve", "record.status"} <= actions

    public = client.get(f"/records/{record.id}")
    assert public.status_code == 410
    assert "已修复" in visible_text(public.get_data(as_text=True))
    assert record.title not in client.get(listed).get_data(as_text=True)
    assert record.title not in client.get(f"/agencies/{agency.uscc}").get_data(as_text=True)
    assert f'href="/records/{record.id}"' not in client.get(search).get_data(as_text=True)

    sign_in(client, officer)
    page = visible_text(client.get(show_url(application)).get_data(as_text=True))
    assert "准予修复" in page
    assert f"信用办已于 {TODAY} 准予修复，该记录已停止公示。" in page


def test_rejection_needs_a_reason_and_leaves_the_record_as_it_was(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    officer, staff = make_user("officer", agency), make_user("staff")
    record = repairable(agency)
    application = applied(client, record, officer)
    assert "修复申请中" in client.get(f"/records/{record.id}").get_data(as_text=True)

    sign_in(client, staff)
    response = post_form(client, show_url(application), {"decision": "rejected", "reason": "  "})
    assert response.status_code == 400
    assert "不予修复时必须说明理由" in response.get_data(as_text=True)
    assert application.status == "submitted"
    assert record.repair_open
    response = post_form(client, show_url(application), {"decision": "", "reason": "x"})
    assert response.status_code == 400
    assert "请选择准予修复或不予修复" in response.get_data(as_text=True)

    response = post_form(client, show_url(application), {"decision": "rejected", "reason": "佐证材料不足。" + XSS})
    assert response.status_code == 303
    assert application.status == "rejected"
    assert application.decision_reason == "佐证材料不足。" + XSS
    assert record.status == "fulfilled"
    assert record.stopped_on is None
    assert not record.repair_open
    public = client.get(f"/records/{record.id}")
    assert public.status_code == 200
    assert "修复申请中" not in public.get_data(as_text=True)
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "repair.reject")).one().reason

    sign_in(client, officer)
    body = client.get(show_url(application)).get_data(as_text=True)
    assert "不予修复" in body
    assert "佐证材料不足。" in body
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;" in body
    # a new application is possible again, the earlier one listed beside it
    page = client.get(f"/workspace/records/{record.id}/repair").get_data(as_text=True)
    assert 'name="statement"' in page
    assert f'href="{show_url(application)}"' in page


def test_a_decision_is_made_once(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    officer = make_user("officer", agency)
    record = repairable(agency)
    application = applied(client, record, officer)
    first, second = make_user("staff"), make_user("admin")
    sign_in(client, second)
    second_tab = hidden_fields(client.get(show_url(application)).get_data(as_text=True))
    sign_in(client, first)
    first_tab = hidden_fields(client.get(show_url(application)).get_data(as_text=True))
    response = client.post(show_url(application), data={**first_tab, "decision": "approved", "reason": "已核实"})
    assert response.status_code == 303
    again = client.post(show_url(application), data={**first_tab, "decision": "approved", "reason": "已核实"})
    assert again.status_code == 303  # the same form twice: sent to the result, nothing more

    sign_in(client, second)
    second_tab["csrf_token"] = csrf_token(client)
    response = client.post(show_url(application), data={**second_tab, "decision": "rejected", "reason": "不同意"})
    assert response.status_code == 409
    assert "这份申请已经作出决定，不能再次决定。" in response.get_data(as_text=True)
    assert application.status == "approved"
    assert application.decided_by_id == first.id
    assert application.decision_reason == "已核实"
    assert record.status == "repaired"
    decisions = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "repair_application", AuditEntry.entity_id == str(application.id)
        )
    ).all()
    assert [a.action for a in decisions] == ["repair.apply", "repair.approve"]


def test_missing_csrf_changes_nothing(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    record = repairable(agency)
    application = applied(client, record, make_user("officer", agency))
    sign_in(client, make_user("staff"))
    hidden = hidden_fields(client.get(show_url(application)).get_data(as_text=True))
    del hidden["csrf_token"]
    response = client.post(show_url(application), data={**hidden, "decision": "approved", "reason": ""})
    assert response.status_code == 400
    assert application.status == "submitted"
    assert record.status == "fulfilled"
    assert record.repair_open


# --- the queue ------------------------------------------------------------------------------------------------------


def test_the_queue_puts_waiting_applications_first_with_due_and_overdue_flags(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    officer = make_user("officer", agency)
    later = make_application(repairable(agency, title="修复队列-以后到期"), officer)
    decided = make_application(
        repairable(agency, title="修复队列-已决定"),
        officer,
        status="rejected",
        decided_on=TODAY_DATE,
        decision_reason="材料不足",
        decide_due=TODAY_DATE - timedelta(days=30),
    )
    due = make_application(repairable(agency, title="修复队列-今日到期"), officer, decide_due=TODAY_DATE)
    # Monday 23 November, the next working day after Friday the 20th: 今明到期 like every queue's (the repair queue
    # used to flag the due day only).
    next_day = make_application(
        repairable(agency, title="修复队列-下一工作日到期"), officer, decide_due=TODAY_DATE + timedelta(days=3)
    )
    overdue = make_application(
        repairable(agency, title="修复队列-已逾期"), officer, decide_due=TODAY_DATE - timedelta(days=3)
    )
    other = make_application(repairable(title="修复队列-其他单位"), make_user("officer"))

    sign_in(client, make_user("staff"))
    body = client.get("/workspace/repairs/").get_data(as_text=True)
    rows = {a.record.title: body.index(a.record.title) for a in (later, decided, due, next_day, overdue, other)}
    assert rows["修复队列-已逾期"] < rows["修复队列-今日到期"] < rows["修复队列-以后到期"] < rows["修复队列-已决定"]
    assert rows["修复队列-今日到期"] < rows["修复队列-下一工作日到期"] < rows["修复队列-以后到期"]
    row = lambda title: body[rows[title] : body.index("</tr>", rows[title])]  # noqa: E731
    assert "已逾期" in row("修复队列-已逾期")
    assert "今明到期" in row("修复队列-今日到期")
    assert "今明到期" in row("修复队列-下一工作日到期")
    assert "已逾期" not in row("修复队列-以后到期")
    assert "今明到期" not in row("修复队列-以后到期")
    assert "已逾期" not in row("修复队列-已决定")  # decided: neither due nor overdue
    waiting = client.get("/workspace/repairs/?status=submitted").get_data(as_text=True)
    assert "修复队列-已决定" not in waiting
    assert "修复队列-已逾期" in waiting
    assert client.get("/workspace/repairs/?status=nonsense").status_code == 400

    sign_in(client, officer)
    mine = client.get("/workspace/repairs/").get_data(as_text=True)
    assert "修复队列-已逾期" in mine
    assert "修复队列-已决定" in mine
    assert "修复队列-其他单位" not in mine


# --- who may open what ----------------------------------------------------------------------------------------------


def test_authorisation_of_the_application_page_and_its_files(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    officer = make_user("officer", agency)
    record = repairable(agency)
    evidence, pledge = unique_pdf("evidence"), unique_pdf("pledge")
    application = applied(client, record, officer, evidence=[(evidence, "付款凭证.pdf")], pledge=[(pledge, "承诺.pdf")])
    url = show_url(application)
    evidence_url = f"{url}/files/{hashlib.sha256(evidence).hexdigest()}"
    pledge_url = f"{url}/files/{hashlib.sha256(pledge).hexdigest()}"

    # the applying agency's officer: reads the page and the files, may not decide
    page = client.get(url).get_data(as_text=True)
    assert 'name="decision"' not in page
    assert f'href="{evidence_url}"' in page
    assert f'href="{pledge_url}"' in page
    with client.get(pledge_url) as download:
        assert download.status_code == 200
        assert download.data == pledge
    body, content_type = multipart({"csrf_token": csrf_token(client), "decision": "approved"}, {})
    assert client.post(url, data=body, content_type=content_type).status_code == 403
    assert application.status == "submitted"

    # staff: the decision form and the files, as private downloads
    for role in ("staff", "admin"):
        sign_in(client, make_user(role))
        assert 'name="decision"' in client.get(url).get_data(as_text=True)
        with client.get(evidence_url) as download:
            assert download.status_code == 200
            assert download.data == evidence
            assert download.headers["Content-Disposition"].startswith("attachment")
            assert download.headers["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in download.headers["Cache-Control"]
        assert client.get(f"{url}/files/{'0' * 64}").status_code == 404
        assert client.get(f"/workspace/repairs/{application.id + 100_000}").status_code == 404

    # another agency's officer: nothing exists
    sign_in(client, make_user("officer"))
    for target in (url, evidence_url, pledge_url):
        response = client.get(target)
        assert response.status_code == 404
        assert record.title not in response.get_data(as_text=True)
    assert record.title not in client.get("/workspace/repairs/").get_data(as_text=True)

    # anonymous: the login page
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for target in ("/workspace/repairs/", url, evidence_url, pledge_url):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response.headers["Location"].startswith("/login?next="), target


def test_the_pages_are_well_formed(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    officer = make_user("officer", agency)
    record = repairable(agency)
    early = repairable(agency, decision_date=date(2026, 10, 1))
    application = applied(client, record, officer)
    pages = ["/workspace/repairs/", show_url(application), f"/workspace/records/{early.id}/repair"]
    pages.append(f"/workspace/records/{repairable(agency).id}/repair")
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        parse_strict(body)
        assert title_of(body)
    sign_in(client, make_user("staff"))
    for url in ("/workspace/repairs/", show_url(application)):
        body = client.get(url).get_data(as_text=True)
        parse_strict(body)
        assert "<caption>" in body or 'name="decision"' in body
    response = post_form(client, show_url(application), {"decision": "rejected", "reason": ""})
    parse_strict(response.get_data(as_text=True))
    assert 'aria-describedby="reason-hint reason-error"' in response.get_data(as_text=True)
