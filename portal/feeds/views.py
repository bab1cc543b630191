"""Atom and RSS twins of every public list and of each agency profile. Views only query and set headers; the
feed itself comes from the pure builders. A conditional request is answered from a small validator query,
without building the feed.

Each feed is a `Feed`, made by its factory from an endpoint and its arguments (`feed_of`) without needing a
request: the views answer it as Atom or RSS, and e-mail alerts (portal/alerts, issue 18) send its new entries —
one computation for both, never a second copy of a list's query. `resolve_feed` turns a feed's address (what a
subscriber follows) into its Feed, and refuses anything that is not one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from time import monotonic
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.http import is_resource_modified

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import agency_or_404
from portal.commitments import queries as commitment_queries
from portal.commitments.models import Commitment
from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment
from portal.complaints.models import Complaint
from portal.complaints.queries import published_complaints
from portal.core.periods import Severity
from portal.extensions import db
from portal.feeds.builders import ATOM_TYPE, RSS_TYPE, FeedEntry, FeedInfo, build_atom, build_rss, tag_uri
from portal.forms import control_characters
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
    public_path,
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
ADDRESS_MOST = 2000  # characters of a feed's address that `resolve_feed` reads


@dataclass(frozen=True)
class Versions:
    """What a feed page's content depends on: (item key, updated) pairs and whether a next page exists."""

    items: list[tuple[str, datetime]]
    has_next: bool


@dataclass(frozen=True)
class Feed:
    """One feed as asked (an endpoint with its arguments), computed in-process without a request: its view answers
    it as Atom or RSS, an e-mail alert sends its new entries. Nothing is queried before `versions` or `page`."""

    endpoint: str  # feeds.records, feeds.agency, ...
    view_args: dict[str, str]  # the path's arguments in their stored form (an agency's USCC), without the format
    asked: ListQuery  # the validated filters and page; a feed with `asked.problems` is answered 400
    canonical: dict[str, str]  # the query string that names this feed: its filters, no page, no language
    key: str  # what the feed's tag id names: "records", "agencies/<uscc>"
    html_endpoint: str  # the page it is the twin of
    title: Callable[[], str]  # the feed's title (without the site's name), in the current language
    versions: Callable[[], Versions]  # (key, updated) of this page's items, for the ETag
    page: Callable[[], tuple[list[FeedEntry], bool]]  # this page's entries, and whether a next page exists
    cacheable: bool = True  # its items follow from the database alone (not from the search index, which may trail)
    followable: bool = True  # it asks for something (a search without words or filters follows nothing)

    @property
    def address(self) -> str:
        """The feed's canonical address (path and query string, Atom), e.g. /records/feed.atom?kind=arrears."""
        return public_path(self.endpoint, **self.view_args, **self.canonical, fmt="atom")

    @property
    def rss_address(self) -> str:
        return public_path(self.endpoint, **self.view_args, **self.canonical, fmt="rss")

    @property
    def html_address(self) -> str:
        """The address of the page it is the twin of, with the same filters, e.g. /records/?kind=arrears."""
        return public_path(self.html_endpoint, **self.view_args, **self.canonical)


FeedFactory = Callable[[Mapping[str, str], Mapping[str, str]], Feed]  # (query args, view args) -> Feed
FEEDS: dict[str, FeedFactory] = {}  # endpoint -> its factory: every feed that can be followed


def feed_factory(endpoint: str) -> Callable[[FeedFactory], FeedFactory]:
    """Decorator: the function makes the Feed of `endpoint` (a feed view's endpoint) from its arguments."""

    def register(factory: FeedFactory) -> FeedFactory:
        FEEDS[endpoint] = factory
        return factory

    return register


def feed_of(endpoint: str, args: Mapping[str, str], view_args: Mapping[str, str] | None = None) -> Feed:
    """The Feed of `endpoint` for these query and path arguments. Raises what the feed's view would answer for a
    feed that cannot be computed (404 for an unknown agency, 503 while the search index is rebuilt)."""
    return FEEDS[endpoint](args, view_args or {})


@bp.app_template_global()
def followable(endpoint: str) -> bool:
    """Whether the feed at `endpoint` can be followed by e-mail (templates/macros.html `subscribe`)."""
    return endpoint in FEEDS


class NotAFeedError(ValueError):
    """An address that is not a feed one can follow; the message says why, in the reader's language."""


