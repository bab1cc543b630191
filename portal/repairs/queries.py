"""Questions about credit-repair applications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.repairs.models import RepairApplication
from portal.repairs.rules import RepairStatus


def _listed() -> Select[Any]:
    return select(RepairApplication).options(
        joinedload(RepairApplication.record),
        joinedload(RepairApplication.agency),
        joinedload(RepairApplication.applicant),
    )


def queue(status: RepairStatus | None = None) -> Select[Any]:
    """The credit office's queue: applications waiting for a decision first, the soonest due first (overdue ones
    lead); then the decided ones, newest decision first."""
    waiting = RepairApplication.status == RepairStatus.SUBMITTED.value
    query = _listed()
    if status is not None:
        query = query.where(RepairApplication.status == status.value)
    return query.order_by(
        case((waiting, 0), else_=1),
        case((waiting, RepairApplication.decide_due), else_=None),
        RepairApplication.decided_on.desc(),
        RepairApplication.submitted_at.desc(),
        RepairApplication.id.desc(),
    )


def of_agency(agency_id: int) -> Select[Any]:
    """An agency's applications, newest first (what its officers see)."""
    return (
        _listed()
        .where(RepairApplication.agency_id == agency_id)
        .order_by(RepairApplication.submitted_at.desc(), RepairApplication.id.desc())
    )


def of_record(record_id: int) -> list[RepairApplication]:
    """Every application for one record, newest first."""
    return list(
        db.session.scalars(
            select(RepairApplication)
            .where(RepairApplication.record_id == record_id)
            .order_by(RepairApplication.submitted_at.desc(), RepairApplication.id.desc())
        )
    )
