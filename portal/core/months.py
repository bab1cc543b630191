"""A calendar month, as the bulletin, the evaluation and the statistics count them: written 2026-11 in addresses,
forms, files and tables. Pure."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a month outside these years is a typing error


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM` (2026-11; years 2000–2100), else ValueError (2026-13, 2026-1, 1999-12, 2026-11.pdf)."""
        match = _PATTERN.fullmatch(text) if text.isascii() else None
        if match is None:
            raise ValueError(f"{text!r} is not a month written YYYY-MM")
        year, month = int(match.group(1)), int(match.group(2))
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise ValueError(f"{text!r} is not a month between {FIRST_YEAR}-01 and {LAST_YEAR}-12")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def plus(self, months: int) -> Month:
        """The month `months` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def is_finished(self, today: date) -> bool:
        """The month is over: its last day has passed."""
        return self.last_day < today

    @property
    def chinese(self) -> str:
        """2026年11月, as official documents write it."""
        return f"{self.year}年{self.month}月"
