"""Joint measures (联合惩戒) through the workspace: staff apply one to a record and lift it, the implementing unit's
officers confirm it 已落实, an approved credit repair lifts every measure still in force; each step is audited, a
dated public entry on the record's page, and moves the record's `updated_at` and the search outbox. Bad input is
refused beside its field and nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.core.uploads import MB, FileKind, check_upload
from portal.demo.pdf import one_page_pdf
from portal.errors import RefusedError
from portal.extensions import db
from portal.forms import issue_form_token
from portal.measures.models import JointMeasure
from portal.outbox import OutboxEntry
from portal.records.models import Record
from portal.repairs.operations import apply_for_repair
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_measure, make_record, make_user
from tests.forms import csrf_token, post_form, sign_in
from tests.html import find, find_all, links, parse_strict, text_of, visible_text

OLD = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def staff(app: Flask) -> User:
    return make_user(Role.STAFF)


@pytest.fixture
def unit(app: Flask) -> Agency:
    return make_agency(name="演示县金融工作办公室（测试）")


@pytest.fixture
def record(app: Flask) -> Record:
    record = make_record(make_agency(name="演示县某局（测试）"))
    record.updated_at = OLD
    db.session.flush()
    return record


def measures_url(record: Record) -> str:
    return f"/workspace/records/{record.id}/measures"


def measures_of(record: Record) -> list[JointMeasure]:
    return list(db.session.scalars(select(JointMeasure).where(JointMeasure.record_id == record.id)))


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def outbox(record: Record) -> int:
    key = f"record:{record.id}"
    return db.session.scalar(select(func.count(OutboxEntry.id)).where(OutboxEntry.item_key == key)) or 0


def updated_at(record: Record) -> datetime:
    stored = db.session.scalar(select(Record.updated_at).where(Record.id == record.id))
    assert stored is not None
    return stored


def apply_data(unit: Agency, **fields: str) -> dict[str, str]:
    return {
        "kind": "limit_financing",
        "implementing_agency": str(unit.id),
        "document_number": "演信用〔2026〕12号",
        "applied_on": "2026-11-18",
        "basis": "新信用发〔2018〕6号 (五)2",
        "note": "逾期未整改",
    } | fields


def error_beside(body: str, field: str) -> str:
    error = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert error is not None, f"no error beside {field}"
    return text_of(error)


def post_step(client: FlaskClient, page: str, to: str, data: dict[str, str]) -> TestResponse:
    """Post a step whose form the page no longer shows (done meanwhile, e.g. in another tab): the session's CSRF
    token and a fresh one-time token."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(to, data={"csrf_token": token, "form_token": issue_form_token(), **data})


def public_entry(client: FlaskClient, record: Record, measure: JointMeasure) -> str:
    body = client.get(f"/records/{record.id}").get_data(as_text=True)
    parse_strict(body)
    row = find(body, "tr", id=f"measure-{measure.id}")
    assert row is not None
    return text_of(row)


# --- applying ------------------------------------------------------------------------------------------------------


def test_staff_apply_a_measure_and_the_public_page_shows_it(
    client: FlaskClient, staff: User, unit: Agency, record: Record
) -> None:
    sign_in(client, staff)
    before = outbox(record)
    response = post_form(client, measures_url(record), apply_data(unit))
    assert response.status_code == 303
    (measure,) = measures_of(record)
    assert measure.kind == "limit_financing"
    assert measure.implementing_agency_id == unit.id
    assert measure.document_number == "演信用〔2026〕12号"
    assert measure.applied_on == date(2026, 11, 18)
    assert measure.basis == "新信用发〔2018〕6号 (五)2"
    assert measure.applied_by_id == staff.id
    (entry,) = audits("measure.apply")
    assert entry.entity_id == str(measure.id)
    assert entry.actor_id == staff.id
    assert outbox(record) == before + 1
    assert updated_at(record) > OLD
    for page in (measures_url(record), f"/workspace/measures/{measure.id}", "/workspace/measures/"):
        parse_strict(client.get(page).get_data(as_text=True))
    text = public_entry(client, record, measure)
    for expected in (
        "限制融资",
        "已实施",
        unit.name,
        "演信用〔2026〕12号",
        "新信用发〔2018〕6号 (五)2",
        "2026年11月18日",
    ):
        assert expected in text


