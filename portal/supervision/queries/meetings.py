"""Questions about the 约谈 and 现场督办 registers: the suggested list (open ledger items a meeting closes, with no
meeting scheduled yet), the meetings by kind and state, and the ledger items of one meeting and its undertakings.
Officers are given their own agency's rows only (`agency_id`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.supervision.models import LedgerItem, Meeting, Undertaking
from portal.supervision.rules import LedgerRule, MeetingKind, MeetingState

# The ledger rules a meeting closes, by the kind of meeting that closes them: 建议约谈 (泰信用办〔2022〕12号 二(五);
# 如东县办法 三(二); 新信用发〔2018〕6号 二(五)1) by a 约谈, 现场督办 (泰信用办〔2022〕12号 二(五)) by a 现场督办.
RULE_OF_KIND: dict[MeetingKind, LedgerRule] = {
    MeetingKind.INTERVIEW: LedgerRule.INTERVIEW_SUGGESTED,
    MeetingKind.SITE_VISIT: LedgerRule.SITE_VISIT,
}
KIND_OF_RULE: dict[LedgerRule, MeetingKind] = {rule: kind for kind, rule in RULE_OF_KIND.items()}


def suggested(kind: MeetingKind | None = None, agency_id: int | None = None) -> Select[Any]:
    """The open items that ask for a 约谈 or 现场督办 (of `kind`) with none scheduled yet, the earliest due first."""
    rules = [RULE_OF_KIND[kind]] if kind is not None else list(RULE_OF_KIND.values())
    query = (
        select(LedgerItem)
        .where(LedgerItem.rule.in_(rules), LedgerItem.closed_on.is_(None), LedgerItem.meeting_id.is_(None))
        .options(joinedload(LedgerItem.agency))
        .order_by(LedgerItem.due_on, LedgerItem.id)
    )
    if agency_id is not None:
        query = query.where(LedgerItem.agency_id == agency_id)
    return query


def _state_clause(state: MeetingState) -> object:
    if state is MeetingState.HELD:
        return Meeting.held_on.is_not(None)
    if state is MeetingState.CANCELLED:
        return Meeting.cancelled_on.is_not(None)
    return Meeting.held_on.is_(None) & Meeting.cancelled_on.is_(None)


def meetings(state: MeetingState, kind: MeetingKind | None = None, agency_id: int | None = None) -> Select[Any]:
    """The meetings in `state`: scheduled ones by their date (the next first), held and cancelled ones the latest
    first."""
    query = (
        select(Meeting)
        .where(_state_clause(state))  # type: ignore[arg-type]
        .options(joinedload(Meeting.agency), joinedload(Meeting.record), selectinload(Meeting.undertakings))
    )
    if kind is not None:
        query = query.where(Meeting.kind == kind)
    if agency_id is not None:
        query = query.where(Meeting.agency_id == agency_id)
    if state is MeetingState.SCHEDULED:
        return query.order_by(Meeting.scheduled_on, Meeting.id)
    if state is MeetingState.HELD:
        return query.order_by(Meeting.held_on.desc(), Meeting.id.desc())
    return query.order_by(Meeting.cancelled_on.desc(), Meeting.id.desc())


def items_of(meeting_id: int) -> list[LedgerItem]:
    """The ledger items the meeting was scheduled for (open until it is held) or closed by it."""
    return list(
        db.session.scalars(select(LedgerItem).where(LedgerItem.meeting_id == meeting_id).order_by(LedgerItem.id))
    )


def open_items_of(meeting_id: int) -> list[LedgerItem]:
    return list(
        db.session.scalars(
            select(LedgerItem)
            .where(LedgerItem.meeting_id == meeting_id, LedgerItem.closed_on.is_(None))
            .order_by(LedgerItem.id)
        )
    )


def undertaking_key(undertaking_id: int) -> str:
    """The ledger key of an undertaking's item (operations/ledger.py derives it: "undertaking:undertaking:7")."""
    return f"{LedgerRule.UNDERTAKING.value}:undertaking:{undertaking_id}"


def undertaking_items(undertakings: Sequence[Undertaking]) -> dict[int, LedgerItem]:
    """The ledger item of each undertaking (rule 约谈承诺事项), by the undertaking's id."""
    keys = {undertaking_key(u.id): u.id for u in undertakings}
    if not keys:
        return {}
    rows = db.session.scalars(select(LedgerItem).where(LedgerItem.key.in_(list(keys))))
    return {keys[row.key]: row for row in rows}
