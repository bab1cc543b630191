"""Court cases against government bodies (涉政府案件) through the workspace: a suit registered as the court reports
it (新信用发〔2018〕6号 二(一)) puts its 提醒函 on the ledger at once; 庭外信用调解 sessions are recorded
(泰信用办〔2022〕12号 二(三)); a lost judgment puts the 督办函 and the 履行期限 on the ledger (新信用发〔2018〕6号
二(二)), its fulfilment closes the 履行期限, and the lost case becomes a published 司法判决（败诉） record with one
action, once. Dates out of order, a reused 案号 and missing facts are refused beside their field with nothing
stored; a step the case's stage no longer allows is 409. Staff and admins only (officers 403). Today is 2026-11-20
(tests/conftest.py)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.errors import InputRefusedError, NotAllowedError
from portal.extensions import db
from portal.forms import issue_form_token
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.supervision.models import CourtCase, LedgerItem, MediationSession
from portal.supervision.operations.cases import (
    make_record,
    record_judgment,
    record_mediation,
    register_case,
)
from portal.supervision.rules import CaseStage, ClosedHow, LedgerRule, MediationResult
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_user
from tests.forms import csrf_token, post_form, sign_in
from tests.html import attr, find, find_all, form_fields, forms, parse_strict, text_of, visible_text

TODAY = date(2026, 11, 20)


@pytest.fixture
def staff(app: Flask) -> User:
    return make_user(Role.STAFF)


@pytest.fixture
def defendant(app: Flask) -> Agency:
    return make_agency(name="演示县住房和城乡建设局（测试）")


def case_data(defendant: Agency, **fields: str) -> dict[str, str]:
    return {
        "agency": str(defendant.id),
        "case_number": "（2026）演0121行初88号",
        "court": "演示县人民法院",
        "plaintiff": "演示建工有限公司",
        "cause": "建设工程施工合同纠纷",
        "amount_fen": "1234567.89",
        "filed_on": "2026-11-10",
        "hearing_on": "2026-12-15",
        "notified_on": "2026-11-18",
        "note": "",
    } | fields


def new_case(agency: Agency, by: User, **values: Any) -> CourtCase:
    """A case registered by the operation (the form is tested on its own)."""
    base: dict[str, Any] = {
        "agency": agency.id,
        "case_number": f"（2026）演0121民初{secrets.randbelow(10**8)}号",
        "court": "演示县人民法院",
        "plaintiff": "欧阳小明",
        "cause": "行政协议纠纷",
        "amount_fen": 50_000_000,
        "filed_on": date(2026, 10, 12),
        "hearing_on": None,
        "notified_on": date(2026, 10, 14),
        "note": "",
    }
    return register_case(base | values, TODAY, by=by)


def lose(case: CourtCase, by: User, judged_on: date = date(2026, 11, 2), due: date = date(2026, 12, 2)) -> None:
    record_judgment(case, CaseStage.LOST, judged_on, "被告于判决生效后三十日内支付工程款 50 万元。", due, TODAY, by=by)


def items_of(case: CourtCase) -> dict[LedgerRule, LedgerItem]:
    rows = db.session.scalars(
        select(LedgerItem).where(LedgerItem.subject_type == "case", LedgerItem.subject_id == case.id)
    )
    return {item.rule: item for item in rows}


def cases_numbered(number: str) -> int:
    return db.session.scalar(select(func.count(CourtCase.id)).where(CourtCase.case_number == number)) or 0


def error_beside(body: str, field: str) -> str:
    error = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert error is not None, f"no error beside {field}"
    return text_of(error)


def case_url(case: CourtCase) -> str:
    return f"/workspace/cases/{case.id}"


def post_step(client: FlaskClient, case: CourtCase, step: str, data: dict[str, str]) -> TestResponse:
    """GET the case's page, then post the step's own form with its hidden fields and `data`."""
    page = client.get(case_url(case))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    action = f"{case_url(case)}/{step}"
    (form,) = [f for f in forms(find(body, "main") or body, method="post") if f.get("action") == action]
    return client.post(action, data={**form_fields(form, hidden_only=True), **data})


def post_hidden_step(client: FlaskClient, case: CourtCase, step: str, data: dict[str, str]) -> TestResponse:
    """Post a step whose form the page no longer shows (done meanwhile, in another tab)."""
    token = csrf_token(client.get(case_url(case)).get_data(as_text=True))
    return client.post(f"{case_url(case)}/{step}", data={"csrf_token": token, "form_token": issue_form_token(), **data})


# --- registering ---------------------------------------------------------------------------------------------------


def test_a_suit_registered_puts_its_reminder_letter_on_the_ledger_at_once(
    client: FlaskClient, staff: User, defendant: Agency
) -> None:
    sign_in(client, staff)
    response = post_form(client, "/workspace/cases/new", case_data(defendant))
    assert response.status_code == 303
    case = db.session.scalars(select(CourtCase).where(CourtCase.agency_id == defendant.id)).one()
    assert response.headers["Location"].endswith(case_url(case))
    assert (case.case_number, case.court, case.plaintiff, case.cause) == (
        "（2026）演0121行初88号",
        "演示县人民法院",
        "演示建工有限公司",
        "建设工程施工合同纠纷",
    )
    assert case.amount_fen == 123456789
    assert (case.filed_on, case.hearing_on, case.notified_on) == (
        date(2026, 11, 10),
        date(2026, 12, 15),
        date(2026, 11, 18),
    )
    assert case.stage is CaseStage.PENDING
    items = items_of(case)
    reminder = items[LedgerRule.SUIT_REMINDER]  # 新信用发〔2018〕6号 二(一): 提醒函, 5 working days from the notice
    assert reminder.closed_on is None
    assert reminder.agency_id == defendant.id
    assert reminder.due_on == date(2026, 11, 25)
    (audit,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "court_case.register", AuditEntry.entity_id == str(case.id))
    )
    assert audit.actor_id == staff.id

    page = client.get(case_url(case))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    parse_strict(body)
    shown = visible_text(body)
    assert "（2026）演0121行初88号" in shown
    assert "演示县住房和城乡建设局（测试）" in shown
    assert "12,345.68 元" in shown or "1.23 万元" in shown or "123.46 万元" in shown
    assert "起诉案件提醒" in shown
    assert "新信用发〔2018〕6号 二(一)" in shown


def test_the_notice_date_defaults_to_today(client: FlaskClient, staff: User, defendant: Agency) -> None:
    sign_in(client, staff)
    response = post_form(client, "/workspace/cases/new", case_data(defendant, notified_on="", hearing_on=""))
    assert response.status_code == 303
    case = db.session.scalars(select(CourtCase).where(CourtCase.agency_id == defendant.id)).one()
    assert case.notified_on == TODAY
    assert case.hearing_on is None


def test_a_reused_case_number_is_refused_beside_the_field(client: FlaskClient, staff: User, defendant: Agency) -> None:
    sign_in(client, staff)
    assert post_form(client, "/workspace/cases/new", case_data(defendant)).status_code == 303
    response = post_form(client, "/workspace/cases/new", case_data(make_agency(), court="演示市中级人民法院"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "已登记" in error_beside(body, "case_number")
    assert cases_numbered("（2026）演0121行初88号") == 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"filed_on": "2026-11-21"}, "filed_on", "不能晚于今天"),  # 立案 after today
        ({"filed_on": "2026-11-10", "hearing_on": "2026-11-09"}, "hearing_on", "不能早于立案日期"),
        ({"filed_on": "2026-11-10", "notified_on": "2026-11-09"}, "notified_on", "不能早于立案日期"),
        ({"notified_on": "2026-11-21"}, "notified_on", "不能晚于今天"),
        ({"filed_on": "2026-13-01"}, "filed_on", "有效日期"),
        ({"amount_fen": "-5"}, "amount_fen", "金额"),
        ({"court": ""}, "court", "必填"),
        ({"agency": "abc"}, "agency", "请从列表中选择被告单位"),
        ({"agency": "2147483000"}, "agency", "请从列表中选择被告单位"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(
    client: FlaskClient, staff: User, defendant: Agency, fields: dict[str, str], field: str, words: str
) -> None:
    sign_in(client, staff)
    response = post_form(client, "/workspace/cases/new", case_data(defendant, **fields))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert words in error_beside(body, field)
    assert cases_numbered("（2026）演0121行初88号") == 0


def test_a_closed_agency_cannot_be_sued_on_the_ledger(client: FlaskClient, staff: User) -> None:
    closed = make_agency(status="closed", closed_on=date(2026, 6, 30))
    sign_in(client, staff)
    response = post_form(client, "/workspace/cases/new", case_data(closed))
    assert response.status_code == 400
    assert "已撤销或合并" in error_beside(response.get_data(as_text=True), "agency")
    assert cases_numbered("（2026）演0121行初88号") == 0
    page = client.get("/workspace/cases/new").get_data(as_text=True)
    assert str(closed.id) not in [o.get("value") for o in find_all(page, "option")]


def test_the_operation_names_every_problem_at_once(app: Flask, staff: User, defendant: Agency) -> None:
    with pytest.raises(InputRefusedError) as refused:
        new_case(defendant, staff, filed_on=date(2026, 12, 1), cause="", notified_on=date(2026, 11, 30))
    assert set(refused.value.problems) == {"filed_on", "cause", "notified_on"}


# --- the list --------------------------------------------------------------------------------------------------------


def test_the_list_shows_each_case_with_its_open_items_and_filters_by_stage(
    client: FlaskClient, staff: User, defendant: Agency
) -> None:
    pending = new_case(defendant, staff)
    lost = new_case(defendant, staff)
    lose(lost, staff)
    sign_in(client, staff)
    page = client.get(f"/workspace/cases/?agency={defendant.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    parse_strict(body)
    rows = {text_of(cells[0]): text_of(row) for row in find_all(body, "tr") if (cells := find_all(row, "td"))}
    assert set(rows) == {pending.case_number, lost.case_number}
    assert "审理中" in rows[pending.case_number]
    assert "败诉" in rows[lost.case_number]
    assert "2026年12月2日" in rows[lost.case_number]
    # the lost case: 督办函 and 履行期限 open (the 提醒函 closed with the judgment)
    assert rows[lost.case_number].split()[-1] == "2"
    filtered = client.get(f"/workspace/cases/?agency={defendant.id}&stage=lost").get_data(as_text=True)
    assert lost.case_number in visible_text(filtered)
    assert pending.case_number not in visible_text(filtered)
    bad = client.get("/workspace/cases/?stage=nonsense")
    assert bad.status_code == 400


# --- mediation, judgment, fulfilment --------------------------------------------------------------------------------


def test_a_mediation_session_is_recorded(client: FlaskClient, staff: User, defendant: Agency) -> None:
    case = new_case(defendant, staff)
    sign_in(client, staff)
    data = {
        "held_on": "2026-11-16",
        "mediator": "演示县政务失信信用调解中心主任",
        "result": "agreed",
        "mediation_note": "双方同意和解",
    }
    response = post_step(client, case, "mediation", data)
    assert response.status_code == 303
    (session,) = db.session.scalars(select(MediationSession).where(MediationSession.case_id == case.id))
    assert (session.held_on, session.result, session.note) == (
        date(2026, 11, 16),
        MediationResult.AGREED,
        "双方同意和解",
    )
    body = client.get(case_url(case)).get_data(as_text=True)
    assert "演示县政务失信信用调解中心主任" in visible_text(body)
    assert "达成和解" in visible_text(body)
    # after an agreement the judgment form offers 调解或和解结案 (泰信用办〔2022〕12号 二(三))
    stage = find(body, "select", id="stage")
    assert stage is not None
    assert [o.get("value") for o in find_all(stage, "option") if o.get("selected") is not None] == ["settled"]
    assert post_step(client, case, "judgment", {"stage": "settled", "judged_on": "2026-11-18"}).status_code == 303
    db.session.refresh(case)
    assert case.stage is CaseStage.SETTLED
    assert items_of(case)[LedgerRule.SUIT_REMINDER].closed_how is ClosedHow.DONE


def test_a_mediation_before_filing_or_in_the_future_is_refused(
    client: FlaskClient, staff: User, defendant: Agency
) -> None:
    case = new_case(defendant, staff)
    sign_in(client, staff)
    for day, words in (("2026-10-01", "不能早于立案日期"), ("2026-11-21", "不能晚于今天")):
        response = post_step(client, case, "mediation", {"held_on": day, "mediator": "调解员", "result": "failed"})
        assert response.status_code == 400
        assert words in error_beside(response.get_data(as_text=True), "held_on")
    assert not db.session.scalars(select(MediationSession).where(MediationSession.case_id == case.id)).all()


def test_a_lost_judgment_puts_the_urging_letter_and_the_performance_deadline_on_the_ledger(
    client: FlaskClient, staff: User, defendant: Agency
) -> None:
    case = new_case(defendant, staff)
    sign_in(client, staff)
    data = {
        "stage": "lost",
        "judged_on": "2026-11-02",
        "judgment": "支付工程款 50 万元",
        "performance_due": "2026-12-02",
    }
    assert post_step(client, case, "judgment", data).status_code == 303
    db.session.refresh(case)
    assert (case.stage, case.judged_on, case.performance_due) == (CaseStage.LOST, date(2026, 11, 2), date(2026, 12, 2))
    items = items_of(case)
    assert items[LedgerRule.SUIT_REMINDER].closed_how is ClosedHow.DONE
    assert items[LedgerRule.LOST_CASE_URGING].closed_on is None
    assert items[LedgerRule.PERFORMANCE].closed_on is None
    assert items[LedgerRule.PERFORMANCE].due_on == date(2026, 12, 2)
    body = client.get(case_url(case)).get_data(as_text=True)
    parse_strict(body)
    shown = visible_text(body)
    assert "败诉案件督办" in shown
    assert "判决履行期限" in shown


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"judged_on": "2026-10-01"}, "judged_on", "不能早于立案日期"),  # judgment before 立案
        ({"judged_on": "2026-11-21"}, "judged_on", "不能晚于今天"),
        ({"performance_due": "2026-11-01"}, "performance_due", "不能早于判决日期"),  # 履行期限 before the judgment
        ({"performance_due": ""}, "performance_due", "履行期限"),
        ({"judgment": ""}, "judgment", "判决结果"),
        ({"stage": "pending"}, "stage", "请从列表中选择"),
    ],
)
def test_a_judgment_out_of_order_is_refused_beside_its_field(
    client: FlaskClient, staff: User, defendant: Agency, data: dict[str, str], field: str, words: str
) -> None:
    case = new_case(defendant, staff)
    sign_in(client, staff)
    posted = {
        "stage": "lost",
        "judged_on": "2026-11-02",
        "judgment": "支付工程款",
        "performance_due": "2026-12-02",
    } | data
    response = post_step(client, case, "judgment", posted)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert words in error_beside(body, field)
    db.session.refresh(case)
    assert (case.stage, case.judged_on, case.performance_due) == (CaseStage.PENDING, None, None)
    assert set(items_of(case)) == {LedgerRule.SUIT_REMINDER}


def test_the_stage_changes_only_from_pending(client: FlaskClient, staff: User, defendant: Agency) -> None:
    case = new_case(defendant, staff)
    lose(case, staff)
    with pytest.raises(NotAllowedError):
        record_judgment(case, CaseStage.WON, date(2026, 11, 10), "", None, TODAY, by=staff)
    sign_in(client, staff)
    body = client.get(case_url(case)).get_data(as_text=True)
    assert find(body, "form", action=f"{case_url(case)}/judgment") is None  # no longer offered
    response = post_hidden_step(client, case, "judgment", {"stage": "won", "judged_on": "2026-11-10"})
    assert response.status_code == 409
    assert "不能再登记开庭或判决" in visible_text(response.get_data(as_text=True))
    db.session.refresh(case)
    assert case.stage is CaseStage.LOST


def test_the_fulfilment_closes_the_performance_deadline(client: FlaskClient, staff: User, defendant: Agency) -> None:
    case = new_case(defendant, staff)
    lose(case, staff)
    sign_in(client, staff)
    early = post_step(client, case, "fulfilment", {"fulfilled_on": "2026-11-01"})
    assert early.status_code == 400
    assert "不能早于判决日期" in error_beside(early.get_data(as_text=True), "fulfilled_on")
    response = post_step(client, case, "fulfilment", {"fulfilled_on": "2026-11-19", "fulfilment_note": "已全额支付"})
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.fulfilled_on == date(2026, 11, 19)
    assert "已全额支付" in case.note
    performance = items_of(case)[LedgerRule.PERFORMANCE]
    assert performance.closed_how is ClosedHow.DONE
    assert performance.closed_on == date(2026, 11, 19)
    again = post_hidden_step(client, case, "fulfilment", {"fulfilled_on": "2026-11-20"})
    assert again.status_code == 409


# --- the 司法判决（败诉） record -------------------------------------------------------------------------------------


def test_a_lost_case_becomes_a_published_record_once(client: FlaskClient, staff: User, defendant: Agency) -> None:
    case = new_case(defendant, staff)
    lose(case, staff)
    sign_in(client, staff)
    response = post_step(client, case, "record", {"severity": "general"})
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.record_id is not None
    record = db.session.get(Record, case.record_id)
    assert record is not None
    assert record.kind == "lost_lawsuit"
    assert record.status is RecordStatus.PUBLIC
    assert record.agency_id == defendant.id
    assert (record.document_number, record.deciding_authority, record.source_unit) == (
        case.case_number,
        "演示县人民法院",
        "演示县人民法院",
    )
    assert record.decision_date == date(2026, 11, 2)
    assert record.details["case_number"] == case.case_number
    assert record.details["judgment"] == case.judgment
    assert record.details["amount"] == 50_000_000
    assert "欧阳小明" not in record.title + record.summary  # the plaintiff is not published
    assert db.session.scalar(select(func.count(OutboxEntry.id)).where(OutboxEntry.item_key == f"record:{record.id}"))
    assert client.get(f"/records/{record.id}").status_code == 200  # published
    page = client.get(case_url(case)).get_data(as_text=True)
    assert f"/workspace/records/{record.id}" in [attr(a, "href") for a in find_all(page, "a", href=True)]
    assert find(page, "form", action=f"{case_url(case)}/record") is None

    again = post_hidden_step(client, case, "record", {"severity": "general"})
    assert again.status_code == 409
    assert "不能重复生成" in visible_text(again.get_data(as_text=True))
    assert db.session.scalar(select(func.count(Record.id)).where(Record.document_number == case.case_number)) == 1
    with pytest.raises(NotAllowedError):
        make_record(case, TODAY, by=staff)


def test_a_case_not_lost_makes_no_record(client: FlaskClient, staff: User, defendant: Agency) -> None:
    case = new_case(defendant, staff)
    sign_in(client, staff)
    response = post_hidden_step(client, case, "record", {"severity": "general"})
    assert response.status_code == 409
    db.session.refresh(case)
    assert case.record_id is None
    assert db.session.scalar(select(func.count(Record.id)).where(Record.document_number == case.case_number)) == 0


def test_a_mediation_on_a_closed_case_is_refused(app: Flask, staff: User, defendant: Agency) -> None:
    case = new_case(defendant, staff)
    record_judgment(case, CaseStage.WITHDRAWN, date(2026, 11, 5), "", None, TODAY, by=staff)
    with pytest.raises(NotAllowedError):
        record_mediation(case, date(2026, 11, 6), "调解员", MediationResult.FAILED, "", TODAY, by=staff)


# --- who may use it ------------------------------------------------------------------------------------------------


def test_officers_are_refused_and_staff_pages_are_well_formed(
    client: FlaskClient, staff: User, defendant: Agency
) -> None:
    case = new_case(defendant, staff)
    sign_in(client, make_user(Role.OFFICER, defendant))
    for url in ("/workspace/cases/", "/workspace/cases/new", case_url(case)):
        assert client.get(url).status_code == 403
    sign_in(client, make_user(Role.ADMIN))
    for url in ("/workspace/cases/", "/workspace/cases/new", case_url(case)):
        page = client.get(url)
        assert page.status_code == 200
        parse_strict(page.get_data(as_text=True))
    menu = client.get("/workspace/").get_data(as_text=True)
    assert "/workspace/cases/" in [attr(a, "href") for a in find_all(menu, "a", href=True)]
