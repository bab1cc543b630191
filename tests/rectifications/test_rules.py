"""When an open rectification is overdue."""

from __future__ import annotations

from datetime import date

import pytest

from portal.rectifications.rules import Outcome, is_overdue

DEADLINE = date(2025, 10, 9)


@pytest.mark.parametrize(
    ("outcome", "today", "expected"),
    [
        (None, date(2025, 9, 30), False),
        (None, date(2025, 10, 8), False),
        (None, date(2025, 10, 9), False),  # the deadline day itself is still in time
        (None, date(2025, 10, 10), True),
        (None, date(2026, 10, 9), True),
        *[(outcome, date(2025, 10, 10), False) for outcome in Outcome],
        *[(outcome, date(2027, 1, 1), False) for outcome in Outcome],
        *[(outcome, date(2025, 10, 1), False) for outcome in Outcome],
    ],
)
def test_is_overdue(outcome: Outcome | None, today: date, expected: bool) -> None:
    assert is_overdue(DEADLINE, outcome, today) is expected
