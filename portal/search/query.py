"""People's query syntax, parsed without ever failing: words (all must match), "quoted phrases", -exclusion.

Unbalanced quotes run to the end, lone operators are ignored, and text beyond MAX_QUERY_CHARS is cut off, so any
input gives a query (possibly an empty one). Engines turn the result into their own query objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.search.analyzer import Analyzer, normalise

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 16
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def code_form(text: str) -> str:
    """How identifiers (案号, 文号, USCC, commitment codes) are indexed and matched: normalised, no spaces."""
    return "".join(normalise(text).split())


@dataclass(frozen=True)
class Clause:
    """One part of the query: all `words` must match (in this order, side by side, if `phrase`), or the whole of
    it must equal an identifier (`code`, empty when the text has no digit and so cannot be one)."""

    words: tuple[str, ...]
    phrase: bool
    code: str


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[Clause, ...] = ()
    excluded: tuple[Clause, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.required

    @property
    def highlight_words(self) -> list[str]:
        return sorted({w for clause in self.required for w in clause.words}, key=lambda w: (-len(w), w))


def _clause(text: str, phrase: bool, analyzer: Analyzer) -> Clause | None:
    words = tuple(analyzer.words_of(text))
    if not words:
        return None
    code = code_form(text)
    return Clause(words, phrase and len(words) > 1, code if any(ch.isdigit() for ch in code) else "")


def printable(text: str) -> str:
    """The query as it may be shown back: control characters (and lone surrogates) become spaces."""
    return "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else " " for ch in text)


def parse_query(text: str, analyzer: Analyzer) -> ParsedQuery:
    text = printable(text[:MAX_QUERY_CHARS])
    required: list[Clause] = []
    excluded: list[Clause] = []
    for match in _CHUNK.finditer(text):
        negated, quoted, plain = match.group(1), match.group(2), match.group(3)
        if plain is not None:
            negated = "-" if plain.startswith("-") else ""
            clause = _clause(plain.lstrip("-"), False, analyzer)
        else:
            clause = _clause(quoted, True, analyzer)
        if clause is not None:
            (excluded if negated else required).append(clause)
    return ParsedQuery(tuple(required[:MAX_CLAUSES]), tuple(excluded[:MAX_CLAUSES]))
