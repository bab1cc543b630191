"""Disclosure periods: windows per tier from the decision date, month arithmetic, parsing the setting."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.periods import (
    DEFAULT_PERIODS,
    DisclosureWindow,
    PeriodBounds,
    Severity,
    add_months,
    disclosure_window,
    parse_periods,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_default_periods_follow_the_rules() -> None:
    # 轻微 at most 3 months; 一般 3 months to 1 year; 严重 1 to 3 years.
    assert {
        Severity.MINOR: PeriodBounds(0, 3),
        Severity.GENERAL: PeriodBounds(3, 12),
        Severity.SERIOUS: PeriodBounds(12, 36),
    } == DEFAULT_PERIODS


@pytest.mark.parametrize(
    ("decision", "severity", "min_end", "max_end"),
    [
        ("2025-03-15", Severity.MINOR, "2025-03-15", "2025-06-15"),
        ("2025-03-15", Severity.GENERAL, "2025-06-15", "2026-03-15"),
        ("2025-03-15", Severity.SERIOUS, "2026-03-15", "2028-03-15"),
        ("2024-02-29", Severity.MINOR, "2024-02-29", "2024-05-29"),
        ("2024-02-29", Severity.GENERAL, "2024-05-29", "2025-02-28"),
        ("2024-02-29", Severity.SERIOUS, "2025-02-28", "2027-02-28"),
        ("2025-11-30", Severity.MINOR, "2025-11-30", "2026-02-28"),
        ("2025-11-30", Severity.GENERAL, "2026-02-28", "2026-11-30"),
        ("2025-11-30", Severity.SERIOUS, "2026-11-30", "2028-11-30"),
        ("2025-08-31", Severity.MINOR, "2025-08-31", "2025-11-30"),
        ("2025-08-31", Severity.GENERAL, "2025-11-30", "2026-08-31"),
        ("2025-12-31", Severity.GENERAL, "2026-03-31", "2026-12-31"),
        ("2025-12-31", Severity.SERIOUS, "2026-12-31", "2028-12-31"),
        ("2027-11-30", Severity.MINOR, "2027-11-30", "2028-02-29"),  # into a leap February
    ],
)
def test_disclosure_window_defaults(decision: str, severity: Severity, min_end: str, max_end: str) -> None:
    assert disclosure_window(d(decision), severity) == DisclosureWindow(d(decision), d(min_end), d(max_end))


@pytest.mark.parametrize(
    ("setting", "severity", "min_end", "max_end"),
    [
        ("general=6-24", Severity.GENERAL, "2025-07-31", "2027-01-31"),
        ("general=6-24", Severity.SERIOUS, "2026-01-31", "2028-01-31"),  # untouched tier keeps its default
        ("minor=1-2", Severity.MINOR, "2025-02-28", "2025-03-31"),
        ("serious=12-60", Severity.SERIOUS, "2026-01-31", "2030-01-31"),
    ],
)
def test_disclosure_window_configured(setting: str, severity: Severity, min_end: str, max_end: str) -> None:
    window = disclosure_window(d("2025-01-31"), severity, parse_periods(setting))
    assert (window.start, window.min_end, window.max_end) == (d("2025-01-31"), d(min_end), d(max_end))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2025-05-15", 0, "2025-05-15"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-03-31", 1, "2025-04-30"),
        ("2025-01-30", 1, "2025-02-28"),
        ("2025-01-28", 1, "2025-02-28"),
        ("2025-12-15", 1, "2026-01-15"),
        ("2025-12-31", 1, "2026-01-31"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2025-01-15", 12, "2026-01-15"),
        ("2025-01-31", 13, "2026-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2023-02-28", 12, "2024-02-28"),
        ("2025-10-31", 36, "2028-10-31"),
        ("2100-01-31", 1, "2100-02-28"),  # 2100 is not a leap year
        ("2000-01-31", 1, "2000-02-29"),  # 2000 is
        ("2025-03-31", -1, "2025-02-28"),
        ("2025-01-15", -1, "2024-12-15"),
        ("2026-03-31", -13, "2025-02-28"),
    ],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(d(day), months) == d(expected)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("", {}),
        ("  ", {}),
        ("minor=0-3,general=3-12,serious=12-36", {}),
        ("general=6-24", {Severity.GENERAL: PeriodBounds(6, 24)}),
        (" general = 6-24 ", {Severity.GENERAL: PeriodBounds(6, 24)}),
        ("serious=12-60,", {Severity.SERIOUS: PeriodBounds(12, 60)}),
        ("minor=1-1", {Severity.MINOR: PeriodBounds(1, 1)}),
        (
            "minor=0-6, serious=24-48",
            {Severity.MINOR: PeriodBounds(0, 6), Severity.SERIOUS: PeriodBounds(24, 48)},
        ),
        ("general=3-12,general=4-6", {Severity.GENERAL: PeriodBounds(4, 6)}),  # the last one wins
    ],
)
def test_parse_periods_good(text: str, changes: dict[Severity, PeriodBounds]) -> None:
    assert parse_periods(text) == {**DEFAULT_PERIODS, **changes}


@pytest.mark.parametrize(
    "text",
    [
        "general",
        "general=",
        "general=3",
        "general=a-b",
        "general=3-",
        "general=3-12-24",
        "general=3-12=4",
        "general:3-12",
        "general=3..12",
        "unknown=1-2",
        "GENERAL=3-12",
        "一般=3-12",
        "general=12-3",
        "general=0-0",
        "general=-1-3",
        "general=3.5-12",
        "minor=0-3,serious",
    ],
)
def test_parse_periods_bad(text: str) -> None:
    with pytest.raises(ValueError, match="bad disclosure period"):
        parse_periods(text)


def test_parse_periods_does_not_change_the_defaults() -> None:
    before = dict(DEFAULT_PERIODS)
    parsed = parse_periods("general=6-24")
    parsed[Severity.MINOR] = PeriodBounds(1, 2)
    assert dict(DEFAULT_PERIODS) == before
