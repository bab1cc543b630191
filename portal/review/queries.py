"""Questions about the review queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.review.models import Submission
from portal.review.rules import SubmissionKind, SubmissionStatus


def pending(kind: SubmissionKind, **where: int) -> Submission | None:
    """A submission of this kind still waiting for review, e.g. pending(FULFILMENT, commitment_id=3)."""
    query = select(Submission).where(Submission.kind == kind.value, Submission.status == SubmissionStatus.PENDING.value)
    for column, value in where.items():
        query = query.where(getattr(Submission, column) == value)
    return db.session.scalars(query.limit(1)).first()


def queue(status: SubmissionStatus, kind: SubmissionKind | None) -> Select[Any]:
    """The queue, oldest first while pending (first come, first served), newest decisions first otherwise."""
    query = (
        select(Submission)
        .where(Submission.status == status.value)
        .options(joinedload(Submission.agency), joinedload(Submission.submitted_by))
    )
    if kind is not None:
        query = query.where(Submission.kind == kind.value)
    if status is SubmissionStatus.PENDING:
        return query.order_by(Submission.submitted_at, Submission.id)
    return query.order_by(Submission.decided_at.desc(), Submission.id.desc())


def history(**where: int) -> list[Submission]:
    """Every submission about one commitment or record, newest first (what the officer sees of its review)."""
    query = select(Submission).options(joinedload(Submission.decided_by))
    for column, value in where.items():
        query = query.where(getattr(Submission, column) == value)
    return list(db.session.scalars(query.order_by(Submission.submitted_at.desc(), Submission.id.desc())))
