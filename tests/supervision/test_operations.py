from __future__ import annotations

from datetime import date

from flask import Flask

from portal.extensions import db
from portal.supervision.models import CalendarOverride
from portal.supervision.operations import work_calendar


def test_staff_overrides_correct_the_official_calendar(app: Flask) -> None:
    calendar = work_calendar(date(2026, 11, 20))
    assert not calendar.is_workday(date(2026, 10, 1))  # 国庆
    assert calendar.is_workday(date(2026, 11, 23))  # an ordinary Monday
    db.session.add_all(
        [
            CalendarOverride(day=date(2026, 11, 23), is_workday=False, note="临时调整：示例"),
            CalendarOverride(day=date(2026, 11, 28), is_workday=True, note="调休上班：示例"),
        ]
    )
    db.session.flush()
    calendar = work_calendar(date(2026, 11, 20))
    assert not calendar.is_workday(date(2026, 11, 23))
    assert calendar.is_workday(date(2026, 11, 28))  # a Saturday made a working day
    assert calendar.add_workdays(date(2026, 11, 20), 2) == date(2026, 11, 25)
