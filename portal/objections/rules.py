"""Objection grounds, statuses and outcomes, and their deadlines in working days. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from portal.core.labelled import N_, LabelledEnum
from portal.core.workdays import WorkCalendar


class Ground(LabelledEnum):
    WRONG = "wrong", N_("信息错误")
    OMISSION = "omission", N_("遗漏")
    DUPLICATE = "duplicate", N_("重复公示")
    SHOULD_NOT = "should_not", N_("不应公示")
    OVERDUE = "overdue", N_("超期公示")
    MISMATCH = "mismatch", N_("与认定机关信息不一致")


class ObjectionStatus(LabelledEnum):
    SUBMITTED = "submitted", N_("已提交")
    ACCEPTED = "accepted", N_("已受理，核查中")  # 已受理（核查中）
    CORRECTED = "corrected", N_("已更正")
    REVOKED = "revoked", N_("已撤销公示")
    UPHELD = "upheld", N_("维持原记录")


# The steps allowed (core.transitions.check_transition checks one against it).
TRANSITIONS: Mapping[ObjectionStatus, frozenset[ObjectionStatus]] = {
    ObjectionStatus.SUBMITTED: frozenset({ObjectionStatus.ACCEPTED}),
    ObjectionStatus.ACCEPTED: frozenset({ObjectionStatus.CORRECTED, ObjectionStatus.REVOKED, ObjectionStatus.UPHELD}),
    ObjectionStatus.CORRECTED: frozenset(),
    ObjectionStatus.REVOKED: frozenset(),
    ObjectionStatus.UPHELD: frozenset(),
}
OPEN = frozenset({ObjectionStatus.SUBMITTED, ObjectionStatus.ACCEPTED})
DECIDED = frozenset({ObjectionStatus.CORRECTED, ObjectionStatus.REVOKED, ObjectionStatus.UPHELD})


@dataclass(frozen=True)
class Deadlines:
    accept: date
    verify: date


def objection_deadlines(filed_on: date, calendar: WorkCalendar, days: Mapping[str, int]) -> Deadlines:
    """Accept within 2 and verify within 10 working days of filing (by default; PORTAL_DEADLINE_DAYS changes them)."""
    return Deadlines(
        accept=calendar.add_workdays(filed_on, days["objection_accept"]),
        verify=calendar.add_workdays(filed_on, days["objection_verify"]),
    )


def due_for(status: ObjectionStatus, accept_due: date, verify_due: date) -> date | None:
    """What is due next: acceptance while submitted, the verification's outcome while accepted, nothing after."""
    if status is ObjectionStatus.SUBMITTED:
        return accept_due
    if status is ObjectionStatus.ACCEPTED:
        return verify_due
    return None
