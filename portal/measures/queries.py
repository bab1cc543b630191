"""Questions about joint measures: a record's (its public entries), an implementing unit's to-do list, the
credit office's list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.measures.rules import JointMeasureState


def of_record(record_id: int) -> list[JointMeasure]:
    """The record's measures in the order they were applied (the public page's entries)."""
    return list(
        db.session.scalars(
            select(JointMeasure)
            .where(JointMeasure.record_id == record_id)
            .options(joinedload(JointMeasure.implementing_agency))
            .order_by(JointMeasure.applied_on, JointMeasure.id)
        )
    )


def in_force(record_id: int) -> list[JointMeasure]:
    """The record's measures not lifted yet."""
    return list(
        db.session.scalars(
            select(JointMeasure)
            .where(JointMeasure.record_id == record_id, JointMeasure.lifted_on.is_(None))
            .order_by(JointMeasure.id)
        )
    )


def active_of_kind(record_id: int, kind: str) -> JointMeasure | None:
    """The record's measure of this kind still in force (there is at most one)."""
    return db.session.scalars(
        select(JointMeasure)
        .where(JointMeasure.record_id == record_id, JointMeasure.kind == kind, JointMeasure.lifted_on.is_(None))
        .limit(1)
    ).first()


def _state_clause(state: JointMeasureState) -> Any:
    if state is JointMeasureState.LIFTED:
        return JointMeasure.lifted_on.is_not(None)
    if state is JointMeasureState.CONFIRMED:
        return JointMeasure.lifted_on.is_(None) & JointMeasure.confirmed_on.is_not(None)
    return JointMeasure.lifted_on.is_(None) & JointMeasure.confirmed_on.is_(None)


def listed(state: JointMeasureState | None = None, implementing_agency_id: int | None = None) -> Select[Any]:
    """Measures, those waiting for 已落实 first, then in force, then lifted; newest first within each. An
    implementing unit's officers see only theirs."""
    query = select(JointMeasure).options(joinedload(JointMeasure.record), joinedload(JointMeasure.implementing_agency))
    if implementing_agency_id is not None:
        query = query.where(JointMeasure.implementing_agency_id == implementing_agency_id)
    if state is not None:
        query = query.where(_state_clause(state))
    waiting = JointMeasure.lifted_on.is_(None) & JointMeasure.confirmed_on.is_(None)
    return query.order_by(
        case((waiting, 0), (JointMeasure.lifted_on.is_(None), 1), else_=2),
        JointMeasure.applied_on.desc(),
        JointMeasure.id.desc(),
    )


def count_waiting(implementing_agency_id: int | None = None) -> int:
    """Measures in force that their unit has not confirmed 已落实 yet (of one unit, or all)."""
    query = select(func.count(JointMeasure.id)).where(_state_clause(JointMeasureState.APPLIED))
    if implementing_agency_id is not None:
        query = query.where(JointMeasure.implementing_agency_id == implementing_agency_id)
    return db.session.scalar(query) or 0


def count_in_force() -> int:
    return db.session.scalar(select(func.count(JointMeasure.id)).where(JointMeasure.lifted_on.is_(None))) or 0
