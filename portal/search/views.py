"""The search page, its JSON twin (/api/v1/search) and its feeds (/search/feed.atom|rss). The URL carries
everything: the query, the facet filters, the sort and the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from portal import clock
from portal.agencies.models import Agency
from portal.commitments.rules import CommitmentType, Fulfilment
from portal.extensions import db
from portal.listing import ListQuery, Page, choice, parse_list_query, region_param, uscc_param, year
from portal.records.kinds import KINDS, Kind
from portal.records.rules import RecordStatus
from portal.rectifications.rules import Outcome
from portal.search.documents import TYPES
from portal.search.engine import FACETS, SORTS, Hit, SearchRequest, SearchResult, SearchUnavailable
from portal.search.highlight import mark, snippet
from portal.search.operations import search_index, sync_quietly
from portal.search.query import MAX_QUERY_CHARS, ParsedQuery, parse_query, printable
from portal.search.suggest import suggest_agencies

bp = Blueprint("search", __name__)

TYPE_LABELS: dict[str, Any] = {
    "record": _l("失信记录"),
    "commitment": _l("政务承诺"),
    "outcome": _l("整改结果"),
    "agency": _l("诚信档案"),
    "page": _l("政策与指南"),
}
FACET_LABELS: dict[str, Any] = {
    "type": _l("类型"),
    "kind": _l("类别"),
    "status": _l("状态"),
    "agency": _l("主体"),
    "region": _l("地区"),
    "year": _l("年份"),
}
KIND_LABELS: dict[str, Any] = {**dict(Kind.choices()), **dict(CommitmentType.choices())}
STATUS_LABELS: dict[str, Any] = {
    **dict(RecordStatus.choices()),
    **dict(Fulfilment.choices()),
    **dict(Outcome.choices()),
}
FILTERS = {
    "type": choice(TYPES),
    "kind": choice([*KINDS, *(t.value for t in CommitmentType)]),
    "status": choice([*(s.value for s in RecordStatus), *(f.value for f in Fulfilment), *(o.value for o in Outcome)]),
    "agency": uscc_param,
    "region": region_param,
    "year": year,
    "sort": choice(SORTS),
}
FACET_SHOWN = 10  # values per facet on the page


@dataclass
class Search:
    """One search as asked in the URL, and its answer (result is None when nothing was asked or it failed)."""

    text: str
    asked: ListQuery
    query: ParsedQuery
    result: SearchResult | None = None
    unavailable: bool = False

    @property
    def sort(self) -> str:
        return str(self.asked.filters.get("sort", "relevance"))

    @property
    def facet_filters(self) -> dict[str, str | int]:
        return {k: v for k, v in self.asked.filters.items() if k in FACETS}

    @property
    def wanted(self) -> bool:
        return not self.query.is_empty or bool(self.facet_filters)


def run_search(per_page: int, default_sort: str = "relevance", facets: bool = True) -> Search:
    """Parse the URL and search. Bad parameters leave `asked.problems`; a missing index sets `unavailable`."""
    text = printable(request.args.get("q", ""))
    asked = parse_list_query(request.args, FILTERS)
    if "sort" not in asked.filters:
        asked.filters["sort"] = default_sort
    index = search_index()
    found = Search(text, asked, ParsedQuery())
    if asked.problems or not (text.strip() or found.facet_filters):
        return found  # nothing asked: the form alone, even while the index is being rebuilt
    try:
        found.query = parse_query(text, index.analyzer())
        if not found.wanted:
            return found
        if index.pending(db.session):  # a change some process committed but did not index: catch up now
            sync_quietly(wait=0)
        found.result = index.search(
            SearchRequest(
                query=found.query,
                today=clock.today(),
                filters=found.facet_filters,
                sort=found.sort,
                offset=(asked.page - 1) * per_page,
                limit=per_page,
                facets=facets,
            )
        )
    except SearchUnavailable:
        current_app.logger.warning("search unavailable", exc_info=True)
        found.unavailable = True
    return found


def agencies_by_uscc() -> dict[str, Agency]:
    return {a.uscc: a for a in db.session.scalars(select(Agency).order_by(Agency.name))}


def facet_label(name: str, value: str, agencies: dict[str, Agency]) -> str:
    if name == "type":
        return str(TYPE_LABELS.get(value, value))
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "status":
        return str(STATUS_LABELS.get(value, value))
    if name == "agency":
        return agencies[value].name if value in agencies else value
    if name == "region":
        return next((a.region_name for a in agencies.values() if a.region_code == value), value)
    return value


@dataclass(frozen=True)
class ShownHit:
    hit: Hit
    title: Markup
    snippet: Markup
    type_label: str
    agency_name: str


def _shown(hit: Hit, words: list[str], agencies: dict[str, Agency]) -> ShownHit:
    agency = agencies.get(hit.agency)
    return ShownHit(
        hit, mark(hit.title, words), snippet(hit.body, words), str(TYPE_LABELS[hit.type]), agency.name if agency else ""
    )


def _suggestions(query: ParsedQuery, agencies: dict[str, Agency], limit: int = 5) -> list[tuple[str, str]]:
    """Agencies that each part of the query may mean (quotes and exclusions aside), best first."""
    names = [(a.name, a.uscc) for a in agencies.values()]
    found: dict[str, str] = {}
    for clause in query.required:
        for name, uscc in suggest_agencies("".join(clause.words), names, limit):
            found.setdefault(uscc, name)
    return [(name, uscc) for uscc, name in list(found.items())[:limit]]


@bp.get("/search")
def page() -> tuple[str, int]:
    per_page: int = current_app.config["PORTAL_SETTINGS"].page_size
    found = run_search(per_page)
    agencies = agencies_by_uscc()
    result = found.result
    words = found.query.highlight_words
    facets = []
    if result is not None:
        for name in FACETS:
            values = result.facets.get(name, [])
            chosen = str(found.asked.filters.get(name, ""))
            # the chosen value first (it may rank beyond the ones shown), then the most frequent others
            shown = [vn for vn in values if vn[0] == chosen] + [vn for vn in values[:FACET_SHOWN] if vn[0] != chosen]
            facets.append(
                (name, FACET_LABELS[name], [(v, facet_label(name, v, agencies), n, v == chosen) for v, n in shown])
            )
    status = 400 if found.asked.problems else 503 if found.unavailable else 200
    return render_template(
        "search.html",
        found=found,
        text=found.text[:MAX_QUERY_CHARS],
        cut=len(found.text) > MAX_QUERY_CHARS,
        hits=[_shown(h, words, agencies) for h in result.hits] if result else [],
        results=Page([], found.asked.page, per_page, result.total) if result else None,
        facets=facets,
        suggestions=_suggestions(found.query, agencies),
        sort_labels={"relevance": _("相关度"), "date": _("日期（新→旧）")},
    ), status


API_PAGE_SIZE = 20


@bp.get("/api/v1/search")
def api() -> tuple[Response, int]:
    found = run_search(API_PAGE_SIZE)
    if found.asked.problems:
        return jsonify(error="bad_request", problems=found.asked.problems), 400
    if found.unavailable:
        return jsonify(
            error="search_unavailable", message="搜索索引正在重建，请稍后再试 / search is being rebuilt; try again soon"
        ), 503
    result = found.result
    words = found.query.highlight_words
    return jsonify(
        query=found.text[:MAX_QUERY_CHARS],
        filters=found.asked.filters,
        page=found.asked.page,
        per_page=API_PAGE_SIZE,
        total=result.total if result else 0,
        items=[
            {
                "key": h.key,
                "type": h.type,
                "title": h.title,
                "url": url_for("home.index", _external=True).rstrip("/") + h.path,
                "date": h.day.isoformat() if h.day else None,
                "agency": h.agency or None,
                "snippet_html": str(snippet(h.body, words)),
            }
            for h in (result.hits if result else [])
        ],
        facets={
            name: [{"value": v, "count": n} for v, n in values]
            for name, values in (result.facets if result else {}).items()
        },
    ), 200
