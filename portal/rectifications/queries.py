from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from portal.agencies.models import Agency
from portal.listing import choice, uscc_param
from portal.records.kinds import KINDS
from portal.records.models import Record
from portal.rectifications.models import PlanStep, Rectification
from portal.rectifications.rules import Outcome

# The public list's filters (and its feeds'), as the records list names them: the record's kind, the agency
# (统一社会信用代码) and the result (沈政办发〔2018〕117号 二(三): 履行完毕, 达成和解, 销案).
FILTERS = {
    "kind": choice(KINDS),
    "agency": uscc_param,
    "result": choice(o.value for o in Outcome),
}


def public_outcomes(today: date, agency_id: int | None = None, filters: dict[str, Any] | None = None) -> Select[Any]:
    """Finished rectifications (整改结果) of records that are still public, newest first, narrowed by the list
    filters (kind, agency, result). Written as EXISTS so that the newest-finished index drives the query and a page
    reads only what it shows."""
    filters = filters or {}
    record_is_shown = Record.public_clause(today)
    if agency_id is not None:
        record_is_shown = and_(record_is_shown, Record.agency_id == agency_id)
    if "kind" in filters:
        record_is_shown = and_(record_is_shown, Record.kind == filters["kind"])
    if "agency" in filters:
        agency = select(Agency.id).where(Agency.uscc == filters["agency"]).scalar_subquery()
        record_is_shown = and_(record_is_shown, Record.agency_id == agency)
    query = select(Rectification).where(Rectification.finished_on.is_not(None))
    if "result" in filters:
        query = query.where(Rectification.outcome == filters["result"])
    return (
        query.where(Rectification.record.has(record_is_shown))
        .options(joinedload(Rectification.record).joinedload(Record.agency))
        .order_by(Rectification.finished_on.desc(), Rectification.id.desc())
    )


def overdue_clause(today: date) -> ColumnElement[bool]:
    """SQL twin of Rectification.is_overdue: open, past its overall deadline or an open measure's (逾期未整改,
    新信用发〔2018〕6号 (五))."""
    late_step = exists().where(
        PlanStep.rectification_id == Rectification.id, PlanStep.done_on.is_(None), PlanStep.deadline < today
    )
    return and_(Rectification.outcome.is_(None), (Rectification.deadline < today) | late_step)


def overdue_on(day: date) -> ColumnElement[bool]:
    """逾期未整改 on a past or present `day`, by the dates the rows carry (the bulletin's and the evaluation's months):
    no result by then (a result always carries its date, operations.record_outcome), and past the plan's deadline or
    the deadline of a measure not done by then. On today it is `overdue_clause`."""
    late_step = exists().where(
        PlanStep.rectification_id == Rectification.id,
        PlanStep.deadline < day,
        or_(PlanStep.done_on.is_(None), PlanStep.done_on > day),
    )
    unfinished = or_(Rectification.finished_on.is_(None), Rectification.finished_on > day)
    return and_(unfinished, or_(Rectification.deadline < day, late_step))


def overdue_count(today: date, agency_id: int | None = None) -> Select[Any]:
    """How many public records' rectifications are overdue (of one agency, if given)."""
    query = (
        select(func.count(Rectification.id))
        .join(Rectification.record)
        .where(Record.public_clause(today), overdue_clause(today))
    )
    return query.where(Record.agency_id == agency_id) if agency_id is not None else query
