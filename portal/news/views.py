"""/news/ (信用动态 and 典型案例, filtered by ?kind=), /news/<slug>, and their Atom and RSS feeds, built by the feeds'
pure builders (portal/feeds/builders.py). The items are files (queries.py), so a feed's validators come from the
items themselves, not from the database."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from portal import clock
from portal.feeds.builders import FeedEntry, FeedInfo, tag_uri
from portal.feeds.views import feed_response
from portal.listing import Page, choice, parse_list_query
from portal.news.queries import load_news, shown_news
from portal.news.rules import NewsItem, NewsKind, is_shown
from portal.web import current_external_url, external_url, html_lang, refuse_control_characters, site_name

bp = Blueprint("news", __name__, url_prefix="/news")

FILTERS = {"kind": choice(NewsKind.codes())}
FEED_SIZE = 50


def _items(kind: str | None) -> list[NewsItem]:
    return shown_news(current_app.config["PORTAL_SETTINGS"].content_dir, str(get_locale()), clock.today(), kind)


@bp.get("/")
def index() -> tuple[str, int]:
    asked = parse_list_query(request.args, FILTERS)
    per_page: int = current_app.config["PORTAL_SETTINGS"].page_size
    items = [] if asked.problems else _items(asked.filters.get("kind"))
    start = (asked.page - 1) * per_page
    results = Page(items[start : start + per_page], asked.page, per_page, len(items))
    kind = NewsKind(asked.filters["kind"]) if "kind" in asked.filters else None
    return render_template("news/index.html", results=results, asked=asked, kind=kind), asked.status


@bp.get("/<slug>")
def show(slug: str) -> str:
    item = load_news(current_app.config["PORTAL_SETTINGS"].content_dir, slug, str(get_locale()))
    if item is None or not is_shown(item, clock.today()):
        abort(404)
    return render_template("news/show.html", item=item)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone))


def _entry(item: NewsItem) -> FeedEntry:
    return FeedEntry(
        id=tag_uri(current_app.config["PORTAL_SETTINGS"].tag_authority, f"news/{item.slug}"),
        title=item.title,
        link=external_url("news.show", slug=item.slug),
        summary=item.summary,
        author=site_name(),
        category=str(item.kind.label),
        category_term=item.kind.value,
        published=_start_of(item.day),
        updated=_start_of(item.updated),
    )


@bp.get("/feed.<any(atom, rss):fmt>")
def feed(fmt: str) -> Response:
    """The newest FEED_SIZE items (of ?kind=, if given). Answered 304 when the reader has them already: the ETag is
    the items' content in this language, Last-Modified the latest item's day."""
    refuse_control_characters()
    asked = parse_list_query(request.args, FILTERS)
    if asked.problems:
        abort(400, "; ".join(f"{name}: {message}" for name, message in asked.problems.items()))
    kind = asked.filters.get("kind")
    entries = [_entry(item) for item in _items(kind)[:FEED_SIZE]]
    updated = max((e.updated for e in entries), default=datetime(2020, 1, 1, tzinfo=UTC))
    digest = hashlib.sha256(repr((fmt, html_lang(), kind, entries)).encode()).hexdigest()[:40]

    def build() -> tuple[FeedInfo, list[FeedEntry]]:
        title = str(NewsKind(kind).label) if kind else _("信用动态与典型案例")
        authority = current_app.config["PORTAL_SETTINGS"].tag_authority
        info = FeedInfo(
            id=tag_uri(authority, f"feeds/news?{f'kind={kind}' if kind else ''}"),
            title=f"{title} — {site_name()}",
            subtitle=_("政务诚信公示平台"),
            self_url=current_external_url(),
            html_url=external_url("news.index", kind=kind),
            language=html_lang(),
            updated=updated,
        )
        return info, entries

    return feed_response(fmt, digest, updated, build)
