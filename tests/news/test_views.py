"""/news/ (with ?kind=), /news/<slug> and the feeds /news/feed.atom and /news/feed.rss, in both languages; the demo
news in content/news/ parse, have English twins and say they are demo data (issue 17)."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient

from portal.news.queries import load_news, news_slugs
from portal.news.rules import NewsKind
from tests.conftest import ROOT, TODAY
from tests.html import attr, find, find_all, one, parse_strict, text_of, title_of, visible_text
from tests.news.conftest import news_file

NEWS = ROOT / "content" / "news"
SLUGS = news_slugs(ROOT / "content")


def listed_slugs(body: str) -> list[str]:
    items = find_all(one(body, "ul", class_="news-list"), "li") if find(body, "ul", class_="news-list") else []
    return [attr(one(li, "a"), "href").removeprefix("/news/") for li in items]


def test_the_demo_news_parse_have_english_twins_and_say_they_are_demo_data() -> None:
    assert 4 <= len(SLUGS) <= 6
    kinds = set()
    for slug in SLUGS:
        zh, en = load_news(ROOT / "content", slug, "zh_CN"), load_news(ROOT / "content", slug, "en")
        assert zh is not None, slug
        assert en is not None, slug
        assert (NEWS / f"{slug}.en.md").is_file(), slug
        assert en.title != zh.title
        assert "演示数据" in zh.html, slug
        assert "Demo data" in en.html, slug
        assert zh.day.isoformat() <= TODAY  # shown in the tests (and the demo)
        kinds.add(zh.kind)
        if zh.kind is NewsKind.CASE:
            assert "新信用发〔2018〕6号 二(七)" in zh.html, slug  # the clause a typical case is published under
    assert kinds == set(NewsKind)


def test_the_list_shows_every_item_newest_first_and_filters_by_kind(client: FlaskClient) -> None:
    body = client.get("/news/").get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith("信用动态与典型案例")
    shown = listed_slugs(body)
    assert sorted(shown) == SLUGS
    assert shown == sorted(shown, reverse=True)  # the slugs begin with their dates
    assert f"共 {len(SLUGS)} 条" in text_of(one(body, "nav", class_="pagination"))
    cases = client.get("/news/?kind=case").get_data(as_text=True)
    case_slugs = [s for s in SLUGS if (item := load_news(ROOT / "content", s, "zh_CN")) and item.kind is NewsKind.CASE]
    assert sorted(listed_slugs(cases)) == case_slugs
    assert title_of(cases).startswith("典型案例")
    assert "新信用发〔2018〕6号 二(七)" in visible_text(cases)


@pytest.mark.parametrize("query", ["?kind=nope", "?kind=%00", "?page=0", "?page=abc"])
def test_a_bad_filter_is_400_beside_its_field(client: FlaskClient, query: str) -> None:
    response = client.get(f"/news/{query}")
    assert response.status_code == 400
    assert find(response.get_data(as_text=True), "div", class_="error-summary") is not None


def test_a_page_past_the_end_is_empty(client: FlaskClient) -> None:
    response = client.get("/news/?page=50")
    assert response.status_code == 200
    assert listed_slugs(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_every_item_has_its_page_in_both_languages(client: FlaskClient, slug: str) -> None:
    zh = client.get(f"/news/{slug}").get_data(as_text=True)
    en = client.get(f"/news/{slug}?lang=en").get_data(as_text=True)
    item = load_news(ROOT / "content", slug, "zh_CN")
    english = load_news(ROOT / "content", slug, "en")
    assert item is not None
    assert english is not None
    for body, shown, lang in ((zh, item, "zh-CN"), (en, english, "en")):
        parse_strict(body)
        assert f'<html lang="{lang}">' in body
        assert text_of(one(body, "h1")) == shown.title
        assert title_of(body).startswith(shown.title)
        assert attr(one(body, "meta", name="description"), "content") == shown.summary
        assert attr(one(body, "time"), "datetime") == item.day.isoformat()
        assert one(body, "a", class_="tag").get("href") == f"/news/?kind={item.kind.value}"


@pytest.mark.parametrize("slug", ["nope", "../about", "2026-11-18-october-bulletin.en", "ABOUT", "a" * 300, "%00"])
def test_unknown_or_hostile_slugs_are_404(client: FlaskClient, slug: str) -> None:
    assert client.get(f"/news/{slug}").status_code == 404


def test_an_item_appears_on_its_date_and_an_english_file_alone_is_nothing(client: FlaskClient, content: Path) -> None:
    (content / "news" / "2026-11-21-tomorrow.md").write_text(news_file("明天才发布的动态", "2026-11-21"))
    (content / "news" / "2026-11-20-today.md").write_text(news_file("今天发布的动态", TODAY))
    (content / "news" / "2026-11-19-english-only.en.md").write_text(news_file("Only English", "2026-11-19"))
    shown = listed_slugs(client.get("/news/").get_data(as_text=True))
    assert shown[0] == "2026-11-20-today"
    assert "2026-11-21-tomorrow" not in shown
    assert "2026-11-19-english-only" not in shown
    assert client.get("/news/2026-11-21-tomorrow").status_code == 404
    assert client.get("/news/2026-11-19-english-only?lang=en").status_code == 404
    assert client.get("/news/2026-11-20-today").status_code == 200


def test_an_item_without_a_twin_is_shown_in_chinese_in_english(client: FlaskClient, content: Path) -> None:
    (content / "news" / "2026-11-20-no-twin.md").write_text(news_file("没有英文版的动态", TODAY))
    body = client.get("/news/2026-11-20-no-twin?lang=en").get_data(as_text=True)
    assert text_of(one(body, "h1")) == "没有英文版的动态"


def test_a_broken_file_is_left_out_not_a_500(client: FlaskClient, content: Path) -> None:
    (content / "news" / "2026-11-20-broken.md").write_text("---\ntitle: 坏文件\nkind: 不存在的类别\n---\n")
    assert client.get("/news/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/news/2026-11-20-broken").status_code == 404


# --- the feeds ---------------------------------------------------------------------------------------------------


def parse_feed(client: FlaskClient, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, path
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_the_feeds_carry_every_item_with_its_page(client: FlaskClient, fmt: str) -> None:
    parsed = parse_feed(client, f"/news/feed.{fmt}")
    links = [entry.link for entry in parsed.entries]
    assert links == [f"http://localhost/news/{slug}" for slug in sorted(SLUGS, reverse=True)]
    assert {entry.id for entry in parsed.entries} == {f"tag:credit.yanshixian.example,2026:news/{s}" for s in SLUGS}
    assert all(entry.summary for entry in parsed.entries)
    cases = parse_feed(client, f"/news/feed.{fmt}?kind=case")
    assert cases.entries
    assert len(cases.entries) < len(parsed.entries)
    assert {e.tags[0].term for e in cases.entries} == {"case" if fmt == "atom" else "典型案例"}  # RSS: the label
    assert "典型案例" in cases.feed.title


def test_the_english_feed_carries_the_english_titles(client: FlaskClient) -> None:
    parsed = parse_feed(client, "/news/feed.atom?lang=en")
    english = {load_news(ROOT / "content", slug, "en").title for slug in SLUGS}  # type: ignore[union-attr]
    assert {entry.title for entry in parsed.entries} == english
    assert parsed.feed.language == "en"


def test_a_feed_answers_304_when_nothing_changed(client: FlaskClient, content: Path) -> None:
    first = client.get("/news/feed.atom")
    etag = first.headers["ETag"]
    assert client.get("/news/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    (content / "news" / "2026-11-20-new.md").write_text(news_file("新的动态", TODAY))
    changed = client.get("/news/feed.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize("query", ["?kind=nope", "?kind=case&utm=%00"])
def test_a_bad_feed_query_is_400(client: FlaskClient, query: str) -> None:
    assert client.get(f"/news/feed.rss{query}").status_code == 400


def test_the_list_links_its_feeds(client: FlaskClient) -> None:
    body = client.get("/news/?kind=case").get_data(as_text=True)
    hrefs = [attr(link, "href") for link in find_all(body, "link", rel="alternate")]
    assert "/news/feed.atom?kind=case" in hrefs
    assert "/news/feed.rss?kind=case" in hrefs
