from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from tests.conftest import TODAY
from tests.factories import make_agency, make_record, make_rectification
from tests.html import attr, css

FEEDS = [
    "/records/feed.atom",
    "/records/feed.rss",
    "/commitments/feed.atom",
    "/commitments/feed.rss",
    "/outcomes/feed.atom",
    "/outcomes/feed.rss",
]


def parse(client: FlaskClient, path: str, **headers: str) -> feedparser.FeedParserDict:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def record_ids_in_html(client: FlaskClient, path: str) -> list[int]:
    body = client.get(path).get_data(as_text=True)
    ids = [attr(a, "href").removeprefix("/records/") for a in css(body, "td a[href^='/records/']")]
    return [int(n) for n in ids if n.isdigit()]


def record_ids_in_feed(parsed: feedparser.FeedParserDict) -> list[int]:
    return [int(e.id.rsplit("/", 1)[1]) for e in parsed.entries]


@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_parses_with_entries(client: FlaskClient, path: str) -> None:
    parsed = parse(client, path)
    assert parsed.entries
    assert all(e.id.startswith("tag:credit.yanshixian.example,2026:") for e in parsed.entries)
    assert len(parsed.entries) <= 50


@pytest.mark.parametrize(
    "query", ["", "kind=arrears", "kind=judgment_defaulter&status=public", "severity=serious&year=2026"]
)
def test_a_filters_feed_holds_exactly_what_its_list_shows(client: FlaskClient, query: str) -> None:
    html = record_ids_in_html(client, f"/records/?{query}")
    feed = record_ids_in_feed(parse(client, f"/records/feed.atom?{query}"))
    assert html
    assert feed[: len(html)] == html


def test_feed_titles_name_the_filters(client: FlaskClient) -> None:
    agency = make_agency(name="演示县测试财政局")
    make_record(agency, kind="judgment_defaulter")
    parsed = parse(client, f"/records/feed.atom?agency={agency.uscc}&kind=judgment_defaulter&status=public")
    assert parsed.feed.title.startswith("演示县测试财政局 · 失信被执行人 · 公示中")
    english = parse(client, "/records/feed.atom?kind=arrears&lang=en")
    assert english.feed.title.startswith("Arrears")


def test_entries_carry_agency_kind_and_times(client: FlaskClient) -> None:
    record = make_record(
        title="最新的测试记录",
        decision_date=date.fromisoformat(TODAY),
        kind="arrears",
        details={"contract_number": "YSX-1"},
    )
    entry = parse(client, "/records/feed.atom").entries[0]
    assert entry.title == "最新的测试记录"
    assert entry.author == record.agency.name
    assert entry.tags[0].term == "arrears"
    assert entry.published_parsed[:3] == (2026, 11, 19)  # 00:00 in Shanghai is 16:00 UTC the day before
    assert entry.link.endswith(f"/records/{record.id}")


def test_entry_ids_are_stable(client: FlaskClient) -> None:
    first = [e.id for e in parse(client, "/records/feed.rss").entries]
    second = [e.id for e in parse(client, "/records/feed.rss").entries]
    assert first == second


def test_paging_links_follow_rfc5005(client: FlaskClient) -> None:
    parsed = parse(client, "/records/feed.atom")
    links = {link.rel: link.href for link in parsed.feed.links}
    assert "page=2" in links["next"]
    assert "previous" not in links
    second = parse(client, "/records/feed.atom?page=2")
    links2 = {link.rel: link.href for link in second.feed.links}
    assert links2["previous"].endswith("page=1")
    assert not set(record_ids_in_feed(parsed)) & set(record_ids_in_feed(second))


def test_a_stopped_record_leaves_every_feed(client: FlaskClient) -> None:
    agency = make_agency()
    record = make_record(agency, title="将被撤销的记录", decision_date=date.fromisoformat(TODAY))
    make_rectification(record, outcome="performed", finished_on=date.fromisoformat(TODAY))
    feeds = ["/records/feed.atom", "/outcomes/feed.atom", f"/agencies/{agency.uscc}/feed.atom"]
    assert all("将被撤销的记录" in client.get(path).get_data(as_text=True) for path in feeds)
    change_status(record, RecordStatus.REVOKED, date.fromisoformat(TODAY), reason="异议成立", actor="staff")
    for path in feeds:
        assert "将被撤销的记录" not in client.get(path).get_data(as_text=True), path


