"""The search page, its JSON API and its feeds, as people and feed readers see them."""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote

import feedparser
import pytest
from flask.testing import FlaskClient

from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import public_records
from portal.search.index import SearchIndex
from tests.factories import make_record
from tests.html import attr, css, one, parse_strict, text_of, title_of, visible_text
from tests.search.conftest import TODAY_DATE, publish


def _result_links(body: str) -> list[str]:
    return [attr(a, "href") for a in css(body, "ol.results h3 a")]


def _a_public_record() -> Record:
    record = db.session.scalars(public_records(TODAY_DATE).where(Record.kind == "arrears")).first()
    assert record is not None
    return record


def test_results_with_highlights_total_facets_and_feed_links(index: SearchIndex, client: FlaskClient) -> None:
    response = client.get("/search?q=拖欠")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    parse_strict(body)
    assert title_of(body).startswith("搜索：拖欠")
    assert re.fullmatch(r"共找到 \d+ 条结果", text_of(one(body, "h2", id="results-title")))
    assert "<mark>拖欠</mark>" in body
    assert 'href="/search?q=%E6%8B%96%E6%AC%A0&amp;type=record"' in body  # a facet link narrows the search
    assert 'href="/search/feed.atom?q=%E6%8B%96%E6%AC%A0"' in body
    assert 'rel="alternate" type="application/atom+xml"' in body


def test_a_document_number_finds_its_record_first(index: SearchIndex, client: FlaskClient) -> None:
    record = _a_public_record()
    body = client.get(f"/search?q={quote(record.document_number)}").get_data(as_text=True)
    assert _result_links(body)[0] == f"/records/{record.id}"


def test_facets_combine_and_a_chosen_facet_can_be_removed(index: SearchIndex, client: FlaskClient) -> None:
    body = client.get("/search?q=拖欠&type=record&kind=arrears&year=2026").get_data(as_text=True)
    assert "取消" in body
    assert 'href="/search?q=%E6%8B%96%E6%AC%A0&amp;type=record&amp;year=2026"' in body  # removes kind only
    for link in _result_links(body):
        record = db.session.get(Record, int(link.rsplit("/", 1)[1]))
        assert record is not None
        assert record.kind == "arrears"
        assert record.decision_date.year == 2026


def test_sorting_by_date_and_paging(index: SearchIndex, client: FlaskClient) -> None:
    body = client.get("/search?q=演示县&sort=date&page=2").get_data(as_text=True)
    dates = [attr(t, "datetime") for t in css(body, "ol.results time[datetime]")]
    assert len(dates) == 20
    assert dates == sorted(dates, reverse=True)
    assert "第 2 /" in body
    assert 'rel="prev"' in body
    assert 'rel="next"' in body


def test_agency_lookup_forgives(index: SearchIndex, client: FlaskClient) -> None:
    # pinyin, initials, a near-sound typo or the name itself names the agency: its card heads the results
    for query in ("czj", "caizhengju", "财证局", '"财政局"', "-拖欠 财政局", "财政局 2026"):
        body = client.get(f"/search?q={quote(query)}").get_data(as_text=True)
        cards = css(body, "ul.named-agencies h3 a")
        assert [text_of(a) for a in cards] == ["演示县财政局"], query
        assert "您是不是要找" not in body, query
    # part of a name names nothing: the agencies it may mean are suggested
    body = client.get(f"/search?q={quote('财政')}").get_data(as_text=True)
    assert css(body, "ul.named-agencies") == []
    assert "您是不是要找" in body
    assert [text_of(a) for a in css(body, "aside.suggestions li a")] == ["演示县财政局"]


def test_english_page(index: SearchIndex, client: FlaskClient) -> None:
    body = client.get("/search?q=拖欠&lang=en").get_data(as_text=True)
    assert re.fullmatch(r"\d+ results", text_of(one(body, "h2", id="results-title")))
    assert "Narrow down" in body
    assert "Sort by" in body


@pytest.mark.parametrize(
    "query",
    ['"未闭合', "-", '""', "- -", "\x01\x02", "长" * 5000, "<script>alert(1)</script>", "javascript:alert(1)", "%"],
)
def test_odd_queries_answer_without_error(index: SearchIndex, client: FlaskClient, query: str) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert "<script>alert" not in body


