"""The working-day deadlines of the public's filings, their configuration (PORTAL_DEADLINE_DAYS), and how urgent
an item is against its due day (the flags of every staff queue). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import pairwise

from portal.core.labelled import N_, LabelledEnum
from portal.core.workdays import WorkCalendar

# Default deadlines in working days, counted from the day of filing (PORTAL_DEADLINE_DAYS overrides them). They are
# the portal's own defaults (DESIGN.md: complaints, objections, credit repair): the policy documents ask for 异议
# and 投诉办理 (泗政秘〔2018〕145号 (八)) and for 异议申诉 and 信用修复 (泰信用办〔2022〕12号 二(六)), but set no
# number of days.
DEFAULT_DAYS: Mapping[str, int] = {
    "complaint_accept": 2,
    "complaint_answer": 10,
    "complaint_close": 15,
    "complaint_return": 10,  # after a 不满意 rating, the case may go back to the agency once (issue 18)
    "objection_accept": 2,
    "objection_verify": 10,
    "repair_decide": 10,
    # The 工作台账's rules (portal/supervision/rules.py names each one's clause). Seven working days where a document
    # says so: 泰信用办〔2022〕12号 二(四) (执行立案通报), 二(五) (失信被执行人: 通报 and 现场督办), 二(二)
    # (行政处罚到期修复提醒). The others are the portal's defaults where a document says only 及时 (promptly).
    "execution_notice": 7,
    "defaulter_notification": 7,
    "penalty_repair_reminder": 7,
    "suit_reminder": 5,  # 新信用发〔2018〕6号 二(一): 提醒函 after the court's notice of a suit
    "lost_case_urging": 5,  # 新信用发〔2018〕6号 二(二): 督办函 after a lost case's judgment
    "execution_reminder": 5,  # 泰信用办〔2022〕12号 二(四): remind to fulfil, after the court's notice came
    # no progress this long after a case is overdue: suggested for 约谈 (泰信用办〔2022〕12号 二(五))
    "interview_idle": 10,
    "interview_hold": 10,  # a suggested 约谈 is to be held within this
    "commitment_determination": 5,  # a fulfilment determination after a commitment's valid-until date
    "letter_reply": 10,  # the reply a letter asks for, unless the letter sets its own date
}


def parse_days(text: str) -> dict[str, int]:
    """PORTAL_DEADLINE_DAYS, e.g. "complaint_accept=3,objection_verify=15"; unnamed ones keep their defaults."""
    days = dict(DEFAULT_DAYS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in DEFAULT_DAYS or not value.strip().isdigit() or not 1 <= int(value) <= 60:
            raise ValueError(
                f"PORTAL_DEADLINE_DAYS: {part!r} is not NAME=DAYS (1–60) with NAME one of {', '.join(DEFAULT_DAYS)}"
            )
        days[name] = int(value)
    for steps in _ORDERED:  # a later step of one filing is due after the earlier one
        if any(days[a] >= days[b] for a, b in pairwise(steps)):
            raise ValueError(f"PORTAL_DEADLINE_DAYS: {' < '.join(f'{s} ({days[s]})' for s in steps)} must increase")
    return days


# The steps of one filing, in the order they fall due (parse_days keeps them so: a complaint returned to its agency
# counts its new deadlines from the differences, complaints/rules.returned_deadlines).
_ORDERED = (("complaint_accept", "complaint_answer", "complaint_close"), ("objection_accept", "objection_verify"))


class Urgency(LabelledEnum):
    """Where an item stands against its due day: the states of the 工作台账 (DESIGN.md, Supervision), used by
    every queue with a deadline (complaints, objections, credit repair)."""

    NOT_DUE = "not_due", N_("未到期")
    DUE = "due", N_("今明到期")  # due today or on the next working day
    OVERDUE = "overdue", N_("已逾期")  # the due day has passed
    DONE = "done", N_("已办结")  # nothing is due any more


def due_soon_until(today: date, calendar: WorkCalendar) -> date:
    """The first day that is no longer 今明到期: the second working day after `today`. An item is due when
    `today <= due < due_soon_until(today, calendar)` (the SQL filters use the same bounds)."""
    return calendar.add_workdays(today, 2)


def urgency(due: date | None, today: date, calendar: WorkCalendar) -> Urgency:
    """已逾期 the day after the due day; 今明到期 on the due day or when it is the next working day; 已办结 when
    nothing is due (`due` None); 未到期 otherwise."""
    if due is None:
        return Urgency.DONE
    if due < today:
        return Urgency.OVERDUE
    if due < due_soon_until(today, calendar):
        return Urgency.DUE
    return Urgency.NOT_DUE
