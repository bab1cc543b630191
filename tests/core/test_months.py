"""The calendar month of the bulletin, the evaluation and the statistics (portal/core/months.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.months import Month


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-11",
        "2026/01",
        "1999-12",  # before 2000: a typing error
        "2101-01",
        "2026-11.pdf",
        "2026-11 ",
        "2026-11\n",
        "２０２６-11",  # full-width digits are not a month of an address
        "",
        "feed",
    ],
)
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month"):
        Month.parse(text)


@pytest.mark.parametrize(
    ("month", "first", "last", "previous", "following"),
    [
        (Month(2026, 11), date(2026, 11, 1), date(2026, 11, 30), Month(2026, 10), Month(2026, 12)),
        (Month(2026, 12), date(2026, 12, 1), date(2026, 12, 31), Month(2026, 11), Month(2027, 1)),
        (Month(2026, 1), date(2026, 1, 1), date(2026, 1, 31), Month(2025, 12), Month(2026, 2)),
        (Month(2028, 2), date(2028, 2, 1), date(2028, 2, 29), Month(2028, 1), Month(2028, 3)),  # leap year
        (Month(2026, 2), date(2026, 2, 1), date(2026, 2, 28), Month(2026, 1), Month(2026, 3)),
        (Month(2000, 1), date(2000, 1, 1), date(2000, 1, 31), Month(1999, 12), Month(2000, 2)),
    ],
)
def test_month_bounds(month: Month, first: date, last: date, previous: Month, following: Month) -> None:
    assert (month.first_day, month.last_day, month.plus(-1), month.plus(1)) == (first, last, previous, following)
    assert Month.parse(str(month)) == month


def test_months_count_across_years_and_finish_after_their_last_day() -> None:
    assert Month(2026, 11).plus(14) == Month(2028, 1)
    assert Month(2026, 1).plus(-13) == Month(2024, 12)
    assert Month.of(date(2026, 11, 20)) == Month(2026, 11)
    assert str(Month(2026, 2)) == "2026-02"
    assert Month(2026, 2).chinese == "2026年2月"
    assert Month(2026, 10).is_finished(date(2026, 11, 1))
    assert not Month(2026, 10).is_finished(date(2026, 10, 31))  # its last day is not over
