"""The 约谈 and 现场督办 registers through the workspace (issue 13): a suggested 约谈 on the 工作台账 is scheduled,
held with its minutes and undertakings (which become ledger items), an undertaking kept, the 约谈 published on its
record as a 约谈告诫 measure once; a 现场督办 the same way; a cancelled one puts its item back on the suggested list.
Bad input is refused beside its field with nothing stored; officers read their own agency's meetings only."""

from __future__ import annotations

import secrets
from datetime import date
from typing import TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyStatus
from portal.audit.models import AuditEntry
from portal.errors import NotAllowedError, RefusedError
from portal.extensions import db
from portal.forms import issue_form_token
from portal.measures.models import JointMeasure
from portal.records.models import Record
from portal.supervision.models import LedgerItem, Meeting, Undertaking
from portal.supervision.operations.meetings import hold_meeting, schedule_meeting
from portal.supervision.rules import ClosedHow, LedgerRule, MeetingKind, MeetingState
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_record, make_user
from tests.forms import csrf_token, post_form, sign_in
from tests.html import find, links, parse_strict, text_of, visible_text

TODAY = date(2026, 11, 20)
T = TypeVar("T")
INDEX = "/workspace/meetings/"


# --- builders ------------------------------------------------------------------------------------------------------


def make_item(record: Record, rule: LedgerRule = LedgerRule.INTERVIEW_SUGGESTED, **fields: object) -> LedgerItem:
    """An open ledger item about `record`, as the daily job derives it."""
    fired = date(2026, 11, 3)
    values: dict[str, object] = {
        "key": f"{rule}:record:{record.id}:{fired.isoformat()}:{secrets.token_hex(4)}",
        "rule": rule,
        "agency_id": record.agency_id,
        "responsible_unit": record.agency.name,
        "subject": record.title,
        "subject_type": "record",
        "subject_id": record.id,
        "opened_on": fired,
        "due_on": date(2026, 11, 17),
    } | fields
    item = LedgerItem(**values)
    db.session.add(item)
    db.session.flush()
    return item


@pytest.fixture
def staff(app: Flask) -> User:
    return make_user(Role.STAFF)


@pytest.fixture
def agency(app: Flask) -> Agency:
    return make_agency(name="演示县某局（约谈测试）")


@pytest.fixture
def record(agency: Agency) -> Record:
    return make_record(agency, title="逾期未整改的测试记录")


@pytest.fixture
def item(record: Record) -> LedgerItem:
    return make_item(record)


def schedule_data(**fields: str) -> dict[str, str]:
    return {
        "scheduled_on": "2026-11-20",
        "place": "县信用办会议室",
        "interviewer_post": "县信用办主任",
        "attendee_post": "主要负责人",
        "reason": "",
    } | fields


def hold_data(**fields: str) -> dict[str, str]:
    return {
        "held_on": "2026-11-20",
        "minutes": "通报逾期情况；单位说明原因并承诺整改。",
        "undertaking_1": "12月15日前筹措资金履行判决",
        "undertaking_due_1": "2026-12-15",
        "undertaking_2": "提交整改报告",
        "undertaking_due_2": "2026-12-31",
    } | fields


def meetings_of(agency: Agency) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.agency_id == agency.id).order_by(Meeting.id)))


def reloaded(row: T) -> T:
    db.session.refresh(row)
    return row


def error_beside(body: str, field: str) -> str:
    error = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert error is not None, f"no error beside {field}"
    return text_of(error)


