"""/api/v1/…: the read-only JSON API, by the same publication rule and the same filters as the pages (each list's
query is the page's own: records.queries.public_records, commitments.queries.public_commitments, …), and
/developers/, the page that explains it.

Every answer under /api/ (the search's too) may be read by any site (CORS `*`: the data is public and no cookie is
needed) and carries an ETag: the page cache's publication version when it serves the request (portal/pagecache.py,
which keeps /api answers like pages), else a hash of the body; a reader that sends it back gets 304. Errors are JSON
with the right 4xx and a message; an address under /api/ that does not exist is a JSON 404, a method other than GET
a JSON 405."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import HTTPException, NotFound

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import agency_or_404
from portal.commitments.models import Commitment
from portal.commitments.queries import public_commitments
from portal.commitments.rules import is_commitment_code
from portal.complaints.models import Complaint
from portal.core.months import Month
from portal.extensions import csrf, db
from portal.opendata.queries import listed_agencies, published_complaints
from portal.records.models import Record
from portal.records.queries import public_records
from portal.rectifications.models import Rectification
from portal.rectifications.queries import public_outcomes
from portal.reports.models import Bulletin
from portal.reports.queries import published_of
from portal.reports.rules import BulletinState
from portal.statistics.queries import figures
from portal.statistics.rules import DEFAULT_MONTHS
from portal.statistics.views import labels
from portal.web import as_id, current_external_url, select_locale, site_root

from . import schemas
from .endpoints import BY_NAME, DEFAULT_LIMIT, ENDPOINTS, MAX_LIMIT, Endpoint
from .openapi import document

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # nothing here changes anything; a POST is answered 405
developers_bp = Blueprint("developers", __name__)

PREFIX = "/api/v1"
READ_METHODS = "GET, HEAD, OPTIONS"
CORS_MAX_AGE = 86400  # seconds a browser may keep the answer to a preflight request
# What deploy/nginx lets one address do (limit_req: requests a second, and the burst taken at once); the developers'
# page states it, and tests/api checks these against deploy/nginx.
EDGE_LIMITS = {"api": (20, 100), "search": (5, 20)}
ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    410: "gone",
    413: "too_large",
    429: "too_many_requests",
    503: "unavailable",
}

Json = dict[str, Any]


def _route(name: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a view at its declared rule (endpoints.py), under /api/v1."""
    endpoint = BY_NAME[name]

    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        bp.add_url_rule(PREFIX + endpoint.rule, name, view, methods=["GET"])
        return view

    return register


def _json(body: Json, status: int = 200) -> Response:
    """JSON in UTF-8 (Chinese as itself, not \\u escapes), its keys in their declared order."""
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status, mimetype="application/json")


def _bad_request(problems: dict[str, str]) -> Response:
    return _json(schemas.error("bad_request", _("请检查查询参数"), problems), 400)


def _not_found() -> Response:
    return _json(schemas.error("not_found", _("不存在或不公开")), 404)


# --- lists -------------------------------------------------------------------------------------------------------


def _page(
    endpoint: Endpoint,
    query_of: Callable[[dict[str, Any]], Select[Any]],
    to_json: Callable[[Sequence[Any]], list[Json]],
    html: str,
    feed: str | None,
    feed_args: dict[str, Any] | None = None,
) -> Response:
    """One page of a list: its filters parsed as the page parses them, its items after the cursor's, the cursor of
    the next page, how many items the filters find in all, and where the list is on the site."""
    asked = endpoint.parse(request.args)
    if asked.problems:
        return _bad_request(asked.problems)
    filters = dict(asked.filters)
    anchor = filters.pop("cursor", None)
    limit = int(filters.pop("limit", DEFAULT_LIMIT))
    keyset = endpoint.keyset
    assert keyset is not None
    query = keyset.ordered(query_of(filters))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if anchor is not None:
        values = db.session.execute(select(*(c for c, _d in keyset.columns)).where(keyset.key == anchor)).one_or_none()
        if values is None:  # an item that no longer exists (a cursor of another database)
            return _bad_request({"cursor": _("无效的翻页游标：请使用上一页答复中的 next_cursor")})
        query = query.where(keyset.after(tuple(values)))
    found = list(db.session.scalars(query.limit(limit + 1)))
    items, more = found[:limit], len(found) > limit
    next_cursor = endpoint.cursor(getattr(items[-1], keyset.key.key)) if more else None
    shown: dict[str, Any] = {name: request.args[name].strip() for name in filters}  # as asked: the page, the feed
    # the next page: what was parsed, never the raw query string (a name such as `endpoint` or `_scheme` would be
    # taken by url_for itself)
    following: dict[str, Any] = {**shown, "limit": limit, "cursor": next_cursor}
    if "lang" in request.args:
        following["lang"] = select_locale()
    site = site_root()
    return _json(
        {
            "items": to_json(items),
            "total": total,
            "limit": limit,
            "filters": filters,
            "next_cursor": next_cursor,
            "links": {
                "self": current_external_url(),
                "next": site + url_for(f"api.{endpoint.name}", **following) if next_cursor else None,
                "html": site + url_for(html, **shown),
                "feed": site + url_for(feed, fmt="atom", **shown, **(feed_args or {})) if feed else None,
            },
        }
    )


