"""Credit-repair application statuses, why an application cannot be made yet, and the deadline flags of the staff
queue. Pure: `today` is an argument (when repair may be asked is portal/records/rules.repair_allowed)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from portal.core.labelled import N_, LabelledEnum
from portal.records.rules import RecordStatus, repair_allowed


class RepairStatus(LabelledEnum):
    SUBMITTED = "submitted", N_("修复申请中")
    APPROVED = "approved", N_("准予修复")  # 准予修复（停止公示）
    REJECTED = "rejected", N_("不予修复")


DECISIONS = frozenset({RepairStatus.APPROVED, RepairStatus.REJECTED})


class Refusal(StrEnum):
    """Why a record's agency cannot apply for its repair today."""

    NOT_SHOWN = "not_shown"  # publication already stopped (or not started): nothing to repair
    NOT_FULFILLED = "not_fulfilled"  # the status is not 已履行 yet
    TOO_EARLY = "too_early"  # 已履行, but the minimum disclosure period has not passed


def refusal(status: RecordStatus, shown: bool, min_end: date, today: date) -> Refusal | None:
    """None when repair may be asked today (Record.repair_may_be_asked); otherwise the first reason why not.
    From `min_end` on, a fulfilled record that is still shown may be repaired."""
    if not shown:
        return Refusal.NOT_SHOWN
    if status is not RecordStatus.FULFILLED:
        return Refusal.NOT_FULFILLED
    if not repair_allowed(status, min_end, today):
        return Refusal.TOO_EARLY
    return None


class DueFlag(StrEnum):
    DUE = "due"  # the decision is due today
    OVERDUE = "overdue"  # the decision was due before today


def due_flag(status: RepairStatus, decide_due: date, today: date) -> DueFlag | None:
    """The flag of an application in the staff queue: only undecided ones are due or overdue."""
    if status is not RepairStatus.SUBMITTED:
        return None
    if today > decide_due:
        return DueFlag.OVERDUE
    if today == decide_due:
        return DueFlag.DUE
    return None
