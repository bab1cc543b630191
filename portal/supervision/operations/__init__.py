from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.core.workdays import WorkCalendar, china_calendar, covered_years
from portal.extensions import db
from portal.supervision.models import CalendarOverride


def work_calendar(on: date) -> WorkCalendar:
    """The calendar every deadline is counted on: China's working days for the years around `on`
    (core.workdays.covered_years), corrected by the staff's override table."""
    overrides = {row.day: row.is_workday for row in db.session.scalars(select(CalendarOverride))}
    return china_calendar(covered_years(on)).with_overrides(overrides)
