"""The evaluation's pages as users see them: the public ranking (/evaluation/) and methodology (/evaluation/method),
the 诚信档案's "why this score", and the workspace (score a month; the yearly 考核 sheet as HTML and XLSX), with bad
input answered 4xx and access for staff only. Figures are checked against the stored scores and independent SQL
counts. Today is 2026-11-20 (tests/conftest.py)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, or_, select

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind
from portal.audit.models import AuditEntry
from portal.core.months import Month
from portal.evaluation.models import AgencyScore
from portal.evaluation.operations import score_month
from portal.evaluation.rules import Indicator, format_tenths, methods
from portal.extensions import db
from portal.records.models import Record
from portal.users.rules import Role
from tests.factories import make_agency, make_positive_item, make_record, make_user
from tests.forms import hidden_fields, post_form, sign_in
from tests.html import Node, attr, css, find, find_all, one, parse_strict, text_of, title_of, visible_text

TODAY = date(2026, 11, 20)
SEPTEMBER, OCTOBER = Month(2026, 9), Month(2026, 10)


@pytest.fixture
def scored(app: Flask) -> None:
    score_month(SEPTEMBER, TODAY)
    score_month(OCTOBER, TODAY)


def stored(month: Month) -> dict[int, AgencyScore]:
    return {s.agency_id: s for s in db.session.scalars(select(AgencyScore).where(AgencyScore.month == str(month)))}


def rows_of(table: Node) -> list[dict[str, str]]:
    """A table's body rows as {data-label: text} (the cards' labels are the column headings)."""
    return [{attr(td, "data-label"): text_of(td) for td in find_all(tr, "td")} for tr in css(table, "tbody tr")]


def table_rows(body: str, heading_id: str) -> list[dict[str, str]]:
    """The rows of the table in the section labelled by `heading_id`."""
    return rows_of(one(body, "section", aria_labelledby=heading_id))


# --- the ranking -----------------------------------------------------------------------------------------------------


def test_the_ranking_shows_the_latest_month_in_two_tables_with_every_score_as_stored(
    client: FlaskClient, scored: None
) -> None:
    response = client.get("/evaluation/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("2026-10 政务诚信评价")
    october, september = stored(OCTOBER), stored(SEPTEMBER)
    by_name = {a.name: a for a in db.session.scalars(select(Agency))}
    townships = table_rows(body, "group-townships-heading")
    departments = table_rows(body, "group-departments-heading")
    # 乡镇（街道）: townships and governments under another (the 管委会); 部门: departments, institutions, SOEs
    assert len(townships) == db.session.scalar(
        select(func.count()).where(
            or_(
                Agency.kind == AgencyKind.TOWNSHIP.value,
                (Agency.kind == AgencyKind.GOVERNMENT.value) & Agency.parent_id.is_not(None),
            )
        )
    )
    assert len(departments) == db.session.scalar(
        select(func.count()).where(Agency.kind.in_(["department", "institution", "soe"]))
    )
    assert "演示经济开发区管理委员会" in {r["单位"] for r in townships}
    for rows in (townships, departments):
        scores = [october[by_name[r["单位"]].id].score_tenths for r in rows]
        assert scores == sorted(scores, reverse=True)  # best first
        for row in rows:
            agency = by_name[row["单位"]]
            mine = october[agency.id]
            assert row["得分"] == format_tenths(mine.score_tenths)
            assert row["等级"] == mine.grade
            change = mine.score_tenths - september[agency.id].score_tenths
            assert row["较上月"] == format_tenths(change, signed=True)
        assert rows[0]["排名"] == "1"
    county = one(body, "section", aria_labelledby="unranked-heading")
    assert "演示县人民政府" in text_of(county)
    first_link = css(one(body, "section", aria_labelledby="group-departments-heading"), "tbody a")[0]
    assert attr(first_link, "href").startswith("/agencies/")
    assert attr(first_link, "href").endswith("#evaluation-heading")
    assert "/evaluation/method#v2026.2" in body


def test_equal_scores_share_a_rank_and_the_change_is_blank_without_a_previous_month(
    client: FlaskClient, app: Flask
) -> None:
    twins = [make_agency(name=f"并列测试局{n}") for n in range(2)]
    score_month(SEPTEMBER, TODAY)
    body = client.get("/evaluation/?month=2026-09").get_data(as_text=True)
    rows = {r["单位"]: r for r in table_rows(body, "group-departments-heading")}
    assert rows[twins[0].name]["排名"] == rows[twins[1].name]["排名"] == "1"  # 100 points, with the other 100s
    assert rows[twins[0].name]["较上月"] == "无上月评分"


def test_a_past_month_and_its_method(client: FlaskClient, scored: None) -> None:
    body = client.get("/evaluation/?month=2026-09").get_data(as_text=True)
    assert "2026-09 评价结果" in visible_text(body)
    assert "数据截至 2026年9月30日" in visible_text(body)
    chosen = one(body, "select", name="month")
    assert [text_of(o) for o in find_all(chosen, "option")] == ["2026-10", "2026-09"]
    assert find(chosen, "option", value="2026-09", selected=True) is not None


@pytest.mark.parametrize("month", ["2026-13", "2026-9", "x", "<script>alert(1)</script>", "2026-09-01"])
def test_a_malformed_month_is_400_with_the_message_beside_the_field(
    client: FlaskClient, scored: None, month: str
) -> None:
    response = client.get("/evaluation/", query_string={"month": month})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "请按 YYYY-MM 的格式填写月份" in text_of(one(body, "p", class_="field-error-message"))
    assert attr(one(body, "select", name="month"), "aria-invalid") == "true"
    assert "<script>alert" not in body
    assert find(body, "table") is None


@pytest.mark.parametrize("month", ["2026-05", "2026-11", "2031-01"])
def test_a_month_with_no_scores_is_404(client: FlaskClient, scored: None, month: str) -> None:
    assert client.get(f"/evaluation/?month={month}").status_code == 404


def test_before_any_month_is_scored_the_page_says_so(client: FlaskClient) -> None:
    response = client.get("/evaluation/")
    assert response.status_code == 200
    assert "尚无评价结果" in visible_text(response.get_data(as_text=True))


def test_the_ranking_in_english(client: FlaskClient, scored: None) -> None:
    response = client.get("/evaluation/?lang=en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)


# --- the methodology -------------------------------------------------------------------------------------------------


def test_the_method_page_lists_every_version_indicator_points_and_clause(client: FlaskClient, scored: None) -> None:
    response = client.get("/evaluation/method")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    for method in methods():
        section = one(body, "section", aria_labelledby=f"v{method.version}")
        rows = table_rows(body, f"v{method.version}")
        assert [r["指标"] for r in rows] == [str(rule.indicator.label) for rule in method.rules]
        for rule, row in zip(method.rules, rows, strict=True):
            assert row["依据"] == rule.clause
            if rule.indicator.spec.measure == "count":
                verb = "加" if rule.indicator is Indicator.POSITIVE_ITEMS else "扣"
                each, cap = format_tenths(rule.each_tenths), format_tenths(rule.cap_tenths)
                assert row["计分"] == f"每项{verb} {each} 分，最多{verb} {cap} 分"
            else:
                assert row["计分"] == f"按比例扣分：{format_tenths(rule.full_tenths)} 分 × 所占比例"
            assert row["统计期"] == ("近 12 个月（含评价月）" if rule.window_months == 12 else "月末状态")
        assert method.summary in text_of(section)
    old = text_of(one(body, "section", aria_labelledby="v2026.1"))
    assert "2026-01 至 2026-06" in old
    new = text_of(one(body, "section", aria_labelledby="v2026.2"))
    assert "2026-07 至 2026-11" in new
    assert "2026-12 起" in text_of(one(body, "section", aria_labelledby="v2026.3"))
    assert "2026-09 至 2026-10，共 2 个月" in new  # the months stored with it
    assert "尚无" in old  # none stored with 2026.1 in this test
    english = client.get("/evaluation/method?lang=en").get_data(as_text=True)
    assert methods()[1].summary_en in english


# --- the 诚信档案 ----------------------------------------------------------------------------------------------------


def test_the_profile_explains_the_latest_score_and_shows_its_history(client: FlaskClient, app: Flask) -> None:
    agency = make_agency(name="档案测试局")
    make_record(agency, decision_date=date(2026, 9, 2))
    make_record(agency, decision_date=date(2026, 9, 3), severity="serious")
    make_positive_item(agency, awarded_on=date(2026, 9, 4))
    score_month(SEPTEMBER, TODAY)
    score_month(OCTOBER, TODAY)
    body = client.get(f"/agencies/{agency.uscc}").get_data(as_text=True)
    parse_strict(body)
    section = one(body, "section", aria_labelledby="evaluation-heading")
    # 100 − 3 (general) − 8 (serious) + 2 (commendation) = 91
    assert "2026-10 等级 A" in text_of(section)
    assert "2026-10 得分 91" in text_of(section)
    assert "基础分 100 分，各指标合计 −9 分，得分 91 分" in text_of(section)
    why = {r["指标"]: r for r in rows_of(find_all(section, "table")[0])}
    assert why["公示中未履行的一般失信记录"]["数值"] == "1"
    assert why["公示中未履行的一般失信记录"]["分值"] == "−3"
    assert why["公示中未履行的严重失信记录"]["分值"] == "−8"
    assert why["表彰奖励"]["分值"] == "+2"
    assert why["7个工作日督办事项逾期"]["数值"] == "0 / 0"
    assert why["公示中未履行的严重失信记录"]["计分规则"].startswith("每项扣 8 分，最多扣 32 分")
    assert len(why) == len(stored(OCTOBER)[agency.id].parts)
    history = rows_of(find_all(section, "table")[1])
    assert [(h["月份"], h["得分"], h["等级"], h["较上月"], h["评价方法"]) for h in history] == [
        ("2026-10", "91", "A", "0", "2026.2"),
        ("2026-09", "91", "A", "无上月评分", "2026.2"),
    ]
    hrefs = [attr(a, "href") for a in find_all(section, "a")]
    assert "/evaluation/method#v2026.2" in hrefs
    assert f"/agencies/{agency.uscc}/report.pdf" in hrefs
    assert "政务诚信报告（PDF）" in text_of(section)


def test_a_profile_never_scored_says_so_and_still_links_the_report(client: FlaskClient, app: Flask) -> None:
    agency = make_agency()
    section = one(
        client.get(f"/agencies/{agency.uscc}").get_data(as_text=True), "section", aria_labelledby="evaluation-heading"
    )
    assert "尚无评价结果" in text_of(section)
    assert f"/agencies/{agency.uscc}/report.pdf" in [attr(a, "href") for a in find_all(section, "a")]


# --- the workspace ---------------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client: FlaskClient, app: Flask) -> FlaskClient:
    sign_in(client, make_user(Role.STAFF))
    return client


def test_staff_score_a_month_and_a_second_time_nothing_changes(staff_client: FlaskClient) -> None:
    page = staff_client.get("/workspace/evaluation/").get_data(as_text=True)
    assert one(page, "input", name="month").get("value") == "2026-10"  # the last finished month, prefilled
    response = post_form(staff_client, "/workspace/evaluation/", {"month": "2026-09"})
    assert response.status_code == 303
    agencies = db.session.execute(select(func.count()).select_from(Agency)).scalar_one()
    assert len(stored(SEPTEMBER)) == agencies
    shown = visible_text(staff_client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"2026-09 已评分：{agencies} 个单位（评价方法 2026.2）" in shown
    again = post_form(staff_client, "/workspace/evaluation/", {"month": "2026-09"})
    shown = visible_text(staff_client.get(again.headers["Location"]).get_data(as_text=True))
    assert f"2026-09 此前已评分，未做任何更改（{agencies} 个单位保留原评分和评价方法 2026.2）" in shown
    index = staff_client.get("/workspace/evaluation/").get_data(as_text=True)
    assert "2026-09" in text_of(one(index, "section", aria_labelledby="months-heading"))
    assert "/workspace/evaluation/2026" in index


def test_the_same_form_posted_twice_scores_once(staff_client: FlaskClient) -> None:
    page = staff_client.get("/workspace/evaluation/").get_data(as_text=True)
    data = {**hidden_fields(page), "month": "2026-09"}
    first = staff_client.post("/workspace/evaluation/", data=data)
    second = staff_client.post("/workspace/evaluation/", data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "evaluation.score")) == 1


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("", "此项必填"),
        ("2026-13", "请按 YYYY-MM 的格式填写月份"),
        ("十月", "请按 YYYY-MM 的格式填写月份"),
        ("2026-11", "2026-11 尚未结束"),
        ("2025-12", "2025-12 早于评价方法的首个适用月份（2026-01）"),
    ],
)
def test_a_month_that_cannot_be_scored_is_400_beside_the_field_and_nothing_is_stored(
    staff_client: FlaskClient, month: str, message: str
) -> None:
    response = post_form(staff_client, "/workspace/evaluation/", {"month": month})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in text_of(one(body, "p", id="month-error"))
    assert db.session.scalar(select(func.count()).select_from(AgencyScore)) == 0


@pytest.mark.parametrize(
    "path", ["/workspace/evaluation/", "/workspace/evaluation/2026", "/workspace/evaluation/2026.xlsx"]
)
def test_officers_may_not_and_visitors_are_sent_to_login(client: FlaskClient, app: Flask, path: str) -> None:
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login")
    sign_in(client, make_user(Role.OFFICER))
    assert client.get(path).status_code == 403
    if path == "/workspace/evaluation/":
        assert client.post(path, data={"month": "2026-09"}).status_code in (400, 403)
        assert db.session.scalar(select(func.count()).select_from(AgencyScore)) == 0


# --- the yearly 考核 sheet -------------------------------------------------------------------------------------------


def _records_opened(agency: Agency, year: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Record.agency_id == agency.id,
                Record.status != "revoked",
                Record.publication_start >= date(year, 1, 1),
                Record.publication_start <= date(year, 12, 31),
            )
        )
        or 0
    )


def test_the_yearly_sheet_sums_the_stored_months(staff_client: FlaskClient, scored: None) -> None:
    response = staff_client.get("/workspace/evaluation/2026")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "已评分的月份：2026-09 至 2026-10，共 2 个月" in visible_text(body)
    by_name = {a.name: a for a in db.session.scalars(select(Agency))}
    september, october = stored(SEPTEMBER), stored(OCTOBER)
    rows = table_rows(body, "sheet-townships-heading") + table_rows(body, "sheet-departments-heading")
    assert (
        len(rows) == db.session.execute(select(func.count()).select_from(Agency)).scalar_one() - 1
    )  # the county's own: not here
    for row in rows:
        agency = by_name[row["单位"]]
        total = september[agency.id].score_tenths + october[agency.id].score_tenths
        assert row["评分月数"] == "2"
        assert row["平均分"] == format_tenths((total + 1) // 2)
        assert row["最近等级"] == october[agency.id].grade
        assert row["新增失信记录"] == str(_records_opened(agency, 2026))
        overdue = next(p["count"] for p in october[agency.id].parts if p["key"] == "overdue_rectifications")
        assert row["逾期未整改（最近评分月末）"] == str(overdue)


def test_the_yearly_sheet_as_xlsx(staff_client: FlaskClient, scored: None) -> None:
    response = staff_client.get("/workspace/evaluation/2026.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="evaluation-2026.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["乡镇（街道）", "部门"]
    september, october = stored(SEPTEMBER), stored(OCTOBER)
    by_name = {a.name: a for a in db.session.scalars(select(Agency))}
    seen = 0
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == f"2026 年度政务诚信考核表（{sheet.title}）"
        assert "如东县办法 五(四)" in rows[1][0]
        header = list(rows[2])
        assert header[:3] == ["单位", "评分月数", "平均分"]
        assert header[-2:] == ["2026-09", "2026-10"]
        for values in rows[3:]:
            row = dict(zip(header, values, strict=True))
            agency = by_name[row["单位"]]
            total = september[agency.id].score_tenths + october[agency.id].score_tenths
            assert row["平均分"] == pytest.approx(((total + 1) // 2) / 10)
            assert row["2026-10"] == pytest.approx(october[agency.id].score_tenths / 10)
            assert row["A 级月数"] + row["B 级月数"] + row["C 级月数"] + row["D 级月数"] == 2
            assert row["新增失信记录"] == _records_opened(agency, 2026)
            seen += 1
    assert seen == db.session.execute(select(func.count()).select_from(Agency)).scalar_one() - 1


def test_a_year_with_no_scores_is_an_empty_sheet_and_a_future_year_is_404(staff_client: FlaskClient) -> None:
    response = staff_client.get("/workspace/evaluation/2025")
    assert response.status_code == 200
    assert "本年度尚无已评分的月份" in visible_text(response.get_data(as_text=True))
    for path in ("/workspace/evaluation/2027", "/workspace/evaluation/2027.xlsx", "/workspace/evaluation/1999"):
        assert staff_client.get(path).status_code == 404
