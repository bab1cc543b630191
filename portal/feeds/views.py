"""Atom and RSS twins of every public list and of each agency profile. Views only query and set headers; the
feed itself comes from the pure builders. A conditional request is answered from a small validator query,
without building the feed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from werkzeug.http import is_resource_modified

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import agency_or_404
from portal.commitments import queries as commitment_queries
from portal.commitments.models import Commitment
from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment
from portal.core.periods import Severity
from portal.extensions import db
from portal.feeds.builders import ATOM_TYPE, RSS_TYPE, FeedEntry, FeedInfo, build_atom, build_rss, tag_uri
from portal.listing import ListQuery, parse_list_query
from portal.records import queries as record_queries
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.queries import public_records
from portal.records.rules import RecordStatus
from portal.rectifications import queries as outcome_queries
from portal.rectifications.models import Rectification
from portal.rectifications.queries import public_outcomes
from portal.rectifications.rules import CaseState, Outcome
from portal.search import operations as search_operations
from portal.search import queries as search_queries
from portal.search.engine import Hit
from portal.web import (
    current_external_url,
    external_url,
    html_lang,
    refuse_control_characters,
    select_locale,
    site_name,
    site_root,
)

bp = Blueprint("feeds", __name__)
bp.before_request(refuse_control_characters)  # a feed's XML names its own address (issue 19)

FEED_SIZE = 50
MAX_AGE = 300  # seconds a reader or proxy may reuse a feed without asking
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Versions:
    """What a feed page's content depends on: (item key, updated) pairs and whether a next page exists."""

    items: list[tuple[str, datetime]]
    has_next: bool


def _later(*instants: datetime | None) -> datetime:
    return max((i for i in instants if i is not None), default=EPOCH)


# Built once: the three index look-ups behind every feed's Last-Modified and ETag cache key.
_LAST_CHANGE = select(
    select(func.max(Record.updated_at)).scalar_subquery(),
    select(func.max(Commitment.updated_at)).scalar_subquery(),
    select(func.max(Rectification.updated_at)).scalar_subquery(),
)


# database -> (monotonic time of the look-up, latest write): feed polls within PORTAL_FEED_FRESHNESS_SECONDS of a
# look-up reuse it, so a burst of conditional requests costs no database round trip at all.
_LATEST_WRITE: dict[str, tuple[float, datetime]] = {}


def _last_change() -> datetime:
    """The latest write to anything a feed shows, or the start of today in China (when records expire by
    themselves): a Last-Modified that never misses a change (at most PORTAL_FEED_FRESHNESS_SECONDS late)."""
    settings = current_app.config["PORTAL_SETTINGS"]
    midnight = datetime.combine(clock.today(), time(0), tzinfo=ZoneInfo(settings.timezone))
    database = current_app.config["SQLALCHEMY_DATABASE_URI"]
    seen = _LATEST_WRITE.get(database)
    now = monotonic()
    if seen is None or now - seen[0] >= settings.feed_freshness_seconds:
        latest = db.session.connection().execute(_LAST_CHANGE).one()
        seen = (now, _later(*(_as_utc(value) for value in latest)))
        _LATEST_WRITE[database] = seen
    return max(seen[1], midnight)


def _as_utc(value: datetime | str | None) -> datetime | None:
    """max() over a UTC column comes back without the column type's conversion: naive (or text on SQLite)."""
    if value is None:
        return None
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.replace(tzinfo=UTC)


# (database, format, language, feed address, last change) -> the ETag computed from the feed's items. While
# nothing at all has changed since, the items cannot have changed either, so a conditional request costs one small
# query; after any change the ETag is computed again from the items, so it moves only when this feed's content does.
_ETAG_CACHE: dict[tuple[str, str, str, str, datetime], str] = {}
_ETAG_CACHE_SIZE = 10_000


def _etag(fmt: str, last_change: datetime, versions: Callable[[], Versions], page: int, cacheable: bool) -> str:
    """`cacheable`: the items follow from the database alone (not from the search index, which may trail it)."""
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], fmt, select_locale(), request.full_path, last_change)
    cached = _ETAG_CACHE.get(key) if cacheable else None
    if cached is not None:
        return cached
    page_versions = versions()
    if page > 1 and not page_versions.items:
        abort(404)
    digest = hashlib.sha256(repr((key[1:4], page_versions)).encode()).hexdigest()[:40]
    if len(_ETAG_CACHE) >= _ETAG_CACHE_SIZE:
        _ETAG_CACHE.clear()
    if cacheable:
        _ETAG_CACHE[key] = digest
    return digest


