"""Content pages: content/<slug>.md (Chinese) and content/<slug>.en.md (English), YAML front matter + markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from portal.core.markup import render_markdown

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PageError(ValueError):
    """A content file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class ContentPage:
    slug: str
    title: str
    summary: str
    order: int
    updated: date | None
    html: str


def read_front_matter(slug: str, text: str) -> tuple[dict[str, Any], str]:
    """A content file's YAML front matter (it must have a title) and its markdown body; pages and news (portal/news)
    both read theirs so."""
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise PageError(f"{slug}: missing front matter")
    front_text, separator, body = (text[4:] + "\n").partition("\n---\n")
    if not separator:
        raise PageError(f"{slug}: front matter is not closed by a line '---'")
    try:
        front = yaml.safe_load(front_text) or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2025-13-45
        raise PageError(f"{slug}: unreadable front matter: {exc}") from exc
    if not isinstance(front, dict) or not front.get("title"):
        raise PageError(f"{slug}: front matter needs a title")
    return front, body


def parse_page(slug: str, text: str) -> ContentPage:
    front, body = read_front_matter(slug, text)
    order = front.get("order", 100)
    if isinstance(order, str) and order.strip().isascii() and order.strip().isdigit():
        order = int(order)
    if isinstance(order, bool) or not isinstance(order, int):
        raise PageError(f"{slug}: order must be a whole number, not {order!r}")
    updated = front.get("updated")
    return ContentPage(
        slug=slug,
        title=str(front["title"]),
        summary=str(front.get("summary") or ""),
        order=order,
        updated=updated if isinstance(updated, date) else None,
        html=render_markdown(body),
    )


def _path(content_dir: Path, slug: str, lang: str) -> Path:
    return content_dir / (f"{slug}.md" if lang == "zh_CN" else f"{slug}.{lang}.md")


@lru_cache(maxsize=256)
def _load(path: Path, mtime: float) -> ContentPage:
    slug = path.name.split(".")[0]
    return parse_page(slug, path.read_text(encoding="utf-8"))


def load_page(content_dir: Path, slug: str, lang: str) -> ContentPage | None:
    """The page in `lang`, falling back to Chinese; None for an unknown slug."""
    if len(slug) > 100 or not SLUG.match(slug):
        return None
    for path in (_path(content_dir, slug, lang), _path(content_dir, slug, "zh_CN")):
        if path.is_file():
            return _load(path, path.stat().st_mtime)
    return None


def list_pages(content_dir: Path, lang: str) -> list[ContentPage]:
    slugs = sorted({p.name.split(".")[0] for p in content_dir.glob("*.md")})
    pages = [page for slug in slugs if (page := load_page(content_dir, slug, lang)) is not None]
    return sorted(pages, key=lambda p: (p.order, p.slug))
