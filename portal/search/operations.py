"""Applying the outbox (portal/outbox.py) to the index after a commit (the "outbox" after-commit hook), and running
a search as the URL asks it (which first catches up with changes not yet applied)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import current_app

from portal import clock
from portal.extensions import db
from portal.listing import ListQuery, parse_list_query
from portal.search.engine import FACETS, SearchRequest, SearchResult, SearchUnavailableError
from portal.search.index import SearchIndex
from portal.search.queries import FILTERS, vocabulary
from portal.search.query import ParsedQuery, parse_query, printable

log = logging.getLogger(__name__)


def search_index() -> SearchIndex:
    index: SearchIndex = current_app.extensions["search_index"]
    return index


def sync_quietly(wait: float = 10.0) -> None:
    """Bring the index up to date (the "search" after-commit hook). Best effort: what fails now is applied by the
    next change, the next search or `flask search sync`."""
    try:
        search_index().sync(db.session, clock.today(), wait=wait)
    except Exception:  # the change is committed; the outbox keeps it for the next sync
        log.exception("search index not updated now; the outbox keeps the change for the next sync")
        db.session.rollback()


@dataclass
class Search:
    """One search as asked in the URL, and its answer (result is None when nothing was asked or it failed)."""

    text: str
    asked: ListQuery
    query: ParsedQuery
    result: SearchResult | None = None
    unavailable: bool = False
    partial: bool = False  # nothing had every word: the result is the any-word search, ranked
    named: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # agencies the query names: USCC, counts

    @property
    def sort(self) -> str:
        return str(self.asked.filters.get("sort", "relevance"))

    @property
    def facet_filters(self) -> dict[str, str | int]:
        return {k: v for k, v in self.asked.filters.items() if k in FACETS}

    @property
    def wanted(self) -> bool:
        return not self.query.is_empty or bool(self.facet_filters)


MAX_NAMED = 3  # agencies shown first with their counts


def _item_counts(index: SearchIndex, uscc: str) -> dict[str, int]:
    """How many public items of each type the agency has, as search counts them (its own 诚信档案 aside)."""
    result = index.search(SearchRequest(ParsedQuery(), clock.today(), filters={"agency": uscc}, limit=1))
    return {kind: n for kind, n in result.facets.get("type", []) if kind != "agency"}


def run_search(args: Mapping[str, str], per_page: int, default_sort: str = "relevance", facets: bool = True) -> Search:
    """Parse the URL's query string and search. Bad parameters leave `asked.problems`; a missing index sets
    `unavailable`."""
    text = printable(args.get("q", ""))
    asked = parse_list_query(args, FILTERS)
    if "sort" not in asked.filters:
        asked.filters["sort"] = default_sort
    index = search_index()
    found = Search(text, asked, ParsedQuery())
    if asked.problems or not (text.strip() or found.facet_filters):
        return found  # nothing asked: the form alone, even while the index is being rebuilt
    try:
        found.query = parse_query(text, index.analyzer(), vocabulary())
        if not found.wanted:
            return found
        if index.pending(db.session):  # a change some process committed but did not index: catch up now
            sync_quietly(wait=0)
        request = SearchRequest(
            query=found.query,
            today=clock.today(),
            filters=found.facet_filters,
            sort=found.sort,
            offset=(asked.page - 1) * per_page,
            limit=per_page,
            facets=facets,
        )
        found.result = index.search(request)
        loosened = found.query.loosened()
        if found.result.total == 0 and loosened is not None:
            found.result = index.search(replace(request, query=loosened))
            found.partial = True
        if asked.page == 1:
            found.named = [(uscc, _item_counts(index, uscc)) for uscc in found.query.agencies[:MAX_NAMED]]
    except SearchUnavailableError:
        current_app.logger.warning("search unavailable", exc_info=True)
        found.unavailable = True
    return found