@_route("records")
def records() -> Response:
    today = clock.today()

    def query(filters: dict[str, Any]) -> Select[Any]:
        return public_records(today, filters).options(*_RECORD_LOADS)

    return _page(
        BY_NAME["records"],
        query,
        lambda items: [schemas.record_json(r, today) for r in items],
        "records.index",
        "feeds.records",
    )


_RECORD_LOADS = (
    selectinload(Record.rectification).selectinload(Rectification.steps),
    selectinload(Record.commitment),
)


@_route("commitments")
def commitments() -> Response:
    return _page(
        BY_NAME["commitments"],
        lambda filters: public_commitments(filters).options(selectinload(Commitment.fulfilment_history)),
        lambda items: [schemas.commitment_json(c) for c in items],
        "commitments.index",
        "feeds.commitments",
    )


@_route("outcomes")
def outcomes() -> Response:
    today = clock.today()
    return _page(
        BY_NAME["outcomes"],
        lambda filters: public_outcomes(today, filters=filters),
        lambda items: [schemas.outcome_json(o) for o in items],
        "outcomes.index",
        "feeds.outcomes",
    )


@_route("agencies")
def agencies() -> Response:
    today = clock.today()

    def to_json(items: Sequence[Agency]) -> list[Json]:
        counts = _agency_counts([a.id for a in items])
        return [schemas.agency_json(a, counts.get(a.id, {})) for a in items]

    return _page(
        BY_NAME["agencies"],
        lambda filters: listed_agencies(today, filters).options(selectinload(Agency.former_names)),
        to_json,
        "agencies.index",
        None,
    )


