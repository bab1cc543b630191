"""Questions the 工作台账 page asks: the items by filter and sort, how many are in each state, the agencies that
have items, an item's history, the daily job's last run.

An item's state (未到期, 今明到期, 已逾期, 已办结) is rules.item_state; in SQL it is urgency_clause on `due_on` for
open items, and `closed_on IS NOT NULL` for 已办结."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.core.deadlines import Urgency
from portal.core.workdays import WorkCalendar
from portal.extensions import db
from portal.supervision.models import LedgerItem, SupervisionRun
from portal.supervision.queries import urgency_clause

# The list's `state` filter: one of the four states, or every open one (the default), or everything.
OPEN = "open"
EVERY = "all"
STATES = (OPEN, *(u.value for u in Urgency), EVERY)
# Sort orders: by due day (nearest first, the default), latest first, or by agency then due day.
SORTS = ("due", "-due", "agency")
# The audit entity of a ledger item (its history on the item page).
AUDIT_ENTITY = "ledger_item"
_DUE = cast(ColumnElement[date | None], LedgerItem.due_on)  # never NULL: urgency_clause takes a nullable day


@dataclass(frozen=True)
class LedgerQuery:
    """What the list, its exports and its counts are narrowed by (validated by the view)."""

    agency_id: int | None = None  # an officer: their agency, always
    rule: str | None = None
    state: str = OPEN
    agency: int | None = None  # the staff's agency filter
    text: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    sort: str = "due"


def state_clause(state: str, today: date, calendar: WorkCalendar) -> ColumnElement[bool] | None:
    """The items in `state` (None: every item)."""
    if state == EVERY:
        return None
    if state == OPEN:
        return LedgerItem.closed_on.is_(None)
    flag = Urgency(state)
    if flag is Urgency.DONE:
        return LedgerItem.closed_on.is_not(None)
    return and_(LedgerItem.closed_on.is_(None), urgency_clause(_DUE, flag, today, calendar))


def _narrowed(query: Select[Any], asked: LedgerQuery) -> Select[Any]:
    """Every filter but the state."""
    if asked.agency_id is not None:
        query = query.where(LedgerItem.agency_id == asked.agency_id)
    if asked.rule is not None:
        query = query.where(LedgerItem.rule == asked.rule)
    if asked.agency is not None:
        query = query.where(LedgerItem.agency_id == asked.agency)
    if asked.text:
        query = query.where(
            or_(
                LedgerItem.subject.contains(asked.text, autoescape=True),
                LedgerItem.responsible_unit.contains(asked.text, autoescape=True),
            )
        )
    if asked.due_from is not None:
        query = query.where(LedgerItem.due_on >= asked.due_from)
    if asked.due_to is not None:
        query = query.where(LedgerItem.due_on <= asked.due_to)
    return query


def listed(asked: LedgerQuery, today: date, calendar: WorkCalendar) -> Select[Any]:
    """The items asked for, in the order asked, with what each row shows loaded alongside."""
    query = _narrowed(select(LedgerItem), asked).options(
        joinedload(LedgerItem.agency),
        joinedload(LedgerItem.closed_by),
        joinedload(LedgerItem.letter),
        joinedload(LedgerItem.meeting),
    )
    clause = state_clause(asked.state, today, calendar)
    if clause is not None:
        query = query.where(clause)
    if asked.sort == "-due":
        return query.order_by(LedgerItem.due_on.desc(), LedgerItem.id.desc())
    if asked.sort == "agency":
        # the office's own items (no agency: 信用办) first, then by agency name
        by_name = query.outerjoin(Agency, Agency.id == LedgerItem.agency_id)
        return by_name.order_by(func.coalesce(Agency.name, ""), LedgerItem.due_on, LedgerItem.id)
    return query.order_by(LedgerItem.due_on, LedgerItem.id)


def state_counts(asked: LedgerQuery, today: date, calendar: WorkCalendar) -> dict[Urgency, int]:
    """How many of the items asked for (every state) are in each state: one count per state, each a range of an
    index of the open items by due day when nothing else narrows the list (a grouped CASE over every item is several
    times slower)."""
    counts = {}
    for flag in Urgency:
        clause = state_clause(flag.value, today, calendar)
        assert clause is not None
        counts[flag] = db.session.scalar(_narrowed(select(func.count(LedgerItem.id)), asked).where(clause)) or 0
    return counts


def count_in_state(flag: Urgency, today: date, calendar: WorkCalendar, agency_id: int | None = None) -> int:
    """The dashboard's figures: how many items (of one agency, if given) are `flag` today."""
    query = select(func.count(LedgerItem.id))
    if agency_id is not None:
        query = query.where(LedgerItem.agency_id == agency_id)
    clause = state_clause(flag.value, today, calendar)
    assert clause is not None
    return db.session.scalar(query.where(clause)) or 0


def agencies_with_items() -> list[Agency]:
    """The agencies that have an item on the ledger (the staff's agency filter), by name."""
    has_items = select(LedgerItem.id).where(LedgerItem.agency_id == Agency.id).exists()  # one index probe each
    return list(db.session.scalars(select(Agency).where(has_items).order_by(Agency.name, Agency.id)))


def latest_run() -> SupervisionRun | None:
    """The daily job's last finished run."""
    return db.session.scalars(
        select(SupervisionRun)
        .where(SupervisionRun.finished_at.is_not(None))
        .order_by(SupervisionRun.finished_at.desc(), SupervisionRun.id.desc())
        .limit(1)
    ).first()


def history(item_id: int) -> list[AuditEntry]:
    """What was done to the item (the audit log's entries about it), oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == AUDIT_ENTITY, AuditEntry.entity_id == str(item_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
