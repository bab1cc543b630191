"""Credit-repair application statuses and why an application cannot be made yet. Pure: `today` is an argument
(when repair may be asked is portal/records/rules.repair_allowed; the queue's due and overdue flags are
core.deadlines.urgency, as for every queue)."""

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