def _respond(
    fmt: str,
    asked: ListQuery,
    versions: Callable[[], Versions],
    build: Callable[[], tuple[FeedInfo, Sequence[FeedEntry]]],
    cacheable: bool = True,
) -> Response:
    if asked.problems:
        abort(400, "; ".join(f"{name}: {message}" for name, message in asked.problems.items()))
    last_change = _last_change()
    return feed_response(fmt, _etag(fmt, last_change, versions, asked.page, cacheable), last_change, build)


def feed_response(
    fmt: str, digest: str, last_change: datetime, build: Callable[[], tuple[FeedInfo, Sequence[FeedEntry]]]
) -> Response:
    """A feed with its validators: 304 when the reader has this ETag (or nothing newer than Last-Modified), without
    building it; else the feed built, as Atom or RSS. Every feed (the lists', the agencies', news) answers so."""
    last_modified = last_change.astimezone(UTC).replace(microsecond=0)
    headers = {
        "ETag": f'"{digest}"',
        "Last-Modified": last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Vary": "Cookie",
    }
    if not is_resource_modified(request.environ, etag=digest, last_modified=last_modified):
        return Response(status=304, headers=headers)
    info, entries = build()
    body = build_atom(info, entries) if fmt == "atom" else build_rss(info, entries)
    return Response(body, headers=headers, content_type=ATOM_TYPE if fmt == "atom" else RSS_TYPE)


def _info(
    asked: ListQuery, key: str, title: str, html_endpoint: str, has_next: bool, entries: Sequence[FeedEntry]
) -> FeedInfo:
    """The feed's own data: its id, title, links (self, the HTML page, RFC 5005 paging) and updated time."""
    settings = current_app.config["PORTAL_SETTINGS"]
    args = {k: v for k, v in request.args.items() if k != "page"}
    view_args = {k: v for k, v in (request.view_args or {}).items() if k != "fmt"}

    def page_url(page: int | None) -> str:
        return external_url(request.endpoint or "", **(request.view_args or {}), **args, page=page)

    paging = {"first": page_url(None)}
    if asked.page > 1:
        paging["previous"] = page_url(asked.page - 1)
    if has_next:
        paging["next"] = page_url(asked.page + 1)
    return FeedInfo(
        id=tag_uri(settings.tag_authority, f"feeds/{key}?{'&'.join(f'{k}={v}' for k, v in sorted(args.items()))}"),
        title=f"{title} — {site_name()}",
        subtitle=_("政务诚信公示平台"),
        self_url=current_external_url(),
        html_url=external_url(html_endpoint, **view_args, **args),
        language=html_lang(),
        updated=max((e.updated for e in entries), default=EPOCH),
        paging=paging,
    )


def _at_start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone))


def record_entry(record: Record) -> FeedEntry:
    authority = current_app.config["PORTAL_SETTINGS"].tag_authority
    kind = str(record.kind.label)
    summary = " · ".join(
        [
            kind,
            str(record.severity.label),
            str(record.status.label),
            f"{_('文书编号')} {record.document_number}",
            f"{_('决定日期')} {record.decision_date.isoformat()}",
            f"{_('失信主体')} {record.agency.name}",
        ]
    )
    rectification = record.rectification
    return FeedEntry(
        id=tag_uri(authority, f"records/{record.id}"),
        title=record.title,
        link=external_url("records.detail", record_id=record.id),
        summary=summary,
        author=record.agency.name,
        category=kind,
        category_term=record.kind,
        published=_at_start_of(record.publication_start),
        updated=_later(record.updated_at, rectification.updated_at if rectification else None),
    )


def outcome_entry(rectification: Rectification) -> FeedEntry:
    authority = current_app.config["PORTAL_SETTINGS"].tag_authority
    record = rectification.record
    outcome = str(rectification.outcome.label) if rectification.outcome else ""
    finished = rectification.finished_on or record.decision_date
    return FeedEntry(
        id=tag_uri(authority, f"outcomes/{rectification.id}"),
        title=_("整改结果：%(title)s", title=record.title),
        link=external_url("records.detail", record_id=record.id),
        summary=" · ".join(filter(None, [outcome, finished.isoformat(), rectification.outcome_summary])),
        author=record.agency.name,
        category=str(_("整改结果")),
        category_term="outcome",
        published=_at_start_of(finished),
        updated=rectification.updated_at,
    )


