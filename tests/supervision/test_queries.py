"""The queues' due and overdue filters in SQL give the same answers as core.deadlines.urgency, day by day around the
boundaries (a weekend, 国庆 with its make-up Saturday, the turn of the year)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import Date, literal, select, union_all

from portal.core.deadlines import Urgency, urgency
from portal.extensions import db
from portal.supervision.operations import work_calendar
from portal.supervision.queries import urgency_clause


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 11, 20),  # a Friday
        date(2026, 11, 21),  # a Saturday
        date(2026, 9, 30),  # the day before 国庆
        date(2026, 10, 3),  # inside it
        date(2026, 10, 10),  # its make-up Saturday
        date(2026, 12, 31),  # before 元旦 2027
    ],
)
def test_sql_and_python_agree(app: Flask, today: date) -> None:
    calendar = work_calendar(today)
    days: list[date | None] = [today + timedelta(days=n) for n in range(-3, 12)]
    days.append(None)
    table = union_all(*(select(literal(d, Date).label("due")) for d in days)).subquery("dues")
    for flag in Urgency:
        found = db.session.scalars(select(table.c.due).where(urgency_clause(table.c.due, flag, today, calendar)))
        expected = {d for d in days if urgency(d, today, calendar) is flag}
        assert set(found) == expected, flag
