"""News (content/news/, portal/news) in search (issue 17): each item is found by its words in either language, under
the type 信用动态与典型案例, from its date on, and in the search feeds. News are files, not rows: `flask search rebuild`
indexes them, and every sync applies the content files again when any was added, changed or removed (so a new item
is found after the next `flask search sync` without a rebuild)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient

from portal.extensions import db
from portal.search import index as index_module
from portal.search.index import SearchIndex
from tests.conftest import ROOT
from tests.search.conftest import TODAY_DATE, keys, search

DONGHU = "news:2026-11-12-donghu-repays-arrears"


def test_a_news_item_is_found_by_its_chinese_and_english_words(index: SearchIndex, client: FlaskClient) -> None:
    assert DONGHU in keys(search(index, "东湖镇 还款计划"))
    assert DONGHU in keys(search(index, "Donghu repayment"))
    body = client.get("/search?q=东湖镇还款计划&type=news").get_data(as_text=True)
    assert 'href="/news/2026-11-12-donghu-repays-arrears"' in body
    assert "信用动态与典型案例" in body  # the type's label


def test_typical_cases_are_found_by_the_word(index: SearchIndex) -> None:
    found = keys(search(index, "典型案例", filters={"type": "news"}))
    assert DONGHU in found
    assert all(key.startswith("news:") for key in found)


def test_the_search_feed_carries_news_items(index: SearchIndex, client: FlaskClient) -> None:
    response = client.get("/search/feed.atom?q=典型案例&type=news")
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo
    ids = {entry.id for entry in parsed.entries}
    assert "tag:credit.yanshixian.example,2026:news/2026-11-12-donghu-repays-arrears" in ids
    assert all(entry.link.startswith("http://localhost/news/") for entry in parsed.entries)


@pytest.fixture
def with_content(writable_index: SearchIndex, tmp_path: Path) -> SearchIndex:
    """The writable index reading a copy of content/ the test may change."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    writable_index.content_dir = content
    return writable_index


def news(title: str, day: date) -> str:
    return f"---\ntitle: {title}\ndate: {day.isoformat()}\nkind: 信用动态\nsummary: 同步测试的摘要。\n---\n正文。\n"


def test_sync_picks_up_a_news_file_added_changed_or_removed(with_content: SearchIndex) -> None:
    folder = with_content.content_dir / "news"
    (folder / "2026-11-20-sync.md").write_text(news("同步加入的蓝鲸动态", TODAY_DATE))
    assert search(with_content, "蓝鲸").total == 0
    with_content.sync(db.session, TODAY_DATE)
    assert keys(search(with_content, "蓝鲸")) == ["news:2026-11-20-sync"]

    (folder / "2026-11-20-sync.md").write_text(news("改名后的白鹭动态", TODAY_DATE))
    with_content.sync(db.session, TODAY_DATE)
    assert search(with_content, "蓝鲸").total == 0
    assert keys(search(with_content, "白鹭")) == ["news:2026-11-20-sync"]

    (folder / "2026-11-20-sync.md").unlink()
    with_content.sync(db.session, TODAY_DATE)
    assert search(with_content, "白鹭").total == 0
    assert DONGHU in keys(search(with_content, "东湖镇 还款计划"))  # the other files stay


def test_a_news_item_is_found_from_its_date(with_content: SearchIndex) -> None:
    tomorrow = TODAY_DATE + timedelta(days=1)
    (with_content.content_dir / "news" / "2026-11-21-later.md").write_text(news("明天发布的灰雁动态", tomorrow))
    with_content.sync(db.session, TODAY_DATE)
    assert search(with_content, "灰雁").total == 0
    assert keys(search(with_content, "灰雁", today=tomorrow)) == ["news:2026-11-21-later"]


def test_a_sync_without_content_changes_reads_no_file(
    with_content: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_content.sync(db.session, TODAY_DATE)  # the copy's files are newer than the build's: applied once

    def must_not_read(content_dir: Path) -> list[object]:
        raise AssertionError("content re-read although nothing changed")

    monkeypatch.setattr(index_module, "content_docs", must_not_read)
    assert with_content.sync(db.session, TODAY_DATE) == 0


def test_a_rebuild_indexes_the_news_and_remembers_them(with_content: SearchIndex) -> None:
    (with_content.content_dir / "news" / "2026-11-20-rebuilt.md").write_text(news("重建时的丹顶鹤动态", TODAY_DATE))
    with_content.rebuild(db.session, TODAY_DATE)
    assert keys(search(with_content, "丹顶鹤")) == ["news:2026-11-20-rebuilt"]
    stamp = (with_content.link.resolve() / "content_stamp").read_text(encoding="utf-8").splitlines()
    assert "news:2026-11-20-rebuilt" in stamp[1:]
    assert "page:about" in stamp[1:]