def commitment_entry(commitment: Commitment) -> FeedEntry:
    authority = current_app.config["PORTAL_SETTINGS"].tag_authority
    kind = str(commitment.type.label)
    return FeedEntry(
        id=tag_uri(authority, f"commitments/{commitment.code}"),
        title=commitment.title,
        link=external_url("commitments.detail", code=commitment.code),
        summary=" · ".join(
            [
                commitment.code or "",
                kind,
                str(commitment.subject.label),
                str(commitment.fulfilment.label),
                commitment.agency.name,
            ]
        ),
        author=commitment.agency.name,
        category=kind,
        category_term=commitment.type,
        published=commitment.published_at or EPOCH,
        updated=_later(commitment.published_at, commitment.updated_at),
    )


LABELLED_FILTERS: dict[str, dict[str, Any]] = {
    "kind": dict(Kind.choices()),
    "status": dict(RecordStatus.choices()),
    "severity": dict(Severity.choices()),
    "type": dict(CommitmentType.choices()),
    "subject": dict(CommitmentSubject.choices()),
    "fulfilment": dict(Fulfilment.choices()),
    "result": dict(Outcome.choices()),
    "case": dict(CaseState.choices()),
}


def _filter_title(filters: dict[str, Any], base: str) -> str:
    """A feed title that names its filters: "演示县财政局 · 失信被执行人 · 公示中 · 政务失信记录"."""
    parts = []
    if "agency" in filters:
        name = db.session.scalar(select(Agency.name).where(Agency.uscc == filters["agency"]))
        parts.append(name or filters["agency"])
    if "region" in filters:
        region = db.session.scalar(select(Agency.region_name).where(Agency.region_code == filters["region"]).limit(1))
        parts.append(region or filters["region"])
    parts += [str(names[filters[key]]) for key, names in LABELLED_FILTERS.items() if key in filters]
    if "year" in filters:
        parts.append(str(filters["year"]))
    return " · ".join([*parts, base])


def _list_feed(
    fmt: str,
    asked: ListQuery,
    key: str,
    title: Callable[[], str],
    html_endpoint: str,
    query: Callable[[], Select[Any]],
    versions_of: Callable[[Select[Any]], Any],  # a Select of (id, updated...) columns
    to_entry: Callable[[Any], FeedEntry],
) -> Response:
    """A list's feed page: `query` gives the list's items in its own order; `versions_of` turns it into a query
    of (id, updated...) columns for the ETag. Both are built only when needed."""
    offset = (asked.page - 1) * FEED_SIZE

    def versions() -> Versions:
        rows = db.session.execute(versions_of(query()).limit(FEED_SIZE + 1).offset(offset)).all()
        return Versions([(str(row[0]), _later(*row[1:])) for row in rows[:FEED_SIZE]], len(rows) > FEED_SIZE)

    def build() -> tuple[FeedInfo, Sequence[FeedEntry]]:
        found = db.session.scalars(query().limit(FEED_SIZE + 1).offset(offset)).all()
        entries = [to_entry(item) for item in found[:FEED_SIZE]]
        return _info(asked, key, title(), html_endpoint, len(found) > FEED_SIZE, entries), entries

    return _respond(fmt, asked, versions, build)


@bp.get("/records/feed.<any(atom, rss):fmt>")
def records(fmt: str) -> Response:
    asked = parse_list_query(request.args, record_queries.FILTERS)
    return _list_feed(
        fmt,
        asked,
        "records",
        lambda: _filter_title(asked.filters, _("政务失信记录")),
        "records.index",
        lambda: public_records(clock.today(), asked.filters).options(selectinload(Record.rectification)),
        lambda query: query.with_only_columns(Record.id, Record.updated_at, Rectification.updated_at).outerjoin(
            Rectification, Rectification.record_id == Record.id
        ),
        record_entry,
    )


@bp.get("/commitments/feed.<any(atom, rss):fmt>")
def commitments(fmt: str) -> Response:
    asked = parse_list_query(request.args, commitment_queries.FILTERS)
    return _list_feed(
        fmt,
        asked,
        "commitments",
        lambda: _filter_title(asked.filters, _("政务承诺")),
        "commitments.index",
        lambda: commitment_queries.public_commitments(asked.filters),
        lambda query: query.with_only_columns(Commitment.code, Commitment.updated_at),
        commitment_entry,
    )


@bp.get("/outcomes/feed.<any(atom, rss):fmt>")
def outcomes(fmt: str) -> Response:
    asked = parse_list_query(request.args, outcome_queries.FILTERS)
    return _list_feed(
        fmt,
        asked,
        "outcomes",
        lambda: _filter_title(asked.filters, _("整改结果")),
        "outcomes.index",
        lambda: public_outcomes(clock.today(), filters=asked.filters),
        lambda query: query.with_only_columns(Rectification.id, Rectification.updated_at),
        outcome_entry,
    )


