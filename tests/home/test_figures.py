"""The home page's headline figures: each links to a page that shows exactly that figure, counted in the linked
page's own rows or stated total (issue 14: "19 bodies listed" leads to those 19 bodies, not to their records)."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.arrears.rules import format_wan
from portal.core.money import format_yuan
from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import listed_defaulter_count, listed_defaulter_ids
from tests.conftest import TODAY
from tests.factories import make_agency, make_record
from tests.html import attr, find, find_all, one, text_of
from tests.statistics.builders import arrears, list_total, pay, table_rows

today = date.fromisoformat(TODAY)


def figure(body: str, figure_id: str) -> tuple[str, str]:
    """A headline figure's text and the address it links to."""
    link = one(one(body, "div", id=figure_id), "a")
    return text_of(link), attr(link, "href")


def home(client: FlaskClient) -> str:
    return client.get("/").get_data(as_text=True)


def test_the_defaulter_figure_leads_to_exactly_those_bodies(client: FlaskClient) -> None:
    twice = make_agency(name="测试重复列入的机构")
    make_record(twice, kind="judgment_defaulter")
    make_record(twice, kind="judgment_defaulter")  # two records, one body
    make_record(make_agency(name="测试已清零的机构"), kind="judgment_defaulter", status="fulfilled")
    text, href = figure(home(client), "figure-defaulters")
    assert int(text) == listed_defaulter_count(today)
    response = client.get(href)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    listed = [text_of(one(li, "a")) for ul in find_all(body, "ul", class_="agency-list") for li in find_all(ul, "li")]
    assert len(listed) == int(text)
    assert f"今日共 {text} 个政府机构被列为失信被执行人" in text_of(one(body, "p", id="agency-total"))
    expected = db.session.scalars(select(Agency.name).where(Agency.id.in_(listed_defaulter_ids(today)))).all()
    assert sorted(listed) == sorted(expected)
    assert "测试重复列入的机构" in listed
    assert "测试已清零的机构" not in listed
    records = db.session.scalar(
        select(func.count()).where(
            Record.public_clause(today),
            Record.kind == "judgment_defaulter",
            Record.status.in_(["public", "rectifying"]),
        )
    )
    assert records is not None
    assert records > int(text)
    assert "查看全部机构" in [text_of(a) for a in find_all(one(body, "main"), "a", href="/agencies/")]  # the way back


def test_the_record_and_commitment_figures_lead_to_lists_of_that_many(client: FlaskClient) -> None:
    make_record(title="首页数字测试记录")
    body = home(client)
    for figure_id, href in (("figure-records", "/records/"), ("figure-commitments", "/commitments/")):
        text, link = figure(body, figure_id)
        assert link == href
        assert list_total(client.get(link).get_data(as_text=True)) == int(text), figure_id


def test_the_money_owed_leads_to_the_records_that_add_up_to_it(client: FlaskClient) -> None:
    record = arrears(make_agency(), today, 123_456_789_01)
    pay(record, today, 1_000_000_00)
    text, href = figure(home(client), "money-owed")
    ids: list[int] = []
    shown_amounts: list[str] = []
    while href:
        page = client.get(href).get_data(as_text=True)
        for row in find_all(one(page, "table", class_="list"), "tr"):
            cells = find_all(row, "td")
            if cells:
                ids.append(int(attr(one(cells[0], "a"), "href").rsplit("/", 1)[1]))
                shown_amounts.append(text_of(cells[-1]))
        following = find(page, "a", rel="next")
        href = following.get("href", "") if following is not None else ""
    amounts = {
        i: amount for i, amount in db.session.execute(select(Record.id, Record.amount_fen).where(Record.id.in_(ids)))
    }
    assert len(set(ids)) == len(ids)
    assert format_wan(sum(int(amounts[i] or 0) for i in ids)) == text
    assert shown_amounts == [format_yuan(int(amounts[i] or 0)) for i in ids]  # the list's amount column
    assert record.id in ids


def test_repaid_and_outstanding_lead_to_the_statistics_table_that_shows_them(client: FlaskClient) -> None:
    record = arrears(make_agency(), today, 500_000_00)
    pay(record, today, 123_45)
    body = home(client)
    repaid, repaid_href = figure(body, "money-repaid")
    outstanding, outstanding_href = figure(body, "money-outstanding")
    owed, _ = figure(body, "money-owed")
    assert repaid_href == outstanding_href == "/statistics/#arrears"
    total = table_rows(client.get(repaid_href).get_data(as_text=True), "table-levels")[-1]
    assert total[0] == "合计"
    assert total[2:] == [owed, repaid, outstanding]


def test_the_band_links_to_the_statistics(client: FlaskClient) -> None:
    section = one(home(client), "section", class_="figures")
    assert find(section, "a", href="/statistics/") is not None


@pytest.mark.parametrize(
    "query", ["?listed=records", "?listed=%00", "?listed=" + "x" * 300, "?listed=JUDGMENT_DEFAULTER"]
)
def test_a_bad_agency_filter_is_400_beside_its_field(client: FlaskClient, query: str) -> None:
    response = client.get(f"/agencies/{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert find(body, "p", id="filter-listed-error") is not None
    assert find_all(body, "ul", class_="agency-list") == []


@pytest.mark.parametrize("query", ["", "?listed=", "?page=abc", "?utm=%00", "?listed=judgment_defaulter&x=1"])
def test_the_agency_list_ignores_what_it_does_not_read(client: FlaskClient, query: str) -> None:
    assert client.get(f"/agencies/{query}").status_code == 200
