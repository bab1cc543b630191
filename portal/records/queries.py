"""Read-only queries for the public record pages, lists, counts and feeds: every public surface uses these."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from portal.agencies.models import Agency
from portal.core.periods import Severity
from portal.extensions import db
from portal.listing import choice, region_param, uscc_param, year
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES, RecordStatus

# The public list's filters (and its feeds'): name -> validator of the query parameter.
FILTERS = {
    "kind": choice(KINDS),
    "status": choice(s.value for s in SHOWN_STATUSES),
    "severity": choice(s.value for s in Severity),
    "agency": uscc_param,
    "region": region_param,
    "year": year,
}


def public_records(today: date, filters: dict[str, Any] | None = None) -> Select[Any]:
    """Public records, newest first, narrowed by the list filters (kind, status, severity, agency, region, year)."""
    filters = filters or {}
    query = select(Record).where(Record.public_clause(today)).options(joinedload(Record.agency))
    for name in ("kind", "status", "severity"):
        if name in filters:
            query = query.where(getattr(Record, name) == filters[name])
    if "agency" in filters:
        query = query.where(
            Record.agency_id == select(Agency.id).where(Agency.uscc == filters["agency"]).scalar_subquery()
        )
    if "region" in filters:
        query = query.where(
            Record.agency_id.in_(select(Agency.id).where(Agency.region_code.startswith(filters["region"])))
        )
    if "year" in filters:
        query = query.where(Record.decision_date.between(date(filters["year"], 1, 1), date(filters["year"], 12, 31)))
    return query.order_by(Record.publication_start.desc(), Record.id.desc())


def listed_defaulter_count(today: date) -> int:
    """Government bodies now listed as 失信被执行人 and not yet cleared: the "动态清零" figure."""
    return (
        db.session.scalar(
            select(func.count(func.distinct(Record.agency_id))).where(
                Record.public_clause(today),
                Record.kind == "judgment_defaulter",
                Record.status.in_([RecordStatus.PUBLIC.value, RecordStatus.RECTIFYING.value]),
            )
        )
        or 0
    )
