from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.home import health
from portal.records.models import Record
from portal.search.index import SearchIndex
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
    assert 'action="/lookup"' in body  # the 信用查询 box: an agency's code opens its page, anything else is searched
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


def test_deep_healthz_tries_each_part_and_names_the_one_that_failed(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/healthz?deep=1 (issue 19): a write to the database, the search index, a file in the files directory and
    room on the disks; 503 names what failed."""
    settings = app.config["PORTAL_SETTINGS"]
    index = SearchIndex(tmp_path / "index", "tantivy", settings.content_dir)
    monkeypatch.setitem(app.extensions, "search_index", index)
    missing = client.get("/healthz?deep=1")  # no index built yet
    assert missing.status_code == 503
    assert missing.json is not None
    assert missing.json["failed"] == ["search_index"]
    assert missing.json["database"] == missing.json["files"] == missing.json["disk"] == "ok"

    index.rebuild(db.session, date.fromisoformat(TODAY))
    healthy = client.get("/healthz?deep=1")
    assert healthy.status_code == 200
    assert healthy.json == {
        "status": "ok",
        "failed": [],
        "database": "ok",
        "search_index": "ok",
        "files": "ok",
        "disk": "ok",
    }

    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", dataclasses.replace(settings, files_dir=blocked / "files"))
    monkeypatch.setattr(health, "MIN_FREE_BYTES", 2**62)  # no disk has that much room
    broken = client.get("/healthz?deep=1")
    assert broken.status_code == 503
    assert broken.json is not None
    assert broken.json["failed"] == ["files", "disk"]
    assert client.get("/healthz").status_code == 200  # the plain check is only about the database
