"""The pure-Python engine: whoosh-reloaded (PORTAL_SEARCH_ENGINE=whoosh).

whoosh pickles a field's analyzer into the index, so `EncodedTokens` lives here, in an importable module, and holds
no state: documents reach it already analysed (word, position, offsets), encoded in the field's value. Searches
open a new searcher each time (Searcher.refresh() duplicates documents after a merge in whoosh-reloaded)."""

from __future__ import annotations

import gc
import pickle
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from portal.outbox import ItemType, item_key
from portal.search.analyzer import Analyzer
from portal.search.documents import SearchDoc
from portal.search.engine import (
    AGENCY_BOOST,
    AGENCY_FIRST_BOOST,
    CODE_BOOST,
    NEVER,
    PHRASE_BOOST,
    TITLE_BOOST,
    Hit,
    SearchRequest,
    SearchResult,
    SearchUnavailableError,
    day_number,
    from_day_number,
    from_timestamp,
    region_codes,
    sorted_counts,
    timestamp,
)
from portal.search.query import Clause, Term, code_form

_TOKEN_SEP = "\x1e"
_PART_SEP = "\x1f"


def encode(text: str, analyzer: Analyzer) -> str:
    return _TOKEN_SEP.join(
        _PART_SEP.join((t.text, str(t.position), str(t.start), str(t.end))) for t in analyzer.tokens(text)
    )


