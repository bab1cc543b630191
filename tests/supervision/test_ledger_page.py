"""The 工作台账 page (/workspace/ledger/): the list with its states, filters, sorts and exports (CSV with a BOM,
XLSX), the officer's view of their own agency's items only, an item's page with its clause and history, closing an
item by staff's note (once, with the dates checked), and the dashboard figures that link into the list.

The items are built directly (the daily job that derives them is tested in test_ledger_job.py); every subject here
carries MARK, so that the list can be narrowed to them whatever else the database holds. Today is 2026-11-20, a
Friday: 今明到期 runs to Monday 11-23."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.forms import issue_form_token
from portal.supervision.models import LedgerItem, Meeting, SupervisionRun
from portal.supervision.rules import ClosedHow, LedgerRule, MeetingKind
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_record, make_user
from tests.forms import hidden_fields, post_form, sign_in
from tests.html import attr, css, find, find_all, links, parse_strict, text_of, title_of, visible_text

MARK = "【页测】"
LEDGER = "/workspace/ledger/"
_keys = itertools.count(1)


def make_item(
    rule: LedgerRule,
    agency: Agency | None,
    due_on: date,
    subject: str,
    *,
    opened_on: date = date(2026, 11, 2),
    **fields: Any,
) -> LedgerItem:
    """A ledger item as the daily job would write it (its key made unique)."""
    values: dict[str, Any] = {
        "key": f"{rule.value}:test:{next(_keys)}:{subject}"[:100],
        "rule": rule,
        "agency_id": agency.id if agency else None,
        "responsible_unit": agency.name if agency else "",
        "subject": MARK + subject,
        "subject_type": "month",
        "subject_id": None,
        "opened_on": opened_on,
        "due_on": due_on,
    } | fields
    item = LedgerItem(**values)
    db.session.add(item)
    db.session.flush()
    return item


@dataclass
class Ledger:
    a: Agency
    b: Agency
    staff: User
    a_overdue: LedgerItem
    a_today: LedgerItem
    a_later: LedgerItem
    a_done: LedgerItem
    b_overdue: LedgerItem
    b_later: LedgerItem
    office: LedgerItem


@pytest.fixture
def ledger(app: Flask) -> Ledger:
    a = make_agency(name="页测机构A")
    b = make_agency(name="页测机构B")
    staff = make_user(Role.STAFF, display_name="页测信用办工作人员")
    return Ledger(
        a=a,
        b=b,
        staff=staff,
        a_overdue=make_item(LedgerRule.EXECUTION_REMINDER, a, date(2026, 11, 19), "甲逾期"),
        a_today=make_item(LedgerRule.LETTER_REPLY, a, date(2026, 11, 20), "甲今天"),
        a_later=make_item(LedgerRule.EXECUTION_NOTICE, a, date(2026, 12, 8), "甲执行立案"),
        a_done=make_item(
            LedgerRule.UNDERTAKING,
            a,
            date(2026, 11, 18),
            "甲已办结",
            closed_on=date(2026, 11, 17),
            closed_how=ClosedHow.MANUAL,
            closed_note="承诺事项已按期完成",
            closed_by_id=staff.id,
        ),
        b_overdue=make_item(LedgerRule.SUIT_REMINDER, b, date(2026, 11, 10), "乙逾期"),
        b_later=make_item(LedgerRule.PENALTY_REPAIR_REMINDER, b, date(2026, 11, 30), "乙未到期"),
        office=make_item(LedgerRule.MONTHLY_BULLETIN, None, date(2026, 11, 27), "11月月度通报"),
    )


def page(client: FlaskClient, query: str = "", status: int = 200) -> str:
    response = client.get(f"{LEDGER}?{query}")
    assert response.status_code == status, (query, response.status_code)
    body = response.get_data(as_text=True)
    parse_strict(body)
    return body


def rows(body: str) -> list[list[str]]:
    """The list's rows, each as its cells' text."""
    return [[text_of(td) for td in find_all(tr, "td")] for tr in css(body, "table.list tbody tr")]


def subjects(body: str) -> list[str]:
    return [cells[3].removeprefix(MARK) for cells in rows(body)]


def field_error(body: str, name: str) -> str:
    found = css(body, f"#filter-{name}-error")
    assert found, f"no error beside {name}"
    return text_of(found[0])


# --- the list ------------------------------------------------------------------------------------------------------


def test_staff_see_every_open_item_nearest_due_first(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    body = page(client, f"q={MARK}")
    assert title_of(body).startswith("工作台账")
    assert subjects(body) == ["乙逾期", "甲逾期", "甲今天", "11月月度通报", "乙未到期", "甲执行立案"]
    by_subject = {cells[3].removeprefix(MARK): cells for cells in rows(body)}
    kind, agency, unit, _, due, state, closure = by_subject["甲执行立案"]
    assert kind == "执行立案通报 泰信用办〔2022〕12号 二(四)"  # the rule and its clause (small text)
    assert (agency, unit, due, state, closure) == ("页测机构A", "页测机构A", "2026年12月8日", "未到期", "")
    assert by_subject["乙逾期"][5] == "已逾期"
    assert by_subject["甲今天"][5] == "今明到期"
    assert by_subject["11月月度通报"][1] == "信用办"  # the office's own item
    assert "甲已办结" not in body  # closed items only when asked for
    counts = text_of(css(body, "ul.figures")[0])
    assert "已逾期：2" in counts
    assert "今明到期：1" in counts
    assert "未到期：3" in counts
    assert "已办结：1" in counts
    link = find(body, "a", href=f"/workspace/ledger/{ledger.a_later.id}")
    assert link is not None
    assert text_of(link) == "执行立案通报"


def test_the_page_says_when_the_daily_job_last_ran(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    db.session.add(
        SupervisionRun(
            run_for=date(2026, 11, 19),
            started_at=datetime(2026, 11, 18, 22, 0, tzinfo=UTC),
            finished_at=datetime(2026, 11, 18, 22, 1, tzinfo=UTC),  # 06:01 in Beijing on 11-19
        )
    )
    db.session.flush()
    notice = text_of(css(page(client), "p.notice")[0])
    assert "按 2026年11月19日 生成" in notice
    assert "2026-11-19 06:01" in notice
    assert "最近一次运行早于今天" in notice


def test_closed_items_show_how_when_and_by_whom(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    body = page(client, f"q={MARK}&state=done")
    assert subjects(body) == ["甲已办结"]
    closure = rows(body)[0][6]
    assert "已登记办结 2026年11月17日" in closure
    assert "承诺事项已按期完成" in closure
    assert "办理人：页测信用办工作人员" in closure
    assert rows(body)[0][5] == "已办结"


def test_a_meeting_scheduled_for_an_item_shows_on_its_row_and_page(client: FlaskClient, ledger: Ledger) -> None:
    meeting = Meeting(
        kind=MeetingKind.SITE_VISIT,
        agency_id=ledger.b.id,
        scheduled_on=date(2026, 11, 26),
        place="乙局会议室",
        interviewer_post="县信用办主任",
        attendee_post="局长",
    )
    db.session.add(meeting)
    db.session.flush()
    visit = make_item(LedgerRule.SITE_VISIT, ledger.b, date(2026, 11, 25), "乙现场督办", meeting_id=meeting.id)
    sign_in(client, ledger.staff)
    row = next(cells for cells in rows(page(client, f"q={MARK}乙现场督办")))
    assert row[6] == "已安排现场督办：2026年11月26日"
    item_page = client.get(f"{LEDGER}{visit.id}").get_data(as_text=True)
    scheduled = next(p for p in find_all(css(item_page, "main")[0], "p") if text_of(p).startswith("已安排"))
    assert text_of(scheduled).replace(" ", "") == "已安排：现场督办2026年11月26日"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=overdue", ["乙逾期", "甲逾期"]),
        ("state=due", ["甲今天"]),
        ("state=not_due", ["11月月度通报", "乙未到期", "甲执行立案"]),
        ("state=all", ["乙逾期", "甲已办结", "甲逾期", "甲今天", "11月月度通报", "乙未到期", "甲执行立案"]),
        ("rule=monthly_bulletin", ["11月月度通报"]),
        ("rule=execution_notice&state=all", ["甲执行立案"]),
        ("due_from=2026-11-20&due_to=2026-11-30", ["甲今天", "11月月度通报", "乙未到期"]),
        ("due_to=2026-11-19&state=all", ["乙逾期", "甲已办结", "甲逾期"]),
        ("sort=-due", ["甲执行立案", "乙未到期", "11月月度通报", "甲今天", "甲逾期", "乙逾期"]),
        ("sort=agency", ["11月月度通报", "甲逾期", "甲今天", "甲执行立案", "乙逾期", "乙未到期"]),
    ],
)
def test_filters_and_sorts(client: FlaskClient, ledger: Ledger, query: str, expected: list[str]) -> None:
    sign_in(client, ledger.staff)
    assert subjects(page(client, f"q={MARK}&{query}")) == expected


def test_the_agency_and_text_filters(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    assert subjects(page(client, f"agency={ledger.a.id}&q={MARK}")) == ["甲逾期", "甲今天", "甲执行立案"]
    assert subjects(page(client, f"q={MARK}乙")) == ["乙逾期", "乙未到期"]
    assert subjects(page(client, "q=页测机构B")) == ["乙逾期", "乙未到期"]  # the responsible unit
    assert subjects(page(client, "q=100%25_不存在")) == []
    body = page(client, f"agency={ledger.b.id}")
    options = find_all(css(body, "#filter-agency")[0], "option", selected=True)
    assert [text_of(o) for o in options] == ["页测机构B"]


def test_the_list_is_paginated(app: Flask, client: FlaskClient, ledger: Ledger) -> None:
    per_page = app.config["PORTAL_SETTINGS"].page_size
    for n in range(per_page):
        make_item(LedgerRule.UNDERTAKING, ledger.a, date(2026, 12, 1), f"分页{n:03d}")
    sign_in(client, ledger.staff)
    first = page(client, f"q={MARK}分页")
    assert len(rows(first)) == per_page
    assert f"共 {per_page} 条" in visible_text(first)
    make_item(LedgerRule.UNDERTAKING, ledger.a, date(2026, 12, 2), "分页999")
    second = page(client, f"q={MARK}分页&page=2")
    assert subjects(second) == ["分页999"]


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("rule=nope", "rule", "不是可选的值"),
        ("state=late", "state", "不是可选的值"),
        ("sort=name", "sort", "不是可选的值"),
        ("agency=abc", "agency", "应为机构编号"),
        ("agency=99999999999", "agency", "应为机构编号"),
        ("due_from=2026-13-01", "due_from", "请填写有效日期"),
        ("due_to=20261120", "due_to", "请填写有效日期"),
        ("due_from=2026-11-30&due_to=2026-11-01", "due_to", "截止日期不能早于起始日期"),
        ("q=%01", "q", "含有控制字符"),
    ],
)
def test_a_bad_filter_is_a_400_with_its_message(
    client: FlaskClient, ledger: Ledger, query: str, name: str, message: str
) -> None:
    sign_in(client, ledger.staff)
    body = page(client, query, status=400)
    assert message in field_error(body, name)
    assert rows(body) == []
    for fmt in ("csv", "xlsx"):
        response = client.get(f"{LEDGER}export.{fmt}?{query}")
        assert response.status_code == 400
        assert message in field_error(response.get_data(as_text=True), name)


def test_a_bad_page_number_is_a_400(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    assert "页码" in visible_text(css(page(client, "page=0", status=400), ".error-summary")[0])


# --- who sees what -------------------------------------------------------------------------------------------------


def test_an_officer_sees_only_their_agencys_items(client: FlaskClient, ledger: Ledger) -> None:
    officer = make_user(Role.OFFICER, ledger.a)
    sign_in(client, officer)
    body = page(client)
    assert subjects(body) == ["甲逾期", "甲今天", "甲执行立案"]  # 执行立案通报 due 12-08 among them
    assert rows(body)[2][:5] == [
        "执行立案通报 泰信用办〔2022〕12号 二(四)",
        "页测机构A",
        "页测机构A",
        MARK + "甲执行立案",
        "2026年12月8日",
    ]
    assert find(body, "select", name="agency") is None  # no agency filter: their own only
    everything = page(client, f"agency={ledger.b.id}&state=all")  # another agency asked for: still their own
    assert subjects(everything) == ["甲已办结", "甲逾期", "甲今天", "甲执行立案"]
    for other in (ledger.b_overdue, ledger.office):
        assert client.get(f"{LEDGER}{other.id}").status_code == 404
    assert client.get(f"{LEDGER}{ledger.a_later.id}").status_code == 200
    exported = client.get(f"{LEDGER}export.csv?state=all").get_data().decode("utf-8-sig")
    assert "甲执行立案" in exported
    assert "乙" not in exported
    assert "月度通报" not in exported
    sheet = load_workbook(io.BytesIO(client.get(f"{LEDGER}export.xlsx?state=all").get_data()), read_only=True).active
    assert {str(r[4]).removeprefix(MARK) for r in sheet.iter_rows(min_row=2, values_only=True)} == {
        "甲逾期",
        "甲今天",
        "甲执行立案",
        "甲已办结",
    }


def test_an_officer_bound_to_no_agency_is_refused(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, make_user(Role.OFFICER, agency_id=None))
    for url in (LEDGER, f"{LEDGER}export.csv", f"{LEDGER}export.xlsx", f"{LEDGER}{ledger.office.id}"):
        assert client.get(url).status_code == 403, url


def test_every_role_has_the_ledger_in_the_menu(client: FlaskClient, ledger: Ledger) -> None:
    for user in (ledger.staff, make_user(Role.ADMIN), make_user(Role.OFFICER, ledger.a)):
        sign_in(client, user)
        nav = css(client.get("/workspace/").get_data(as_text=True), "nav.workspace-nav")[0]
        assert find(nav, "a", href=LEDGER) is not None, user.role


# --- the exports ---------------------------------------------------------------------------------------------------

HEADER = ["类型", "依据条款", "机构", "责任单位", "事项", "到期日", "状态", "办结情况"]


def test_the_csv_export_opens_in_excel_with_its_chinese(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    response = client.get(f"{LEDGER}export.csv?q={MARK}&state=all&sort=-due")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="ledger-2026-11-20.csv"'
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == HEADER
    assert [r[4].removeprefix(MARK) for r in table[1:]] == [
        "甲执行立案",
        "乙未到期",
        "11月月度通报",
        "甲今天",
        "甲逾期",
        "甲已办结",
        "乙逾期",
    ]
    done = next(r for r in table if r[4].endswith("甲已办结"))
    assert done[:4] == ["约谈承诺事项", "如东县办法 三(二)", "页测机构A", "页测机构A"]
    assert done[5:7] == ["2026-11-18", "已办结"]
    assert "承诺事项已按期完成" in done[7]
    assert "页测信用办工作人员" in done[7]
    office = next(r for r in table if r[4].endswith("月度通报"))
    assert office[2] == "信用办"


def test_a_formula_is_exported_as_text(client: FlaskClient, ledger: Ledger) -> None:
    make_item(LedgerRule.UNDERTAKING, ledger.a, date(2026, 12, 1), "公式", responsible_unit="=1+1")
    sign_in(client, ledger.staff)
    table = list(csv.reader(io.StringIO(client.get(f"{LEDGER}export.csv?q={MARK}公式").get_data().decode("utf-8-sig"))))
    assert table[1][3] == "'=1+1"
    sheet = load_workbook(io.BytesIO(client.get(f"{LEDGER}export.xlsx?q={MARK}公式").get_data())).active
    assert sheet.cell(row=2, column=4).value == "=1+1"
    assert sheet.cell(row=2, column=4).data_type == "s"


def test_the_xlsx_export_has_the_rows(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    response = client.get(f"{LEDGER}export.xlsx?q={MARK}&state=overdue")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="ledger-2026-11-20.xlsx"'
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert [(r[4].removeprefix(MARK), r[5].date(), r[6]) for r in values[1:]] == [
        ("乙逾期", date(2026, 11, 10), "已逾期"),
        ("甲逾期", date(2026, 11, 19), "已逾期"),
    ]
    assert values[1][0] == "起诉案件提醒"
    assert values[1][2] == "页测机构B"


def test_the_export_links_carry_the_filters(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    body = page(client, f"state=overdue&rule=suit_reminder&page=1&q={MARK}")
    for fmt in ("csv", "xlsx"):
        [href] = [h for h in links(body) if h.startswith(f"{LEDGER}export.{fmt}")]
        url = urlsplit(href)
        assert parse_qs(url.query) == {"state": ["overdue"], "rule": ["suit_reminder"], "q": [MARK]}


# --- one item ------------------------------------------------------------------------------------------------------


def test_an_item_page_shows_its_clause_due_day_state_and_history(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    response = client.get(f"{LEDGER}{ledger.a_done.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    assert title_of(body).startswith("约谈承诺事项")
    assert "如东县办法 三(二)" in text
    assert "2026年11月18日" in text
    assert "已办结" in text
    assert "列入台账，2026年11月18日 到期" in visible_text(css(body, "ol.timeline")[0])
    assert "已登记办结" in visible_text(css(body, "ol.timeline")[0])
    assert find(body, "form", action=f"{LEDGER}{ledger.a_done.id}/close") is None  # closed: no form


def test_the_ways_an_item_is_closed_are_offered_to_staff(app: Flask, client: FlaskClient, ledger: Ledger) -> None:
    letter = make_item(LedgerRule.SUIT_REMINDER, ledger.a, date(2026, 11, 27), "甲起诉")
    meeting = make_item(LedgerRule.INTERVIEW_SUGGESTED, ledger.a, date(2026, 11, 27), "甲建议约谈")
    sign_in(client, ledger.staff)
    letter_page = client.get(f"{LEDGER}{letter.id}").get_data(as_text=True)
    assert "本事项在发出提醒函后办结（新信用发〔2018〕6号 二(一)）" in visible_text(letter_page)
    if "letters.new" in app.view_functions:
        link = find(letter_page, "a", href=f"/workspace/letters/new?ledger_item_id={letter.id}")
        assert link is not None
        assert text_of(link) == "发函"
    assert find(letter_page, "form", action=f"{LEDGER}{letter.id}/close") is None
    meeting_page = client.get(f"{LEDGER}{meeting.id}").get_data(as_text=True)
    assert "本事项在约谈或现场督办举行后办结" in visible_text(meeting_page)
    if "meetings.new" in app.view_functions:
        assert find(meeting_page, "a", href=f"/workspace/meetings/new?ledger_item_id={meeting.id}") is not None
    manual_page = client.get(f"{LEDGER}{ledger.office.id}").get_data(as_text=True)
    assert find(manual_page, "form", action=f"{LEDGER}{ledger.office.id}/close") is not None
    sign_in(client, make_user(Role.OFFICER, ledger.a))
    officer_page = client.get(f"{LEDGER}{letter.id}").get_data(as_text=True)
    assert find(officer_page, "a", href=lambda h: "/workspace/letters/new" in h) is None
    assert find(officer_page, "form", action=lambda a: a.endswith("/close")) is None


# --- closing an item by staff's note -------------------------------------------------------------------------------


def close_url(item: LedgerItem) -> str:
    return f"{LEDGER}{item.id}/close"


def closes(item: LedgerItem) -> int:
    query = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "ledger.close", AuditEntry.entity_id == str(item.id)
    )
    return db.session.scalar(query) or 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"closed_on": "2026-11-21", "closed_note": "已通报"}, "closed_on", "不能晚于今天"),
        ({"closed_on": "2026-11-01", "closed_note": "已通报"}, "closed_on", "不能早于事项列入台账的日期（2026-11-02）"),
        ({"closed_on": "2026-11-31", "closed_note": "已通报"}, "closed_on", "请填写有效日期"),
        ({"closed_on": "", "closed_note": "已通报"}, "closed_on", "此项必填"),
        ({"closed_on": "2026-11-20", "closed_note": "  "}, "closed_note", "此项必填"),
        ({"closed_on": "2026-11-20", "closed_note": "x" * 2001}, "closed_note", "最多 2000 个字符"),
    ],
)
def test_a_bad_close_is_refused_beside_its_field_and_nothing_is_stored(
    client: FlaskClient, ledger: Ledger, data: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, ledger.staff)
    item = ledger.office
    response = post_form(client, f"{LEDGER}{item.id}", data, to=close_url(item))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in text_of(css(body, f"#{field}-error")[0])
    db.session.refresh(item)
    assert item.closed_on is None
    assert closes(item) == 0


def test_staff_close_an_item_once(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    item = ledger.office
    form_page = client.get(f"{LEDGER}{item.id}").get_data(as_text=True)
    data = {**hidden_fields(form_page), "closed_on": "2026-11-20", "closed_note": "11月月度通报已于11-20印发"}
    response = client.post(close_url(item), data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{LEDGER}{item.id}")
    db.session.refresh(item)
    assert (item.closed_on, item.closed_how, item.closed_note) == (
        date(2026, 11, 20),
        ClosedHow.MANUAL,
        "11月月度通报已于11-20印发",
    )
    assert item.closed_by_id == ledger.staff.id
    assert closes(item) == 1
    again = client.post(close_url(item), data=data)  # the same form posted twice: sent to what it did
    assert again.status_code == 303
    assert closes(item) == 1
    shown = client.get(f"{LEDGER}{item.id}").get_data(as_text=True)
    assert "11月月度通报已于11-20印发" in visible_text(css(shown, "ol.timeline")[0])
    assert "已登记办结" in visible_text(shown)
    fresh = {**data, "form_token": issue_form_token()}  # another form, on an item closed meanwhile
    refused = client.post(close_url(item), data=fresh)
    assert refused.status_code == 409
    assert "该事项已于 2026-11-20 办结" in visible_text(refused.get_data(as_text=True))
    assert closes(item) == 1
    listed = page(client, f"q={MARK}11月月度通报&state=done")
    assert "11月月度通报已于11-20印发" in rows(listed)[0][6]


def test_an_item_closed_another_way_cannot_be_closed_by_a_note(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    item = ledger.b_overdue  # a 提醒函 closes it
    form_page = client.get(f"{LEDGER}{ledger.office.id}").get_data(as_text=True)
    data = {**hidden_fields(form_page), "closed_on": "2026-11-20", "closed_note": "已电话提醒"}
    response = client.post(close_url(item), data=data)
    assert response.status_code == 409
    assert "办结方式是“发函”" in visible_text(response.get_data(as_text=True))
    db.session.refresh(item)
    assert item.closed_on is None


def test_officers_may_not_close(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, make_user(Role.OFFICER, ledger.a))
    form_page = client.get(f"{LEDGER}{ledger.a_later.id}").get_data(as_text=True)
    token = attr(find_all(form_page, "input", name="csrf_token")[0], "value")
    response = client.post(close_url(ledger.a_later), data={"csrf_token": token, "closed_on": "2026-11-20"})
    assert response.status_code == 403


def test_the_court_notice_recorded_makes_the_reminder_due(client: FlaskClient, ledger: Ledger) -> None:
    """泰信用办〔2022〕12号 二(四): once the court's notice of 执行立案 is recorded, the body is to be reminded to
    fulfil or settle — the reminder is on the ledger at once, counted from the notice."""
    record = make_record(
        ledger.a, kind="enforced_party", details={"filed_on": "2026-11-10"}, decision_date=date(2026, 11, 10)
    )
    notice = make_item(
        LedgerRule.EXECUTION_NOTICE,
        ledger.a,
        date(2026, 11, 19),
        "甲执行案件",
        opened_on=date(2026, 11, 10),
        key=f"execution_notice:record:{record.id}",
        subject_type="record",
        subject_id=record.id,
    )
    sign_in(client, ledger.staff)
    response = post_form(
        client,
        f"{LEDGER}{notice.id}",
        {"closed_on": "2026-11-18", "closed_note": "法院通报已于11-18收到"},
        to=close_url(notice),
    )
    assert response.status_code == 303
    reminder = db.session.scalar(select(LedgerItem).where(LedgerItem.key == f"execution_reminder:record:{record.id}"))
    assert reminder is not None
    assert reminder.closed_on is None
    assert reminder.opened_on == date(2026, 11, 18)


# --- the dashboard -------------------------------------------------------------------------------------------------


def figure_links(client: FlaskClient) -> dict[str, str]:
    body = client.get("/workspace/").get_data(as_text=True)
    return {text_of(a): attr(a, "href") for a in find_all(css(body, "ul.figures")[0], "a")}


def test_the_dashboard_figures_link_to_the_ledger(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, ledger.staff)
    shown = figure_links(client)
    for label, state in (("台账中已逾期的事项", "overdue"), ("今明到期的事项", "due")):
        text, href = next((t, h) for t, h in shown.items() if t.startswith(label + "："))
        assert href == f"{LEDGER}?state={state}"
        total = visible_text(page(client, f"state={state}"))
        assert f"共 {int(text.split('：')[1])} 条" in total  # the figure counts exactly what the list shows
    # the other figures link to their own lists (and two figures of one order both show)
    assert any(t.startswith("逾期未整改的记录：") and h == "/workspace/records/" for t, h in shown.items())
    assert any(
        t.startswith("待决定的信用修复申请：") and h == "/workspace/repairs/?status=submitted" for t, h in shown.items()
    )
    assert any(t.startswith("办理中的投诉：") and h == "/workspace/complaints/" for t, h in shown.items())
    assert any(t.startswith("办理中的异议：") and h == "/workspace/objections/" for t, h in shown.items())


def test_an_officers_figures_count_their_agencys_items(client: FlaskClient, ledger: Ledger) -> None:
    sign_in(client, make_user(Role.OFFICER, ledger.a))
    shown = figure_links(client)
    assert shown["本单位台账中已逾期的事项：1"] == f"{LEDGER}?state=overdue"
    assert shown["本单位今明到期的事项：1"] == f"{LEDGER}?state=due"
    assert any(
        t.startswith("转办给本单位、待反馈的投诉：") and h == "/workspace/complaints/?status=transferred"
        for t, h in shown.items()
    )
    assert subjects(page(client, "state=overdue")) == ["甲逾期"]