def test_the_form_offers_the_eight_measures_and_not_the_body_itself(
    client: FlaskClient, staff: User, unit: Agency, record: Record
) -> None:
    sign_in(client, staff)
    body = client.get(measures_url(record)).get_data(as_text=True)
    kinds = [text_of(o) for o in find_all(find(body, "select", id="kind") or body, "option") if o.get("value")]
    assert kinds == [
        "书面警示",
        "约谈告诫",
        "限制融资",
        "取消评先评优",
        "记入信用信息系统",
        "限制新增投资项目审批",
        "限制财政补助/资金拨付",
        "限制高消费",
    ]
    units = {o.get("value") for o in find_all(find(body, "select", id="implementing_agency") or body, "option")}
    assert str(unit.id) in units
    assert str(record.agency_id) not in units


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": ""}, "kind", "此项必填"),
        ({"kind": "no_such_measure"}, "kind", "请从列表中选择惩戒措施"),
        ({"implementing_agency": ""}, "implementing_agency", "此项必填"),
        ({"implementing_agency": "987654"}, "implementing_agency", "请从列表中选择实施单位"),
        ({"document_number": " "}, "document_number", "此项必填"),
        ({"applied_on": ""}, "applied_on", "此项必填"),
        ({"applied_on": "2026-13-01"}, "applied_on", "请填写有效日期"),
        ({"applied_on": "2026-11-21"}, "applied_on", "不能晚于今天"),
        ({"basis": ""}, "basis", "此项必填"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    client: FlaskClient,
    staff: User,
    unit: Agency,
    record: Record,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    sign_in(client, staff)
    before = outbox(record)
    response = post_form(client, measures_url(record), apply_data(unit, **fields))
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    assert measures_of(record) == []
    assert audits("measure.apply") == []
    assert outbox(record) == before
    assert updated_at(record) == OLD


def test_the_punished_body_cannot_carry_out_its_own_measure(client: FlaskClient, staff: User, record: Record) -> None:
    sign_in(client, staff)
    response = post_form(client, measures_url(record), apply_data(record.agency))
    assert response.status_code == 400
    assert "请从列表中选择实施单位" in error_beside(response.get_data(as_text=True), "implementing_agency")
    assert measures_of(record) == []


def test_a_measure_of_the_same_kind_in_force_is_not_applied_twice(
    client: FlaskClient, staff: User, unit: Agency, record: Record
) -> None:
    make_measure(record, unit, kind="limit_financing", applied_on=date(2026, 11, 1))
    make_measure(
        record, unit, kind="no_honours", applied_on=date(2026, 11, 1), lifted_on=date(2026, 11, 5), lift_reason="已整改"
    )
    sign_in(client, staff)
    response = post_form(client, measures_url(record), apply_data(unit))
    assert response.status_code == 400
    assert "不能重复实施" in error_beside(response.get_data(as_text=True), "kind")
    assert len(measures_of(record)) == 2
    # a measure lifted before may be applied again
    assert post_form(client, measures_url(record), apply_data(unit, kind="no_honours")).status_code == 303
    assert len(measures_of(record)) == 3


def test_a_record_no_longer_shown_takes_no_measure(client: FlaskClient, staff: User, unit: Agency) -> None:
    record = make_record(status="revoked", stopped_on=date(2026, 11, 1))
    sign_in(client, staff)
    page = client.get(measures_url(record))
    assert "不能再实施联合惩戒措施" in visible_text(page.get_data(as_text=True))
    response = post_step(client, measures_url(record), measures_url(record), apply_data(unit))
    assert response.status_code == 409
    assert "不能再实施联合惩戒措施" in visible_text(response.get_data(as_text=True))
    assert measures_of(record) == []


def test_the_list_puts_what_waits_first_and_filters_by_state(
    client: FlaskClient, staff: User, unit: Agency, record: Record
) -> None:
    lifted = make_measure(record, unit, kind="recorded", lifted_on=date(2026, 11, 12), lift_reason="已整改")
    confirmed = make_measure(record, unit, kind="no_honours", confirmed_on=date(2026, 11, 11))
    waiting = make_measure(record, unit)
    sign_in(client, make_user(Role.OFFICER, unit))  # the unit's list holds only these three
    body = client.get("/workspace/measures/").get_data(as_text=True)
    shown = [link for link in links(body) if link.startswith("/workspace/measures/") and link[20:].isdigit()]
    assert shown == [f"/workspace/measures/{m.id}" for m in (waiting, confirmed, lifted)]
    sign_in(client, staff)
    only_lifted = links(client.get("/workspace/measures/?state=lifted").get_data(as_text=True))
    assert f"/workspace/measures/{lifted.id}" in only_lifted
    assert f"/workspace/measures/{waiting.id}" not in only_lifted
    assert client.get("/workspace/measures/?state=nonsense").status_code == 400


# --- the implementing unit confirms 已落实 ---------------------------------------------------------------------------


def test_the_units_officers_see_what_they_must_carry_out_and_confirm_it(
    client: FlaskClient, unit: Agency, record: Record
) -> None:
    measure = make_measure(record, unit)
    other = make_measure(make_record(), make_agency())  # another unit's: not on this officer's list
    officer = make_user(Role.OFFICER, unit)
    sign_in(client, officer)
    assert "本单位待落实的联合惩戒措施：1" in visible_text(client.get("/workspace/").get_data(as_text=True))
    listing = client.get("/workspace/measures/").get_data(as_text=True)
    assert f"/workspace/measures/{measure.id}" in listing
    assert f"/workspace/measures/{other.id}" not in listing
    before = outbox(record)
    url = f"/workspace/measures/{measure.id}"
    response = post_form(
        client, url, {"confirmed_on": "2026-11-19", "confirm_note": "已通报各商业银行"}, to=f"{url}/confirm"
    )
    assert response.status_code == 303
    db.session.refresh(measure)
    assert measure.confirmed_on == date(2026, 11, 19)
    assert measure.confirmed_by_id == officer.id
    assert [a.entity_id for a in audits("measure.confirm")] == [str(measure.id)]
    assert outbox(record) == before + 1
    assert updated_at(record) > OLD
    text = public_entry(client, record, measure)
    assert "已落实" in text
    assert "2026年11月19日" in text
    assert "已通报各商业银行" in text
    assert "本单位待落实的联合惩戒措施：0" in visible_text(client.get("/workspace/").get_data(as_text=True))
    # confirmed once: a second confirmation is a conflict
    again = post_step(client, url, f"{url}/confirm", {"confirmed_on": "2026-11-20"})
    assert again.status_code == 409
    assert len(audits("measure.confirm")) == 1


@pytest.mark.parametrize(
    ("day", "message"),
    [("2026-11-09", "不能早于措施的开始日期（2026-11-10）"), ("2026-11-21", "日期不能晚于今天"), ("", "此项必填")],
)
def test_a_confirmation_out_of_dates_is_refused_beside_the_field(
    client: FlaskClient, unit: Agency, record: Record, day: str, message: str
) -> None:
    measure = make_measure(record, unit, applied_on=date(2026, 11, 10))
    sign_in(client, make_user(Role.OFFICER, unit))
    url = f"/workspace/measures/{measure.id}"
    response = post_form(client, url, {"confirmed_on": day}, to=f"{url}/confirm")
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), "confirmed_on")
    db.session.refresh(measure)
    assert measure.confirmed_on is None
    assert audits("measure.confirm") == []


