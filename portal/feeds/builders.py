"""Pure feed builders: entries in, Atom or RSS 2.0 out (feedgen). No Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feedgen.feed import FeedGenerator

ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class FeedEntry:
    id: str  # a tag URI that never changes for the item
    title: str
    link: str
    summary: str
    author: str  # the agency
    category: str  # the kind, as shown
    category_term: str  # the kind's stable code
    published: datetime
    updated: datetime


@dataclass(frozen=True)
class FeedInfo:
    id: str
    title: str
    subtitle: str
    self_url: str
    html_url: str
    language: str  # "zh-CN" or "en"
    updated: datetime
    paging: dict[str, str] = field(default_factory=dict)  # RFC 5005: first / previous / next


def tag_uri(authority: str, path: str) -> str:
    """RFC 4151 tag URI, e.g. tag:credit.example.gov.cn,2026:records/17 — stable for the item's life."""
    return f"tag:{authority},2026:{path}"


def _generator(info: FeedInfo, entries: Sequence[FeedEntry], self_type: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(info.id)
    feed.title(info.title)
    feed.subtitle(info.subtitle)
    feed.language(info.language)
    feed.updated(info.updated)
    feed.generator("政务诚信公示平台")
    feed.link(href=info.self_url, rel="self", type=self_type)
    for rel, href in info.paging.items():
        feed.link(href=href, rel=rel, type=self_type)
    feed.link(href=info.html_url, rel="alternate", type="text/html")  # last: RSS takes it as <link>
    for item in entries:
        entry = feed.add_entry(order="append")
        entry.id(item.id)
        entry.guid(item.id, permalink=False)
        entry.title(item.title)
        entry.link(href=item.link, rel="alternate", type="text/html")
        entry.summary(item.summary)
        entry.author(name=item.author)
        entry.category(term=item.category_term, label=item.category)
        entry.published(item.published)
        entry.updated(item.updated)
    return feed


def build_atom(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    return bytes(_generator(info, entries, ATOM_TYPE.split(";")[0]).atom_str(pretty=False))


def build_rss(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    return bytes(_generator(info, entries, RSS_TYPE.split(";")[0]).rss_str(pretty=False))
