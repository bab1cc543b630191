"""The search page, its JSON twin (/api/v1/search) and its feeds (/search/feed.atom|rss). The URL carries
everything: the query, the facet filters, the sort and the page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from portal.agencies.models import Agency
from portal.listing import Page
from portal.outbox import ItemType, item_key
from portal.search.engine import FACETS, Hit
from portal.search.highlight import mark, snippet
from portal.search.operations import Search, run_search
from portal.search.queries import (
    FACET_LABELS,
    FACET_SHOWN,
    TYPE_LABELS,
    agencies_by_uscc,
    facet_label,
)
from portal.search.query import MAX_QUERY_CHARS, ParsedQuery
from portal.search.suggest import suggest_agencies
from portal.web import site_root

bp = Blueprint("search", __name__)


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
    """Agencies that each part of the query may mean (quotes and exclusions aside), best first; none when the
    query names one, which then heads the results."""
    if query.agencies:
        return []
    names = [(a.name, a.uscc) for a in agencies.values()]
    found: dict[str, str] = {}
    for clause in query.required:
        for name, uscc in suggest_agencies("".join(clause.words), names, limit):
            found.setdefault(uscc, name)
    return [(name, uscc) for uscc, name in list(found.items())[:limit]]


@dataclass(frozen=True)
class NamedAgency:
    """An agency the query names (its name, alias, abbreviation, pinyin, a near miss): the first result, with how
    many public items of each type it has."""

    agency: Agency
    counts: list[tuple[str, str, int]]  # type, label, count


def _named(found: Search, agencies: dict[str, Agency]) -> list[NamedAgency]:
    return [
        NamedAgency(agencies[uscc], [(kind, str(TYPE_LABELS[kind]), n) for kind, n in counts.items()])
        for uscc, counts in found.named
        if uscc in agencies
    ]


def _notices(found: Search) -> list[tuple[str, str]]:
    """What the page says about how the query was read (and the API returns): (code, message)."""
    notices = []
    if len(found.text) > MAX_QUERY_CHARS:
        notices.append(("cut", _("查询过长，只按前 %(n)d 个字搜索。", n=MAX_QUERY_CHARS)))
    if found.near and found.result is not None and found.result.total:
        notices.append(("near", _("没有找到与输入完全一致的内容，以下按名称相近的机构查找。")))
    if found.partial:
        notices.append(("partial", _("没有同时包含全部词语的结果，以下为部分匹配。")))
    return notices


@bp.get("/search")
def page() -> tuple[str, int]:
    per_page: int = current_app.config["PORTAL_SETTINGS"].page_size
    found = run_search(request.args, per_page)
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
    named = _named(found, agencies)
    shown_first = {item_key(ItemType.AGENCY, n.agency.uscc) for n in named}
    return render_template(
        "search.html",
        found=found,
        text=found.text[:MAX_QUERY_CHARS],
        notices=_notices(found),
        named=named,
        hits=[_shown(h, words, agencies) for h in result.hits if h.key not in shown_first] if result else [],
        results=Page([], found.asked.page, per_page, result.total) if result else None,
        facets=facets,
        suggestions=_suggestions(found.query, agencies),
        sort_labels={"relevance": _("相关度"), "date": _("日期（新→旧）")},
    ), status


API_PAGE_SIZE = 20


@bp.get("/api/v1/search")
def api() -> tuple[Response, int]:
    found = run_search(request.args, API_PAGE_SIZE)
    if found.asked.problems:
        return jsonify(error="bad_request", problems=found.asked.problems), 400
    if found.unavailable:
        return jsonify(
            error="search_unavailable", message="搜索索引正在重建，请稍后再试 / search is being rebuilt; try again soon"
        ), 503
    result = found.result
    words = found.query.highlight_words
    agencies = agencies_by_uscc()
    site = site_root()
    return jsonify(
        query=found.text[:MAX_QUERY_CHARS],
        filters=found.asked.filters,
        page=found.asked.page,
        per_page=API_PAGE_SIZE,
        total=result.total if result else 0,
        notices=[{"code": code, "message": message} for code, message in _notices(found)],
        agencies=[
            {
                "uscc": n.agency.uscc,
                "name": n.agency.name,
                "url": site + url_for("agencies.profile", uscc=n.agency.uscc),
                "counts": {kind: count for kind, _label, count in n.counts},
            }
            for n in _named(found, agencies)
        ],
        suggestions=[
            {"uscc": uscc, "name": name, "url": site + url_for("agencies.profile", uscc=uscc)}
            for name, uscc in _suggestions(found.query, agencies)
        ],
        items=[
            {
                "key": h.key,
                "type": h.type,
                "title": h.title,
                "url": site + h.path,
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