def post_step(client: FlaskClient, page: str, to: str, data: dict[str, str]) -> TestResponse:
    """Post a step whose form the page may not show: the session's CSRF token and a fresh one-time token."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(to, data={"csrf_token": token, "form_token": issue_form_token(), **data})


def schedule_from(client: FlaskClient, item: LedgerItem, **fields: str) -> Meeting:
    response = post_form(client, f"/workspace/meetings/new?ledger_item_id={item.id}", schedule_data(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    meeting = db.session.get(Meeting, meeting_id)
    assert meeting is not None
    return meeting


def show_url(meeting: Meeting) -> str:
    return f"/workspace/meetings/{meeting.id}"


def held(staff: User, item: LedgerItem, undertakings: list[tuple[str, date]]) -> Meeting:
    kind = MeetingKind.INTERVIEW if item.rule is LedgerRule.INTERVIEW_SUGGESTED else MeetingKind.SITE_VISIT
    meeting = schedule_meeting(
        kind,
        None,
        scheduled_on=TODAY,
        place="县信用办会议室",
        interviewer_post="县信用办主任",
        attendee_post="主要负责人",
        item=item,
        today=TODAY,
        by=staff,
    )
    hold_meeting(meeting, held_on=TODAY, minutes="纪要", undertakings=undertakings, today=TODAY, by=staff)
    return meeting


# --- scheduling from the suggested list ------------------------------------------------------------------------------


def test_a_suggested_interview_is_scheduled_and_leaves_the_suggested_list(
    client: FlaskClient, staff: User, item: LedgerItem, record: Record, agency: Agency
) -> None:
    sign_in(client, staff)
    body = client.get(INDEX).get_data(as_text=True)
    parse_strict(body)
    row = find(body, "tr", id=f"item-{item.id}")
    assert row is not None
    shown = text_of(row)
    assert agency.name in shown
    assert record.title in shown
    assert "建议约谈" in shown
    assert "泰信用办〔2022〕12号 二(五)" in shown
    assert "2026年11月3日" in shown
    assert "2026年11月17日" in shown
    assert f"/workspace/meetings/new?ledger_item_id={item.id}" in links(row)

    page = client.get(f"/workspace/meetings/new?ledger_item_id={item.id}").get_data(as_text=True)
    parse_strict(page)
    assert "建议约谈" in visible_text(page)
    assert agency.name in visible_text(page)

    meeting = schedule_from(client, item)
    assert meeting.kind is MeetingKind.INTERVIEW
    assert meeting.state is MeetingState.SCHEDULED
    assert (meeting.agency_id, meeting.record_id, meeting.case_id) == (agency.id, record.id, None)
    assert meeting.scheduled_on == TODAY
    assert meeting.attendee_post == "主要负责人"
    assert "建议约谈" in meeting.reason
    assert "如东县办法 三(二)" in meeting.reason
    item = reloaded(item)
    assert item.meeting_id == meeting.id
    assert item.closed_on is None

    body = client.get(INDEX).get_data(as_text=True)
    assert find(body, "tr", id=f"item-{item.id}") is None
    scheduled = find(body, "section", aria_labelledby="scheduled-heading")
    assert scheduled is not None
    assert f"/workspace/meetings/{meeting.id}" in links(scheduled)
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "meeting.schedule", AuditEntry.entity_id == str(meeting.id))
        )
        is not None
    )
    # the item already has its meeting: the scheduling page sends staff to it
    again = client.get(f"/workspace/meetings/new?ledger_item_id={item.id}")
    assert again.status_code == 303
    assert again.headers["Location"].endswith(show_url(meeting))


def test_a_meeting_not_suggested_is_scheduled_for_a_record(
    client: FlaskClient, staff: User, record: Record, agency: Agency
) -> None:
    sign_in(client, staff)
    url = f"/workspace/meetings/new?kind=interview&record_id={record.id}"
    response = post_form(client, url, schedule_data(kind="interview", scheduled_on="2026-11-27"))
    assert response.status_code == 303
    (meeting,) = meetings_of(agency)
    assert (meeting.kind, meeting.record_id, meeting.scheduled_on) == (
        MeetingKind.INTERVIEW,
        record.id,
        date(2026, 11, 27),
    )


# --- holding, undertakings ----------------------------------------------------------------------------------------


def test_holding_closes_the_item_and_puts_the_undertakings_on_the_ledger(
    client: FlaskClient, staff: User, item: LedgerItem, agency: Agency
) -> None:
    sign_in(client, staff)
    meeting = schedule_from(client, item)
    response = post_form(client, show_url(meeting), hold_data(), to=f"{show_url(meeting)}/hold")
    assert response.status_code == 303, response.get_data(as_text=True)
    meeting = reloaded(meeting)
    assert meeting.state is MeetingState.HELD
    assert meeting.held_on == TODAY
    assert meeting.minutes.startswith("通报逾期情况")
    assert [(u.text, u.due_on) for u in meeting.undertakings] == [
        ("12月15日前筹措资金履行判决", date(2026, 12, 15)),
        ("提交整改报告", date(2026, 12, 31)),
    ]
    item = reloaded(item)
    assert (item.closed_on, item.closed_how, item.meeting_id, item.closed_by_id) == (
        TODAY,
        ClosedHow.MEETING,
        meeting.id,
        staff.id,
    )
    ledger = {
        row.key: row
        for row in db.session.scalars(select(LedgerItem).where(LedgerItem.rule == LedgerRule.UNDERTAKING))
        if row.key in {f"undertaking:undertaking:{u.id}" for u in meeting.undertakings}
    }
    assert sorted((row.due_on, row.agency_id, row.closed_on) for row in ledger.values()) == [
        (date(2026, 12, 15), agency.id, None),
        (date(2026, 12, 31), agency.id, None),
    ]

    body = client.get(show_url(meeting)).get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    assert "提交整改报告" in text
    assert "2026年12月31日" in text
    assert "已约谈或督办" in text
    assert find(body, "form", action=f"{show_url(meeting)}/hold") is None  # held: no more hold form
    held_section = find(client.get(INDEX).get_data(as_text=True), "section", aria_labelledby="held-heading")
    assert held_section is not None
    assert "0 / 2" in text_of(held_section)

    # a second hold is refused
    again = post_step(client, show_url(meeting), f"{show_url(meeting)}/hold", hold_data())
    assert again.status_code == 409
    assert len(reloaded(meeting).undertakings) == 2


def test_an_undertaking_is_recorded_kept_once(client: FlaskClient, staff: User, item: LedgerItem) -> None:
    meeting = held(staff, item, [("提交整改报告", date(2026, 12, 31)), ("履行判决", date(2026, 12, 15))])
    first = meeting.undertakings[0]
    sign_in(client, staff)
    page = f"{show_url(meeting)}?keep={first.id}"
    body = client.get(page).get_data(as_text=True)
    parse_strict(body)
    kept_url = f"{show_url(meeting)}/undertakings/{first.id}/kept"
    assert find(body, "form", action=kept_url) is not None

    late = post_form(client, page, {"done_on": "2026-11-21", "done_note": ""}, to=kept_url)
    assert late.status_code == 400
    assert "不能晚于今天" in error_beside(late.get_data(as_text=True), "done_on")
    assert reloaded(first).done_on is None

    response = post_form(client, page, {"done_on": "2026-11-20", "done_note": "报告已收到"}, to=kept_url)
    assert response.status_code == 303
    first = reloaded(first)
    assert (first.done_on, first.done_note) == (TODAY, "报告已收到")
    item_of = db.session.scalar(select(LedgerItem).where(LedgerItem.key == f"undertaking:undertaking:{first.id}"))
    assert item_of is not None
    assert (item_of.closed_on, item_of.closed_how) == (TODAY, ClosedHow.MANUAL)
    row = find(client.get(show_url(meeting)).get_data(as_text=True), "tr", id=f"undertaking-{first.id}")
    assert row is not None
    assert "已履行" in text_of(row)
    held_section = find(client.get(INDEX).get_data(as_text=True), "section", aria_labelledby="held-heading")
    assert held_section is not None
    assert "1 / 2" in text_of(held_section)

    again = post_step(client, show_url(meeting), kept_url, {"done_on": "2026-11-20"})
    assert again.status_code == 409


# --- cancelling --------------------------------------------------------------------------------------------------


def test_cancelling_puts_the_item_back_on_the_suggested_list(
    client: FlaskClient, staff: User, item: LedgerItem
) -> None:
    sign_in(client, staff)
    meeting = schedule_from(client, item)
    cancel_url = f"{show_url(meeting)}/cancel"

    missing = post_form(client, show_url(meeting), {"cancel_reason": ""}, to=cancel_url)
    assert missing.status_code == 400
    assert error_beside(missing.get_data(as_text=True), "cancel_reason")
    assert reloaded(meeting).cancelled_on is None

    response = post_form(
        client, show_url(meeting), {"cancel_reason": "单位主要负责人出差，改期另行安排"}, to=cancel_url
    )
    assert response.status_code == 303
    meeting = reloaded(meeting)
    assert meeting.state is MeetingState.CANCELLED
    assert meeting.cancel_reason.startswith("单位主要负责人出差")
    item = reloaded(item)
    assert item.meeting_id is None
    assert item.closed_on is None
    assert find(client.get(INDEX).get_data(as_text=True), "tr", id=f"item-{item.id}") is not None
    cancelled = client.get(f"{INDEX}?state=cancelled").get_data(as_text=True)
    assert show_url(meeting) in links(find(cancelled, "main") or cancelled)

    again = post_step(client, show_url(meeting), cancel_url, {"cancel_reason": "再次取消"})
    assert again.status_code == 409
    assert reloaded(meeting).cancel_reason.startswith("单位主要负责人出差")
    # and it is scheduled afresh
    assert schedule_from(client, item).id != meeting.id


# --- publishing a held 约谈 as a 约谈告诫 measure ------------------------------------------------------------------


def test_a_held_interview_is_published_on_its_record_once(
    client: FlaskClient, staff: User, item: LedgerItem, record: Record
) -> None:
    meeting = held(staff, item, [])
    unit = make_agency(name="演示县人民政府（测试）")
    sign_in(client, staff)
    measure_url = f"{show_url(meeting)}/measure"
    body = client.get(show_url(meeting)).get_data(as_text=True)
    form = find(body, "form", action=measure_url)
    assert form is not None
    assert "泰信用办〔2022〕12号 二(五)；如东县办法 三(二)" in text_of(form)

    no_number = post_form(
        client, show_url(meeting), {"implementing_agency": str(unit.id), "document_number": ""}, to=measure_url
    )
    assert no_number.status_code == 400
    assert error_beside(no_number.get_data(as_text=True), "document_number")

    data = {
        "implementing_agency": str(unit.id),
        "document_number": "演政函〔2026〕7号",
        "basis": "泰信用办〔2022〕12号 二(五)；如东县办法 三(二)",
    }
    response = post_form(client, show_url(meeting), data, to=measure_url)
    assert response.status_code == 303, response.get_data(as_text=True)
    (measure,) = db.session.scalars(select(JointMeasure).where(JointMeasure.record_id == record.id))
    assert (measure.kind, measure.applied_on, measure.implementing_agency_id) == ("interview", TODAY, unit.id)
    assert reloaded(meeting).measure_id == measure.id

    public = client.get(f"/records/{record.id}").get_data(as_text=True)
    row = find(public, "tr", id=f"measure-{measure.id}")
    assert row is not None
    assert "约谈告诫" in text_of(row)
    assert "演政函〔2026〕7号" in text_of(row)

    again = post_step(client, show_url(meeting), measure_url, data | {"document_number": "演政函〔2026〕8号"})
    assert again.status_code == 409
    assert len(list(db.session.scalars(select(JointMeasure).where(JointMeasure.record_id == record.id)))) == 1


# --- 现场督办, kept the same way ----------------------------------------------------------------------------------


def test_a_site_visit_is_scheduled_and_held_the_same_way(client: FlaskClient, staff: User, agency: Agency) -> None:
    defaulter = make_record(agency, kind="judgment_defaulter", title="被列为失信被执行人的测试记录", details={})
    item = make_item(defaulter, LedgerRule.SITE_VISIT, key=f"site_visit:record:{defaulter.id}")
    sign_in(client, staff)
    row = find(client.get(f"{INDEX}?kind=site_visit").get_data(as_text=True), "tr", id=f"item-{item.id}")
    assert row is not None
    assert "现场督办" in text_of(row)
    meeting = schedule_from(client, item, place="被督办单位现场", interviewer_post="县信用办分管副主任")
    assert meeting.kind is MeetingKind.SITE_VISIT
    assert meeting.record_id == defaulter.id

    response = post_form(
        client, show_url(meeting), hold_data(undertaking_2="", undertaking_due_2=""), to=f"{show_url(meeting)}/hold"
    )
    assert response.status_code == 303
    assert len(reloaded(meeting).undertakings) == 1
    item = reloaded(item)
    assert (item.closed_how, item.meeting_id) == (ClosedHow.MEETING, meeting.id)
    # only a 约谈 is published as 约谈告诫
    body = client.get(show_url(meeting)).get_data(as_text=True)
    assert find(body, "form", action=f"{show_url(meeting)}/measure") is None
    refused = post_step(
        client, show_url(meeting), f"{show_url(meeting)}/measure", {"document_number": "演政函〔2026〕9号"}
    )
    assert refused.status_code == 409


def test_an_item_asks_for_its_own_kind_and_a_closed_agency_is_refused(
    app: Flask, staff: User, item: LedgerItem, agency: Agency
) -> None:
    common = {"scheduled_on": TODAY, "place": "会议室", "interviewer_post": "主任", "attendee_post": "主要负责人"}
    with pytest.raises(RefusedError) as wrong_kind:
        schedule_meeting(MeetingKind.SITE_VISIT, None, item=item, today=TODAY, by=staff, **common)  # type: ignore[arg-type]
    assert wrong_kind.value.field == "kind"
    agency.status = AgencyStatus.CLOSED
    db.session.flush()
    with pytest.raises(RefusedError) as closed:
        schedule_meeting(MeetingKind.INTERVIEW, None, item=item, today=TODAY, by=staff, **common)  # type: ignore[arg-type]
    assert closed.value.field == "agency"
    assert "撤销或合并" in str(closed.value.message)
    assert meetings_of(agency) == []
    assert reloaded(item).meeting_id is None
    item.closed_on, item.closed_how = TODAY, ClosedHow.MANUAL
    with pytest.raises(NotAllowedError):
        schedule_meeting(MeetingKind.INTERVIEW, None, item=item, today=TODAY, by=staff, **common)  # type: ignore[arg-type]


# --- bad input -----------------------------------------------------------------------------------------------------


def test_a_meeting_in_the_past_is_refused(client: FlaskClient, staff: User, item: LedgerItem, agency: Agency) -> None:
    sign_in(client, staff)
    url = f"/workspace/meetings/new?ledger_item_id={item.id}"
    response = post_form(client, url, schedule_data(scheduled_on="2026-11-19"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "不能早于今天" in error_beside(body, "scheduled_on")
    no_place = post_form(client, url, schedule_data(place=""))
    assert no_place.status_code == 400
    assert "此项必填" in error_beside(no_place.get_data(as_text=True), "place")
    assert meetings_of(agency) == []
    assert reloaded(item).meeting_id is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"held_on": "2026-11-21"}, "held_on", "不能晚于今天"),
        ({"minutes": ""}, "minutes", "此项必填"),
        # row 4 (rows 1 and 3 left empty) is the second undertaking: the error stands beside row 4
        (
            {
                "undertaking_1": "",
                "undertaking_due_1": "",
                "undertaking_2": "提交整改报告",
                "undertaking_due_2": "2026-12-31",
                "undertaking_4": "筹措资金",
                "undertaking_due_4": "2026-11-19",
            },
            "undertaking_due_4",
            "不能早于举行日期",
        ),
        ({"undertaking_due_1": ""}, "undertaking_due_1", "完成期限"),
        ({"undertaking_3": "", "undertaking_due_3": "2026-12-01"}, "undertaking_3", "请填写承诺事项"),
        ({"undertaking_due_2": "2026-13-01"}, "undertaking_due_2", "有效日期"),
    ],
)
def test_bad_holding_input_is_refused_beside_its_field_and_nothing_is_stored(
    client: FlaskClient, staff: User, item: LedgerItem, fields: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, staff)
    meeting = schedule_from(client, item)
    response = post_form(client, show_url(meeting), hold_data(**fields), to=f"{show_url(meeting)}/hold")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert message in error_beside(body, field)
    meeting = reloaded(meeting)
    assert meeting.held_on is None
    assert meeting.minutes == ""
    assert meeting.undertakings == []
    assert db.session.scalars(select(Undertaking).where(Undertaking.meeting_id == meeting.id)).first() is None
    item = reloaded(item)
    assert item.closed_on is None
    assert item.meeting_id == meeting.id


# --- who sees what ---------------------------------------------------------------------------------------------------


def test_officers_read_their_own_agency_s_meetings_only(
    client: FlaskClient, staff: User, item: LedgerItem, agency: Agency
) -> None:
    meeting = held(staff, item, [("提交整改报告", date(2026, 12, 31))])
    other_record = make_record(make_agency(name="演示县另一局（约谈测试）"))
    other_item = make_item(other_record)
    other = held(staff, other_item, [])
    officer = make_user(Role.OFFICER, agency)
    sign_in(client, officer)

    body = client.get(INDEX).get_data(as_text=True)
    parse_strict(body)
    menu = find(body, "nav", class_="workspace-nav")
    assert menu is not None
    assert INDEX in links(menu)
    main = find(body, "main")
    assert main is not None
    assert show_url(meeting) in links(main)
    assert show_url(other) not in links(main)
    assert "/workspace/meetings/new" not in " ".join(links(main))

    page = client.get(show_url(meeting)).get_data(as_text=True)
    parse_strict(page)
    assert "提交整改报告" in visible_text(page)
    assert find(find(page, "main") or page, "form", method="post") is None  # read-only
    assert client.get(show_url(other)).status_code == 404

    assert client.get("/workspace/meetings/new").status_code == 403
    assert post_step(client, INDEX, f"{show_url(meeting)}/hold", hold_data()).status_code == 403
    assert post_step(client, INDEX, f"{show_url(meeting)}/measure", {}).status_code == 403
    undertaking = meeting.undertakings[0]
    kept_url = f"{show_url(meeting)}/undertakings/{undertaking.id}/kept"
    assert post_step(client, INDEX, kept_url, {"done_on": "2026-11-20"}).status_code == 403
    assert reloaded(undertaking).done_on is None


def test_a_closed_item_is_not_scheduled_and_a_bad_filter_is_named(
    client: FlaskClient, staff: User, item: LedgerItem
) -> None:
    item.closed_on, item.closed_how = TODAY, ClosedHow.LAPSED
    sign_in(client, staff)
    url = f"/workspace/meetings/new?ledger_item_id={item.id}"
    page = client.get(url)
    assert page.status_code == 409
    assert "已办结" in visible_text(page.get_data(as_text=True))
    assert post_step(client, INDEX, url, schedule_data()).status_code == 409
    assert db.session.scalars(select(Meeting).where(Meeting.agency_id == item.agency_id)).first() is None
    assert client.get("/workspace/meetings/new?ledger_item_id=abc").status_code == 404
    bad = client.get(f"{INDEX}?kind=meeting")
    assert bad.status_code == 400
    assert "不是可选的值" in visible_text(bad.get_data(as_text=True))
