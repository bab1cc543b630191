from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.core.workdays import WorkCalendar, china_calendar
from portal.extensions import db
from portal.supervision.models import CalendarOverride


def work_calendar(years: Iterable[int]) -> WorkCalendar:
    """China's calendar for `years`, corrected by the staff's override table."""
    overrides = {row.day: row.is_workday for row in db.session.scalars(select(CalendarOverride))}
    return china_calendar(years).with_overrides(overrides)
