"""Applying the outbox (portal/outbox.py) to the index after a commit (the "outbox" after-commit hook), and running
a search as the URL asks it (which first catches up with changes not yet applied)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.errors import RefusedError
from portal.extensions import db
from portal.listing import ListQuery, parse_list_query
from portal.search.analyzer import squash
from portal.search.engine import FACETS, SearchRequest, SearchResult, SearchUnavailableError
from portal.search.index import SearchIndex
from portal.search.models import SearchTerm
from portal.search.queries import FILTERS, vocabulary
from portal.search.query import ParsedQuery, parse_query, printable
from portal.search.vocabulary import MAX_RUN
from portal.users.models import User

log = logging.getLogger(__name__)


def search_index() -> SearchIndex:
    index: SearchIndex = current_app.extensions["search_index"]
    return index


def sync_quietly(wait: float = 0.0) -> None:
    """Bring the index up to date (the "search" after-commit hook). Best effort, and a publishing request never waits
    for the index lock (issue 19): while another process holds it, that process applies what it finds, and the rest
    is applied by the next change, the next search or `flask search sync` (cron, every minute)."""
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
    near: bool = False  # nothing matched as typed: the result is for the agencies the words may mean (a near miss)
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
    asked = SearchRequest(ParsedQuery(), clock.today(), filters={"agency": uscc}, limit=1, facet_names=("type",))
    return {kind: n for kind, n in index.search(asked).facets.get("type", []) if kind != "agency"}


def run_search(
    args: Mapping[str, str],
    per_page: int,
    default_sort: str = "relevance",
    facets: bool = True,
    lenient: bool = True,
) -> Search:
    """Parse the URL's query string and search. Bad parameters leave `asked.problems`; a missing index sets
    `unavailable`. When the words as typed find nothing, a `lenient` search (the page, the API) tries again: first
    with the agencies the words may mean by a near miss (财正局), then any word, ranked (`partial`); it also counts
    the items of the agencies the query names. A feed is not lenient: it follows exactly what was asked."""
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
        if not lenient:
            return found
        if found.result.total == 0:
            near = parse_query(text, index.analyzer(), vocabulary(), near=True)
            if near != found.query:
                found.query, found.near = near, True
                found.result = index.search(replace(request, query=near))
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


# --- the staff's vocabulary (search_terms) ---


TERM_SHORTEST, TERM_LONGEST = 2, 40  # characters of a word and of the site's term it means (the columns hold 40)
TERM_EXISTS = _l("已有该词条")


def _term_length_problem(text: str) -> object | None:
    if len(text) < TERM_SHORTEST or len(squash(text)) < TERM_SHORTEST:
        return _l("太短了：至少 %(min)d 个字符。", min=TERM_SHORTEST)
    if len(text) > TERM_LONGEST:
        return _l("太长了：最多 %(max)d 个字符。", max=TERM_LONGEST)
    return None


def _too_many_words(word: str) -> bool:
    """A synonym is looked up as a run of at most MAX_RUN query words: one the index's segmenter cuts into more
    would never be found (unknown while the index is unavailable: then it is let through)."""
    try:
        return len(search_index().analyzer().words_of(word)) > MAX_RUN
    except SearchUnavailableError:
        return False


def add_term(word: str, *, means: str = "", agency: Agency | None = None, by: User) -> SearchTerm:
    """A word residents type, added to the search vocabulary by staff: a synonym of a site term (`means`,
    卡脖子 -> 逾期) or another name of `agency` (县医院 -> 演示县人民医院). It takes effect at the next search.
    Refused (RefusedError beside `word`, `means` or `agency`): a word or meaning of fewer than 2 or more than 40
    characters, both or neither of `means` and `agency`, a word that is its own meaning, and an entry the vocabulary
    has already (vocabulary.toml, the generated synonyms and abbreviations, an agency's names, the staff's terms)."""
    word, means = word.strip(), means.strip()
    problem = _term_length_problem(word)
    if problem is not None:
        raise RefusedError(problem, field="word")
    if means and agency is not None:
        raise RefusedError(_l("同义词和机构别名只能二选一：填写本站用语，或选择机构。"), field="agency")
    if not means and agency is None:
        raise RefusedError(_l("请填写这个词对应的本站用语，或选择它所指的机构。"), field="means")
    known = vocabulary()
    key = squash(word)
    if agency is None:
        problem = _term_length_problem(means)
        if problem is not None:
            raise RefusedError(problem, field="means")
        if squash(means) == key:
            raise RefusedError(_l("词语和本站用语相同，不必添加。"), field="means")
        if any(squash(target) == squash(means) for target in known.alternatives((key,))):
            raise RefusedError(TERM_EXISTS, field="word")
        if _too_many_words(word):
            raise RefusedError(
                _l("这个词太长：搜索时最多把连续 %(n)d 个词当作一个说法，请改短一些。", n=MAX_RUN), field="word"
            )
    elif agency.uscc in known.named.get(key, ()):  # its name, short name, a former name, an abbreviation, an alias
        raise RefusedError(TERM_EXISTS, field="word")
    term = SearchTerm(word=word, means=means, agency_id=agency.id if agency else None, added_by=by.username)
    try:
        with db.session.begin_nested():  # the same entry added at the same moment: refused, not a 500
            db.session.add(term)
            db.session.flush()
    except IntegrityError:
        raise RefusedError(TERM_EXISTS, field="word") from None
    write_audit("search_term.add", "search_term", term.id, _term_changes(term, agency, added=True), by=by)
    db.session.flush()
    return term


def _term_changes(term: SearchTerm, agency: Agency | None, *, added: bool) -> dict[str, list[object]]:
    def change(value: object) -> list[object]:
        return [None, value] if added else [value, None]

    changes = {"word": change(term.word)}
    if agency is not None:
        changes["agency"] = change(f"{agency.name}（{agency.uscc}）")
    else:
        changes["means"] = change(term.means)
    return changes


def remove_term(term: SearchTerm, *, by: User) -> None:
    """A staff term taken out of the search vocabulary (the audit log keeps what it was); the next search goes
    without it."""
    write_audit("search_term.remove", "search_term", term.id, _term_changes(term, term.agency, added=False), by=by)
    db.session.delete(term)
    db.session.flush()