class EncodedTokens(Tokenizer):
    """Yields the tokens that `encode` wrote, with their word positions and character offsets."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for item in value.split(_TOKEN_SEP) if value else ():
            text, position, start, end = item.split(_PART_SEP)
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + int(position)
            if chars:
                token.startchar = start_char + int(start)
                token.endchar = start_char + int(end)
            yield token


SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    type=ID(stored=True),
    kind=ID(stored=True),
    status=ID(stored=True),
    agency=ID(stored=True),
    region=KEYWORD(lowercase=False),  # the agency's region and the county it is in
    path=STORED(),
    codes=KEYWORD(lowercase=False),
    title=TEXT(analyzer=EncodedTokens(), phrase=True),
    body=TEXT(analyzer=EncodedTokens(), phrase=True),
    title_text=STORED(),
    body_text=STORED(),
    year=NUMERIC(int, bits=32, sortable=True),
    day=NUMERIC(int, bits=32, stored=True, sortable=True),
    visible_from=NUMERIC(int, bits=32),
    visible_until=NUMERIC(int, bits=32),
    updated=NUMERIC(int, bits=64, stored=True),
)


def _fields(doc: SearchDoc, analyzer: Analyzer) -> dict[str, Any]:
    return {
        "key": doc.key,
        "type": doc.type,
        "kind": doc.kind,
        "status": doc.status,
        "agency": doc.agency,
        "region": " ".join(region_codes(doc.region)),
        "path": doc.path,
        "codes": " ".join(code_form(c) for c in doc.codes),
        "title": encode(doc.title, analyzer),
        "body": encode(doc.body, analyzer),
        "title_text": doc.title,
        "body_text": doc.body,
        "year": doc.day.year if doc.day else 0,
        "day": day_number(doc.day),
        "visible_from": day_number(doc.visible_from),
        "visible_until": day_number(doc.visible_until, NEVER),
        "updated": timestamp(doc.updated),
    }


def _term(field: str, value: Any, boost: float = 1.0) -> wq.Query:
    return wq.Term(field, value, boost=boost)


def _words(words: tuple[str, ...]) -> list[wq.Query]:
    return [wq.Or([_term("title", w, TITLE_BOOST), _term("body", w)]) for w in words]


def _agency(uscc: str) -> list[wq.Query]:
    return [_term("agency", uscc, AGENCY_BOOST), _term("key", item_key(ItemType.AGENCY, uscc), AGENCY_FIRST_BOOST)]


def _term_query(term: Term) -> wq.Query:
    options: list[wq.Query] = [wq.And(_words(words)) for words in (term.words, *term.alternatives)]
    options += [query for uscc in term.agencies for query in _agency(uscc)]
    return wq.Or(options) if len(options) > 1 else options[0]


def _clause(clause: Clause) -> wq.Query:
    if clause.only_agencies:
        return wq.Or([query for uscc in clause.only_agencies for query in _agency(uscc)])
    if clause.phrase:
        options: list[wq.Query] = [
            wq.Phrase("title", list(clause.words), boost=TITLE_BOOST),
            wq.Phrase("body", list(clause.words)),
        ]
    else:
        options = [wq.And([_term_query(t) for t in clause.match_terms])]
        if len(clause.words) > 1:
            options.append(wq.Phrase("title", list(clause.words), boost=PHRASE_BOOST))
    if clause.code:
        options.append(_term("codes", clause.code, CODE_BOOST))
    return wq.Or(options)


def build_query(request: SearchRequest) -> tuple[wq.Query, wq.Query]:
    """The query, and the mask of documents to leave out."""
    today = day_number(request.today)
    asked = request.query
    must: list[wq.Query] = [_clause(c) for c in asked.required]
    if asked.any_word and must:
        must = [wq.Or(must)]
    if asked.code and must:
        must = [wq.Or([wq.And(must), _term("codes", asked.code, CODE_BOOST)])]
    must += [wq.NumericRange(n, v, v) if n == "year" else _term(n, v) for n, v in request.filters.items()]
    # Not shown today: the few records not yet started or already ended (ranges over all the shown ones would
    # make every search walk every document).
    hidden: list[wq.Query] = [
        wq.NumericRange("visible_from", today + 1, None),
        wq.NumericRange("visible_until", None, today),
        *(_clause(c) for c in request.query.excluded),
    ]
    return (wq.And(must) if must else wq.Every()), wq.Or(hidden)


class WhooshEngine:
    name = "whoosh"

    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def create(cls, path: Path) -> WhooshEngine:
        path.mkdir(parents=True, exist_ok=True)
        return cls(whoosh_index.create_in(str(path), SCHEMA))

    @classmethod
    def open(cls, path: Path) -> WhooshEngine:
        with warnings.catch_warnings():  # whoosh leaves an unreadable table of contents open: closed quietly below
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return cls(whoosh_index.open_dir(str(path)))
            except (whoosh_index.IndexError, OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:
                reason = str(exc) or type(exc).__name__
            gc.collect()
        raise SearchUnavailableError(f"cannot open the whoosh index at {path}: {reason}")

    def apply(self, docs: Iterable[SearchDoc], deleted: Iterable[str], analyzer: Analyzer) -> None:
        writer = self._index.writer()
        try:
            for key in deleted:
                writer.delete_by_term("key", key)
            for doc in docs:
                writer.update_document(**_fields(doc, analyzer))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def search(self, request: SearchRequest) -> SearchResult:
        query, hidden = build_query(request)
        sortedby = sorting.FieldFacet("day", reverse=True) if request.sort == "date" else None
        groupedby = (
            {name: sorting.FieldFacet(name, allow_overlap=name == "region") for name in request.facet_names}
            if request.facets
            else None
        )
        try:
            with self._index.searcher() as searcher:
                results = searcher.search(
                    query,
                    mask=hidden,
                    limit=request.offset + request.limit,
                    sortedby=sortedby,
                    groupedby=groupedby,
                    maptype=sorting.Count,
                )
                hits = [
                    self._hit(results[i])
                    for i in range(request.offset, min(results.scored_length(), request.offset + request.limit))
                ]
                facets = {  # (a document without a value, such as a page's region, is grouped under None: left out)
                    name: sorted_counts({str(k): int(v) for k, v in results.groups(name).items() if k is not None})
                    for name in (request.facet_names if request.facets else ())
                }
                total = len(results)
        except (OSError, EOFError, ValueError) as exc:
            raise SearchUnavailableError(f"the whoosh index cannot be searched: {exc}") from exc
        return SearchResult(total, hits, facets)

    @staticmethod
    def _hit(stored: Any) -> Hit:
        return Hit(
            key=stored["key"],
            type=stored["type"],
            title=stored["title_text"],
            body=stored["body_text"],
            path=stored["path"],
            day=from_day_number(stored.get("day", 0)),
            updated=from_timestamp(stored.get("updated", 0)),
            agency=stored.get("agency", ""),
        )

    def close(self) -> None:
        self._index.close()
