"""Working days on the Chinese calendar: the real `holidays` data for 2025–2026 and hand-built tables.

Official arrangements (国务院办公厅 notices) checked here:
- 国庆/中秋 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
- 元旦 2026: 1–3 January off; Sunday 4 January is a working day.
- 春节 2026: 15–23 February off; Saturday 14 February and Saturday 28 February are working days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.core.workdays import WorkCalendar, china_calendar

CN = china_calendar([2025, 2026])


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- is_workday on the real calendar ---

NATIONAL_DAY_2025_OFF = [f"2025-10-{n:02d}" for n in range(1, 9)]
SPRING_FESTIVAL_2026_OFF = [f"2026-02-{n:02d}" for n in range(15, 24)]


@pytest.mark.parametrize("day", NATIONAL_DAY_2025_OFF + SPRING_FESTIVAL_2026_OFF + ["2026-01-01", "2026-01-02"])
def test_holidays_are_not_workdays(day: str) -> None:
    assert CN.is_workday(d(day)) is False


@pytest.mark.parametrize(
    ("day", "weekday"),
    [
        ("2025-09-28", 6),  # Sunday before 国庆 2025
        ("2025-10-11", 5),  # Saturday after 国庆 2025
        ("2026-01-04", 6),  # Sunday after 元旦 2026
        ("2026-02-14", 5),  # Saturday before 春节 2026
        ("2026-02-28", 5),  # Saturday after 春节 2026
    ],
)
def test_makeup_weekend_days_are_workdays(day: str, weekday: int) -> None:
    assert d(day).weekday() == weekday
    assert CN.is_workday(d(day)) is True


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-09-26", True),  # Friday
        ("2025-09-27", False),  # ordinary Saturday
        ("2025-09-29", True),  # Monday
        ("2025-09-30", True),  # Tuesday, last day before 国庆
        ("2025-10-09", True),  # Thursday, first day back
        ("2025-10-12", False),  # ordinary Sunday
        ("2025-10-13", True),  # Monday
        ("2026-02-13", True),  # Friday before 春节
        ("2026-02-24", True),  # Tuesday, first day back after 春节
        ("2026-02-21", False),  # Saturday inside 春节
        ("2026-03-01", False),  # ordinary Sunday
        ("2026-03-02", True),  # ordinary Monday
    ],
)
def test_ordinary_days_around_the_holidays(day: str, expected: bool) -> None:
    assert CN.is_workday(d(day)) is expected


def test_days_off_hold_only_weekdays_and_makeup_days_only_weekends() -> None:
    assert all(day.weekday() < 5 for day in CN.days_off)
    assert all(day.weekday() >= 5 for day in CN.makeup_days)
    assert d("2025-10-04") not in CN.days_off  # a Saturday inside 国庆 is off anyway
    assert {d("2025-09-28"), d("2025-10-11"), d("2026-02-14"), d("2026-02-28")} <= CN.makeup_days


def test_calendar_covers_only_the_years_asked_for() -> None:
    only_2025 = china_calendar([2025])
    assert only_2025.is_workday(d("2025-10-08")) is False
    assert only_2025.is_workday(d("2026-02-16")) is True  # an unknown year is plain Monday–Friday
    assert only_2025.is_workday(d("2026-02-14")) is False
    assert all(day.year == 2025 for day in only_2025.days_off | only_2025.makeup_days)


# --- add_workdays ---


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2025-09-30", 0, "2025-09-30"),
        ("2025-10-01", 0, "2025-10-01"),  # zero days from a holiday is the same day
        ("2025-09-26", 1, "2025-09-28"),  # Friday + 1 = the make-up Sunday
        ("2025-09-26", 2, "2025-09-29"),
        ("2025-09-29", 2, "2025-10-09"),  # accept within 2 working days, across 国庆
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 3, "2025-10-11"),  # the make-up Saturday counts
        ("2025-09-30", 4, "2025-10-13"),
        ("2025-09-30", 10, "2025-10-21"),  # agency answer within 10
        ("2025-10-03", 1, "2025-10-09"),  # starting on a holiday
        ("2025-09-30", 7, "2025-10-16"),  # report within 7
        ("2025-12-31", 1, "2026-01-04"),  # across 元旦 into the make-up Sunday
        ("2026-02-13", 1, "2026-02-14"),  # the make-up Saturday before 春节
        ("2026-02-13", 2, "2026-02-24"),  # then nothing until 24 February
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-12", 7, "2026-02-28"),  # ends on the make-up Saturday after 春节
        ("2026-02-12", 8, "2026-03-02"),
        ("2026-02-13", 15, "2026-03-12"),  # close within 15
    ],
)
def test_add_workdays_real_calendar(start: str, count: int, expected: str) -> None:
    assert CN.add_workdays(d(start), count) == d(expected)


@pytest.mark.parametrize("count", [-1, -10])
def test_add_workdays_negative_count_raises(count: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        CN.add_workdays(d("2025-10-09"), count)
    with pytest.raises(ValueError, match="negative"):
        WorkCalendar().add_workdays(d("2025-10-09"), count)


@pytest.mark.parametrize(
    ("start", "count"),
    [("2025-09-26", 5), ("2025-09-30", 12), ("2026-02-10", 9), ("2025-12-25", 6), ("2026-09-18", 8)],
)
def test_add_workdays_lands_on_a_workday_and_agrees_with_workdays_between(start: str, count: int) -> None:
    end = CN.add_workdays(d(start), count)
    assert CN.is_workday(end)
    assert CN.workdays_between(d(start), end) == count
    assert CN.workdays_between(d(start), end - timedelta(days=1)) == count - 1


# --- workdays_between ---


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-09-30", "2025-09-30", 0),
        ("2025-09-30", "2025-10-08", 0),  # the whole of 国庆
        ("2025-09-30", "2025-10-09", 1),
        ("2025-09-26", "2025-10-12", 6),  # 28, 29, 30 Sep; 9, 10, 11 Oct
        ("2025-10-12", "2025-09-26", -6),
        ("2025-09-27", "2025-09-28", 1),  # end counted, start not
        ("2025-09-28", "2025-09-29", 1),
        ("2026-02-13", "2026-02-28", 6),  # 14, 24, 25, 26, 27, 28 Feb
        ("2026-02-01", "2026-02-28", 16),  # February 2026: 20 weekdays - 6 off + 2 make-up
        ("2026-02-28", "2026-02-01", -16),
        ("2025-12-31", "2026-01-04", 1),
    ],
)
def test_workdays_between_real_calendar(start: str, end: str, expected: int) -> None:
    assert CN.workdays_between(d(start), d(end)) == expected


# --- previous_workday: the monthly report is due the working day before month end ---


@pytest.mark.parametrize(
    ("month_end", "due"),
    [
        ("2025-01-31", "2025-01-27"),  # 春节 2025: 28–31 Jan off
        ("2025-05-31", "2025-05-30"),  # Saturday (端午)
        ("2025-09-30", "2025-09-29"),
        ("2025-10-31", "2025-10-30"),
        ("2025-11-30", "2025-11-28"),  # Sunday month end -> Friday
        ("2026-01-31", "2026-01-30"),
        ("2026-02-28", "2026-02-27"),  # month end is itself a make-up Saturday
        ("2026-03-01", "2026-02-28"),  # the make-up Saturday is a working day
        ("2026-02-24", "2026-02-14"),  # back across the whole of 春节
        ("2025-10-09", "2025-09-30"),
        ("2025-10-13", "2025-10-11"),
    ],
)
def test_previous_workday_real_calendar(month_end: str, due: str) -> None:
    assert CN.previous_workday(d(month_end)) == d(due)


# --- hand-built tables ---

PLAIN = WorkCalendar()
# A fictional week: Wednesday 2027-03-10 is a day off, Saturday 2027-03-13 is a make-up working day.
TABLE = WorkCalendar(days_off=frozenset({d("2027-03-10")}), makeup_days=frozenset({d("2027-03-13")}))


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (PLAIN, "2027-03-08", True),
        (PLAIN, "2027-03-10", True),
        (PLAIN, "2027-03-13", False),
        (PLAIN, "2027-03-14", False),
        (TABLE, "2027-03-09", True),
        (TABLE, "2027-03-10", False),
        (TABLE, "2027-03-11", True),
        (TABLE, "2027-03-13", True),
        (TABLE, "2027-03-14", False),
    ],
)
def test_is_workday_hand_built(calendar: WorkCalendar, day: str, expected: bool) -> None:
    assert calendar.is_workday(d(day)) is expected


@pytest.mark.parametrize(
    ("calendar", "start", "count", "expected"),
    [
        (PLAIN, "2027-03-05", 1, "2027-03-08"),  # Friday + 1 = Monday
        (PLAIN, "2027-03-06", 1, "2027-03-08"),  # from a Saturday
        (PLAIN, "2027-03-08", 5, "2027-03-15"),
        (PLAIN, "2027-03-08", 10, "2027-03-22"),
        (TABLE, "2027-03-09", 1, "2027-03-11"),
        (TABLE, "2027-03-09", 3, "2027-03-13"),
        (TABLE, "2027-03-09", 4, "2027-03-15"),
        (TABLE, "2027-03-08", 5, "2027-03-15"),
    ],
)
def test_add_workdays_hand_built(calendar: WorkCalendar, start: str, count: int, expected: str) -> None:
    assert calendar.add_workdays(d(start), count) == d(expected)


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        (PLAIN, "2027-03-07", "2027-03-14", 5),
        (TABLE, "2027-03-07", "2027-03-14", 5),  # one off, one made up
        (TABLE, "2027-03-09", "2027-03-12", 2),
        (TABLE, "2027-03-12", "2027-03-09", -2),
    ],
)
def test_workdays_between_hand_built(calendar: WorkCalendar, start: str, end: str, expected: int) -> None:
    assert calendar.workdays_between(d(start), d(end)) == expected


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (PLAIN, "2027-03-08", "2027-03-05"),  # Monday -> Friday
        (PLAIN, "2027-03-10", "2027-03-09"),
        (TABLE, "2027-03-11", "2027-03-09"),
        (TABLE, "2027-03-15", "2027-03-13"),
        (TABLE, "2027-03-14", "2027-03-13"),
    ],
)
def test_previous_workday_hand_built(calendar: WorkCalendar, day: str, expected: str) -> None:
    assert calendar.previous_workday(d(day)) == d(expected)


# --- with_overrides ---


@pytest.mark.parametrize(
    ("overrides", "day", "expected"),
    [
        ({d("2025-10-11"): False}, "2025-10-11", False),  # a make-up Saturday cancelled
        ({d("2025-10-09"): False}, "2025-10-09", False),  # an extra weekday off
        ({d("2025-10-08"): True}, "2025-10-08", True),  # a holiday turned into a working day
        ({d("2025-10-18"): True}, "2025-10-18", True),  # an extra make-up Saturday
        ({d("2025-10-04"): False}, "2025-10-04", False),  # a weekend day off stays off
        ({d("2025-10-10"): True}, "2025-10-10", True),  # an ordinary weekday stays a working day
        ({d("2027-10-01"): False}, "2027-10-01", False),  # a year the package was not asked for
        ({d("2027-09-26"): True}, "2027-09-26", True),
    ],
)
def test_with_overrides_is_workday(overrides: dict[date, bool], day: str, expected: bool) -> None:
    assert CN.with_overrides(overrides).is_workday(d(day)) is expected


@pytest.mark.parametrize(
    ("overrides", "start", "count", "expected"),
    [
        ({}, "2025-09-30", 3, "2025-10-11"),
        ({d("2025-10-11"): False}, "2025-09-30", 3, "2025-10-13"),
        ({d("2025-10-09"): False}, "2025-09-30", 1, "2025-10-10"),
        ({d("2025-10-08"): True}, "2025-09-30", 1, "2025-10-08"),
        ({d("2025-10-08"): True, d("2025-10-11"): False}, "2025-09-30", 4, "2025-10-13"),
        ({d("2025-09-28"): False}, "2025-09-26", 1, "2025-09-29"),
    ],
)
def test_with_overrides_add_workdays(overrides: dict[date, bool], start: str, count: int, expected: str) -> None:
    assert CN.with_overrides(overrides).add_workdays(d(start), count) == d(expected)


def test_with_overrides_leaves_the_original_calendar_unchanged() -> None:
    changed = CN.with_overrides({d("2025-10-11"): False, d("2025-10-09"): False, d("2025-10-08"): True})
    assert CN.is_workday(d("2025-10-11")) is True
    assert CN.is_workday(d("2025-10-09")) is True
    assert CN.is_workday(d("2025-10-08")) is False
    assert d("2025-10-11") not in changed.makeup_days
    assert d("2025-10-09") in changed.days_off
    assert d("2025-10-08") not in changed.days_off


def test_with_overrides_on_hand_built_table_keeps_sets_consistent() -> None:
    changed = TABLE.with_overrides({d("2027-03-10"): True, d("2027-03-13"): False, d("2027-03-20"): True})
    assert changed.days_off == frozenset()
    assert changed.makeup_days == frozenset({d("2027-03-20")})
    assert changed.add_workdays(d("2027-03-09"), 4) == d("2027-03-15")
