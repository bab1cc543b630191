"""Questions about court cases against government bodies (涉政府案件): the staff's list with its filters, a case's
ledger items (LedgerItem.subject_type == "case") and the letters written about it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.agencies.models import Agency
from portal.extensions import db
from portal.supervision.models import CourtCase, LedgerItem, Letter
from portal.supervision.rules import CaseStage

SUBJECT_TYPE = "case"  # the ledger's subject_type of a case's items


def listed(stage: CaseStage | None = None, agency_id: int | None = None) -> Select[Any]:
    """Cases, the latest filed first, narrowed by stage and defendant."""
    query = select(CourtCase).options(joinedload(CourtCase.agency))
    if stage is not None:
        query = query.where(CourtCase.stage == stage.value)
    if agency_id is not None:
        query = query.where(CourtCase.agency_id == agency_id)
    return query.order_by(CourtCase.filed_on.desc(), CourtCase.id.desc())


def defendants() -> list[Agency]:
    """The agencies that are or were defendants (the list's agency filter)."""
    with_cases = select(CourtCase.agency_id).distinct()
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(with_cases)).order_by(Agency.name)))


def open_item_counts(case_ids: list[int]) -> dict[int, int]:
    """case id → how many of its ledger items are open, for a page of cases (one query)."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(LedgerItem.subject_id, func.count(LedgerItem.id))
        .where(
            LedgerItem.subject_type == SUBJECT_TYPE,
            LedgerItem.subject_id.in_(case_ids),
            LedgerItem.closed_on.is_(None),
        )
        .group_by(LedgerItem.subject_id)
    )
    return {subject_id: count for subject_id, count in rows if subject_id is not None}


def ledger_items(case_id: int) -> list[LedgerItem]:
    """The case's ledger items, the open ones first, each by its due day."""
    return list(
        db.session.scalars(
            select(LedgerItem)
            .where(LedgerItem.subject_type == SUBJECT_TYPE, LedgerItem.subject_id == case_id)
            .options(joinedload(LedgerItem.letter), joinedload(LedgerItem.closed_by))
            .order_by(LedgerItem.closed_on.is_not(None), LedgerItem.due_on, LedgerItem.id)
        )
    )


def letters(case_id: int) -> list[Letter]:
    """The letters written about the case, in the order they were issued."""
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.case_id == case_id)
            .options(selectinload(Letter.agency))
            .order_by(Letter.issued_on, Letter.id)
        )
    )
