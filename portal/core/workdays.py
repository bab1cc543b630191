"""Working days on the Chinese calendar: weekends, public holidays and 调休 make-up working days.

The calendar is plain data (two sets of dates). `china_calendar()` builds it from the `holidays` package, and
an override table (staff-maintained, see portal/supervision) can add or correct days for any year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays as holidays_lib


@dataclass(frozen=True)
class WorkCalendar:
    """`days_off` are weekdays that are holidays; `makeup_days` are weekend days that are working days (调休)."""

    days_off: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The date `count` working days after `start` (start itself not counted). A deadline of
        "within N working days" from a submission on `start` falls on `add_workdays(start, N)`."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=n)))

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before `day`."""
        day -= timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def with_overrides(self, overrides: Mapping[date, bool]) -> WorkCalendar:
        """A calendar where each overridden date is a working day (True) or a day off (False)."""
        days_off = set(self.days_off)
        makeup = set(self.makeup_days)
        for day, is_workday in overrides.items():
            days_off.discard(day)
            makeup.discard(day)
            if is_workday and day.weekday() >= 5:
                makeup.add(day)
            elif not is_workday and day.weekday() < 5:
                days_off.add(day)
        return WorkCalendar(frozenset(days_off), frozenset(makeup))


def covered_years(day: date) -> range:
    """The years a calendar used on `day` covers (the one decision, for every caller): the year before (a deadline
    counted from a filing late last year is still running), `day`'s own year, and the next (a deadline counted from
    late in the year falls in January; PORTAL_DEADLINE_DAYS allows at most 60 working days)."""
    return range(day.year - 1, day.year + 2)


def china_calendar(years: Iterable[int]) -> WorkCalendar:
    """China's statutory holidays and make-up working days for `years`, from the `holidays` package."""
    cn = holidays_lib.China(years=list(years))
    days_off = frozenset(d for d in cn if d.weekday() < 5)
    makeup = frozenset(d for d in cn.weekend_workdays if d.year in cn.years)
    return WorkCalendar(days_off, makeup)
