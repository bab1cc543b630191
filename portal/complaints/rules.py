"""Complaint categories, statuses, the transitions between them and their deadlines in working days. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.core.workdays import WorkCalendar


class FilerType(StrEnum):
    INDIVIDUAL = "individual"  # 个人
    ENTERPRISE = "enterprise"  # 企业（须填统一社会信用代码）


class Category(StrEnum):
    ARREARS = "arrears"  # 拖欠账款
    BROKEN_PROMISE = "broken_promise"  # 承诺不兑现
    CONTRACT = "contract"  # 合同违约
    OLD_DEBTS = "old_debts"  # 新官不理旧账
    OTHER = "other"  # 其他


class ComplaintStatus(StrEnum):
    SUBMITTED = "submitted"  # 已提交
    ACCEPTED = "accepted"  # 已受理
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    TRANSFERRED = "transferred"  # 已转办
    ANSWERED = "answered"  # 部门已反馈
    CLOSED = "closed"  # 已办结


class RefusalReason(StrEnum):
    NO_FACTS = "no_facts"  # 未提供具体事实
    DUPLICATE = "duplicate"  # 重复投诉
    OTHER_CHANNEL = "other_channel"  # 已通过其他法定途径处理
    NOT_OUR_JURISDICTION = "not_our_jurisdiction"  # 不属于本平台受理范围


TRANSITIONS: Mapping[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.SUBMITTED: frozenset({ComplaintStatus.ACCEPTED, ComplaintStatus.NOT_ACCEPTED}),
    ComplaintStatus.ACCEPTED: frozenset({ComplaintStatus.TRANSFERRED}),
    ComplaintStatus.TRANSFERRED: frozenset({ComplaintStatus.ANSWERED}),
    ComplaintStatus.ANSWERED: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.NOT_ACCEPTED: frozenset(),
    ComplaintStatus.CLOSED: frozenset(),
}
FINISHED = frozenset({ComplaintStatus.NOT_ACCEPTED, ComplaintStatus.CLOSED})


class InvalidStep(ValueError):
    pass


def check_step(current: ComplaintStatus, new: ComplaintStatus) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidStep(f"a complaint cannot go from {current.value!r} to {new.value!r}")


@dataclass(frozen=True)
class Deadlines:
    accept: date
    answer: date
    close: date


def complaint_deadlines(filed_on: date, calendar: WorkCalendar, days: Mapping[str, int]) -> Deadlines:
    """Accept within 2, the agency's answer within 10, closing within 15 working days of filing (by default)."""
    return Deadlines(
        accept=calendar.add_workdays(filed_on, days["complaint_accept"]),
        answer=calendar.add_workdays(filed_on, days["complaint_answer"]),
        close=calendar.add_workdays(filed_on, days["complaint_close"]),
    )


def due_for(status: ComplaintStatus, deadlines: Deadlines) -> date | None:
    """What is due next for a complaint in `status`: acceptance, the agency's answer, or closing."""
    if status is ComplaintStatus.SUBMITTED:
        return deadlines.accept
    if status in (ComplaintStatus.ACCEPTED, ComplaintStatus.TRANSFERRED):
        return deadlines.answer
    if status is ComplaintStatus.ANSWERED:
        return deadlines.close
    return None


def urgency(due: date | None, today: date, calendar: WorkCalendar) -> str:
    """'overdue' after the due day, 'due' on it or the working day before, '' otherwise (the queue's flags)."""
    if due is None:
        return ""
    if today > due:
        return "overdue"
    if calendar.workdays_between(today, due) <= 1:
        return "due"
    return ""
