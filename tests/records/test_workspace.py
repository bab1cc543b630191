"""Staff enter, correct and stop records in the workspace; officers see their own agency's. Who may open what,
every kind through its generated form to the public pages, the disclosure preview, messages beside fields, double
posts, CSRF, corrections shown publicly, stopped records answering 410, audit entries, and hostile text."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.core.periods import Severity, disclosure_window
from portal.demo.generator import make_uscc
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.records.kinds import KINDS, FieldType, RecordKind
from portal.records.models import Record
from portal.records.operations import correct_record
from portal.users.models import User
from tests.conftest import TODAY
from tests.factories import make_agency, make_commitment, make_record, make_rectification, make_user
from tests.forms import csrf_token, hidden_fields, post_form, sign_in
from tests.html import find, find_all, parse_strict, text_of, title_of, visible_text

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]
VALID_USCC = make_uscc("11", "990121", 4242)


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def audit(action: str, record_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == str(record_id))
        )
    )


def kind_input(kind: RecordKind, n: int = 1) -> dict[str, str]:
    """A value typed for every field the kind declares (so that a field added to kinds.py is tested too)."""
    values = {}
    for i, spec in enumerate(kind.fields):
        if spec.type is FieldType.DATE:
            values[spec.name] = (date(2026, 1, 5) + timedelta(days=7 * i)).isoformat()
        elif spec.type is FieldType.MONEY:
            values[spec.name] = f"{1000 * (i + 1) + n}.5"
        elif spec.type is FieldType.CODE:
            values[spec.name] = f"（2026）演0121码{n}-{i}号"
        else:
            values[spec.name] = f"{spec.name}内容{n}"
    return values


def shown(kind: RecordKind, typed: dict[str, str]) -> dict[str, str]:
    """What the record page shows for each typed kind value."""
    out = {}
    for spec in kind.fields:
        value = typed[spec.name]
        if spec.type is FieldType.DATE:
            day = date.fromisoformat(value)
            out[spec.name] = f"{day.year}年{day.month}月{day.day}日"
        elif spec.type is FieldType.MONEY:
            whole, frac = value.split(".")
            out[spec.name] = f"{int(whole):,}.{frac.ljust(2, '0')} 元"
        else:
            out[spec.name] = value
    return out


def record_input(kind: str, agency_id: int, n: int = 1, /, **changes: str) -> dict[str, str]:
    return {
        "agency": str(agency_id),
        "title": f"录入测试记录{kind}{n}",
        "summary": "依据**有关规定**认定。",
        "severity": "general",
        "deciding_authority": "演示县市场监督管理局",
        "deciding_authority_code": VALID_USCC,
        "source_unit": "演示县信用办",
        "document_number": f"演测〔2026〕{n}号",
        "decision_date": "2026-11-01",
        **(({"commitment_code": ""}) if kind == "investment_promise" else {}),
        **kind_input(KINDS[kind], n),
        "action": "save",
    } | changes


def new_url(kind: str) -> str:
    return f"/workspace/records/new?kind={kind}"


def enter(client: FlaskClient, kind: str, agency_id: int, **changes: str) -> TestResponse:
    return post_form(client, new_url(kind), record_input(kind, agency_id, **changes))


def csrf_of(body: str) -> str:
    """The CSRF token of any form on the page (the header's sign-out form has one)."""
    return csrf_token(body)


def sign_out(client: FlaskClient) -> None:
    """Sign out as the header's button does (with its CSRF token), so that public pages are seen as the public."""
    token = csrf_of(client.get("/workspace/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code in (302, 303)
    assert client.get("/workspace/").status_code == 302


def error_beside(body: str, field: str) -> str:
    """The message shown beside a field (and the field marked invalid and described by it)."""
    message = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert message is not None, f"no message beside {field}"
    controls = [e for e in find_all(body, id=field) if e.tag in ("input", "select", "textarea")]
    assert any(f"{field}-error" in e.get("aria-describedby", "") for e in controls), (
        f"{field} is not described by its message"
    )
    return text_of(message)


@pytest.fixture
def staff(app: Flask, client: FlaskClient) -> User:
    user = make_user("staff")
    sign_in(client, user)
    return user


# --- who may open what -------------------------------------------------------------------------------------------


def routes(record_id: int) -> list[tuple[str, str]]:
    base = f"/workspace/records/{record_id}"
    return [
        ("GET", "/workspace/records/"),
        ("GET", base),
        ("GET", "/workspace/records/new"),
        ("GET", new_url("arrears")),
        ("POST", new_url("arrears")),
        ("GET", f"{base}/correct"),
        ("POST", f"{base}/correct"),
        ("GET", f"{base}/stop"),
        ("POST", f"{base}/stop"),
    ]


def test_anonymous_visitors_are_sent_to_the_login(app: Flask, client: FlaskClient) -> None:
    record = make_record()
    token = hidden_fields(client.get("/login").get_data(as_text=True))["csrf_token"]  # a POST with a valid token
    for method, url in routes(record.id):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert audit("record.status", record.id) == []
    assert audit("record.correct", record.id) == []


def test_officers_see_their_agencys_records_and_nothing_else(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    own = make_record(agency, title="本单位的记录")
    make_rectification(own)
    other = make_record(make_agency(), title="别的单位的记录")
    sign_in(client, make_user("officer", agency))
    token = {"csrf_token": csrf_of(client.get("/workspace/records/").get_data(as_text=True))}

    listing = client.get("/workspace/records/").get_data(as_text=True)
    assert "本单位的记录" in listing
    assert "别的单位的记录" not in listing
    assert "录入失信记录" not in listing
    page = client.get(f"/workspace/records/{own.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'href="/workspace/records/{own.id}/progress"' in body  # report rectification progress
    assert f"/workspace/records/{own.id}/correct" not in body
    assert f"/workspace/records/{own.id}/stop" not in body

    response = client.get(f"/workspace/records/{other.id}")
    assert response.status_code == 404
    assert "别的单位的记录" not in response.get_data(as_text=True)
    for method, url in routes(own.id)[2:] + routes(other.id)[5:]:
        response = client.open(url, method=method, data=token if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    assert not audit("record.correct", own.id)
    assert not audit("record.status", own.id)


def test_an_officer_without_a_rectification_gets_no_progress_link(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    record = make_record(agency)
    sign_in(client, make_user("officer", agency))
    assert "/progress" not in client.get(f"/workspace/records/{record.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_open_every_page(app: Flask, client: FlaskClient, role: str) -> None:
    record = make_record(title="任何单位的记录")
    sign_in(client, make_user(role))
    for method, url in routes(record.id):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            parse_strict(body)
            assert title_of(body)
    listing = client.get("/workspace/records/").get_data(as_text=True)
    assert "/workspace/records/new" in listing
    page = client.get(f"/workspace/records/{record.id}").get_data(as_text=True)
    assert f"/workspace/records/{record.id}/correct" in page
    assert f"/workspace/records/{record.id}/stop" in page
    assert f'href="/records/{record.id}"' in page


def test_the_workspace_list_filters_and_shows_stopped_records(app: Flask, client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    public = make_record(agency, title="仍在公示的记录", kind="arrears")
    stopped = make_record(
        agency, title="已撤销的记录", status="revoked", stopped_on=date(2026, 11, 1), stop_note="认定错误"
    )
    body = client.get(f"/workspace/records/?agency={agency.uscc}").get_data(as_text=True)
    assert "仍在公示的记录" in body
    assert "已撤销的记录" in body
    body = client.get(f"/workspace/records/?agency={agency.uscc}&status=revoked").get_data(as_text=True)
    assert "已撤销的记录" in body
    assert "仍在公示的记录" not in body
    body = client.get(f"/workspace/records/?agency={agency.uscc}&kind=arrears").get_data(as_text=True)
    assert "仍在公示的记录" in body
    assert "已撤销的记录" not in body
    response = client.get("/workspace/records/?kind=nonsense&page=x")
    assert response.status_code == 400
    page = client.get(f"/workspace/records/{stopped.id}").get_data(as_text=True)
    assert "认定错误" in page
    assert f"/workspace/records/{stopped.id}/correct" not in page
    assert client.get(f"/workspace/records/{stopped.id}/correct").status_code == 409
    assert client.get(f"/workspace/records/{stopped.id}/stop").status_code == 409
    assert public.id


# --- entering records ----------------------------------------------------------------------------------------------


def test_the_kind_is_chosen_first(app: Flask, client: FlaskClient, staff: User) -> None:
    body = client.get("/workspace/records/new").get_data(as_text=True)
    assert '<form method="get"' in body
    assert '<select id="kind" name="kind"' in body
    for kind in KINDS.values():
        assert f'<option value="{kind.code}">{kind.label}</option>' in body
    response = client.get("/workspace/records/new?kind=nonsense")
    assert response.status_code == 400
    assert "不是可选的类别" in response.get_data(as_text=True)
    token = hidden_fields(client.get(new_url("arrears")).get_data(as_text=True))
    assert client.post("/workspace/records/new?kind=nonsense", data=token).status_code == 400


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_entered_through_its_form_is_public(app: Flask, client: FlaskClient, staff: User, kind: str) -> None:
    agency = make_agency()
    outbox_before = count(OutboxEntry)
    form = client.get(new_url(kind)).get_data(as_text=True)
    parse_strict(form)
    for spec in KINDS[kind].fields:
        assert f'for="{spec.name}"' in form
        assert str(spec.label) in form

    response = enter(client, kind, agency.id)
    assert response.status_code == 303, response.get_data(as_text=True)
    record = db.session.scalars(select(Record).where(Record.agency_id == agency.id)).one()
    assert response.headers["Location"] == f"/workspace/records/{record.id}"
    assert record.kind == kind
    assert record.status == "public"
    window = disclosure_window(date(2026, 11, 1), Severity.GENERAL, app.config["PORTAL_SETTINGS"].disclosure_periods)
    assert (record.publication_start, record.publication_min_end, record.publication_max_end) == (
        date.fromisoformat(TODAY),
        window.min_end,
        window.max_end,
    )
    assert count(OutboxEntry) > outbox_before

    typed = kind_input(KINDS[kind])
    expected = shown(KINDS[kind], typed)
    for url in (f"/workspace/records/{record.id}", f"/records/{record.id}"):
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.get_data(as_text=True)
        parse_strict(body)
        text = visible_text(body)
        for spec in KINDS[kind].fields:
            assert f"{spec.label} {expected[spec.name]}" in text, (url, spec.name)
        for value in (f"录入测试记录{kind}1", "演示县市场监督管理局", VALID_USCC, "演示县信用办", "演测〔2026〕1号"):
            assert value in text, (url, value)
        assert "<strong>有关规定</strong>" in body  # the summary is markdown
    sign_out(client)
    listing = client.get(f"/records/?kind={kind}&agency={agency.uscc}").get_data(as_text=True)
    assert f'<a href="/records/{record.id}">录入测试记录{kind}1</a>' in listing

    [entry] = audit("record.create", record.id)
    assert entry.actor_id == staff.id
    assert entry.changes["title"] == [None, f"录入测试记录{kind}1"]
    assert entry.changes["kind"] == [None, kind]
    first = KINDS[kind].fields[0]
    assert entry.changes[first.name] == [
        None,
        expected[first.name] if first.type is not FieldType.DATE else typed[first.name],
    ]


def test_an_investment_promise_links_a_published_commitment(app: Flask, client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    commitment = make_commitment(agency, title="招商引资奖励承诺")
    draft = make_commitment(agency, code="99012120261001999991", state="draft", published_at=None)
    others = make_commitment(make_agency())
    assert draft.code is not None
    assert others.code is not None
    assert commitment.code is not None
    for code in (draft.code, others.code):  # not public, or another agency's
        response = enter(client, "investment_promise", agency.id, commitment_code=code)
        assert response.status_code == 400
        assert code in error_beside(response.get_data(as_text=True), "commitment_code")
    response = enter(client, "investment_promise", agency.id, commitment_code="12345")
    assert response.status_code == 400
    assert "没有编号为 12345 的公开承诺" in response.get_data(as_text=True)
    assert not db.session.scalars(select(Record).where(Record.agency_id == agency.id)).all()

    response = enter(client, "investment_promise", agency.id, commitment_code=commitment.code)
    assert response.status_code == 303, response.get_data(as_text=True)
    record = db.session.scalars(select(Record).where(Record.agency_id == agency.id)).one()
    assert record.commitment_id == commitment.id
    page = client.get(f"/records/{record.id}").get_data(as_text=True)
    assert f'href="/commitments/{commitment.code}">招商引资奖励承诺</a>' in page


def test_the_preview_shows_the_disclosure_window_and_saves_nothing(
    app: Flask, client: FlaskClient, staff: User
) -> None:
    agency = make_agency()
    before = (count(Record), count(AuditEntry), count(OutboxEntry))
    response = enter(client, "arrears", agency.id, action="preview", severity="serious", decision_date="2026-02-28")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    preview = find(body, "div", class_="preview")
    assert preview is not None, "no preview box"
    text = visible_text(preview)
    assert "公示开始 2026年11月20日" in text  # publication starts today
    assert "最短公示期满 2027年2月28日" in text  # serious: at least 1 year from the decision date
    assert "最长公示期满（届时自动停止公示） 2029年2月28日" in text  # at most 3 years
    assert (count(Record), count(AuditEntry), count(OutboxEntry)) == before
    # the form comes back filled in, with the same one-time token: saving it now makes the record
    again = hidden_fields(body)
    assert 'value="（2026）演0121码1-0号"' in body
    response = client.post(new_url("arrears"), data={**record_input("arrears", agency.id), **again})
    assert response.status_code == 303
    record = db.session.scalars(select(Record).where(Record.agency_id == agency.id)).one()
    assert record.publication_max_end == date(2027, 11, 1)  # saved as typed now: general, 2026-11-01


def test_the_preview_refuses_what_saving_would(app: Flask, client: FlaskClient, staff: User) -> None:
    response = enter(client, "arrears", make_agency().id, action="preview", decision_date="2026-12-01")
    assert response.status_code == 400
    assert '<div class="preview"' not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "此项必填"),
        ({"title": "   "}, "title", "此项必填"),
        ({"contract_number": ""}, "contract_number", "此项必填"),
        ({"breach": ""}, "breach", "此项必填"),
        ({"amount_owed": ""}, "amount_owed", "此项必填"),
        ({"agency": ""}, "agency", "此项必填"),
        ({"agency": "999999999"}, "agency", "请从列表中选择失信主体"),
        ({"severity": "catastrophic"}, "severity", "请从列表中选择严重程度"),
        ({"deciding_authority_code": "91350100M000100Y44"}, "deciding_authority_code", "校验位不符"),
        ({"deciding_authority_code": "123"}, "deciding_authority_code", "应为 18 位"),
        ({"amount_owed": "12.345"}, "amount_owed", "最多两位小数"),
        ({"contract_amount": "一百万"}, "contract_amount", "请填写金额"),
        ({"contract_amount": "-5"}, "contract_amount", "请填写金额"),
        ({"contract_amount": "99999999999999"}, "contract_amount", "金额过大"),
        ({"decision_date": ""}, "decision_date", "此项必填"),
        ({"decision_date": "2026-02-30"}, "decision_date", "请填写有效日期"),
        ({"decision_date": "2026-11-21"}, "decision_date", "不能晚于今天"),
        ({"decision_date": "2020-01-01", "severity": "minor"}, "decision_date", "最长公示期已于 2020-04-01 届满"),
        ({"title": "x" * 201}, "title", "200"),
        ({"title": "带\x00控制字符"}, "title", "控制字符"),
        ({"party_a": "换\n行"}, "party_a", "换行"),
        ({"breach": "nul\x00"}, "breach", "控制字符"),
    ],
)
def test_bad_input_gets_a_message_beside_its_field_and_saves_nothing(
    app: Flask, client: FlaskClient, staff: User, changes: dict[str, str], field: str, message: str
) -> None:
    agency = make_agency()
    before = (count(Record), count(AuditEntry), count(OutboxEntry))
    response = enter(client, "arrears", agency.id, **changes)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert message in error_beside(body, field)
    assert "error-summary" in body
    assert (count(Record), count(AuditEntry), count(OutboxEntry)) == before


def test_a_form_posted_twice_makes_one_record(app: Flask, client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    hidden = hidden_fields(client.get(new_url("lost_lawsuit")).get_data(as_text=True))
    data = {**record_input("lost_lawsuit", agency.id), **hidden}
    first = client.post(new_url("lost_lawsuit"), data=data)
    second = client.post(new_url("lost_lawsuit"), data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db.session.scalars(select(Record).where(Record.agency_id == agency.id)).all()) == 1


def test_a_post_without_csrf_token_changes_nothing(app: Flask, client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    record = make_record(agency)
    hidden = hidden_fields(client.get(new_url("arrears")).get_data(as_text=True))
    hidden.pop("csrf_token")
    before = (count(Record), count(AuditEntry))
    response = client.post(new_url("arrears"), data={**record_input("arrears", agency.id), **hidden})
    assert response.status_code == 400
    response = client.post(f"/workspace/records/{record.id}/stop", data={"outcome": "revoked", "reason": "x", **hidden})
    assert response.status_code == 400
    response = client.post(
        f"/workspace/records/{record.id}/correct",
        data={**record_input("administrative_penalty", agency.id, title="改"), "reason": "x", **hidden},
    )
    assert response.status_code == 400
    assert (count(Record), count(AuditEntry)) == before
    db.session.refresh(record)
    assert record.status == "public"
    assert not record.corrections


# --- corrections -------------------------------------------------------------------------------------------------


def penalty_record(agency_id: int | None = None) -> Record:
    kind = KINDS["administrative_penalty"]
    typed = kind_input(kind)
    details: dict[str, Any] = {}
    for spec in kind.fields:
        details[spec.name] = int(float(typed[spec.name]) * 100) if spec.type is FieldType.MONEY else typed[spec.name]
    return make_record(
        db.session.get(Agency, agency_id) if agency_id else None,
        kind="administrative_penalty",
        title="原标题",
        details=details,
        deciding_authority_code="",
    )


def correction_input(record: Record, **changes: str) -> dict[str, str]:
    data = record_input("administrative_penalty", record.agency_id, title="原标题")
    data.update(
        severity=record.severity,
        decision_date=record.decision_date.isoformat(),
        deciding_authority=record.deciding_authority,
        deciding_authority_code="",
        source_unit=record.source_unit,
        document_number=record.document_number,
        summary=record.summary,
    )
    data.pop("action")
    return data | changes


def test_the_correction_form_is_prefilled(app: Flask, client: FlaskClient, staff: User) -> None:
    record = penalty_record()
    body = client.get(f"/workspace/records/{record.id}/correct").get_data(as_text=True)
    parse_strict(body)
    assert 'value="原标题"' in body
    assert f'<option selected value="{record.agency_id}">' in body or f'value="{record.agency_id}" selected' in body
    assert 'value="7001.50"' in body  # the fine in 元, as typed
    assert 'value="2026-02-23"' in body  # 处罚决定日期
    assert 'name="reason"' in body


def test_a_correction_keeps_the_old_values_and_is_shown_publicly(app: Flask, client: FlaskClient, staff: User) -> None:
    record = penalty_record()
    old_max_end = record.publication_max_end
    url = f"/workspace/records/{record.id}/correct"
    response = post_form(
        client,
        url,
        correction_input(
            record, title="更正后的标题", fine="2000", decision_date="2026-10-15", reason="认定机关来函更正"
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/workspace/records/{record.id}"
    db.session.refresh(record)
    assert record.title == "更正后的标题"
    assert record.details["fine"] == 200000
    assert record.decision_date == date(2026, 10, 15)
    assert record.publication_max_end == date(2027, 10, 15)
    [correction] = record.corrections
    assert correction.corrected_on == date.fromisoformat(TODAY)
    assert correction.actor_id == staff.id
    assert correction.reason == "认定机关来函更正"
    assert correction.changes == {
        "title": ["原标题", "更正后的标题"],
        "decision_date": ["2026-10-01", "2026-10-15"],
        "fine": ["7,001.50 元", "2,000.00 元"],
        "publication_min_end": ["2027-01-01", "2027-01-15"],
        "publication_max_end": [old_max_end.isoformat(), "2027-10-15"],
    }
    workspace = client.get(f"/workspace/records/{record.id}").get_data(as_text=True)
    parse_strict(workspace)
    assert "更正记录" in workspace
    assert staff.display_name in workspace
    [entry] = audit("record.correct", record.id)
    assert entry.changes == correction.changes
    assert entry.reason == "认定机关来函更正"
    assert entry.actor_id == staff.id

    sign_out(client)
    body = client.get(f"/records/{record.id}").get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    assert "更正记录" in text
    assert "2026年11月20日 更正" in text
    assert staff.display_name not in text
    assert "标题 原标题 更正后的标题" in text
    assert "罚款金额 7,001.50 元 2,000.00 元" in text
    assert "决定日期 2026年10月1日 2026年10月15日" in text
    assert "更正理由：认定机关来函更正" in text


def test_a_correction_needs_a_reason_and_a_change(app: Flask, client: FlaskClient, staff: User) -> None:
    record = penalty_record()
    url = f"/workspace/records/{record.id}/correct"
    response = post_form(client, url, correction_input(record, title="新标题", reason=""))
    assert response.status_code == 400
    assert "此项必填" in error_beside(response.get_data(as_text=True), "reason")
    response = post_form(client, url, correction_input(record, reason="核对无误"))
    assert response.status_code == 400
    assert "没有任何字段被修改" in response.get_data(as_text=True)
    response = post_form(client, url, correction_input(record, decision_date="2026-12-01", reason="改日期"))
    assert response.status_code == 400
    assert "不能晚于今天" in error_beside(response.get_data(as_text=True), "decision_date")
    db.session.refresh(record)
    assert record.title == "原标题"
    assert not record.corrections
    assert not audit("record.correct", record.id)


def test_a_correction_posted_twice_is_made_once(app: Flask, client: FlaskClient, staff: User) -> None:
    record = penalty_record()
    url = f"/workspace/records/{record.id}/correct"
    data = {**hidden_fields(client.get(url).get_data(as_text=True)), **correction_input(record, title="新", reason="r")}
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 303
    db.session.refresh(record)
    assert len(record.corrections) == 1


# --- stopping publication ----------------------------------------------------------------------------------------


def test_stopping_publication_leaves_the_410_notice(app: Flask, client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    record = make_record(agency, title="将要撤销的记录")
    url = f"/workspace/records/{record.id}/stop"
    page = client.get(url).get_data(as_text=True)
    parse_strict(page)
    assert 'value="revoked"' in page
    assert 'value="expired"' in page
    assert 'value="repaired"' not in page

    response = post_form(client, url, {"outcome": "revoked", "reason": ""})
    assert response.status_code == 400
    assert "此项必填" in error_beside(response.get_data(as_text=True), "reason")
    response = post_form(client, url, {"outcome": "repaired", "reason": "已修复"})  # only from 已履行
    assert response.status_code == 400
    assert "请从列出的原因中选择一项" in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.status == "public"

    response = post_form(client, url, {"outcome": "revoked", "reason": "异议成立，认定错误"})
    assert response.status_code == 303
    db.session.refresh(record)
    assert record.status == "revoked"
    assert record.stopped_on == date.fromisoformat(TODAY)
    [entry] = audit("record.status", record.id)
    assert entry.actor_id == staff.id
    assert entry.reason == "异议成立，认定错误"
    assert entry.changes["status"] == ["public", "revoked"]

    sign_out(client)
    response = client.get(f"/records/{record.id}")
    assert response.status_code == 410
    assert "该记录已停止公示" in response.get_data(as_text=True)
    assert "已撤销" in response.get_data(as_text=True)
    assert "将要撤销的记录" not in client.get(f"/records/?agency={agency.uscc}").get_data(as_text=True)


def test_a_fulfilled_record_may_be_marked_repaired(app: Flask, client: FlaskClient, staff: User) -> None:
    record = make_record(status="fulfilled")
    url = f"/workspace/records/{record.id}/stop"
    assert 'value="repaired"' in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"outcome": "repaired", "reason": "信用修复申请已批准"}).status_code == 303
    db.session.refresh(record)
    assert record.status == "repaired"
    assert client.get(f"/records/{record.id}").status_code == 410


# --- hostile text --------------------------------------------------------------------------------------------------


def text_fields(kind: RecordKind) -> list[str]:
    own = [f.name for f in kind.fields if f.type in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.CODE)]
    return ["title", "summary", "deciding_authority", "source_unit", "document_number", *own]


def assert_escaped(client: FlaskClient, url: str, payload: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.get_data(as_text=True)
    if "<" in payload:  # markup must come back as text; markdown link syntax as text is harmless
        assert payload not in body, url
    for tag in ("<script>alert", "<img src=x"):
        assert tag not in body, (url, tag)
    assert 'href="javascript:' not in body, url
    assert "onerror=alert(1)>" not in body.replace("&lt;img src=x onerror=alert(1)&gt;", ""), url


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_comes_back_escaped(app: Flask, client: FlaskClient, staff: User, kind: str, payload: str) -> None:
    agency = make_agency()
    hostile = {name: f"{name} {payload}" for name in text_fields(KINDS[kind])}
    response = enter(client, kind, agency.id, **hostile)
    assert response.status_code == 303, response.get_data(as_text=True)
    record = db.session.scalars(select(Record).where(Record.agency_id == agency.id)).one()
    assert record.title == f"title {payload}"
    correct_url = f"/workspace/records/{record.id}/correct"
    corrected = {**record_input(kind, agency.id), **hostile, "title": f"新 {payload}", "reason": f"理由 {payload}"}
    corrected.pop("action")
    assert post_form(client, correct_url, corrected).status_code == 303
    for url in (f"/workspace/records/{record.id}", f"/workspace/records/?agency={agency.uscc}", correct_url):
        assert_escaped(client, url, payload)
    sign_out(client)
    for url in (f"/records/{record.id}", f"/records/?agency={agency.uscc}"):
        assert_escaped(client, url, payload)
    public = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    assert "更正记录" in public


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_demo_records_open_for_correction_unchanged(app: Flask, client: FlaskClient, staff: User, kind: str) -> None:
    """The prefilled values of every shown record of the kind compare equal to what is stored: saving the form
    untouched would change nothing (no spurious correction from formatting amounts, dates or codes)."""
    today = date.fromisoformat(TODAY)
    records = db.session.scalars(select(Record).where(Record.kind == kind, Record.public_clause(today))).all()
    assert records
    for record in records:
        assert correct_record(record, record.as_values(), "核对", today, staff) is None, record.id
    page = client.get(f"/workspace/records/{records[0].id}/correct")
    assert page.status_code == 200
    assert f'value="{records[0].document_number}"' in page.get_data(as_text=True)
