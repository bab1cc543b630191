"""The retention rule: a case's personal data is due for erasure on the same day N years after it closed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portal.config import ConfigError, load_settings
from portal.core.masking import ERASED, mask_name, shown_contact
from portal.retention.rules import cutoff, is_due


@pytest.mark.parametrize(
    ("today", "years", "last"),
    [
        (date(2026, 11, 20), 3, date(2023, 11, 20)),
        (date(2026, 11, 20), 1, date(2025, 11, 20)),
        (date(2028, 2, 29), 3, date(2025, 2, 28)),  # no 29 February in 2025
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2027, 3, 1), 3, date(2024, 3, 1)),
    ],
)
def test_cutoff(today: date, years: int, last: date) -> None:
    assert cutoff(today, years) == last


@pytest.mark.parametrize(
    ("closed_on", "due"),
    [
        (date(2023, 11, 19), True),  # 3 years and a day before
        (date(2023, 11, 20), True),  # 3 years to the day: due from today
        (date(2023, 11, 21), False),  # 3 years less a day
        (date(2026, 11, 20), False),
        (None, False),  # still open
    ],
)
def test_is_due_three_years_after_closing(closed_on: date | None, due: bool) -> None:
    assert is_due(closed_on, date(2026, 11, 20), 3) is due


def test_a_case_closed_on_29_february_is_due_on_1_march_of_a_common_year() -> None:
    closed = date(2024, 2, 29)
    assert not is_due(closed, date(2027, 2, 28), 3)
    assert is_due(closed, date(2027, 3, 1), 3)


def test_staff_read_the_placeholder_not_a_mask_of_it() -> None:
    assert mask_name(ERASED) == ERASED
    assert shown_contact(ERASED, "", "") == {"name": ERASED, "phone": "", "email": "", "code": ""}
    assert mask_name("王小明") == "王**"


def test_the_period_is_a_setting(tmp_path: Path) -> None:
    base = {"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40}
    assert load_settings(base).retention_years == 3
    assert load_settings({**base, "PORTAL_RETENTION_YEARS": "5"}).retention_years == 5
    for wrong in ("0", "31", "2.5", "three", "-3", ""):
        with pytest.raises(
            ConfigError, match="PORTAL_RETENTION_YEARS must be a whole number of years between 1 and 30"
        ):
            load_settings({**base, "PORTAL_RETENTION_YEARS": wrong})
