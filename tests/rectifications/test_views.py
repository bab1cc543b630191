from __future__ import annotations

from datetime import date

import feedparser
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.records.models import Record
from portal.rectifications.models import Rectification
from tests.conftest import TODAY
from tests.factories import make_agency, make_record, make_rectification
from tests.html import attr, css, find, find_all, links, one, parse_strict, selected_values, text_of, title_of


def test_outcomes_are_finished_rectifications_newest_first(client: FlaskClient) -> None:
    body = client.get("/outcomes/").get_data(as_text=True)
    parse_strict(body)
    today = date.fromisoformat(TODAY)
    expected = db.session.scalars(
        select(Rectification.record_id)
        .join(Rectification.record)
        .where(Rectification.finished_on.is_not(None), Record.public_clause(today))
        .order_by(Rectification.finished_on.desc(), Rectification.id.desc())
        .limit(20)
    ).all()
    assert expected
    ids = [href.removeprefix("/records/") for href in links(body) if href.startswith("/records/")]
    shown = [int(n) for n in ids if n.isdigit()]
    assert shown == list(expected)


def test_outcome_of_a_stopped_record_is_not_listed(client: FlaskClient) -> None:
    record = make_record(status="revoked", stopped_on=date(2026, 11, 1), title="已撤销的整改记录")
    make_rectification(record, outcome="performed", finished_on=date(2026, 11, 19))
    assert "已撤销的整改记录" not in client.get("/outcomes/").get_data(as_text=True)


def test_bad_page_is_400(client: FlaskClient) -> None:
    assert client.get("/outcomes/?page=x").status_code == 400


# --- filters: kind, agency and result, as the records list filters (issue 17) ------------------------------------


def listed_outcomes(client: FlaskClient, query: str) -> list[int]:
    """The record ids the outcomes list shows for `query`, every page."""
    ids: list[int] = []
    for page in range(1, 100):
        response = client.get(f"/outcomes/?{query}&page={page}")
        assert response.status_code == 200
        found = [attr(a, "href").removeprefix("/records/") for a in css(response.get_data(as_text=True), "td.title a")]
        if not found:
            return ids
        ids += [int(n) for n in found]
    raise AssertionError("more than 99 pages")


def finished_in_sql(**where: object) -> list[int]:
    today = date.fromisoformat(TODAY)
    query = (
        select(Rectification.record_id)
        .join(Rectification.record)
        .where(Rectification.finished_on.is_not(None), Record.public_clause(today))
        .order_by(Rectification.finished_on.desc(), Rectification.id.desc())
    )
    for name, value in where.items():
        column = Rectification.outcome if name == "result" else getattr(Record, name)
        query = query.where(column == value)
    return list(db.session.scalars(query))


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("result=performed", {"result": "performed"}),
        ("result=settled", {"result": "settled"}),
        ("result=case_closed", {"result": "case_closed"}),
        ("kind=arrears", {"kind": "arrears"}),
        ("kind=judgment_defaulter&result=performed", {"kind": "judgment_defaulter", "result": "performed"}),
    ],
)
def test_filters_list_exactly_the_matching_outcomes(client: FlaskClient, query: str, where: dict[str, str]) -> None:
    expected = finished_in_sql(**where)
    assert expected, f"the demo has outcomes with {query}"
    assert expected != finished_in_sql()
    assert listed_outcomes(client, query) == expected


def test_agency_filter_and_the_result_of_each_row(client: FlaskClient) -> None:
    agency = make_agency(name="演示县整改测试局")
    settled = make_record(agency, kind="arrears", title="达成和解的欠款")
    make_rectification(settled, outcome="settled", finished_on=date(2026, 11, 10))
    performed = make_record(agency, title="履行完毕的处罚")
    make_rectification(performed, outcome="performed", finished_on=date(2026, 11, 12))
    make_rectification(make_record(agency, title="仍在整改的记录"))
    make_rectification(make_record(title="别的机构的整改"), outcome="performed", finished_on=date(2026, 11, 12))
    assert listed_outcomes(client, f"agency={agency.uscc}") == [performed.id, settled.id]
    assert listed_outcomes(client, f"agency={agency.uscc}&result=settled") == [settled.id]
    assert listed_outcomes(client, f"agency={agency.uscc}&kind=arrears&result=performed") == []
    body = client.get(f"/outcomes/?agency={agency.uscc}").get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("整改结果 · 演示县整改测试局")
    rows = [{attr(td, "data-label"): text_of(td) for td in find_all(tr, "td")} for tr in css(body, "tbody tr")]
    assert rows[1] == {
        "记录": "达成和解的欠款",
        "主体": "演示县整改测试局",
        "类别": "拖欠账款/合同违约",
        "整改结果": "达成和解",
        "办结日期": "2026年11月10日",
    }
    assert selected_values(one(body, "select", id="filter-agency")) == [agency.uscc]
    assert "没有符合条件的整改结果" in client.get(f"/outcomes/?agency={agency.uscc}&result=case_closed").get_data(
        as_text=True
    )


def test_the_feed_twin_takes_the_same_filters(client: FlaskClient) -> None:
    agency = make_agency(name="演示县订阅测试局")
    settled = make_record(agency, title="订阅：达成和解")
    make_rectification(settled, outcome="settled", finished_on=date(2026, 11, 10))
    make_rectification(make_record(agency, title="订阅：履行完毕"), outcome="performed", finished_on=date(2026, 11, 11))
    response = client.get(f"/outcomes/feed.atom?agency={agency.uscc}&result=settled")
    assert response.status_code == 200
    feed = feedparser.parse(response.data)
    assert [e.title for e in feed.entries] == ["整改结果：订阅：达成和解"]
    assert feed.feed.title.startswith("演示县订阅测试局 · 达成和解 · 整改结果")
    page = client.get(f"/outcomes/?agency={agency.uscc}&result=settled").get_data(as_text=True)
    assert f"/outcomes/feed.atom?agency={agency.uscc}&amp;result=settled" in page
    assert client.get("/outcomes/feed.atom?result=late").status_code == 400


@pytest.mark.parametrize("query", ["result=overdue", "kind=nonsense", "agency=123", "result=" + "x" * 500])
def test_bad_filters_get_400_with_the_message_beside_the_field(client: FlaskClient, query: str) -> None:
    response = client.get(f"/outcomes/?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    parse_strict(body)
    name = query.split("=")[0]
    assert find(body, "p", id=f"filter-{name}-error") is not None
    assert one(body, "select", id=f"filter-{name}").get("aria-invalid") == "true"
    assert "<tbody>" not in body
