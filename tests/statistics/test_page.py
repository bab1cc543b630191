"""/statistics/ as a page: plain HTML and inline SVG (no script), each chart named for assistive technology and
followed by its table, sized for a 390-px phone; odd query strings answer 4xx or are ignored; the figures are kept
per process until the data changes, and a page asks the database a fixed number of questions."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from flask.testing import FlaskClient

from portal.statistics import queries
from tests.conftest import TODAY
from tests.factories import make_agency
from tests.html import find, find_all, one, parse_strict, text_of, title_of
from tests.statements import counted
from tests.statistics.builders import defaulter, table_rows

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = {  # chart id -> the table that carries its figures
    "chart-defaulters": "table-defaulters",
    "chart-arrears": "table-arrears",
    "chart-levels": "table-levels",
    "chart-subtypes": "table-subtypes",
    "chart-kinds": "table-kinds",
    "chart-tiers": "table-tiers",
    "chart-regions": "table-regions",
    "chart-complaints": "table-complaints",
}


def test_page_is_plain_html_with_named_svg_charts_and_their_tables(client: FlaskClient) -> None:
    response = client.get("/statistics/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("统计数据")
    assert "<script" not in body
    assert " on" + "load=" not in body
    assert "javascript:" not in body
    assert "style=" not in body
    assert "<style" not in body
    charts = find_all(body, f"{SVG}svg", class_="chart")
    assert {c.get("id") for c in charts} == set(CHARTS)
    for chart in charts:
        chart_id = chart.get("id", "")
        assert chart.get("role") == "img"
        title_id, desc_id = chart.get("aria-labelledby", "").split()
        title = one(chart, f"{SVG}title", id=title_id)
        desc = one(chart, f"{SVG}desc", id=desc_id)
        assert text_of(title)
        assert "下表" in text_of(desc)
        # scales to the width it is given, never wider: a viewBox, width 100%, no fixed pixel width
        assert chart.get("viewBox", "").startswith("0 0 ")
        assert chart.get("width") == "100%"
        assert float(chart.get("viewBox", "").split()[2]) <= 400
        table = find(body, "table", id=CHARTS[chart_id])
        assert table is not None
        assert find(table, "caption") is not None
    # wide tables become cards on a phone (every cell labelled); the others have at most 5 short columns
    for table in find_all(body, "table"):
        cells = find_all(table, "td")
        labelled = [td for td in cells if td.get("data-label")]
        assert labelled == [] or labelled == cells, table.get("id")
        if not labelled:
            assert len(find_all(find_all(table, "tr")[0], "th")) <= 5
    for table_id in ("table-arrears", "table-levels", "table-subtypes"):
        assert all(td.get("data-label") for td in find_all(one(body, "table", id=table_id), "td"))


def test_headings_are_in_order_and_every_section_cites_its_clause(client: FlaskClient) -> None:
    body = client.get("/statistics/").get_data(as_text=True)
    levels = [int(e.tag[1]) for e in find_all(body) if e.tag in ("h1", "h2", "h3", "h4")]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    sections = {s.get("id"): text_of(s) for s in find_all(body, "section") if s.get("id")}
    assert "泰信用办〔2022〕12号 一、二(五)" in sections["defaulters"]
    assert "沈政办发〔2018〕117号 二(三)1" in sections["arrears"]
    assert "乡镇（街道）" in sections["arrears"]
    assert "县级" in sections["arrears"]


@pytest.mark.parametrize(
    "query", ["?months=7", "?months=%00", "?months=" + "9" * 300, "?months=-12", "?months=１２", "?months=12.0"]
)
def test_bad_months_are_400_with_the_message_beside_the_field(client: FlaskClient, query: str) -> None:
    response = client.get(f"/statistics/{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert find(body, "p", id="filter-months-error") is not None
    assert one(body, "select", id="filter-months").get("aria-invalid") == "true"
    assert find_all(body, f"{SVG}svg", class_="chart") == []


@pytest.mark.parametrize("query", ["?months=24", "?months=12", "?months=", "?page=x&utm=%00&kind=nonsense", "?lang=en"])
def test_good_or_unknown_parameters_answer_200(client: FlaskClient, query: str) -> None:
    assert client.get(f"/statistics/{query}").status_code == 200


def test_other_methods_are_refused(client: FlaskClient) -> None:
    assert client.post("/statistics/").status_code in (400, 405)
    assert client.open("/statistics/", method="PUT").status_code == 405


def test_english_page_renders_with_english_dates(client: FlaskClient) -> None:
    body = client.get("/statistics/?lang=en").get_data(as_text=True)
    parse_strict(body)
    assert '<html lang="en">' in body
    assert table_rows(body, "table-defaulters")[-1][0].startswith(TODAY)


def test_figures_are_kept_until_the_data_changes(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[date] = []
    compute = queries.compute

    def counting(today: date, months: int) -> queries.Figures:
        calls.append(today)
        return compute(today, months)

    monkeypatch.setattr(queries, "compute", counting)
    defaulter(make_agency(), date(2026, 11, 2))  # a version no earlier test had
    first = table_rows(client.get("/statistics/").get_data(as_text=True), "table-defaulters")[-1]
    with counted() as statements:
        assert client.get("/statistics/").status_code == 200
    assert len(calls) == 1  # the second request used the kept figures
    # kept: the data version (one statement), the test's savepoint and the demo-banner check
    assert len(statements) <= 3, statements
    defaulter(make_agency(), date(2026, 11, 3))
    after = table_rows(client.get("/statistics/").get_data(as_text=True), "table-defaulters")[-1]
    assert len(calls) == 2
    assert int(after[1]) == int(first[1]) + 1
    client.get("/statistics/?months=24")
    assert len(calls) == 3  # another range: its own figures


def test_counting_takes_a_fixed_number_of_statements(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the number of records, months or agencies: one statement per chart group, never one per row."""
    sizes = []
    for extra in (0, 12):
        for n in range(extra):
            defaulter(make_agency(), date(2026, 1 + n % 10, 1))
        assert client.get("/statistics/?months=24").status_code == 200  # the test's set-up flushed first
        monkeypatch.setattr(queries, "_CACHE", {})
        with counted() as statements:
            assert client.get("/statistics/?months=24").status_code == 200
        sizes.append(len(statements))
    assert sizes[0] == sizes[1] <= 10, sizes