def resolve_feed(address: str) -> Feed:
    """The Feed at a feed's address as a subscriber gives it (a path on this site with its query string, e.g.
    /records/feed.atom?kind=arrears&lang=en), checked against the URL map; NotAFeedError for anything else, or
    for filters a feed would refuse, or an agency that is not there. Raises 503 while the search index is rebuilt."""
    not_a_feed = NotAFeedError(_("只能订阅本站列表、搜索或主体档案的更新，请从页面上的“订阅邮件提醒”链接进入。"))
    if not address or len(address) > ADDRESS_MOST or control_characters(address, multiline=False):
        raise not_a_feed
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        raise not_a_feed
    try:
        matched, view_args = current_app.url_map.bind("localhost").match(unquote(parts.path), method="GET")
    except HTTPException:  # not found, another method, a redirect
        raise not_a_feed from None
    endpoint = str(matched)
    if endpoint not in FEEDS:
        raise not_a_feed
    args: MultiDict[str, str] = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
    if any(control_characters(key + value, multiline=False) for key, value in args.items(multi=True)):
        raise NotAFeedError(_("查询参数含有控制字符，请检查链接。"))
    try:
        feed = feed_of(endpoint, args, {k: str(v) for k, v in view_args.items() if k != "fmt"})
    except NotFound:  # an agency that is not (or no longer) there
        raise NotAFeedError(_("要订阅的页面不存在。")) from None
    if feed.asked.problems:
        raise NotAFeedError("; ".join(f"{name}: {message}" for name, message in feed.asked.problems.items()))
    if not feed.followable:
        raise NotAFeedError(_("请先输入搜索词或选择筛选条件，再订阅搜索结果。"))
    return feed


def _later(*instants: datetime | None) -> datetime:
    return max((i for i in instants if i is not None), default=EPOCH)


# Built once: the index look-ups behind every feed's Last-Modified and ETag cache key.
_LAST_CHANGE = select(
    select(func.max(Record.updated_at)).scalar_subquery(),
    select(func.max(Commitment.updated_at)).scalar_subquery(),
    select(func.max(Rectification.updated_at)).scalar_subquery(),
    select(func.max(Complaint.updated_at)).scalar_subquery(),  # a complaint published (issue 18)
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


def _respond(fmt: str, feed: Feed) -> Response:
    """The feed as Atom or RSS, with its validators (400 for bad filters, 404 past the last page)."""
    if feed.asked.problems:
        abort(400, "; ".join(f"{name}: {message}" for name, message in feed.asked.problems.items()))
    last_change = _last_change()

    def build() -> tuple[FeedInfo, Sequence[FeedEntry]]:
        entries, has_next = feed.page()
        return _info(feed, has_next, entries), entries

    return feed_response(
        fmt, _etag(fmt, last_change, feed.versions, feed.asked.page, feed.cacheable), last_change, build
    )


def _serve(fmt: str, endpoint: str) -> Response:
    """The view of a feed: its Feed made from this request's arguments, answered."""
    view_args = {k: str(v) for k, v in (request.view_args or {}).items() if k != "fmt"}
    return _respond(fmt, feed_of(endpoint, request.args, view_args))


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


def _info(feed: Feed, has_next: bool, entries: Sequence[FeedEntry]) -> FeedInfo:
    """The feed's own data: its id, title, links (self, the HTML page, RFC 5005 paging) and updated time."""
    settings = current_app.config["PORTAL_SETTINGS"]
    args = {k: v for k, v in request.args.items() if k != "page"}

    def page_url(page: int | None) -> str:
        return external_url(request.endpoint or "", **(request.view_args or {}), **args, page=page)

    paging = {"first": page_url(None)}
    if feed.asked.page > 1:
        paging["previous"] = page_url(feed.asked.page - 1)
    if has_next:
        paging["next"] = page_url(feed.asked.page + 1)
    return FeedInfo(
        id=tag_uri(settings.tag_authority, f"feeds/{feed.key}?{'&'.join(f'{k}={v}' for k, v in sorted(args.items()))}"),
        title=f"{feed.title()} — {site_name()}",
        subtitle=_("政务诚信公示平台"),
        self_url=current_external_url(),
        html_url=external_url(feed.html_endpoint, **feed.view_args, **args),
        language=html_lang(),
        updated=max((e.updated for e in entries), default=EPOCH),
        paging=paging,
    )


def _at_start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone))


def _absolute(endpoint: str, **values: Any) -> str:
    """An entry's link, absolute on the site's address, built without a request too (alerts are sent by a command)."""
    return site_root() + public_path(endpoint, **values)


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
        link=_absolute("records.detail", record_id=record.id),
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
        link=_absolute("records.detail", record_id=record.id),
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
        link=_absolute("commitments.detail", code=commitment.code),
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


