"""Objection grounds, statuses and outcomes, their deadlines in working days, and the objector's contact. Pure."""

from __future__ import annotations

import re
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


TRANSITIONS: Mapping[ObjectionStatus, frozenset[ObjectionStatus]] = {
    ObjectionStatus.SUBMITTED: frozenset({ObjectionStatus.ACCEPTED}),
    ObjectionStatus.ACCEPTED: frozenset({ObjectionStatus.CORRECTED, ObjectionStatus.REVOKED, ObjectionStatus.UPHELD}),
    ObjectionStatus.CORRECTED: frozenset(),
    ObjectionStatus.REVOKED: frozenset(),
    ObjectionStatus.UPHELD: frozenset(),
}
OPEN = frozenset({ObjectionStatus.SUBMITTED, ObjectionStatus.ACCEPTED})
DECIDED = frozenset({ObjectionStatus.CORRECTED, ObjectionStatus.REVOKED, ObjectionStatus.UPHELD})


class InvalidStep(ValueError):
    """The transition table forbids this step (the objection was handled meanwhile, or the step is out of order)."""


def check_step(current: ObjectionStatus, new: ObjectionStatus) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidStep(f"an objection cannot go from {current.value!r} to {new.value!r}")


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


def urgency(due: date | None, today: date, calendar: WorkCalendar) -> str:
    """'overdue' after the due day, 'due' on it or the working day before, '' otherwise (the queue's flags)."""
    if due is None:
        return ""
    if today > due:
        return "overdue"
    if calendar.workdays_between(today, due) <= 1:
        return "due"
    return ""


def contact_problem(phone: str, email: str) -> str | None:
    """Which of the contact fields is wrong, as a code: 'missing' (neither given), 'phone', 'email'; None if fine.
    A phone is a mainland mobile (13812345678, +86 allowed) or a landline with its area code (0527-12345678,
    an extension after a further hyphen) or a 400/800 number; spaces and hyphens between digits are ignored."""
    if not phone and not email:
        return "missing"
    if phone and not PHONE_PATTERN.fullmatch(re.sub(r"[\s-]", "", phone.removeprefix("+86").lstrip())):
        return "phone"
    if email and not EMAIL_PATTERN.fullmatch(email):
        return "email"
    return None


PHONE_PATTERN = re.compile(r"1[3-9][0-9]{9}|0[1-9][0-9]{1,2}[0-9]{7,8}([0-9]{1,6})?|[48]00[0-9]{7}")
EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
