"""Deadline questions asked of the database: a queue's due and overdue filters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_

from portal.core.deadlines import Urgency, due_soon_until
from portal.core.workdays import WorkCalendar


def urgency_clause(
    due: ColumnElement[date | None], flag: Urgency, today: date, calendar: WorkCalendar
) -> ColumnElement[bool]:
    """The rows whose `due` day (NULL: nothing due) is `flag` today: core.deadlines.urgency in SQL, on the same
    bounds (tests/supervision/test_queries.py checks that both answer alike at the boundary days)."""
    if flag is Urgency.DONE:
        return due.is_(None)
    if flag is Urgency.OVERDUE:
        return due < today
    soon_until = due_soon_until(today, calendar)
    if flag is Urgency.DUE:
        return and_(due >= today, due < soon_until)
    return due >= soon_until
