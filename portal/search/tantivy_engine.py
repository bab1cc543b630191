"""The default engine: tantivy, through its official Python bindings.

Text arrives pre-tokenised (PreTokenizedString, word positions from the Analyzer), so tantivy needs no tokenizer
of ours: the text fields use the built-in "raw" tokenizer name, which every open knows. Facets are tantivy terms
aggregations over fast fields; highlighting is done in Python (highlight.py)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

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

WRITER_HEAP = 32_000_000
_KEYWORDS = ("key", "type", "kind", "status", "agency")
_NUMBERS = ("year", "day", "visible_from", "visible_until", "updated")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in _KEYWORDS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=name != "key")
    builder.add_text_field("region", tokenizer_name="raw", fast=True)  # the agency's region and the county it is in
    builder.add_text_field("path", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("codes", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="position")
    builder.add_text_field("body", stored=True, tokenizer_name="raw", index_option="position")
    for name in _NUMBERS:
        builder.add_integer_field(name, stored=name in ("day", "updated"), indexed=True, fast=True)
    return builder.build()


SCHEMA = _schema()


def _pre_tokenized(text: str, analyzer: Analyzer) -> tantivy.PreTokenizedString:
    tokens = [tantivy.Token(t.text, t.position, t.start, t.end) for t in analyzer.tokens(text)]
    return tantivy.PreTokenizedString(text, tokens)


def _document(doc: SearchDoc, analyzer: Analyzer) -> tantivy.Document:
    document = tantivy.Document()
    for name in _KEYWORDS:
        document.add_text(name, getattr(doc, name))
    for code in region_codes(doc.region):
        document.add_text("region", code)
    document.add_text("path", doc.path)
    for code in doc.codes:
        document.add_text("codes", code_form(code))
    document.add_pre_tokenized_text("title", _pre_tokenized(doc.title, analyzer))
    document.add_pre_tokenized_text("body", _pre_tokenized(doc.body, analyzer))
    document.add_integer("year", doc.day.year if doc.day else 0)
    document.add_integer("day", day_number(doc.day))
    document.add_integer("visible_from", day_number(doc.visible_from))
    document.add_integer("visible_until", day_number(doc.visible_until, NEVER))
    document.add_integer("updated", timestamp(doc.updated))
    return document


def _term(field: str, value: str | int, boost: float = 1.0) -> tantivy.Query:
    query = tantivy.Query.term_query(SCHEMA, field, value)
    return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query


def _any(*queries: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _all(*queries: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _phrase(field: str, words: tuple[str, ...], boost: float = 1.0) -> tantivy.Query:
    return tantivy.Query.boost_query(tantivy.Query.phrase_query(SCHEMA, field, list(words)), boost)


def _words(words: tuple[str, ...]) -> tuple[tantivy.Query, ...]:
    return tuple(_any(_term("title", w, TITLE_BOOST), _term("body", w)) for w in words)


def _agency(uscc: str) -> tuple[tantivy.Query, ...]:
    return _term("agency", uscc, AGENCY_BOOST), _term("key", item_key(ItemType.AGENCY, uscc), AGENCY_FIRST_BOOST)


def _term_query(term: Term) -> tantivy.Query:
    options = [_all(*_words(words)) for words in (term.words, *term.alternatives)]
    options += [query for uscc in term.agencies for query in _agency(uscc)]
    return _any(*options) if len(options) > 1 else options[0]


def _clause(clause: Clause) -> tantivy.Query:
    if clause.only_agencies:
        return _any(*(query for uscc in clause.only_agencies for query in _agency(uscc)))
    if clause.phrase:
        options = [_phrase("title", clause.words, TITLE_BOOST), _phrase("body", clause.words)]
    else:
        options = [_all(*(_term_query(t) for t in clause.match_terms))]
        if len(clause.words) > 1:
            options.append(_phrase("title", clause.words, PHRASE_BOOST))
    if clause.code:
        options.append(_term("codes", clause.code, CODE_BOOST))
    return _any(*options)


def _range(field: str, lower: int | None, upper: int | None) -> tantivy.Query:
    return tantivy.Query.range_query(SCHEMA, field, tantivy.FieldType.Integer, lower, upper)


def build_query(request: SearchRequest) -> tantivy.Query:
    today = day_number(request.today)
    asked = request.query
    must = [_clause(c) for c in asked.required]
    if asked.any_word and must:
        must = [_any(*must)]
    if asked.code and must:
        must = [_any(_all(*must), _term("codes", asked.code, CODE_BOOST))]
    must += [_term(name, value) for name, value in request.filters.items()]
    parts = [(tantivy.Occur.Must, q) for q in must or [tantivy.Query.all_query()]]
    # Not shown today: the few records not yet started or already ended (cheaper than matching all the others).
    parts.append((tantivy.Occur.MustNot, _range("visible_from", today + 1, None)))
    parts.append((tantivy.Occur.MustNot, _range("visible_until", None, today)))
    parts += [(tantivy.Occur.MustNot, _clause(c)) for c in request.query.excluded]
    return tantivy.Query.boolean_query(parts)


class TantivyEngine:
    name = "tantivy"

    def __init__(self, index: tantivy.Index) -> None:
        self._index = index

    @classmethod
    def create(cls, path: Path) -> TantivyEngine:
        path.mkdir(parents=True, exist_ok=True)
        return cls(tantivy.Index(SCHEMA, path=str(path), reuse=False))

    @classmethod
    def open(cls, path: Path) -> TantivyEngine:
        try:
            if not tantivy.Index.exists(str(path)):
                raise SearchUnavailableError(f"no tantivy index at {path}")
            return cls(tantivy.Index.open(str(path)))
        except (ValueError, OSError) as exc:
            raise SearchUnavailableError(f"cannot open the tantivy index at {path}: {exc}") from exc

    def apply(self, docs: Iterable[SearchDoc], deleted: Iterable[str], analyzer: Analyzer) -> None:
        writer = self._index.writer(WRITER_HEAP, 1)
        try:
            for key in deleted:
                writer.delete_documents_by_term("key", key)
            for doc in docs:
                writer.delete_documents_by_term("key", doc.key)
                writer.add_document(_document(doc, analyzer))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    def search(self, request: SearchRequest) -> SearchResult:
        try:
            self._index.reload()
            searcher = self._index.searcher()
            query = build_query(request)
            if request.sort == "date":
                found = searcher.search(query, request.limit, count=True, order_by_field="day", offset=request.offset)
            else:
                found = searcher.search(query, request.limit, count=True, offset=request.offset)
            hits = [self._hit(searcher.doc(address).to_dict()) for _, address in found.hits]
            facets = self._facets(searcher, query, request.facet_names) if request.facets else {}
        except ValueError as exc:
            raise SearchUnavailableError(f"the tantivy index cannot be searched: {exc}") from exc
        return SearchResult(found.count or 0, hits, facets)  # type: ignore[attr-defined]

    @staticmethod
    def _hit(stored: dict[str, Any]) -> Hit:
        def first(name: str, default: Any = "") -> Any:
            values = stored.get(name) or [default]
            return values[0]

        return Hit(
            key=first("key"),
            type=first("type"),
            title=first("title"),
            body=first("body"),
            path=first("path"),
            day=from_day_number(first("day", 0)),
            updated=from_timestamp(first("updated", 0)),
            agency=first("agency"),
        )

    @staticmethod
    def _facets(
        searcher: tantivy.Searcher, query: tantivy.Query, names: tuple[str, ...]
    ) -> dict[str, list[tuple[str, int]]]:
        spec = {name: {"terms": {"field": name, "size": 1000}} for name in names}
        answer = searcher.aggregate(query, spec)
        return {
            name: sorted_counts({str(b["key"]): int(b["doc_count"]) for b in answer[name]["buckets"]}) for name in names
        }

    def close(self) -> None:
        pass
