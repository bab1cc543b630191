from __future__ import annotations

import re
from datetime import date

import feedparser
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.arrears.queries import arrears_money
from portal.arrears.rules import format_wan
from portal.extensions import db
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.models import PlanStep
from portal.rectifications.rules import CaseState
from tests.conftest import TODAY
from tests.factories import make_agency, make_record, make_rectification
from tests.html import attr, css, find, find_all, one, parse_strict, selected_values, text_of, title_of, visible_text

today = date.fromisoformat(TODAY)


def public_count(**where: object) -> int:
    query = select(func.count()).select_from(Record).where(Record.public_clause(today))
    for name, value in where.items():
        query = query.where(getattr(Record, name) == value)
    return db.session.scalar(query) or 0


def listed_total(client: FlaskClient, query: str) -> int:
    body = client.get(f"/records/?{query}").get_data(as_text=True)
    pagination = find(body, "nav", class_="pagination")
    assert pagination is not None, body
    match = re.match(r"共 (\d+) 条", text_of(one(pagination, "p")))
    assert match, body
    return int(match.group(1))


def test_list_shows_public_records_newest_first(client: FlaskClient) -> None:
    response = client.get("/records/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("失信记录")
    newest = db.session.scalars(
        select(Record).where(Record.public_clause(today)).order_by(Record.publication_start.desc(), Record.id.desc())
    ).first()
    assert newest is not None
    assert f'href="/records/{newest.id}"' in body
    assert listed_total(client, "") == public_count()


@pytest.mark.parametrize("kind", list(KINDS))
def test_kind_filter_matches_sql_count(client: FlaskClient, kind: str) -> None:
    assert listed_total(client, f"kind={kind}") == public_count(kind=kind)


@pytest.mark.parametrize(
    ("name", "value"), [("status", "rectifying"), ("severity", "serious"), ("status", "fulfilled")]
)
def test_status_and_severity_filters(client: FlaskClient, name: str, value: str) -> None:
    assert listed_total(client, f"{name}={value}") == public_count(**{name: value})


def test_agency_region_and_year_filters(client: FlaskClient) -> None:
    agency = make_agency(region_code="990121105", region_name="演示县测试镇", kind="township")
    make_record(agency, decision_date=date(2025, 12, 30), severity="serious")
    make_record(agency, decision_date=date(2026, 1, 2), severity="serious")
    assert listed_total(client, f"agency={agency.uscc}") == 2
    assert listed_total(client, "region=990121105") == 2
    assert listed_total(client, f"agency={agency.uscc}&year=2026") == 1
    assert listed_total(client, f"agency={agency.uscc.lower()}&year=2025") == 1


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=abc",
        "page=0",
        "page=99999999",
        "page=%C2%B2",
        "page=%D9%A2",
        "kind=unknown",
        "status=repaired",
        "severity=huge",
        "year=20x6",
        "year=1800",
        "region=12ab",
        "agency=123",
        "kind=" + "x" * 10_000,
        "agency=" + "测" * 5000,
    ],
)
def test_bad_query_parameters_get_400_with_a_message(client: FlaskClient, query: str) -> None:
    response = client.get(f"/records/?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    name = query.split("=")[0]
    assert 'role="alert"' in body
    assert "请检查以下参数" in body
    assert f"<code>{name}</code></a> — " in body or (name == "page" and "<code>page</code> — " in body)
    assert '<form class="filters"' in body  # the form is shown again, ready to correct
    if name != "page":  # the message stands beside its field, and the field says it is invalid
        assert f'id="filter-{name}-error"' in body
        assert f'aria-describedby="filter-{name}-error"' in body
    assert "<tbody>" not in body  # nothing was listed


def test_page_past_the_end_is_an_empty_list(client: FlaskClient) -> None:
    response = client.get("/records/?page=9999")
    assert response.status_code == 200
    assert "没有符合条件的记录" in response.get_data(as_text=True)


def test_unknown_filter_agency_gives_empty_list(client: FlaskClient) -> None:
    response = client.get("/records/?agency=91350100M000100Y43")
    assert response.status_code == 200
    assert listed_total(client, "agency=91350100M000100Y43") == 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_detail_shows_the_kinds_declared_fields(client: FlaskClient, kind: str) -> None:
    record = db.session.scalars(select(Record).where(Record.kind == kind, Record.public_clause(today))).first()
    assert record is not None
    response = client.get(f"/records/{record.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith(record.title)
    text = visible_text(body)
    for field in KINDS[kind].fields:
        assert str(field.label) in text
    for field, value in record.kind_values():
        if value and field.type == "date":
            day = date.fromisoformat(value)
            assert f"{day.year}年{day.month}月{day.day}日" in text
        elif value:
            assert value in text
    assert record.agency.name in text


def test_detail_shows_period_markers_rectification_and_measures(client: FlaskClient) -> None:
    from portal.measures.models import JointMeasure

    record = make_record(objection_open=True, repair_open=True, status=RecordStatus.RECTIFYING.value)
    make_rectification(record, measures="筹措资金", deadline=date(2026, 11, 1))
    db.session.add(
        JointMeasure(
            record_id=record.id,
            kind="interview",
            implementing_agency_id=make_agency(name="演示县人民政府").id,
            applied_on=date(2026, 11, 5),
            note="逾期",
        )
    )
    db.session.flush()
    text = visible_text(client.get(f"/records/{record.id}").get_data(as_text=True))
    for expected in (
        "异议处理中",
        "修复申请中",
        "筹措资金",
        "已逾期",
        "约谈",
        "2026年11月5日",
        "1,234.56 元",
        "2027年10月1日",
    ):
        assert expected in text


def test_year_keeps_what_was_typed(client: FlaskClient) -> None:
    body = client.get("/records/?year=20x6&kind=arrears").get_data(as_text=True)
    assert 'value="20x6"' in body
    assert '<option value="arrears" selected>' in body


def test_record_not_yet_published_is_404(client: FlaskClient) -> None:
    record = make_record(publication_start=date(2026, 11, 21))
    assert client.get(f"/records/{record.id}").status_code == 404
    assert record.title not in client.get("/records/").get_data(as_text=True)


@pytest.mark.parametrize(("status", "offered"), [("fulfilled", True), ("public", False), ("rectifying", False)])
def test_repair_is_offered_only_when_the_rules_allow_it(client: FlaskClient, status: str, offered: bool) -> None:
    record = make_record(severity="minor", decision_date=date(2026, 10, 1), status=status)  # minimum: 0 months
    assert ("已可申请信用修复" in client.get(f"/records/{record.id}").get_data(as_text=True)) is offered


def test_unknown_record_is_404(client: FlaskClient) -> None:
    assert client.get("/records/987654321").status_code == 404
    assert client.get("/records/abc").status_code == 404


@pytest.mark.parametrize("status", [RecordStatus.REPAIRED, RecordStatus.REVOKED, RecordStatus.EXPIRED])
def test_stopped_record_answers_410_and_leaves_every_list(client: FlaskClient, status: RecordStatus) -> None:
    agency = make_agency()
    record = make_record(agency, status=status.value, stopped_on=date(2026, 11, 1), title="停止公示的测试记录")
    response = client.get(f"/records/{record.id}")
    assert response.status_code == 410
    text = visible_text(response.get_data(as_text=True))
    assert "该记录已停止公示" in text
    assert agency.name in text
    assert "行政处罚" in text
    assert "2026年11月1日" in text
    assert "拖延办理项目审批" not in text  # no details
    for url in ("/records/", f"/records/?agency={agency.uscc}", f"/agencies/{agency.uscc}", "/"):
        assert "停止公示的测试记录" not in client.get(url).get_data(as_text=True)


def test_record_stops_by_itself_at_its_maximum_period(client: FlaskClient) -> None:
    # minor: at most 3 months from the decision date; today is the maximum end
    record = make_record(severity="minor", decision_date=date(2026, 8, 20))
    assert record.publication_max_end == today
    response = client.get(f"/records/{record.id}")
    assert response.status_code == 410
    assert "公示期满" in response.get_data(as_text=True)
    day_before = make_record(severity="minor", decision_date=date(2026, 8, 21))
    assert client.get(f"/records/{day_before.id}").status_code == 200


# --- 整改情况 (?case=) and the arrears total: the lists the home page's figures link to (issue 17) -----------------


def records_in_state(state: CaseState) -> set[int]:
    """The public records whose rectification is in `state` today, decided in Python (Rectification.state)."""
    records = db.session.scalars(select(Record).where(Record.public_clause(today))).all()
    return {r.id for r in records if r.rectification is not None and r.rectification.state(today) is state}


def listed_ids(client: FlaskClient, query: str) -> set[int]:
    ids: set[int] = set()
    for page in range(1, 100):
        body = client.get(f"/records/?{query}&page={page}").get_data(as_text=True)
        found = [attr(a, "href").removeprefix("/records/") for a in css(body, "td.title a")]
        if not found:
            return ids
        ids |= {int(n) for n in found}
    raise AssertionError("more than 99 pages")


@pytest.mark.parametrize("state", list(CaseState))
def test_case_filter_lists_exactly_the_records_in_that_state(client: FlaskClient, state: CaseState) -> None:
    expected = records_in_state(state)
    assert expected, f"the demo has records whose rectification is {state}"
    assert listed_total(client, f"case={state.value}") == len(expected)
    assert listed_ids(client, f"case={state.value}") == expected


def test_overdue_is_a_passed_deadline_of_the_plan_or_of_one_measure(client: FlaskClient) -> None:
    agency = make_agency()
    late_plan = make_record(agency, title="整改期限已过的记录")
    make_rectification(late_plan, deadline=date(2026, 11, 19))
    late_step = make_record(agency, title="一项措施逾期的记录")
    make_rectification(
        late_step, measures=[PlanStep(text="先行支付", deadline=date(2026, 11, 1))], deadline=date(2026, 12, 31)
    )
    on_time = make_record(agency, title="按期整改中的记录")
    make_rectification(on_time, deadline=date(2026, 11, 20))  # due today: not yet overdue
    finished = make_record(agency, title="已办结的记录")
    make_rectification(finished, deadline=date(2026, 11, 1), outcome="performed", finished_on=date(2026, 10, 30))
    make_record(agency, title="没有整改方案的记录")
    assert listed_ids(client, f"agency={agency.uscc}&case=overdue") == {late_plan.id, late_step.id}
    assert listed_ids(client, f"agency={agency.uscc}&case=open") == {on_time.id}
    assert listed_ids(client, f"agency={agency.uscc}&case=finished") == {finished.id}
    assert listed_total(client, f"agency={agency.uscc}") == 5
    # the feed twin takes the same filter
    feed = feedparser.parse(client.get(f"/records/feed.atom?agency={agency.uscc}&case=overdue").data)
    assert {int(e.id.rsplit("/", 1)[1]) for e in feed.entries} == {late_plan.id, late_step.id}
    assert feed.feed.title.startswith(f"{agency.name} · 逾期未整改")


def test_the_case_filter_is_offered_and_a_bad_value_is_refused_beside_it(client: FlaskClient) -> None:
    body = client.get("/records/?case=overdue").get_data(as_text=True)
    chosen = one(body, "select", id="filter-case")
    assert [text_of(o) for o in find_all(chosen, "option")] == ["全部", "整改中", "逾期未整改", "已办结"]
    assert selected_values(chosen) == ["overdue"]
    response = client.get("/records/?case=late")
    assert response.status_code == 400
    assert text_of(one(response.get_data(as_text=True), "p", id="filter-case-error")) == "不是可选的值"


def test_the_arrears_list_adds_up_what_its_records_owe(client: FlaskClient) -> None:
    body = client.get("/records/?kind=arrears&sort=amount").get_data(as_text=True)
    owed = arrears_money(today).owed  # the home page's figure, which links here
    assert owed > 0
    total = listed_total(client, "kind=arrears")
    assert text_of(one(body, "p", id="amount-owed")) == f"符合条件的 {total} 条记录拖欠金额合计 {format_wan(owed)}。"
    agency = make_agency()
    make_record(agency, kind="arrears", amount_fen=1_234_567, details={"amount_owed": 1_234_567})
    make_record(agency, kind="arrears", amount_fen=100, details={"amount_owed": 100})
    make_record(agency)  # a penalty: no amount, and not in an arrears list
    body = client.get(f"/records/?kind=arrears&agency={agency.uscc}").get_data(as_text=True)
    assert text_of(one(body, "p", id="amount-owed")) == f"符合条件的 2 条记录拖欠金额合计 {format_wan(1_234_667)}。"
    assert find(client.get(f"/records/?agency={agency.uscc}").get_data(as_text=True), "p", id="amount-owed") is None
