"""What each export lists: the public list's own query, with the list's own filters (so that a download holds what
the page lists, every page of it, and never more: a stopped record is on no list), read in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.archive import queries as archive_queries
from portal.commitments import queries as commitment_queries
from portal.commitments.models import Commitment
from portal.complaints import queries as complaint_queries
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.listing import Validator, choice
from portal.opendata.datasets import AGENCIES, COMMITMENTS, COMPLAINTS, OUTCOMES, Dataset, records_dataset
from portal.records import queries as record_queries
from portal.records.models import Record
from portal.rectifications import queries as outcome_queries

YIELD_PER = 500  # rows fetched at a time: an export of 100,000 records holds a few hundred in memory


@dataclass(frozen=True)
class ListExport:
    """One public list's exports: its filters (as the list page parses them), which dataset a filtered list
    exports, and its query."""

    name: str  # the path's first part: /records/export.csv
    filters: Mapping[str, Validator]
    dataset: Callable[[dict[str, Any]], Dataset]
    query: Callable[[date, dict[str, Any]], Select[Any]]


def listed_agencies(today: date, filters: dict[str, Any]) -> Select[Any]:
    """The agencies list, as /agencies/ lists it (archive/queries)."""
    return archive_queries.listed_agencies(today, listed=bool(filters.get("listed")))


def published_complaints(_today: date, _filters: dict[str, Any]) -> Select[Any]:
    """The closed complaints published with consent, as /complaints/ lists them (complaints/queries)."""
    return complaint_queries.published_complaints().options(joinedload(Complaint.agency))


def _records(today: date, filters: dict[str, Any]) -> Select[Any]:
    query = record_queries.public_records(today, filters)
    return query.options(selectinload(Record.commitment)) if filters.get("kind") == "investment_promise" else query


EXPORTS: dict[str, ListExport] = {
    export.name: export
    for export in (
        ListExport(
            "records",
            {**record_queries.FILTERS, **record_queries.SORTS},
            lambda filters: records_dataset(filters.get("kind")),
            _records,
        ),
        ListExport(
            "commitments",
            commitment_queries.FILTERS,
            lambda _filters: COMMITMENTS,
            lambda _today, filters: commitment_queries.public_commitments(filters),
        ),
        ListExport(
            "outcomes",
            outcome_queries.FILTERS,
            lambda _filters: OUTCOMES,
            lambda today, filters: outcome_queries.public_outcomes(today, filters=filters),
        ),
        ListExport("agencies", {"listed": choice(["judgment_defaulter"])}, lambda _filters: AGENCIES, listed_agencies),
        ListExport("complaints", {}, lambda _filters: COMPLAINTS, published_complaints),
    )
}


def dataset_query(dataset: Dataset, today: date) -> Select[Any]:
    """A dataset's whole list (the dump's content; /data/ counts it)."""
    export = next(e for e in EXPORTS.values() if e.dataset(dict(dataset.export_args)) is dataset)
    return export.query(today, dict(dataset.export_args))


def items(query: Select[Any]) -> Iterator[Any]:
    """The query's items, YIELD_PER at a time."""
    yield from db.session.scalars(query.execution_options(yield_per=YIELD_PER))


def count(query: Select[Any]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def withdrawn_since(instant: datetime) -> bool:
    """Has anything a dump written at `instant` may hold left the public since? A record whose publication stopped
    (revoked, repaired, expired, its updated_at moved), a complaint withdrawn from publication (returned to its
    agency), a commitment no longer public. Such a dump is not served: its details must leave every public surface
    (DESIGN.md, Record status)."""
    changed_after = (
        select(Record.id).where(Record.stopped_on.is_not(None), Record.updated_at > instant),
        select(Complaint.id).where(
            Complaint.published.is_(False), Complaint.public_answer != "", Complaint.updated_at > instant
        ),
        select(Commitment.id).where(~Commitment.public_clause(), Commitment.updated_at > instant),
    )
    return any(db.session.scalar(query.limit(1)) is not None for query in changed_after)