def test_only_the_units_officers_may_confirm(client: FlaskClient, staff: User, unit: Agency, record: Record) -> None:
    measure = make_measure(record, unit)
    url = f"/workspace/measures/{measure.id}"
    for outsider in (make_user(Role.OFFICER, record.agency), make_user(Role.OFFICER)):  # the body, a stranger
        sign_in(client, outsider)
        assert client.get(url).status_code == 404
    sign_in(client, staff)
    assert "确认已落实" not in visible_text(client.get(url).get_data(as_text=True))
    db.session.refresh(measure)
    assert measure.confirmed_on is None


# --- staff lift it -------------------------------------------------------------------------------------------------


def test_staff_lift_a_measure_with_date_and_reason(
    client: FlaskClient, staff: User, unit: Agency, record: Record
) -> None:
    measure = make_measure(record, unit, applied_on=date(2026, 11, 10), confirmed_on=date(2026, 11, 12))
    sign_in(client, staff)
    url = f"/workspace/measures/{measure.id}"
    before = outbox(record)
    response = post_form(client, url, {"lifted_on": "2026-11-20", "lift_reason": "已整改到位"}, to=f"{url}/lift")
    assert response.status_code == 303
    db.session.refresh(measure)
    assert (measure.lifted_on, measure.lift_reason, measure.lifted_by_id) == (
        date(2026, 11, 20),
        "已整改到位",
        staff.id,
    )
    (entry,) = audits("measure.lift")
    assert entry.reason == "已整改到位"
    assert outbox(record) == before + 1
    assert updated_at(record) > OLD
    text = public_entry(client, record, measure)
    for expected in ("已解除", "2026年11月20日", "已整改到位", "已落实", "2026年11月12日", "2026年11月10日"):
        assert expected in text
    again = post_step(client, url, f"{url}/lift", {"lifted_on": "2026-11-20", "lift_reason": "再次"})
    assert again.status_code == 409
    assert len(audits("measure.lift")) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"lifted_on": "2026-11-09"}, "lifted_on", "不能早于措施的开始日期（2026-11-10）"),
        ({"lifted_on": "2026-11-21"}, "lifted_on", "日期不能晚于今天"),
        ({"lifted_on": ""}, "lifted_on", "此项必填"),
        ({"lift_reason": "  "}, "lift_reason", "此项必填"),
    ],
)
def test_a_measure_lifted_before_it_started_is_refused_beside_the_field(
    client: FlaskClient,
    staff: User,
    unit: Agency,
    record: Record,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    measure = make_measure(record, unit, applied_on=date(2026, 11, 10))
    sign_in(client, staff)
    url = f"/workspace/measures/{measure.id}"
    before = outbox(record)
    data = {"lifted_on": "2026-11-15", "lift_reason": "已整改"} | fields
    response = post_form(client, url, data, to=f"{url}/lift")
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    db.session.refresh(measure)
    assert measure.lifted_on is None
    assert audits("measure.lift") == []
    assert outbox(record) == before
    assert updated_at(record) == OLD


# --- an approved credit repair lifts them --------------------------------------------------------------------------


def _pdf(name: str) -> Any:
    return check_upload(f"{name}.pdf", one_page_pdf([name]), frozenset({FileKind.PDF}), 10 * MB)


def _repair_application(app: Flask, record: Record) -> Any:
    officer = make_user(Role.OFFICER, record.agency)
    settings = app.config["PORTAL_SETTINGS"]
    return apply_for_repair(
        record,
        "已全部履行。",
        [_pdf("measures: evidence")],
        _pdf("measures: pledge"),
        settings.files_dir,
        date(2026, 11, 20),
        by=officer,
    )


def test_an_approved_repair_lifts_the_records_measures(
    app: Flask, client: FlaskClient, staff: User, unit: Agency
) -> None:
    record = make_record(make_agency(), decision_date=date(2026, 1, 10), status="fulfilled")
    in_force = make_measure(record, unit, applied_on=date(2026, 6, 1), confirmed_on=date(2026, 6, 3))
    waiting = make_measure(record, unit, kind="no_honours", applied_on=date(2026, 6, 1))
    lifted = make_measure(
        record, unit, kind="recorded", applied_on=date(2026, 5, 1), lifted_on=date(2026, 5, 20), lift_reason="已整改"
    )
    elsewhere = make_measure(make_record(), unit)  # another record's: untouched
    application = _repair_application(app, record)
    sign_in(client, staff)
    url = f"/workspace/repairs/{application.id}"
    assert post_form(client, url, {"decision": "approved", "reason": ""}).status_code == 303
    for measure in (in_force, waiting, lifted, elsewhere):
        db.session.refresh(measure)
    assert (in_force.lifted_on, in_force.lift_reason, in_force.lifted_by_id) == (
        date(2026, 11, 20),
        "信用修复",
        staff.id,
    )
    assert (waiting.lifted_on, waiting.lift_reason) == (date(2026, 11, 20), "信用修复")
    assert (lifted.lifted_on, lifted.lift_reason) == (date(2026, 5, 20), "已整改")
    assert elsewhere.lifted_on is None
    assert sorted(a.entity_id for a in audits("measure.lift")) == sorted([str(in_force.id), str(waiting.id)])
    assert {a.reason for a in audits("measure.lift")} == {"信用修复"}
    assert client.get(f"/records/{record.id}").status_code == 410


def test_a_rejected_repair_lifts_nothing(app: Flask, client: FlaskClient, staff: User, unit: Agency) -> None:
    record = make_record(make_agency(), decision_date=date(2026, 1, 10), status="fulfilled")
    measure = make_measure(record, unit, applied_on=date(2026, 6, 1))
    application = _repair_application(app, record)
    sign_in(client, staff)
    url = f"/workspace/repairs/{application.id}"
    assert post_form(client, url, {"decision": "rejected", "reason": "材料不全"}).status_code == 303
    db.session.refresh(measure)
    assert measure.lifted_on is None


def test_the_lifting_is_in_the_approvals_transaction(
    app: Flask, client: FlaskClient, staff: User, unit: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should lifting the measures be refused, the approval is not made either: one transaction."""
    record = make_record(make_agency(), decision_date=date(2026, 1, 10), status="fulfilled")
    measure = make_measure(record, unit, applied_on=date(2026, 6, 1))
    application = _repair_application(app, record)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RefusedError("测试：解除失败")

    monkeypatch.setattr("portal.repairs.operations.lift_for_repair", refused)
    sign_in(client, staff)
    url = f"/workspace/repairs/{application.id}"
    assert post_form(client, url, {"decision": "approved", "reason": ""}).status_code == 400
    db.session.refresh(measure)
    db.session.refresh(application)
    assert measure.lifted_on is None
    assert application.status == "submitted"
    assert db.session.scalar(select(Record.status).where(Record.id == record.id)) == "fulfilled"
