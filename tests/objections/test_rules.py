"""Table tests of the objections' pure rules: deadlines on the real Chinese calendar, what is due next, the transition
table (the contact check is core.contacts: tests/core/test_contacts.py; the queue's flags are
core.deadlines.urgency: tests/core/test_deadlines.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.deadlines import DEFAULT_DAYS
from portal.core.transitions import TransitionError, check_transition
from portal.core.workdays import WorkCalendar, china_calendar
from portal.objections.rules import (
    DECIDED,
    OPEN,
    TRANSITIONS,
    ObjectionStatus,
    due_for,
    objection_deadlines,
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


def test_the_transition_table() -> None:
    check_transition(TRANSITIONS, ObjectionStatus.SUBMITTED, ObjectionStatus.ACCEPTED)
    for outcome in DECIDED:
        check_transition(TRANSITIONS, ObjectionStatus.ACCEPTED, outcome)
        with pytest.raises(TransitionError):
            check_transition(TRANSITIONS, ObjectionStatus.SUBMITTED, outcome)  # accepted first
        for new in ObjectionStatus:
            with pytest.raises(TransitionError):
                check_transition(TRANSITIONS, outcome, new)  # decided is final
    assert set(ObjectionStatus) == OPEN | DECIDED
    assert not OPEN & DECIDED