def test_agency_feed_has_records_commitments_and_outcomes(client: FlaskClient) -> None:
    agency = db.session.scalars(select(Agency).order_by(Agency.id)).first()
    assert agency is not None
    parsed = parse(client, f"/agencies/{agency.uscc}/feed.atom")
    kinds = {e.id.split(":")[-1].split("/")[0] for e in parsed.entries}
    assert {"records", "commitments"} <= kinds
    assert parsed.feed.title.startswith(agency.name)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/records/feed.atom?kind=nonsense", 400),
        ("/records/feed.rss?page=abc", 400),
        ("/records/feed.atom?page=999", 404),
        ("/commitments/feed.atom?type=%00", 400),
        ("/agencies/91350100M000100Y43/feed.atom", 404),
        ("/agencies/%00/feed.rss", 404),
        ("/records/feed.json", 404),
    ],
)
def test_bad_feed_requests_get_4xx(client: FlaskClient, path: str, status: int) -> None:
    assert client.get(path).status_code == status


def test_conditional_requests(client: FlaskClient) -> None:
    first = client.get("/records/feed.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"]
    by_etag = client.get("/records/feed.atom", headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.data == b""
    assert by_etag.headers["ETag"] == etag  # RFC 9110: a 304 repeats the validator (and no representation data)
    by_date = client.get("/records/feed.atom", headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    assert client.get("/records/feed.atom?kind=arrears").headers["ETag"] != etag  # another filter, another feed

    make_record(title="新公示的记录", decision_date=date.fromisoformat(TODAY))
    after = client.get("/records/feed.atom", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "新公示的记录" in after.get_data(as_text=True)
    assert after.headers["ETag"] != etag


def test_validator_stays_while_content_stays(client: FlaskClient) -> None:
    etag = client.get("/records/feed.atom?kind=arrears").headers["ETag"]
    make_record(kind="administrative_penalty", decision_date=date.fromisoformat(TODAY))  # another kind
    assert client.get("/records/feed.atom?kind=arrears").headers["ETag"] == etag


def test_list_pages_link_their_feeds(client: FlaskClient) -> None:
    body = client.get("/records/?kind=arrears&page=2").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in body
    assert 'href="/records/feed.atom?kind=arrears"' in body
    assert 'href="/records/feed.rss?kind=arrears"' in body
    for path, feed in (
        ("/commitments/", "/commitments/feed.atom"),
        ("/outcomes/", "/outcomes/feed.rss"),
        ("/", "/records/feed.atom"),
    ):
        assert f'href="{feed}"' in client.get(path).get_data(as_text=True)


def test_conditional_requests_reuse_the_latest_change_briefly(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]

    settings = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = replace(settings, feed_freshness_seconds=0.3)
    try:
        etag = client.get("/records/feed.atom").headers["ETag"]
        make_record(title="刚刚公示的记录", decision_date=date.fromisoformat(TODAY))
        assert client.get("/records/feed.atom", headers={"If-None-Match": etag}).status_code == 304  # within 0.3 s
        time.sleep(0.35)
        after = client.get("/records/feed.atom", headers={"If-None-Match": etag})
        assert after.status_code == 200
        assert "刚刚公示的记录" in after.get_data(as_text=True)
    finally:
        app.config["PORTAL_SETTINGS"] = settings


FEEDS = [
    "/records/feed.atom",
    "/commitments/feed.rss",
    "/outcomes/feed.atom",
    "/search/feed.rss?q=拖欠",
    "/reports/feed.atom",
]


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("query", ["utm_source=%00", "utm_source=%0b", "x%01y=1", "utm_source=%C2%85", "a=%EF%BF%BF"])
def test_a_control_character_in_any_query_parameter_of_a_feed_is_a_400(
    client: FlaskClient, feed: str, query: str
) -> None:
    """A feed names its own address in its XML, which cannot hold a control character (issue 19): even a parameter
    the feed ignores is refused with a message, never a 500."""
    response = client.get(f"{feed}{'&' if '?' in feed else '?'}{query}")
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)
    # the same feed with a plain tracking parameter is served (the search feed answers 503 where no index is built)
    assert client.get(f"{feed}{'&' if '?' in feed else '?'}utm_source=weibo").status_code in (200, 503)


def test_absolute_links_come_from_the_base_url_never_the_host_header(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: with PORTAL_BASE_URL set (production requires it), a forged Host header changes no link a feed
    gives out: not the entries', not the feed's own, not its pages', not the search API's."""
    make_record()
    base = "https://credit.example.gov.cn"
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], base_url=base))
    for path in [*FEEDS, "/search/feed.atom?q=财政局", "/reports/feed.atom"]:
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert "evil.example" not in text, path
        assert f"{base}/" in text, path
    found = client.get("/api/v1/search?q=财政局", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in found
    assert base in found
