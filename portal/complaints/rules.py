"""Complaint categories, statuses, the transitions between them and their deadlines in working days. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from portal.core.labelled import N_, LabelledEnum
from portal.core.workdays import WorkCalendar


class FilerType(LabelledEnum):
    INDIVIDUAL = "individual", N_("个人")
    ENTERPRISE = "enterprise", N_("企业")  # 企业（须填统一社会信用代码）


class Category(LabelledEnum):
    ARREARS = "arrears", N_("拖欠账款")
    BROKEN_PROMISE = "broken_promise", N_("承诺不兑现")
    CONTRACT = "contract", N_("合同违约")
    OLD_DEBTS = "old_debts", N_("新官不理旧账")
    OTHER = "other", N_("其他")


class ComplaintStatus(LabelledEnum):
    SUBMITTED = "submitted", N_("已提交")
    ACCEPTED = "accepted", N_("已受理")
    NOT_ACCEPTED = "not_accepted", N_("不予受理")
    TRANSFERRED = "transferred", N_("已转办")
    ANSWERED = "answered", N_("部门已反馈")
    CLOSED = "closed", N_("已办结")


class Satisfaction(LabelledEnum):
    """How the complainant rates the answer once the complaint is closed (issue 18; the complaint channel itself is
    泗政秘〔2018〕145号 (三): 建立失信行为投诉举报机制，畅通民意诉求渠道)."""

    SATISFIED = "satisfied", N_("满意")
    BASICALLY_SATISFIED = "basically_satisfied", N_("基本满意")
    DISSATISFIED = "dissatisfied", N_("不满意")


class RefusalReason(LabelledEnum):
    NO_FACTS = "no_facts", N_("未提供具体事实和依据")  # 未提供具体事实
    DUPLICATE = "duplicate", N_("重复投诉")
    OTHER_CHANNEL = "other_channel", N_("已通过或应当通过其他法定途径处理")  # 已通过其他法定途径处理
    NOT_OUR_JURISDICTION = "not_our_jurisdiction", N_("不属于本平台受理范围")


# The steps allowed (core.transitions.check_transition checks one against it). A closed complaint goes back to
# 已转办 only by `return_to_agency`, under `may_return`.
TRANSITIONS: Mapping[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.SUBMITTED: frozenset({ComplaintStatus.ACCEPTED, ComplaintStatus.NOT_ACCEPTED}),
    ComplaintStatus.ACCEPTED: frozenset({ComplaintStatus.TRANSFERRED}),
    ComplaintStatus.TRANSFERRED: frozenset({ComplaintStatus.ANSWERED}),
    ComplaintStatus.ANSWERED: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.NOT_ACCEPTED: frozenset(),
    ComplaintStatus.CLOSED: frozenset({ComplaintStatus.TRANSFERRED}),
}
FINISHED = frozenset({ComplaintStatus.NOT_ACCEPTED, ComplaintStatus.CLOSED})
# What an agency's officers see: the complaints transferred to their agency, from then on (answered, closed).
OFFICER_STATUSES = (ComplaintStatus.TRANSFERRED, ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED)


# Within this many working days of a 不满意 rating, staff may return the case to the agency, once (issue 18; none
# of the five local documents sets a period: the office's choice, configurable as deadline day
# "complaint_return").
RETURN_DAYS_KEY = "complaint_return"


def may_rate(status: ComplaintStatus, rating: Satisfaction | None) -> bool:
    """The complainant rates a closed complaint's answer once (again after a return has been answered anew)."""
    return status is ComplaintStatus.CLOSED and rating is None


def return_until(rated_on: date, calendar: WorkCalendar, days: Mapping[str, int]) -> date:
    """The last day a 不满意 rating given on `rated_on` can still send the case back to the agency."""
    return calendar.add_workdays(rated_on, days[RETURN_DAYS_KEY])


def may_return(
    status: ComplaintStatus,
    rating: Satisfaction | None,
    rated_on: date | None,
    returned_on: date | None,
    today: date,
    calendar: WorkCalendar,
    days: Mapping[str, int],
) -> bool:
    """Once, for a closed complaint rated 不满意, within the return period of the rating."""
    return (
        status is ComplaintStatus.CLOSED
        and rating is Satisfaction.DISSATISFIED
        and rated_on is not None
        and returned_on is None
        and today <= return_until(rated_on, calendar, days)
    )


def returned_deadlines(today: date, calendar: WorkCalendar, days: Mapping[str, int]) -> Deadlines:
    """A returned case starts the agency's answer and the closing over from the day of the return (acceptance is
    long past and stays as it was: the caller keeps it)."""
    return Deadlines(
        accept=today,
        answer=calendar.add_workdays(today, days["complaint_answer"] - days["complaint_accept"]),
        close=calendar.add_workdays(today, days["complaint_close"] - days["complaint_accept"]),
    )


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


# A complaint the credit office accepted (and did not refuse) is substantiated enough to enter a record from it or to
# link it to one (DESIGN.md "Complaint"; 泗政秘〔2018〕145号: complaints feed the 政务失信记录).
SUBSTANTIATED = frozenset(
    {ComplaintStatus.ACCEPTED, ComplaintStatus.TRANSFERRED, ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED}
)

# The record kind a complaint's category suggests (None: staff choose). Money owed and broken contracts are
# 拖欠账款/合同违约 records; a broken promise is 招商承诺不兑现 (沈政办发〔2018〕117号 二(三)1–2).
RECORD_KINDS: Mapping[Category, str | None] = {
    Category.ARREARS: "arrears",
    Category.CONTRACT: "arrears",
    Category.OLD_DEBTS: "arrears",
    Category.BROKEN_PROMISE: "investment_promise",
    Category.OTHER: None,
}
# The kind field that takes the complaint's amount (the complainant's identity is never copied).
AMOUNT_FIELD = {"arrears": "amount_owed", "investment_promise": "amount"}
