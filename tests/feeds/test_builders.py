from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

import feedparser
import pytest

from portal.feeds.builders import FeedEntry, FeedInfo, build_atom, build_rss, tag_uri

ENTRY = FeedEntry(
    id=tag_uri("credit.example", "records/7"),
    title="演示县财政局拖欠企业账款 <script>",
    link="http://localhost/records/7",
    summary="拖欠账款/合同违约 · 一般 · 公示中 & more",
    author="演示县财政局",
    category="拖欠账款/合同违约",
    category_term="arrears",
    published=datetime(2026, 11, 1, 16, 0, tzinfo=UTC),
    updated=datetime(2026, 11, 3, 2, 30, tzinfo=UTC),
)
INFO = FeedInfo(
    id=tag_uri("credit.example", "feeds/records?kind=arrears"),
    title="拖欠账款/合同违约 · 政务失信记录",
    subtitle="政务诚信公示平台",
    self_url="http://localhost/records/feed.atom?kind=arrears",
    html_url="http://localhost/records/?kind=arrears",
    language="zh-CN",
    updated=datetime(2026, 11, 3, 2, 30, tzinfo=UTC),
    paging={
        "first": "http://localhost/records/feed.atom?kind=arrears",
        "next": "http://localhost/records/feed.atom?kind=arrears&page=2",
    },
)


def test_tag_uri() -> None:
    assert tag_uri("credit.example", "records/7") == "tag:credit.example,2026:records/7"


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_feeds_are_well_formed_and_carry_every_field(build) -> None:  # type: ignore[no-untyped-def]
    body = build(INFO, [ENTRY])
    ElementTree.fromstring(body)  # well-formed XML
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert parsed.feed.title == INFO.title
    [entry] = parsed.entries
    assert entry.id == ENTRY.id
    assert entry.title == ENTRY.title  # escaped in XML, intact for the reader
    assert entry.summary == ENTRY.summary
    assert entry.link == ENTRY.link
    assert entry.published_parsed[:5] == (2026, 11, 1, 16, 0)


def test_atom_has_updated_author_category_and_rfc5005_links() -> None:
    parsed = feedparser.parse(build_atom(INFO, [ENTRY]))
    entry = parsed.entries[0]
    assert entry.updated_parsed[:5] == (2026, 11, 3, 2, 30)
    assert entry.author == "演示县财政局"
    assert entry.tags[0].term == "arrears"
    assert entry.tags[0].label == "拖欠账款/合同违约"
    rels = {link.rel: link.href for link in parsed.feed.links}
    assert rels["self"] == INFO.self_url
    assert rels["next"].endswith("page=2")
    assert rels["alternate"] == INFO.html_url


def test_the_same_input_gives_the_same_ids() -> None:
    first = feedparser.parse(build_atom(INFO, [ENTRY]))
    again = feedparser.parse(build_atom(INFO, [ENTRY]))
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    assert first.feed.id == again.feed.id
