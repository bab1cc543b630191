"""Reading the news files (content/news/, see rules.py): one item, or the items public today, newest first. Each file
is parsed once per change (cached by its modification time). A file that cannot be read is left out and logged, so
that one bad file never takes the home page down (tests/news checks every file in content/news parses)."""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache
from pathlib import Path

from portal.news.rules import NewsItem, NewsKind, is_shown, newest_first, parse_news
from portal.pages.loader import SLUG, PageError

log = logging.getLogger(__name__)

NEWS_DIR = "news"  # under PORTAL_CONTENT_DIR


def news_dir(content_dir: Path) -> Path:
    return content_dir / NEWS_DIR


def _path(content_dir: Path, slug: str, lang: str) -> Path:
    return news_dir(content_dir) / (f"{slug}.md" if lang == "zh_CN" else f"{slug}.{lang}.md")


@lru_cache(maxsize=512)
def _parse(path: Path, mtime_ns: int, original: NewsItem | None) -> NewsItem:
    return parse_news(path.name.split(".")[0], path.read_text(encoding="utf-8"), original)


def _read(path: Path, original: NewsItem | None = None) -> NewsItem | None:
    try:
        return _parse(path, path.stat().st_mtime_ns, original)
    except (OSError, UnicodeDecodeError, PageError):
        log.exception("news file %s cannot be read; it is left out", path)
        return None


def load_news(content_dir: Path, slug: str, lang: str) -> NewsItem | None:
    """The item in `lang` (its English twin, or the Chinese file when it has none), whether public yet or not; None
    for an unknown slug, or one that has only an English file."""
    if len(slug) > 100 or not SLUG.match(slug):
        return None
    chinese = _path(content_dir, slug, "zh_CN")
    if not chinese.is_file():
        return None
    item = _read(chinese)
    twin = _path(content_dir, slug, lang)
    if item is not None and lang != "zh_CN" and twin.is_file():
        return _read(twin, item) or item
    return item


def news_slugs(content_dir: Path) -> list[str]:
    """The slug of every Chinese news file (x.md; an English twin is x.en.md)."""
    return sorted(p.name.removesuffix(".md") for p in news_dir(content_dir).glob("*.md") if p.name.count(".") == 1)


def shown_news(content_dir: Path, lang: str, today: date, kind: NewsKind | str | None = None) -> list[NewsItem]:
    """The items public today (of `kind`, if given), newest first."""
    items = [item for slug in news_slugs(content_dir) if (item := load_news(content_dir, slug, lang)) is not None]
    return newest_first([i for i in items if is_shown(i, today) and (kind is None or i.kind == kind)])
