"""Applying the outbox (portal/outbox.py) to the index after a commit (the "outbox" after-commit hook), and running
a search as the URL asks it (which first catches up with changes not yet applied)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app

from portal import clock
from portal.extensions import db
from portal.listing import ListQuery, parse_list_query
from portal.search.engine import FACETS, SearchRequest, SearchResult, SearchUnavailableError
from portal.search.index import SearchIndex
from portal.search.queries import FILTERS
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

    @property
    def sort(self) -> str:
        return str(self.asked.filters.get("sort", "relevance"))

    @property
    def facet_filters(self) -> dict[str, str | int]:
        return {k: v for k, v in self.asked.filters.items() if k in FACETS}

    @property
    def wanted(self) -> bool:
        return not self.query.is_empty or bool(self.facet_filters)


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
    except SearchUnavailableError:
        current_app.logger.warning("search unavailable", exc_info=True)
        found.unavailable = True
    return found
