"""Read-only queries for the public record pages, lists, counts and feeds: every public surface uses these."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import joinedload

from portal.agencies.models import Agency
from portal.core.periods import Severity
from portal.extensions import db
from portal.listing import choice, region_param, uscc_param, year
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES, RecordStatus
from portal.rectifications.models import Rectification
from portal.rectifications.queries import overdue_clause
from portal.rectifications.rules import CaseState

# The public list's filters (and its feeds'): name -> validator of the query parameter.
FILTERS = {
    "kind": choice(KINDS),
    "status": choice(s.value for s in SHOWN_STATUSES),
    "severity": choice(s.value for s in Severity),
    "agency": uscc_param,
    "region": region_param,
    "year": year,
    # 整改情况 (the case state of its rectification): 逾期未整改 is the overdue list of 新信用发〔2018〕6号 (五)
    "case": choice(s.value for s in CaseState),
}


# The list page's sort orders (not its feeds'): newest first by default; `amount` (largest owed first) for arrears.
SORTS = {"sort": choice(["amount"])}
AMOUNT_SORTED_KINDS = frozenset({"arrears"})


def public_records(today: date, filters: dict[str, Any] | None = None) -> Select[Any]:
    """Public records, newest first, narrowed by the list filters (kind, status, severity, agency, region, year,
    case); with `sort=amount` (and kind=arrears), largest amount first along ix_records_kind_amount."""
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
    if "case" in filters:
        query = query.where(Record.rectification.has(case_clause(CaseState(filters["case"]), today)))
    if filters.get("sort") == "amount":
        return query.order_by(Record.amount_fen.desc(), Record.id.desc())
    return query.order_by(Record.publication_start.desc(), Record.id.desc())


def amount_owed(query: Select[Any]) -> int:
    """The amounts (拖欠金额, fen) of a list's records added up: the arrears list states it under its filters; with
    no other filter it is the home page's figure (arrears.queries.arrears_money's `owed`)."""
    listed = query.order_by(None).subquery()
    return int(db.session.scalar(select(func.coalesce(func.sum(listed.c.amount_fen), 0))) or 0)


def case_clause(state: CaseState, today: date) -> ColumnElement[bool]:
    """A rectification in this state today: the SQL twin of Rectification.state (逾期未整改 counted as
    rectifications.queries.overdue_count counts it)."""
    finished = Rectification.outcome.is_not(None)
    if state is CaseState.FINISHED:
        return finished
    overdue = overdue_clause(today)
    return overdue if state is CaseState.OVERDUE else and_(~finished, ~overdue)


def listed_defaulter_count(today: date) -> int:
    """Government bodies now listed as 失信被执行人 and not yet cleared: the "动态清零" figure."""
    return db.session.scalar(select(func.count()).select_from(listed_defaulter_ids(today).subquery())) or 0


def amount_owed_by_agencies(agency_ids: Collection[int], today: date) -> dict[int, int]:
    """Money owed (拖欠金额, integer fen) on the public arrears records of each of these agencies, in one grouped
    query (the 诚信档案's roll-up of the bodies under a government); agencies with none are left out."""
    if not agency_ids:
        return {}
    rows = db.session.execute(
        select(Record.agency_id, func.sum(Record.amount_fen))
        .where(
            Record.public_clause(today),
            Record.kind == "arrears",
            Record.amount_fen.is_not(None),
            Record.agency_id.in_(list(agency_ids)),
        )
        .group_by(Record.agency_id)
    )
    return {agency_id: int(total or 0) for agency_id, total in rows}


def listed_defaulter_ids(today: date) -> Select[Any]:
    """The ids of the bodies listed_defaulter_count counts (动态清零, 泰信用办〔2022〕12号 一): a government body with a
    public 失信被执行人 record that is 公示中 or 整改中. The agencies list (?listed=judgment_defaulter) shows exactly
    these, so the home page's figure and the list it links to agree."""
    return (
        select(Record.agency_id)
        .where(
            Record.public_clause(today),
            Record.kind == "judgment_defaulter",
            Record.status.in_([RecordStatus.PUBLIC.value, RecordStatus.RECTIFYING.value]),
        )
        .distinct()
    )