def complaint_entry(complaint: Complaint) -> FeedEntry:
    """A closed complaint published with its complainant's consent (issue 18): only what /complaints/<number> shows
    — the category, the agency, the dates and the public version of the answer that staff wrote. Never the
    complainant's name or contact, the description, the answer to the complainant or the agency's answer."""
    authority = current_app.config["PORTAL_SETTINGS"].tag_authority
    category = str(complaint.category.label)
    closed = complaint.closed_on or complaint.filed_on
    return FeedEntry(
        id=tag_uri(authority, f"complaints/{complaint.number}"),
        title=_("投诉办理结果：%(category)s · %(agency)s", category=category, agency=complaint.agency_label),
        link=_absolute("complaints.published", number=complaint.number),
        summary=complaint.public_answer,
        author=complaint.agency_label,
        category=category,
        category_term=complaint.category,
        published=_at_start_of(closed),
        updated=complaint.updated_at,
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


def _canonical(filters: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in sorted(filters.items())}


def _list_feed(
    endpoint: str,
    asked: ListQuery,
    key: str,
    title: Callable[[], str],
    html_endpoint: str,
    query: Callable[[], Select[Any]],
    versions_of: Callable[[Select[Any]], Any],  # a Select of (id, updated...) columns
    to_entry: Callable[[Any], FeedEntry],
) -> Feed:
    """A list's feed: `query` gives the list's items in its own order; `versions_of` turns it into a query of
    (id, updated...) columns for the ETag. Both are built only when needed."""
    offset = (asked.page - 1) * FEED_SIZE

    def versions() -> Versions:
        rows = db.session.execute(versions_of(query()).limit(FEED_SIZE + 1).offset(offset)).all()
        return Versions([(str(row[0]), _later(*row[1:])) for row in rows[:FEED_SIZE]], len(rows) > FEED_SIZE)

    def page() -> tuple[list[FeedEntry], bool]:
        found = db.session.scalars(query().limit(FEED_SIZE + 1).offset(offset)).all()
        return [to_entry(item) for item in found[:FEED_SIZE]], len(found) > FEED_SIZE

    return Feed(endpoint, {}, asked, _canonical(asked.filters), key, html_endpoint, title, versions, page)


@feed_factory("feeds.records")
def records_feed(args: Mapping[str, str], view_args: Mapping[str, str]) -> Feed:
    asked = parse_list_query(args, record_queries.FILTERS)
    return _list_feed(
        "feeds.records",
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


@feed_factory("feeds.commitments")
def commitments_feed(args: Mapping[str, str], view_args: Mapping[str, str]) -> Feed:
    asked = parse_list_query(args, commitment_queries.FILTERS)
    return _list_feed(
        "feeds.commitments",
        asked,
        "commitments",
        lambda: _filter_title(asked.filters, _("政务承诺")),
        "commitments.index",
        lambda: commitment_queries.public_commitments(asked.filters),
        lambda query: query.with_only_columns(Commitment.code, Commitment.updated_at),
        commitment_entry,
    )


@feed_factory("feeds.outcomes")
def outcomes_feed(args: Mapping[str, str], view_args: Mapping[str, str]) -> Feed:
    asked = parse_list_query(args, outcome_queries.FILTERS)
    return _list_feed(
        "feeds.outcomes",
        asked,
        "outcomes",
        lambda: _filter_title(asked.filters, _("整改结果")),
        "outcomes.index",
        lambda: public_outcomes(clock.today(), filters=asked.filters),
        lambda query: query.with_only_columns(Rectification.id, Rectification.updated_at),
        outcome_entry,
    )


@feed_factory("feeds.complaints")
def complaints_feed(args: Mapping[str, str], view_args: Mapping[str, str]) -> Feed:
    """The twin of /complaints/: closed complaints published anonymised, newest closed first."""
    asked = parse_list_query(args, {})
    return _list_feed(
        "feeds.complaints",
        asked,
        "complaints",
        lambda: _("投诉办理结果"),
        "complaints.index",
        lambda: published_complaints().options(selectinload(Complaint.agency)),
        lambda query: query.with_only_columns(Complaint.number, Complaint.updated_at),
        complaint_entry,
    )


@feed_factory("feeds.agency")
def agency_feed(args: Mapping[str, str], view_args: Mapping[str, str]) -> Feed:
    """Everything about one agency: its public records, commitments, outcomes and published complaints, newest
    first."""
    found_agency = agency_or_404(view_args.get("uscc", ""))
    code = found_agency.uscc
    asked = parse_list_query(args, {})
    today = clock.today()
    record_query = public_records(today, {"agency": code})
    commitment_query = (
        commitment_queries.public_commitments({"agency": code})
        .order_by(None)
        .order_by(Commitment.published_at.desc(), Commitment.id.desc())
    )
    outcome_query = public_outcomes(today, found_agency.id)
    complaint_query = published_complaints(found_agency.id).options(selectinload(Complaint.agency))
    newest = FEED_SIZE * asked.page + 1  # enough of each kind to fill this page after merging

    @cache  # versions() and page() of one feed share it
    def merged() -> list[tuple[datetime, str, FeedEntry]]:
        entries: list[FeedEntry] = []
        entries += map(
            record_entry, db.session.scalars(record_query.options(selectinload(Record.rectification)).limit(newest))
        )
        entries += map(commitment_entry, db.session.scalars(commitment_query.limit(newest)))
        entries += map(outcome_entry, db.session.scalars(outcome_query.limit(newest)))
        entries += map(complaint_entry, db.session.scalars(complaint_query.limit(newest)))
        items = sorted(((entry.published, entry.id, entry) for entry in entries), reverse=True)
        return items[(asked.page - 1) * FEED_SIZE : asked.page * FEED_SIZE + 1]

    def versions() -> Versions:
        items = merged()
        return Versions([(item[1], item[2].updated) for item in items[:FEED_SIZE]], len(items) > FEED_SIZE)

    def page() -> tuple[list[FeedEntry], bool]:
        items = merged()
        return [item[2] for item in items[:FEED_SIZE]], len(items) > FEED_SIZE

    key = f"agencies/{code}"
    return Feed(
        "feeds.agency", {"uscc": code}, asked, {}, key, "agencies.profile", lambda: found_agency.name, versions, page
    )


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


SEARCH_SORT = "date"  # a followed search is newest first, unless it says otherwise


@feed_factory("feeds.search")
def search_feed(args: Mapping[str, str], view_args: Mapping[str, str]) -> Feed:
    """A search followed as a feed: the same query and facets, newest first (unless sort says otherwise)."""
    found = search_operations.run_search(args, FEED_SIZE, default_sort=SEARCH_SORT, facets=False, lenient=False)
    if found.unavailable:
        abort(503, _("搜索索引正在重建，请稍后再试。"))
    result = found.result
    hits = result.hits if result else []
    has_next = result is not None and result.total > found.asked.page * FEED_SIZE

    def versions() -> Versions:
        return Versions([(h.key, h.updated) for h in hits], has_next)

    def page() -> tuple[list[FeedEntry], bool]:
        return [search_entry(h) for h in hits], has_next

    def title() -> str:
        agencies = search_queries.agencies_by_uscc()
        parts = [f"“{found.text.strip()[:50]}”"] if found.text.strip() else []
        parts += [search_queries.facet_label(name, str(value), agencies) for name, value in found.facet_filters.items()]
        return " · ".join([*parts, _("搜索结果")])

    text = found.text.strip()
    filters = {k: v for k, v in found.asked.filters.items() if not (k == "sort" and v == SEARCH_SORT)}
    canonical = {**({"q": text} if text else {}), **_canonical(filters)}
    return Feed(
        "feeds.search",
        {},
        found.asked,
        canonical,
        "search",
        "search.page",
        title,
        versions,
        page,
        cacheable=False,
        followable=found.wanted,
    )


@bp.get("/records/feed.<any(atom, rss):fmt>")
def records(fmt: str) -> Response:
    return _serve(fmt, "feeds.records")


@bp.get("/commitments/feed.<any(atom, rss):fmt>")
def commitments(fmt: str) -> Response:
    return _serve(fmt, "feeds.commitments")


@bp.get("/outcomes/feed.<any(atom, rss):fmt>")
def outcomes(fmt: str) -> Response:
    return _serve(fmt, "feeds.outcomes")


@bp.get("/complaints/feed.<any(atom, rss):fmt>")
def complaints(fmt: str) -> Response:
    return _serve(fmt, "feeds.complaints")


@bp.get("/agencies/<uscc>/feed.<any(atom, rss):fmt>")
def agency(uscc: str, fmt: str) -> Response:
    return _serve(fmt, "feeds.agency")


@bp.get("/search/feed.<any(atom, rss):fmt>")
def search(fmt: str) -> Response:
    return _serve(fmt, "feeds.search")
