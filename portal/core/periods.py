"""Disclosure periods by severity tier (国办发〔2025〕22号; 信用修复管理办法, in force from 2026-04-01).

Counted from the decision date. Publication may stop (repair) after the minimum and stops by itself at the
maximum. The months are configuration (PORTAL_DISCLOSURE_MONTHS), never hard-coded in views.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from portal.core.labelled import N_, LabelledEnum


class Severity(LabelledEnum):
    MINOR = "minor", N_("轻微")
    GENERAL = "general", N_("一般")
    SERIOUS = "serious", N_("严重")


@dataclass(frozen=True)
class PeriodBounds:
    min_months: int
    max_months: int


DEFAULT_PERIODS: Mapping[Severity, PeriodBounds] = {
    Severity.MINOR: PeriodBounds(0, 3),
    Severity.GENERAL: PeriodBounds(3, 12),
    Severity.SERIOUS: PeriodBounds(12, 36),
}


@dataclass(frozen=True)
class DisclosureWindow:
    start: date
    min_end: date  # repair may be asked for from this date
    max_end: date  # publication stops on this date


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def disclosure_window(
    decision_date: date, severity: Severity, periods: Mapping[Severity, PeriodBounds] = DEFAULT_PERIODS
) -> DisclosureWindow:
    bounds = periods[severity]
    return DisclosureWindow(
        start=decision_date,
        min_end=add_months(decision_date, bounds.min_months),
        max_end=add_months(decision_date, bounds.max_months),
    )


def parse_periods(text: str) -> dict[Severity, PeriodBounds]:
    """Parse "minor=0-3,general=3-12,serious=12-36" (months); unnamed tiers keep their defaults."""
    periods = dict(DEFAULT_PERIODS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            name, span = part.split("=")
            low, high = (int(n) for n in span.split("-"))
            severity = Severity(name.strip())
        except ValueError as exc:
            raise ValueError(f"bad disclosure period {part!r}: expected e.g. general=3-12") from exc
        if not 0 <= low <= high or high == 0:
            raise ValueError(f"bad disclosure period {part!r}: need 0 <= minimum <= maximum, maximum > 0")
        periods[severity] = PeriodBounds(low, high)
    return periods
