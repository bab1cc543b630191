"""The agency registry in the workspace (staff, admins): create, edit, rename, close and merge an agency; positive
information entered and removed. Bad input stands beside its field with a 400 and nothing is written; every step
is audited and noted in the search outbox; the public 诚信档案 follows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency, AgencyName, PositiveItem
from portal.agencies.rules import AgencyStatus
from portal.audit.models import AuditEntry
from portal.demo.generator import make_uscc
from portal.extensions import db
from portal.outbox import OutboxEntry
from portal.search.documents import agency_doc
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_positive_item, make_record, make_user
from tests.forms import hidden_fields, post_form, sign_in
from tests.html import find, find_all, parse_strict, text_of, visible_text

NEW_USCC = make_uscc("11", "990121", 777_001)


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def audit(action: str, entity_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == str(entity_id))
        )
    )


def outbox_keys() -> set[str]:
    return set(db.session.scalars(select(OutboxEntry.item_key)))


def error_beside(body: str, field: str) -> str:
    """The message shown beside a field (and the field described by it)."""
    message = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert message is not None, f"no message beside {field}"
    controls = [e for e in find_all(body, id=field) if e.tag in ("input", "select", "textarea")]
    assert any(f"{field}-error" in e.get("aria-describedby", "") for e in controls), f"{field} not described"
    return text_of(message)


@pytest.fixture
def staff(client: FlaskClient) -> User:
    user = make_user(Role.STAFF)
    sign_in(client, user)
    return user


def agency_form(**fields: Any) -> dict[str, Any]:
    return {
        "uscc": NEW_USCC,
        "name": "演示县新登记局",
        "kind": "department",
        "region_code": "990121",
        "region_name": "演示县",
        "parent": "",
        "legal_representative": "",
    } | fields


def test_staff_see_the_registry_in_their_menu(client: FlaskClient, staff: User) -> None:
    body = client.get("/workspace/").get_data(as_text=True)
    nav = find(body, "nav", class_="workspace-nav")
    assert nav is not None
    assert "机构名录" in visible_text(nav)
    page = client.get("/workspace/agencies/")
    assert page.status_code == 200
    parse_strict(page.get_data(as_text=True))


def test_officers_have_no_registry_link(client: FlaskClient) -> None:
    sign_in(client, make_user(Role.OFFICER))
    assert "机构名录" not in visible_text(client.get("/workspace/").get_data(as_text=True))


def test_staff_create_an_agency_under_a_government(client: FlaskClient, staff: User) -> None:
    county = make_agency(name="演示县测试人民政府", kind="government")
    response = post_form(client, "/workspace/agencies/new", agency_form(uscc=NEW_USCC.lower(), parent=str(county.id)))
    assert response.status_code == 303
    agency = db.session.scalar(select(Agency).where(Agency.uscc == NEW_USCC))
    assert agency is not None
    assert agency.parent_id == county.id
    assert agency.status is AgencyStatus.ACTIVE
    assert response.headers["Location"].endswith(f"/workspace/agencies/{agency.id}")
    entry = audit("agency.create", agency.id)[0]
    assert entry.actor_id == staff.id
    assert entry.changes["uscc"] == [None, NEW_USCC]
    assert f"agency:{NEW_USCC}" in outbox_keys()
    public = client.get(f"/agencies/{NEW_USCC}").get_data(as_text=True)
    assert "演示县新登记局" in visible_text(public)
    assert "演示县测试人民政府" in visible_text(public)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"uscc": "12345"}, "uscc", "18 位"),
        ({"uscc": NEW_USCC[:-1] + ("0" if NEW_USCC[-1] != "0" else "1")}, "uscc", "校验位"),
        ({"uscc": ""}, "uscc", "必填"),
        ({"name": ""}, "name", "必填"),
        ({"region_code": "99012"}, "region_code", "6 位或 9 位"),
        ({"parent": "abc"}, "parent", "请从列表中选择"),
        ({"parent": "999999"}, "parent", "请从列表中选择"),
    ],
)
def test_bad_input_stands_beside_its_field_and_nothing_is_written(
    client: FlaskClient, staff: User, fields: dict[str, str], field: str, message: str
) -> None:
    before = (count(Agency), count(AuditEntry), count(OutboxEntry))
    response = post_form(client, "/workspace/agencies/new", agency_form(**fields))
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    assert (count(Agency), count(AuditEntry), count(OutboxEntry)) == before


def test_a_duplicate_uscc_is_refused_beside_the_field(client: FlaskClient, staff: User) -> None:
    existing = make_agency()
    before = count(Agency)
    response = post_form(client, "/workspace/agencies/new", agency_form(uscc=f" {existing.uscc.lower()} "))
    assert response.status_code == 400
    assert "已登记" in error_beside(response.get_data(as_text=True), "uscc")
    assert count(Agency) == before


def test_a_form_posted_twice_creates_one_agency(client: FlaskClient, staff: User) -> None:
    page = client.get("/workspace/agencies/new").get_data(as_text=True)
    data = {**hidden_fields(page), **agency_form()}
    first = client.post("/workspace/agencies/new", data=data)
    second = client.post("/workspace/agencies/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).where(Agency.uscc == NEW_USCC)) == 1


def test_staff_edit_an_agency_and_the_change_is_audited(client: FlaskClient, staff: User) -> None:
    county = make_agency(kind="government")
    agency = make_agency(kind="department")
    url = f"/workspace/agencies/{agency.id}/edit"
    response = post_form(
        client,
        url,
        {"kind": "institution", "region_code": "990121100", "region_name": "演示县城关镇", "parent": str(county.id)},
    )
    assert response.status_code == 303
    db.session.refresh(agency)
    assert (agency.kind.value, agency.region_code, agency.parent_id) == ("institution", "990121100", county.id)
    changes = audit("agency.edit", agency.id)[0].changes
    assert changes["kind"] == ["department", "institution"]
    assert changes["parent_id"] == [None, county.id]
    assert f"agency:{agency.uscc}" in outbox_keys()


def test_the_edit_form_shows_the_current_values(client: FlaskClient, staff: User) -> None:
    county = make_agency(kind="government", name="演示县某某人民政府")
    agency = make_agency(parent_id=county.id, legal_representative="张三")
    body = client.get(f"/workspace/agencies/{agency.id}/edit").get_data(as_text=True)
    parse_strict(body)
    legal = find(body, "input", name="legal_representative")
    assert legal is not None
    assert legal.get("value") == "张三"
    chosen = find(body, "option", value=str(county.id), selected=lambda v: v is not None)
    assert chosen is not None


@pytest.mark.parametrize("below", ["child", "grandchild", "itself"])
def test_a_parent_that_would_make_a_loop_is_refused(client: FlaskClient, staff: User, below: str) -> None:
    county = make_agency(kind="government")
    department = make_agency(parent_id=county.id)
    unit = make_agency(kind="institution", parent_id=department.id)
    parent = {"child": department, "grandchild": unit, "itself": county}[below]
    before = count(AuditEntry)
    response = post_form(
        client,
        f"/workspace/agencies/{county.id}/edit",
        {"kind": "government", "region_code": "990121", "region_name": "演示县", "parent": str(parent.id)},
    )
    assert response.status_code == 400
    assert "循环" in error_beside(response.get_data(as_text=True), "parent")
    db.session.refresh(county)
    assert county.parent_id is None
    assert count(AuditEntry) == before


def test_rename_keeps_the_old_name_on_the_profile_and_in_search(client: FlaskClient, staff: User) -> None:
    agency = make_agency(name="演示县旧名称局")
    record = make_record(agency)
    response = post_form(
        client, f"/workspace/agencies/{agency.id}/rename", {"name": "演示县新名称局", "used_until": "2026-10-31"}
    )
    assert response.status_code == 303
    db.session.refresh(agency)
    assert agency.name == "演示县新名称局"
    assert [(f.name, f.used_until) for f in agency.former_names] == [("演示县旧名称局", date(2026, 10, 31))]
    assert audit("agency.rename", agency.id)[0].changes["name"] == ["演示县旧名称局", "演示县新名称局"]
    # the agency's document and the records carrying its name are indexed again
    assert {f"agency:{agency.uscc}", f"record:{record.id}"} <= outbox_keys()
    assert "演示县旧名称局" in agency_doc(agency).body
    text = visible_text(client.get(f"/agencies/{agency.uscc}").get_data(as_text=True))
    assert "曾用名" in text
    assert "演示县旧名称局" in text
    assert "2026年10月31日" in text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"used_until": "2026-11-21"}, "used_until", "不能晚于今天"),
        ({"used_until": "2026-04-30"}, "used_until", "应晚于上一次更名"),
        ({"used_until": "2026-05-01"}, "used_until", "应晚于上一次更名"),
        ({"used_until": "2026-13-01"}, "used_until", "有效日期"),
        ({"name": "演示县现名局"}, "name", "相同"),
        ({"name": ""}, "name", "必填"),
    ],
)
def test_a_rename_out_of_order_is_refused(
    client: FlaskClient, staff: User, fields: dict[str, str], field: str, message: str
) -> None:
    agency = make_agency(name="演示县现名局")
    db.session.add(AgencyName(agency=agency, name="演示县原名局", used_until=date(2026, 5, 1)))
    db.session.flush()
    before = (count(AgencyName), count(AuditEntry))
    url = f"/workspace/agencies/{agency.id}/rename"
    response = post_form(client, url, {"name": "演示县又一名局", "used_until": "2026-10-01"} | fields)
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    assert (count(AgencyName), count(AuditEntry)) == before
    db.session.refresh(agency)
    assert agency.name == "演示县现名局"


def test_a_closed_agency_keeps_its_archive_marked_closed(client: FlaskClient, staff: User) -> None:
    agency = make_agency(name="演示县撤销局")
    make_record(agency, title="撤销局的记录")
    response = post_form(
        client, f"/workspace/agencies/{agency.id}/close", {"closed_on": "2026-11-01", "note": "演编〔2026〕3号撤销"}
    )
    assert response.status_code == 303
    db.session.refresh(agency)
    assert (agency.status, agency.closed_on) == (AgencyStatus.CLOSED, date(2026, 11, 1))
    assert audit("agency.close", agency.id)[0].reason == "演编〔2026〕3号撤销"
    public = client.get(f"/agencies/{agency.uscc}")
    assert public.status_code == 200
    text = visible_text(public.get_data(as_text=True))
    for expected in ("已撤销", "2026年11月1日", "演编〔2026〕3号撤销", "撤销局的记录"):
        assert expected in text
    assert "已撤销" in visible_text(client.get("/agencies/").get_data(as_text=True))
    # closed: no second closure, no edit, and no longer a parent to choose
    again = post_form(client, f"/workspace/agencies/{make_agency().id}/close", {"closed_on": "2026-11-01", "note": "x"})
    assert again.status_code == 303
    assert client.get(f"/workspace/agencies/{agency.id}/close").status_code == 409
    assert client.get(f"/workspace/agencies/{agency.id}/edit").status_code == 409
    new_page = client.get("/workspace/agencies/new").get_data(as_text=True)
    assert find(new_page, "option", value=str(agency.id)) is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [({"closed_on": "2026-12-01"}, "closed_on", "不能晚于今天"), ({"note": ""}, "note", "必填")],
)
def test_a_bad_closure_changes_nothing(
    client: FlaskClient, staff: User, fields: dict[str, str], field: str, message: str
) -> None:
    agency = make_agency()
    before = count(AuditEntry)
    url = f"/workspace/agencies/{agency.id}/close"
    response = post_form(client, url, {"closed_on": "2026-11-01", "note": "撤销"} | fields)
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    db.session.refresh(agency)
    assert agency.status is AgencyStatus.ACTIVE
    assert count(AuditEntry) == before


def test_a_merged_agency_points_to_the_agency_it_went_into(client: FlaskClient, staff: User) -> None:
    into = make_agency(name="演示县合并后局")
    agency = make_agency(name="演示县被合并局")
    response = post_form(
        client,
        f"/workspace/agencies/{agency.id}/merge",
        {"into": str(into.id), "closed_on": "2026-11-02", "note": "机构改革合并"},
    )
    assert response.status_code == 303
    db.session.refresh(agency)
    assert (agency.status, agency.merged_into_id) == (AgencyStatus.MERGED, into.id)
    assert audit("agency.merge", agency.id)[0].changes["merged_into"] == [None, into.uscc]
    body = client.get(f"/agencies/{agency.uscc}").get_data(as_text=True)
    parse_strict(body)
    assert "已合并" in visible_text(body)
    assert find(body, "a", href=f"/agencies/{into.uscc}") is not None


@pytest.mark.parametrize(
    ("into", "message"), [("self", "不能并入本机构"), ("closed", "已撤销或合并"), ("", "请从列表")]
)
def test_a_bad_merger_is_refused_beside_the_field(client: FlaskClient, staff: User, into: str, message: str) -> None:
    agency = make_agency()
    closed = make_agency(status="closed", closed_on=date(2026, 1, 1))
    chosen = {"self": str(agency.id), "closed": str(closed.id), "": ""}[into]
    url = f"/workspace/agencies/{agency.id}/merge"
    response = post_form(client, url, {"into": chosen, "closed_on": "2026-11-02", "note": "合并"})
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), "into")
    db.session.refresh(agency)
    assert agency.status is AgencyStatus.ACTIVE


def test_positive_information_is_entered_shown_and_removed(client: FlaskClient, staff: User) -> None:
    agency = make_agency()
    url = f"/workspace/agencies/{agency.id}"
    response = post_form(
        client,
        url,
        {
            "title": "2025年度法治政府建设先进单位",
            "kind": "commendation",
            "awarded_on": "2026-03-15",
            "awarding_unit": "演示市人民政府",
            "document_number": "演政发〔2026〕5号",
            "note": "",
        },
        to=f"{url}/positive",
    )
    assert response.status_code == 303
    item = db.session.scalar(select(PositiveItem).where(PositiveItem.agency_id == agency.id))
    assert item is not None
    assert audit("agency.positive.add", item.id)
    text = visible_text(client.get(f"/agencies/{agency.uscc}").get_data(as_text=True))
    for expected in (
        "表彰奖励和守信信息",
        "2025年度法治政府建设先进单位",
        "表彰",
        "演政发〔2026〕5号",
        "2026年3月15日",
    ):
        assert expected in text

    remove = f"/workspace/agencies/positive/{item.id}/remove"
    refused = post_form(client, remove, {"reason": ""})
    assert refused.status_code == 400
    assert "必填" in error_beside(refused.get_data(as_text=True), "reason")
    assert post_form(client, remove, {"reason": "表彰已被撤销"}).status_code == 303
    db.session.refresh(item)
    assert item.removed_at is not None
    assert audit("agency.positive.remove", item.id)[0].reason == "表彰已被撤销"
    assert "2025年度法治政府建设先进单位" not in visible_text(
        client.get(f"/agencies/{agency.uscc}").get_data(as_text=True)
    )
    assert client.get(remove).status_code == 409


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"awarded_on": "2026-11-21"}, "awarded_on", "不能晚于今天"),
        ({"awarded_on": ""}, "awarded_on", "必填"),
        ({"title": ""}, "title", "必填"),
        ({"kind": "gossip"}, "kind", ""),
        ({"awarding_unit": "x" * 201}, "awarding_unit", "太长"),
    ],
)
def test_bad_positive_information_stands_beside_its_field(
    client: FlaskClient, staff: User, fields: dict[str, str], field: str, message: str
) -> None:
    agency = make_agency()
    url = f"/workspace/agencies/{agency.id}"
    data = {"title": "守信践诺", "kind": "kept_faith", "awarded_on": "2026-01-01", "awarding_unit": "演示县信用办"}
    response = post_form(client, url, data | fields, to=f"{url}/positive")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert message in error_beside(body, field)
    assert db.session.scalar(select(func.count()).where(PositiveItem.agency_id == agency.id)) == 0


def test_the_workspace_page_lists_names_items_and_children(client: FlaskClient, staff: User) -> None:
    county = make_agency(kind="government", name="演示县某政府")
    child = make_agency(parent_id=county.id, name="演示县某政府下属局")
    make_positive_item(county, title="守信示范单位", kind="kept_faith")
    removed = make_positive_item(county, title="已撤回的表彰")
    removed.removed_at, removed.removal_reason = removed.created_at, "录入有误"
    db.session.flush()
    body = client.get(f"/workspace/agencies/{county.id}").get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    for expected in (child.name, "守信示范单位", "守信践诺", "已移除：录入有误"):
        assert expected in text


def test_a_closed_agency_takes_no_new_record_but_its_records_can_still_be_corrected(
    app: Flask, client: FlaskClient
) -> None:
    """Closing (撤销) ends an agency's life in the registry: no new record names it (refused beside the field), while a
    record it already has can still be corrected without choosing another agency."""
    from portal.agencies.operations import close_agency
    from portal.records.models import Record
    from portal.records.operations import RecordRefusedError, create_record
    from tests.records.test_workspace import error_beside, record_input

    agency = make_agency()
    existing = make_record(agency)
    staff = make_user(Role.STAFF)
    close_agency(agency, date(2026, 11, 19), "机构改革，职能并入县政府办公室", date(2026, 11, 20), by=staff)
    sign_in(client, staff)
    before = db.session.scalar(select(func.count(Record.id)).where(Record.agency_id == agency.id))
    form = client.get("/workspace/records/new?kind=arrears").get_data(as_text=True)
    assert str(agency.id) not in [option.get("value") for option in find_all(form, "option")]  # not offered
    response = post_form(client, "/workspace/records/new?kind=arrears", record_input("arrears", agency.id))
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "agency") == "请从列表中选择失信主体"
    assert db.session.scalar(select(func.count(Record.id)).where(Record.agency_id == agency.id)) == before
    values = {**existing.as_values(), "document_number": "演测〔2026〕999号"}
    with pytest.raises(RecordRefusedError) as refused:  # the operation refuses it too, whoever calls it
        create_record("arrears", values, date(2026, 11, 20), by=staff)
    assert str(refused.value.problems["agency"]) == "该机构已撤销或合并，不能再作为失信主体录入"
    page = client.get(f"/workspace/records/{existing.id}/correct")
    assert page.status_code == 200
    assert agency.name in page.get_data(as_text=True)