def test_a_very_long_query_says_it_was_cut(index: SearchIndex, client: FlaskClient) -> None:
    body = client.get("/search", query_string={"q": "拖欠" * 2500}).get_data(as_text=True)
    assert "查询过长" in body


def test_stored_text_is_escaped_in_results(writable_index: SearchIndex, client: FlaskClient) -> None:
    record = make_record(title="<img src=x onerror=alert(1)>夔牛记录", summary="<script>alert(2)</script>夔牛")
    publish(f"record:{record.id}")
    body = client.get("/search?q=夔牛").get_data(as_text=True)
    assert f"/records/{record.id}" in body
    assert "<img src=x" not in body
    assert "<script>alert(2)" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=nothing", "type"),
        ("kind=x", "kind"),
        ("year=20x6", "year"),
        ("agency=123", "agency"),
        ("region=abc", "region"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("status=%00", "status"),
    ],
)
def test_bad_parameters_get_400_with_the_message_beside_the_field(
    index: SearchIndex, client: FlaskClient, query: str, field: str
) -> None:
    response = client.get(f"/search?q=拖欠&{query}")
    assert response.status_code == 400
    assert "请检查以下参数" in response.get_data(as_text=True)
    api = client.get(f"/api/v1/search?q=拖欠&{query}")
    assert api.status_code == 400
    assert field in api.get_json()["problems"]


def test_the_api_answers_json(index: SearchIndex, client: FlaskClient) -> None:
    record = _a_public_record()
    answer = client.get(f"/api/v1/search?q={quote(record.document_number)}").get_json()
    assert answer["items"][0]["key"] == f"record:{record.id}"
    assert answer["items"][0]["url"].endswith(f"/records/{record.id}")
    assert answer["total"] >= 1
    assert {"type", "kind", "status", "agency", "region", "year"} <= answer["facets"].keys()


def test_a_missing_index_gives_503_on_search_only(writable_index: SearchIndex, client: FlaskClient) -> None:
    shutil.rmtree(writable_index.link.resolve())
    page = client.get("/search?q=拖欠")
    assert page.status_code == 503
    assert "搜索索引正在重建" in page.get_data(as_text=True)
    assert client.get("/api/v1/search?q=拖欠").status_code == 503
    assert client.get("/search/feed.atom?q=拖欠").status_code == 503
    for path in ("/", "/records/", "/commitments/", "/agencies/", "/outcomes/", "/records/feed.atom"):
        assert client.get(path).status_code == 200, path
    assert client.get("/search").status_code == 200  # the empty form still shows


# -- feeds --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_search_feeds_parse_and_carry_the_items_own_ids(index: SearchIndex, client: FlaskClient, fmt: str) -> None:
    response = client.get(f"/search/feed.{fmt}?q=拖欠&type=record")
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert "“拖欠” · 失信记录 · 搜索结果" in parsed.feed.title
    assert parsed.entries
    list_ids = {e.id for e in feedparser.parse(client.get(f"/records/feed.{fmt}").data).entries}
    search_ids = {e.id for e in parsed.entries}
    assert search_ids & list_ids  # the same item has the same id in every feed
    dates = [e.published_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)


def test_search_feed_conditional_requests(writable_index: SearchIndex, client: FlaskClient) -> None:
    first = client.get("/search/feed.atom?q=狻猊")
    etag = first.headers["ETag"]
    assert client.get("/search/feed.atom?q=狻猊", headers={"If-None-Match": etag}).status_code == 304
    record = make_record(title="新公示的狻猊记录")
    publish(f"record:{record.id}")
    after = client.get("/search/feed.atom?q=狻猊", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert "新公示的狻猊记录" in visible_text(after.get_data(as_text=True))


def test_a_search_feed_holds_what_the_date_sorted_page_shows(index: SearchIndex, client: FlaskClient) -> None:
    body = client.get("/search?q=拖欠&type=record&sort=date").get_data(as_text=True)
    page_links = _result_links(body)
    feed = feedparser.parse(client.get("/search/feed.atom?q=拖欠&type=record").data)
    feed_links = [entry.link.removeprefix("http://localhost") for entry in feed.entries]
    assert len(page_links) == 20
    assert feed_links[:20] == page_links
