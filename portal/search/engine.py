"""The small interface both engines implement, and the values that cross it.

An engine owns one index directory: `create` makes an empty index there, `open` opens it; `apply` writes
documents and deletions in one commit (the caller holds the single-writer lock); `search` answers a request.
Engines get documents already analysed (Analyzer) and queries already parsed (ParsedQuery), so both index and
match the same words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from portal.search.analyzer import Analyzer
from portal.search.documents import SearchDoc
from portal.search.query import ParsedQuery

FACETS = ("type", "kind", "status", "agency", "region", "year")
SORTS = ("relevance", "date")
NEVER = 10_000_000  # day number beyond any date: "no end"
TITLE_BOOST = 2.0
PHRASE_BOOST = 3.0
CODE_BOOST = 20.0
AGENCY_BOOST = 3.0  # an item of an agency the query names (its name, alias, abbreviation, pinyin)
AGENCY_FIRST_BOOST = 200.0  # that agency's own 诚信档案: the first result


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    today: date
    filters: dict[str, str | int] = field(default_factory=dict)  # facet name -> value
    sort: str = "relevance"
    offset: int = 0
    limit: int = 10
    facets: bool = True
    facet_names: tuple[str, ...] = FACETS  # the facets counted (when `facets`)


@dataclass(frozen=True)
class Hit:
    key: str
    type: str
    title: str
    body: str
    path: str
    day: date | None
    updated: datetime
    agency: str


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet -> (value, count), most first


class SearchUnavailableError(RuntimeError):
    """The index is missing, broken or being rebuilt: every other page keeps working."""


class Engine(Protocol):
    name: str

    @classmethod
    def create(cls, path: Path) -> Engine: ...

    @classmethod
    def open(cls, path: Path) -> Engine: ...

    def apply(self, docs: Iterable[SearchDoc], deleted: Iterable[str], analyzer: Analyzer) -> None: ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def close(self) -> None: ...


def region_codes(code: str) -> list[str]:
    """The region and the regions it lies in, as the lists filter (a county's code includes its towns)."""
    return [code[:6], code] if len(code) > 6 else [code] if code else []


def day_number(day: date | None, default: int = 0) -> int:
    return day.toordinal() if day is not None else default


def from_day_number(number: int) -> date | None:
    return date.fromordinal(number) if number > 0 else None


def timestamp(instant: datetime) -> int:
    return int(instant.timestamp())


def from_timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def sorted_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(((k, v) for k, v in counts.items() if k not in ("", "0") and v), key=lambda kv: (-kv[1], kv[0]))
