"""The one urgency rule of every staff queue (complaints, objections, credit repair) and of the 工作台账: 已逾期 the day
after the due day, 今明到期 on it or when it is the next working day, on the real Chinese calendar."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.deadlines import Urgency, due_soon_until, parse_days, urgency
from portal.core.workdays import WorkCalendar, china_calendar, covered_years

CALENDAR = china_calendar([2025, 2026, 2027])
U = Urgency


@pytest.mark.parametrize(
    ("today", "due", "expected"),
    [
        # nothing due any more
        (date(2026, 11, 20), None, U.DONE),
        # an ordinary week: Friday the 20th
        (date(2026, 11, 20), date(2026, 11, 19), U.OVERDUE),  # yesterday
        (date(2026, 11, 20), date(2026, 11, 20), U.DUE),  # today
        (date(2026, 11, 20), date(2026, 11, 23), U.DUE),  # Monday: the next working day
        (date(2026, 11, 20), date(2026, 11, 24), U.NOT_DUE),  # the second working day
        # 国庆 2026: 1–7 October off, Saturday 10 October a make-up working day
        (date(2026, 9, 30), date(2026, 10, 8), U.DUE),  # the next working day is after the holiday
        (date(2026, 9, 30), date(2026, 10, 9), U.NOT_DUE),
        (date(2026, 10, 3), date(2026, 10, 8), U.DUE),  # today a holiday: the next working day counts
        (date(2026, 10, 3), date(2026, 10, 9), U.NOT_DUE),
        (date(2026, 10, 10), date(2026, 10, 9), U.OVERDUE),  # the make-up Saturday after the due day
        (date(2026, 10, 10), date(2026, 10, 10), U.DUE),
        (date(2026, 10, 10), date(2026, 10, 12), U.DUE),
        (date(2026, 10, 10), date(2026, 10, 13), U.NOT_DUE),
        # 春节 2026: Saturday 14 February a make-up working day, 15–23 February off
        (date(2026, 2, 13), date(2026, 2, 14), U.DUE),
        (date(2026, 2, 13), date(2026, 2, 24), U.NOT_DUE),
        # the turn of the year: 元旦 2027 (Friday 1 January) off
        (date(2026, 12, 31), date(2027, 1, 4), U.DUE),
        (date(2026, 12, 31), date(2027, 1, 5), U.NOT_DUE),
    ],
)
def test_urgency(today: date, due: date | None, expected: Urgency) -> None:
    assert urgency(due, today, CALENDAR) is expected


@pytest.mark.parametrize(
    ("today", "due", "expected"),
    [
        # The credit-repair queue used to flag "due" on the due day only; it now follows the common rule:
        # a decision due on the next working day is 今明到期 as well.
        (date(2026, 11, 20), date(2026, 11, 23), U.DUE),
        (date(2026, 11, 23), date(2026, 11, 23), U.DUE),
        (date(2026, 11, 24), date(2026, 11, 23), U.OVERDUE),
    ],
)
def test_repair_decisions_follow_the_common_rule(today: date, due: date, expected: Urgency) -> None:
    assert urgency(due, today, CALENDAR) is expected


@pytest.mark.parametrize(
    ("today", "until"),
    [
        (date(2026, 11, 20), date(2026, 11, 24)),
        (date(2026, 9, 30), date(2026, 10, 9)),
        (date(2026, 10, 3), date(2026, 10, 9)),
        (date(2026, 12, 31), date(2027, 1, 5)),
    ],
)
def test_due_soon_until_is_the_second_working_day(today: date, until: date) -> None:
    assert due_soon_until(today, CALENDAR) == until
    assert CALENDAR.workdays_between(today, until) == 2


def test_a_plain_weekday_calendar_gives_other_answers_over_a_holiday() -> None:
    """The calendar is an argument: on weekdays alone, 8 October is not the next working day after 30 September."""
    assert urgency(date(2026, 10, 8), date(2026, 9, 30), WorkCalendar()) is U.NOT_DUE
    assert urgency(date(2026, 10, 8), date(2026, 9, 30), CALENDAR) is U.DUE


def test_labels_are_the_ledgers_states() -> None:
    assert [str(u.label) for u in Urgency] == ["未到期", "今明到期", "已逾期", "已办结"]


@pytest.mark.parametrize(
    ("day", "years"),
    [
        (date(2026, 1, 1), [2025, 2026, 2027]),
        (date(2026, 12, 31), [2025, 2026, 2027]),
        (date(2027, 6, 30), [2026, 2027, 2028]),
    ],
)
def test_covered_years_are_the_year_before_to_the_year_after(day: date, years: list[int]) -> None:
    assert list(covered_years(day)) == years


def test_a_deadline_counted_late_in_the_year_is_covered() -> None:
    """The longest deadline allowed (60 working days) from the last day of the year ends inside the covered years."""
    filed = date(2026, 12, 31)
    calendar = china_calendar(covered_years(filed))
    assert calendar.add_workdays(filed, 60).year in covered_years(filed)


@pytest.mark.parametrize(
    "text",
    ["complaint_accept=5,complaint_answer=3", "complaint_answer=15", "objection_accept=10", "complaint_close=2"],
)
def test_the_steps_of_a_filing_must_fall_due_in_order(text: str) -> None:
    """A returned complaint counts its deadlines from the differences (complaints/rules.returned_deadlines)."""
    with pytest.raises(ValueError, match="must increase"):
        parse_days(text)
    assert parse_days("complaint_accept=3,complaint_answer=12,complaint_close=20")["complaint_close"] == 20
