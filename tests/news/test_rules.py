"""parse_news: a news file's front matter (title, date, kind, summary) and body; its English twin takes the date and
kind of the Chinese file (portal/news/rules.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.news.rules import NewsItem, NewsKind, is_shown, newest_first, parse_news
from portal.pages.loader import PageError

GOOD = """---
title: 典型案例：某镇清偿欠款
date: 2026-11-12
kind: 典型案例
summary: 某镇按还款计划付清工程款。
---
## 整改过程

按期付清。
"""


def test_a_good_file() -> None:
    item = parse_news("case-one", GOOD)
    assert item == NewsItem(
        slug="case-one",
        title="典型案例：某镇清偿欠款",
        kind=NewsKind.CASE,
        day=date(2026, 11, 12),
        summary="某镇按还款计划付清工程款。",
        html="<h2>整改过程</h2>\n<p>按期付清。</p>",
        updated=date(2026, 11, 12),
    )


def test_the_english_twin_keeps_the_date_and_kind_of_the_chinese_file() -> None:
    original = parse_news("case-one", GOOD)
    twin = parse_news(
        "case-one",
        "---\ntitle: A case\ndate: 2020-01-01\nkind: 信用动态\nsummary: Paid.\n---\nPaid on time.\n",
        original,
    )
    assert (twin.title, twin.summary, twin.kind, twin.day) == ("A case", "Paid.", NewsKind.CASE, date(2026, 11, 12))


def test_a_later_update_is_kept_and_never_before_the_date() -> None:
    updated = GOOD.replace("summary:", "updated: 2026-11-15\nsummary:")
    assert parse_news("n", updated).updated == date(2026, 11, 15)
    earlier = GOOD.replace("summary:", "updated: 2026-01-01\nsummary:")
    assert parse_news("n", earlier).updated == date(2026, 11, 12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kind: 典型案例", "kind: case"), "kind must be one of"),
        (("kind: 典型案例\n", ""), "kind must be one of"),
        (("date: 2026-11-12", "date: soon"), "date must be a date"),
        (("date: 2026-11-12\n", ""), "date must be a date"),
        (("date: 2026-11-12", "date: 2026-13-45"), "unreadable front matter"),
        (("summary: 某镇按还款计划付清工程款。\n", ""), "needs a summary"),
        (("title: 典型案例：某镇清偿欠款\n", ""), "needs a title"),
    ],
)
def test_what_a_news_file_must_have(change: tuple[str, str], message: str) -> None:
    with pytest.raises(PageError, match=message) as error:
        parse_news("bad-one", GOOD.replace(*change))
    assert "bad-one" in str(error.value)


def test_an_item_is_shown_from_its_date() -> None:
    item = parse_news("n", GOOD)
    assert not is_shown(item, date(2026, 11, 11))
    assert is_shown(item, date(2026, 11, 12))


def test_newest_first() -> None:
    old = parse_news("a", GOOD.replace("2026-11-12", "2026-01-01"))
    new = parse_news("b", GOOD)
    assert newest_first([old, new]) == [new, old]
