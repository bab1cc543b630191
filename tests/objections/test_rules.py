"""Table tests of the objections' pure rules: deadlines on the real Chinese calendar, what is due next, the queue's
flags, the transition table and the contact check."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.deadlines import DEFAULT_DAYS
from portal.core.workdays import WorkCalendar, china_calendar
from portal.objections.rules import (
    DECIDED,
    OPEN,
    InvalidStep,
    ObjectionStatus,
    check_step,
    contact_problem,
    due_for,
    objection_deadlines,
    urgency,
)

CALENDAR = china_calendar([2026, 2027])


@pytest.mark.parametrize(
    ("filed", "accept", "verify"),
    [
        # 国庆 2026: 10-01..10-07 off (10-03/04 a weekend anyway), Saturday 10-10 a make-up working day
        (date(2026, 9, 30), date(2026, 10, 9), date(2026, 10, 20)),
        # filed on the holiday itself: the count starts after it
        (date(2026, 10, 3), date(2026, 10, 9), date(2026, 10, 20)),
        # an ordinary week: Friday + 2 working days is Tuesday, + 10 is the Friday after next
        (date(2026, 11, 20), date(2026, 11, 24), date(2026, 12, 4)),
        # the turn of the year: 元旦 2027 (Friday 01-01) is off
        (date(2026, 12, 30), date(2027, 1, 4), date(2027, 1, 14)),
    ],
)
def test_deadlines_count_working_days_on_the_chinese_calendar(filed: date, accept: date, verify: date) -> None:
    deadlines = objection_deadlines(filed, CALENDAR, DEFAULT_DAYS)
    assert (deadlines.accept, deadlines.verify) == (accept, verify)


def test_a_plain_weekday_calendar_would_get_national_day_wrong() -> None:
    """The holiday matters: without it, the deadline would fall in the middle of 国庆."""
    plain = objection_deadlines(date(2026, 9, 30), WorkCalendar(), DEFAULT_DAYS)
    assert plain.accept == date(2026, 10, 2)
    assert objection_deadlines(date(2026, 9, 30), CALENDAR, DEFAULT_DAYS).accept == date(2026, 10, 9)


def test_configured_days_are_used() -> None:
    days = {**DEFAULT_DAYS, "objection_accept": 5, "objection_verify": 15}
    deadlines = objection_deadlines(date(2026, 11, 20), CALENDAR, days)
    assert (deadlines.accept, deadlines.verify) == (date(2026, 11, 27), date(2026, 12, 11))


@pytest.mark.parametrize(
    ("status", "due"),
    [
        (ObjectionStatus.SUBMITTED, date(2026, 11, 24)),
        (ObjectionStatus.ACCEPTED, date(2026, 12, 4)),
        (ObjectionStatus.CORRECTED, None),
        (ObjectionStatus.REVOKED, None),
        (ObjectionStatus.UPHELD, None),
    ],
)
def test_what_is_due_next(status: ObjectionStatus, due: date | None) -> None:
    assert due_for(status, date(2026, 11, 24), date(2026, 12, 4)) == due


@pytest.mark.parametrize(
    ("due", "flag"),
    [
        (None, ""),
        (date(2026, 11, 19), "overdue"),  # yesterday
        (date(2026, 11, 20), "due"),  # today
        (date(2026, 11, 23), "due"),  # Monday: the next working day after Friday the 20th
        (date(2026, 11, 24), ""),
    ],
)
def test_queue_flags(due: date | None, flag: str) -> None:
    assert urgency(due, date(2026, 11, 20), CALENDAR) == flag


def test_the_transition_table() -> None:
    check_step(ObjectionStatus.SUBMITTED, ObjectionStatus.ACCEPTED)
    for outcome in DECIDED:
        check_step(ObjectionStatus.ACCEPTED, outcome)
        with pytest.raises(InvalidStep):
            check_step(ObjectionStatus.SUBMITTED, outcome)  # accepted first
        for new in ObjectionStatus:
            with pytest.raises(InvalidStep):
                check_step(outcome, new)  # decided is final
    assert set(ObjectionStatus) == OPEN | DECIDED
    assert not OPEN & DECIDED


@pytest.mark.parametrize(
    ("phone", "email", "problem"),
    [
        ("13812345678", "", None),
        ("+86 138 1234 5678", "", None),
        ("0527-12345678", "", None),
        ("010-87654321-123", "", None),
        ("400-123-4567", "", None),
        ("", "zhang.san@example.cn", None),
        ("13812345678", "zhang@example.cn", None),
        ("", "", "missing"),
        ("12345", "", "phone"),
        ("1381234567x", "", "phone"),
        ("23812345678", "", "phone"),
        ("", "zhang", "email"),
        ("", "zhang@example", "email"),
        ("", "a b@example.cn", "email"),
        ("13812345678", "not-an-address", "email"),
    ],
)
def test_contact(phone: str, email: str, problem: str | None) -> None:
    assert contact_problem(phone, email) == problem