@bp.get("/agencies/<uscc>/feed.<any(atom, rss):fmt>")
def agency(uscc: str, fmt: str) -> Response:
    """Everything about one agency: its public records, commitments and outcomes, newest first."""
    found_agency = agency_or_404(uscc)
    code = found_agency.uscc
    asked = parse_list_query(request.args, {})
    today = clock.today()
    record_query = public_records(today, {"agency": code})
    commitment_query = (
        commitment_queries.public_commitments({"agency": code})
        .order_by(None)
        .order_by(Commitment.published_at.desc(), Commitment.id.desc())
    )
    outcome_query = public_outcomes(today, found_agency.id)
    newest = FEED_SIZE * asked.page + 1  # enough of each kind to fill this page after merging

    @cache  # versions() and build() of one request share it
    def merged() -> list[tuple[datetime, str, Any]]:
        items: list[tuple[datetime, str, Any]] = []
        for record in db.session.scalars(record_query.options(selectinload(Record.rectification)).limit(newest)):
            entry = record_entry(record)
            items.append((entry.published, entry.id, entry))
        for commitment in db.session.scalars(commitment_query.limit(newest)):
            entry = commitment_entry(commitment)
            items.append((entry.published, entry.id, entry))
        for rectification in db.session.scalars(outcome_query.limit(newest)):
            entry = outcome_entry(rectification)
            items.append((entry.published, entry.id, entry))
        items.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return items[(asked.page - 1) * FEED_SIZE : asked.page * FEED_SIZE + 1]

    def versions() -> Versions:
        items = merged()
        return Versions([(item[1], item[2].updated) for item in items[:FEED_SIZE]], len(items) > FEED_SIZE)

    def build() -> tuple[FeedInfo, Sequence[FeedEntry]]:
        items = merged()
        entries = [item[2] for item in items[:FEED_SIZE]]
        info = _info(asked, f"agencies/{code}", found_agency.name, "agencies.profile", len(items) > FEED_SIZE, entries)
        return info, entries

    return _respond(fmt, asked, versions, build)


_TAG_PATHS = {
    "record": "records",
    "commitment": "commitments",
    "outcome": "outcomes",
    "agency": "agencies",
    "page": "pages",
    "complaint": "complaints",
    "news": "news",
}


def search_entry(hit: Hit) -> FeedEntry:
    """A search result as a feed entry; its id is the item's own (the same as in the list feeds)."""
    authority = current_app.config["PORTAL_SETTINGS"].tag_authority
    kind, _sep, ident = hit.key.partition(":")
    type_label = str(search_queries.TYPE_LABELS[hit.type])
    published = _at_start_of(hit.day) if hit.day else hit.updated
    return FeedEntry(
        id=tag_uri(authority, f"{_TAG_PATHS[kind]}/{ident}"),
        title=hit.title,
        link=site_root() + hit.path,
        summary=" ".join(hit.body.split())[:300],
        author=site_name(),
        category=type_label,
        category_term=hit.type,
        published=published,
        updated=max(hit.updated, published),
    )


@bp.get("/search/feed.<any(atom, rss):fmt>")
def search(fmt: str) -> Response:
    """A search followed as a feed: the same query and facets, newest first (unless sort says otherwise)."""
    found = search_operations.run_search(request.args, FEED_SIZE, default_sort="date", facets=False, lenient=False)
    if found.unavailable:
        abort(503, _("搜索索引正在重建，请稍后再试。"))
    result = found.result
    hits = result.hits if result else []
    has_next = result is not None and result.total > found.asked.page * FEED_SIZE

    def versions() -> Versions:
        return Versions([(h.key, h.updated) for h in hits], has_next)

    def build() -> tuple[FeedInfo, Sequence[FeedEntry]]:  # not for a 304
        agencies = search_queries.agencies_by_uscc()
        parts = [f"“{found.text.strip()[:50]}”"] if found.text.strip() else []
        parts += [search_queries.facet_label(name, str(value), agencies) for name, value in found.facet_filters.items()]
        entries = [search_entry(h) for h in hits]
        title = " · ".join([*parts, _("搜索结果")])
        return _info(found.asked, "search", title, "search.page", has_next, entries), entries

    return _respond(fmt, found.asked, versions, build, cacheable=False)
