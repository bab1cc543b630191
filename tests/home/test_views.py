from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.records.models import Record
from tests.conftest import TODAY
from tests.factories import make_agency, make_record
from tests.html import one, parse_strict, text_of, title_of, visible_text


def defaulter_figure(client: FlaskClient) -> int:
    body = client.get("/").get_data(as_text=True)
    link = one(one(body, "div", id="figure-defaulters"), "a")
    assert link.get("href") == "/agencies/?listed=judgment_defaulter"  # the bodies, not their records
    return int(text_of(link))


def test_home_has_sections_search_box_and_demo_banner(client: FlaskClient) -> None:
    body = client.get("/").get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("首页")
    for href in (
        'href="/records/"',
        'href="/commitments/"',
        'href="/agencies/"',
        'href="/outcomes/"',
        'href="/pages/"',
        'href="/statistics/"',
    ):
        assert href in body
    assert 'action="/search"' in body
    assert "虚构的演示数据" in body


def test_defaulter_figure_counts_bodies_now_listed(client: FlaskClient) -> None:
    today = date.fromisoformat(TODAY)
    expected = db.session.scalar(
        select(func.count(func.distinct(Record.agency_id))).where(
            Record.public_clause(today),
            Record.kind == "judgment_defaulter",
            Record.status.in_(["public", "rectifying"]),
        )
    )
    assert defaulter_figure(client) == expected
    agency = make_agency()
    make_record(agency, kind="judgment_defaulter")
    make_record(agency, kind="judgment_defaulter")  # the same body twice counts once
    make_record(kind="judgment_defaulter", status="fulfilled")  # cleared: not counted
    assert defaulter_figure(client) == expected + 1


def test_latest_disclosures_are_on_the_home_page(client: FlaskClient) -> None:
    record = make_record(title="今天公示的测试记录", decision_date=date.fromisoformat(TODAY))
    assert record.title in visible_text(client.get("/").get_data(as_text=True))


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_unknown_page_is_404_with_a_page(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_security_headers(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_head_and_wrong_method(client: FlaskClient) -> None:
    head = client.head("/records/")
    assert head.status_code == 200
    assert head.data == b""
    post = client.post("/records/")
    assert post.status_code in (400, 405)  # CSRF or method: never a 500, never a change
    response = client.open("/records/", method="PUT")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "不支持的请求方法" in response.get_data(as_text=True)


def test_content_language_follows_the_choice(client: FlaskClient) -> None:
    assert client.get("/").headers["Content-Language"] == "zh-CN"
    assert client.get("/?lang=en").headers["Content-Language"] == "en"