def _agency_counts(ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """What each agency's 诚信档案 counts: its public records and commitments and its published complaints (three
    grouped queries for a whole page)."""
    ids = list(ids)
    counts: dict[int, dict[str, int]] = {agency_id: {} for agency_id in ids}
    if not ids:
        return counts
    today = clock.today()
    for name, column, shown in (
        ("records", Record.agency_id, Record.public_clause(today)),
        ("commitments", Commitment.agency_id, Commitment.public_clause()),
        ("complaints", Complaint.agency_id, Complaint.published),
    ):
        rows = db.session.execute(select(column, func.count()).where(shown, column.in_(ids)).group_by(column))
        for agency_id, n in rows:
            if agency_id is not None:
                counts[agency_id][name] = int(n)
    return counts


@_route("complaints")
def complaints() -> Response:
    return _page(
        BY_NAME["complaints"],
        lambda filters: published_complaints(clock.today(), filters),
        lambda items: [schemas.complaint_json(c) for c in items],
        "complaints.index",
        "feeds.search",  # the published complaints, newest first, are the search's feed of that type
        {"type": "complaint"},
    )


@_route("bulletins")
def bulletins() -> Response:
    def query(filters: dict[str, Any]) -> Select[Any]:
        return (
            select(Bulletin)
            .where(Bulletin.state == BulletinState.PUBLISHED.value)
            .options(selectinload(Bulletin.errata))
        )

    return _page(
        BY_NAME["bulletins"],
        query,
        lambda items: [schemas.bulletin_json(b, full=False) for b in items],
        "reports.index",
        "reports.feed",
    )


# --- one item ----------------------------------------------------------------------------------------------------


@_route("record")
def record(record_id: str) -> Response:
    """As the record's page: 404 for an unknown or not yet published record (or what is no id, as the page's
    IdConverter has it), 410 with the short notice (kind, agency, date, reason) once publication stopped, never its
    details."""
    key = as_id(record_id)
    found = db.session.scalar(select(Record).where(Record.id == key).options(*_RECORD_LOADS)) if key else None
    today = clock.today()
    if found is None or found.publication_start > today:
        return _not_found()
    notice = found.stop_notice(today)
    if notice is not None:
        return _json(schemas.stopped_json(found, notice), 410)
    return _json(schemas.record_json(found, today))


@_route("commitment")
def commitment(code: str) -> Response:
    found = None
    if is_commitment_code(code):
        found = db.session.scalar(
            select(Commitment)
            .where(Commitment.code == code)
            .options(selectinload(Commitment.fulfilment_history), joinedload(Commitment.letter))
        )
    if found is None or not found.is_public:
        return _not_found()
    return _json(schemas.commitment_json(found))


@_route("agency")
def agency(uscc: str) -> Response:
    found = agency_or_404(uscc)
    return _json(schemas.agency_json(found, _agency_counts([found.id])[found.id]))


@_route("complaint")
def complaint(number: str) -> Response:
    found = db.session.scalar(published_complaints(clock.today(), {}).where(Complaint.number == number[:30]))
    if found is None:
        return _not_found()
    return _json(schemas.complaint_json(found))


@_route("bulletin")
def bulletin(month: str) -> Response:
    try:
        found = published_of(Month.parse(month))
    except ValueError:
        found = None
    if found is None:
        return _not_found()
    return _json(schemas.bulletin_json(found, full=True))


@_route("statistics")
def statistics() -> Response:
    """The figures /statistics/ shows, for the same ?months= (12 or 24)."""
    asked = BY_NAME["statistics"].parse(request.args)
    if asked.problems:
        return _bad_request(asked.problems)
    months = int(asked.filters.get("months", DEFAULT_MONTHS))
    found = figures(clock.today(), months)
    return _json(schemas.statistics_json(found, months, labels(found)))


@bp.get(PREFIX + "/openapi.json")
def openapi() -> Response:
    return _json(document())


@bp.route(f"{PREFIX}/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def elsewhere(rest: str) -> Response:
    """Any other address under /api/, or a method the API does not take: JSON, not the HTML error page."""
    if request.method not in ("GET", "HEAD"):
        response = _json(schemas.error("method_not_allowed", _("只支持 GET（只读接口）")), 405)
        response.headers["Allow"] = READ_METHODS
        return response
    message = _("没有这个接口。接口说明见 %(url)s", url=site_root() + url_for("api.openapi"))
    return _json(schemas.error("not_found", message), 404)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response | HTTPException:
    """An error in an API view (agency_or_404's 404, a size limit, a rate limit, a 500): JSON, with its status and
    its headers (Retry-After, Allow)."""
    status = error.code or 500
    if status < 400:
        return error
    described = error.description if error.description != type(error).description else None
    message = described or (_("不存在或不公开") if isinstance(error, NotFound) else error.name)
    response = _json(schemas.error(ERROR_CODES.get(status, "server_error"), str(message)), status)
    for name in ("Allow", "Retry-After"):
        if name in error.get_response().headers:
            response.headers[name] = error.get_response().headers[name]
    return response


@bp.after_app_request
def _api_headers(response: Response) -> Response:
    """Every answer under /api/ (the search's too): readable by any site, and validated. This runs after the page
    cache's hook (registered earlier, so called later), which has set the publication version's ETag when it serves
    the request; without it the ETag is the body's hash, and a matching If-None-Match gets 304."""
    if not request.path.startswith("/api/"):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":  # a browser's preflight (a request with If-None-Match asks first)
        response.headers["Allow"] = READ_METHODS
        response.headers["Access-Control-Allow-Methods"] = READ_METHODS
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    elif (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and "ETag" not in response.headers
        and not response.is_streamed
    ):
        response.add_etag()
        response.make_conditional(request)
    return response


# --- the developers' page -------------------------------------------------------------------------------------------


@developers_bp.get("/developers/")
def page() -> str:
    return render_template(
        "api/developers.html",
        endpoints=ENDPOINTS,
        site=site_root(),
        limits=EDGE_LIMITS,
        default_limit=DEFAULT_LIMIT,
        max_limit=MAX_LIMIT,
        example_record=_example_record_id(),
    )


def _example_record_id() -> int | None:
    """A public record's id, for the examples (None on an empty site)."""
    return db.session.scalar(public_records(clock.today()).with_only_columns(Record.id).limit(1))
